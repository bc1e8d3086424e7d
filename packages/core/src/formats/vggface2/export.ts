/**
 * VGGFace2 export, as CVAT writes it (Datumaro's vgg_face2 converter):
 *
 * - labels.txt: each label, a line; a skeleton's points follow it as "<point> <skeleton>".
 * - bb_landmark/loose_landmark_<subset>.csv: per image its 5-point landmarks (a points shape of
 *   5 points), a row with only NAME_ID per tag, and a `no_label/<id>` row for an image with
 *   nothing; bb_landmark/loose_bb_<subset>.csv (only when there are boxes): its box as X,Y,W,H.
 *   NAME_ID is `<label>/<item id>` (item id = frame name without extension); numbers as Python
 *   prints floats; Python's csv layout ("\r\n" rows).
 * - <subset>/<label>/<name> images when saved, a copy per label the image's annotations use
 *   (`no_label` when none).
 *
 * Reported: a second points shape or box on an image (VGGFace2 holds one of each; CVAT refuses the
 * export), points shapes of other than 5 points (their row keeps the label only), other shapes,
 * attribute values, rotation, images whose name repeats an earlier one.
 * Unlike Datumaro, each tag's row names its own label (Datumaro repeats the first tag's label).
 */
import type { DatasetShape, ExportContext, ExportInput, ExportSink, FrameAnnotations } from '../model.js';
import { itemNames } from '../voc/layout.js';
import { pyFloat } from '../voc/pyformat.js';
import { writeFrames, type FileSet } from '../widerface/stream-files.js';
import { csvRow } from './csv.js';
import { BOX_COLUMNS, LABELS_FILE, LANDMARK_COLUMNS, NO_LABEL, boxesPath, landmarksPath, nameId } from './layout.js';

const LANDMARKS_HEADER = csvRow([...LANDMARK_COLUMNS]);
const BOXES_HEADER = csvRow([...BOX_COLUMNS]);

export async function exportVggFace2(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const order: string[] = [];
  let labelsText = '';
  for (const l of input.labels) {
    if (order.includes(l.name)) continue;
    order.push(l.name);
    labelsText += `${l.name}\n`;
    for (const s of l.sublabels ?? []) {
      if (order.includes(s.name)) continue;
      order.push(s.name);
      labelsText += `${s.name} ${l.name}\n`;
    }
  }
  const index = new Map(order.map((n, i) => [n, i]));
  const seen = new Set<string>();
  const { report } = ctx;
  await sink.file(LABELS_FILE, labelsText);

  const each = (frame: FrameAnnotations, out: FileSet) => {
    const f = frame.image.frame;
    const item = itemNames(frame.image);
    if (seen.has(`${item.subset}\n${item.id}`)) {
      report.dropped('images with the same name as an earlier one', f, `"${item.id}" already names an item`);
      return;
    }
    seen.add(`${item.subset}\n${item.id}`);
    const known = (label: string, what: string) => {
      if (index.has(label)) return true;
      report.dropped(`${what} of labels not in the task`, f, `label "${label}" is not in labels.txt`);
      return false;
    };
    const shapes = frame.shapes.filter((s) => known(s.label, `${s.type} shapes`));
    const tags = frame.tags.filter((t) => known(t.label, 'tags'));
    const landmarks = shapes.filter((s) => s.type === 'points');
    const boxes = shapes.filter((s) => s.type === 'rectangle');
    landmarks.slice(1).forEach(() => report.dropped('points shapes after the first', f, 'VGGFace2 holds one set of landmarks per image'));
    boxes.slice(1).forEach(() => report.dropped('rectangle shapes after the first', f, 'VGGFace2 holds one box per image'));
    for (const s of shapes) {
      if (s.type !== 'points' && s.type !== 'rectangle') report.dropped(`${s.type} shapes`, f, 'VGGFace2 holds landmarks and boxes only');
      if (Object.values(s.attributes).some((v) => v !== '')) report.dropped('attribute values', f, 'VGGFace2 has no attributes');
    }
    if (tags.some((t) => Object.keys(t.attributes).length > 0)) report.dropped('tag attributes', f, 'VGGFace2 keeps the label only');

    if (input.saveImages) {
      const used = [...new Set([...frame.shapes, ...frame.tags].map((a) => a.label).filter((l) => index.has(l)))];
      used.sort((a, b) => index.get(a)! - index.get(b)!);
      for (const label of used.length ? used : [NO_LABEL]) {
        const path = nameId(item.id, label);
        out.image(frame.image, `${item.subset}/${path}${item.file.slice(item.id.length)}`);
      }
    }

    let rows = '';
    const first = landmarks[0];
    if (first) {
      if (first.points.length === 10) rows += csvRow([nameId(item.id, first.label), ...first.points.map(pyFloat)]);
      else {
        report.dropped('points shapes of other than 5 points', f, 'VGGFace2 landmarks are 5 points; the row keeps the label only');
        rows += csvRow([nameId(item.id, first.label), ...Array<string>(10).fill('')]);
      }
    }
    const box = boxes[0];
    if (box) out.write(boxesPath(item.subset), boxRow(nameId(item.id, box.label), box, ctx, f), BOXES_HEADER);
    for (const t of tags) rows += csvRow([nameId(item.id, t.label), ...Array<string>(10).fill('')]);
    if (!first && !box && tags.length === 0) rows += csvRow([nameId(item.id, NO_LABEL), ...Array<string>(10).fill('')]);
    if (rows) out.write(landmarksPath(item.subset), rows, LANDMARKS_HEADER);
    else if (!out.has(landmarksPath(item.subset))) out.write(landmarksPath(item.subset), '', LANDMARKS_HEADER);
  };

  await writeFrames(input.frames, sink, each);
}

function boxRow(name: string, s: DatasetShape, ctx: ExportContext, frame: number): string {
  if (s.rotation) ctx.report.converted('rotated rectangles', frame, 'written unrotated: VGGFace2 has no angle');
  // Datumaro keeps x, y, w, h (w = x1 - x0) and writes them with str().
  const [x0, y0, x1, y1] = s.points as [number, number, number, number];
  return csvRow([name, pyFloat(x0), pyFloat(y0), pyFloat(x1 - x0), pyFloat(y1 - y0)]);
}
