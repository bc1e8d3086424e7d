/**
 * WIDER Face export, as CVAT writes it (Datumaro's wider_face converter):
 *
 * - labels.txt: the task's labels (a skeleton's points after it), one a line, no final newline.
 * - wider_face_split/wider_face_<subset>_bbx_gt.txt ("default" for frames without a subset): per
 *   image its path, `<n>--<label>/<name>` with the number and name of its first tag's label, or
 *   `no_label/<name>`; then, when it has boxes, their count and one line per box:
 *   `x y w h blur expression illumination occluded pose invalid [label]`, numbers as Python prints
 *   floats, "-" for an attribute the label does not have, `occluded` the shape's flag
 *   ("True"/"False"), the label name left out for "face".
 * - WIDER_<subset>/images/<path> when images are saved.
 *
 * Reported: shapes other than rectangles, tags after the first and tag attributes, attributes
 * other than the six columns, rotation (boxes are written unrotated), attribute values and label
 * names with whitespace (they would split the line), images whose name repeats an earlier one.
 */
import type { ExportContext, ExportInput, ExportSink, FrameAnnotations } from '../model.js';
import { categoryNames, shapeAttributes } from '../voc/attributes.js';
import { itemNames } from '../voc/layout.js';
import { pyFloat, pyStr } from '../voc/pyformat.js';
import { BOX_ATTRIBUTES, DEFAULT_LABEL, LABELS_FILE, NO_LABEL, annotationPath, imagesDir } from './layout.js';
import { writeFrames, type FileSet } from './stream-files.js';

const COLUMNS = new Set<string>(BOX_ATTRIBUTES);
/** Keys CVAT adds to every box's attributes that have no column and carry nothing to lose here. */
const BOOKKEEPING = new Set(['rotation', 'track_id', 'keyframe']);

export async function exportWiderFace(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const names = categoryNames(input.labels);
  const index = new Map(names.map((n, i) => [n, i]));
  const labels = new Map(input.labels.map((l) => [l.name, l]));
  const seen = new Set<string>();
  const { report } = ctx;

  await sink.file(LABELS_FILE, names.join('\n'));

  const each = (frame: FrameAnnotations, out: FileSet) => {
    const f = frame.image.frame;
    const item = itemNames(frame.image);
    if (seen.has(`${item.subset}\n${item.id}`)) {
      report.dropped('images with the same name as an earlier one', f, `"${item.id}" already names an item`);
      return;
    }
    seen.add(`${item.subset}\n${item.id}`);

    const tags = frame.tags.filter((t) => {
      if (index.has(t.label)) return true;
      report.dropped('tags of labels not in the task', f, `label "${t.label}" is not in labels.txt`);
      return false;
    });
    tags.slice(1).forEach(() => report.dropped('tags after the first', f, "WIDER Face names one label per image (its folder)"));
    if (tags.some((t) => Object.keys(t.attributes).length > 0)) report.dropped('tag attributes', f, 'WIDER Face keeps the label only');
    const dir = tags.length ? `${index.get(tags[0]!.label)}--${tags[0]!.label}` : NO_LABEL;
    const path = `${dir}/${item.file}`;
    if (input.saveImages) out.image(frame.image, `${imagesDir(item.subset)}/${path}`);

    const lines: string[] = [];
    for (const s of frame.shapes) {
      if (s.type !== 'rectangle') report.dropped(`${s.type} shapes`, f, 'WIDER Face holds boxes only');
      else if (!index.has(s.label)) report.dropped('rectangle shapes of labels not in the task', f, `label "${s.label}" is not in labels.txt`);
      else if (/\s/.test(s.label)) report.dropped('boxes of labels with whitespace in the name', f, `"${s.label}" would split the box line`);
      else lines.push(boxLine(frame, s, labels, ctx));
    }
    let text = `${path}\n`;
    if (lines.length) text += `${lines.length}\n${lines.join('')}`;
    out.write(annotationPath(item.subset), text);
  };

  await writeFrames(input.frames, sink, each);
}

function boxLine(frame: FrameAnnotations, s: FrameAnnotations['shapes'][number], labels: ReadonlyMap<string, ExportInput['labels'][number]>, ctx: ExportContext): string {
  const f = frame.image.frame;
  const attrs = shapeAttributes(s, labels.get(s.label));
  if (s.rotation) ctx.report.converted('rotated rectangles', f, 'written unrotated: WIDER Face has no angle');
  for (const [key, value] of attrs) {
    if (!COLUMNS.has(key) && !BOOKKEEPING.has(key) && pyStr(value) !== '') ctx.report.dropped('attributes without a WIDER Face column', f, `"${key}" is not one of ${BOX_ATTRIBUTES.join(', ')}`);
  }
  // Datumaro keeps x, y, w, h (w = x1 - x0) and writes them with str().
  const [x0, y0, x1, y1] = s.points as [number, number, number, number];
  let line = `${pyFloat(x0)} ${pyFloat(y0)} ${pyFloat(x1 - x0)} ${pyFloat(y1 - y0)} `;
  for (const name of BOX_ATTRIBUTES) {
    const v = attrs.get(name);
    const text = v ? pyStr(v) : '-';
    if (text === '' || /\s/.test(text)) {
      ctx.report.dropped('attribute values with whitespace or empty', f, `"${name}" would split the box line; written as "-"`);
      line += '- ';
    } else line += `${text} `;
  }
  if (s.label !== DEFAULT_LABEL) line += s.label;
  return `${line}\n`;
}
