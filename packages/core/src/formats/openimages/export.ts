/**
 * Open Images V6 export, as CVAT writes it (Datumaro's open_images converter), under annotations/:
 *
 * - class-descriptions.csv (no header, V5 style): "<label>,<label>" per label;
 *   bbox_labels_600_hierarchy.json (see hierarchy.ts).
 * - Per subset ("default" for frames without one): <subset>-images-with-rotation.csv, a row per
 *   image (ImageID = frame name without extension); when there is something to put in them,
 *   <subset>-annotations-human-imagelabels.csv (tags), <subset>-annotations-bbox.csv (boxes,
 *   corners divided by the image size, Is* columns from the occluded flag and the truncated,
 *   is_group_of, is_depiction, is_inside attributes, -1 where the label has none) and
 *   <subset>-annotations-object-segmentation.csv (masks; the box of the mask's group, box_id and
 *   predicted_iou attributes) with PNGs at masks/<subset>/<item>_<label>_<box id>.png (0 and 1).
 *   Confidence is the "score" attribute, or 1. Python's csv layout and float printing.
 * - images.meta: "<image id> <height> <width>" of the images with boxes, for re-import.
 * - images/<subset>/<name> when images are saved.
 *
 * Polygons and rotated boxes become masks, as in CVAT; other shapes are reported as dropped, so
 * are frames of subsets that are not plain folder names and frames whose name repeats an earlier
 * one. images.meta lists images in the order frames arrive (CVAT lists one subset after another).
 */
import type { ExportContext, ExportInput, ExportSink, FrameAnnotations } from '../model.js';
import { categoryNames } from '../voc/attributes.js';
import { itemNames } from '../voc/layout.js';
import { pyFloat, pyIntOr, pyStr, type PyValue } from '../voc/pyformat.js';
import { csvRow } from '../vggface2/csv.js';
import { writeFrames, type FileSet } from '../widerface/stream-files.js';
import { hierarchyJson } from './hierarchy.js';
import { frameInstances, type Annotation } from './instances.js';
import {
  ANNOTATIONS_DIR, BOXES_SUFFIX, BOX_COLUMNS, BOX_FLAGS, DESCRIPTION_COLUMNS, HIERARCHY_FILE, IMAGES_DIR, IMAGE_META_FILE,
  LABELS_SUFFIX, LABEL_COLUMNS, MASKS_DIR, MASKS_SUFFIX, MASK_COLUMNS, V5_CLASS_FILE, isPathComponent, makeFileName,
  shlexQuote,
} from './layout.js';

const DESCRIPTION_HEADER = csvRow([...DESCRIPTION_COLUMNS]);
const LABEL_HEADER = csvRow([...LABEL_COLUMNS]);
const BOX_HEADER = csvRow([...BOX_COLUMNS]);
const MASK_HEADER = csvRow([...MASK_COLUMNS]);
const A = ANNOTATIONS_DIR;

export async function exportOpenImages(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const names = categoryNames(input.labels);
  const known = new Set(names);
  const labels = new Map(input.labels.map((l) => [l.name, l]));
  const seen = new Set<string>();
  const meta = new Map<string, string>();
  const { report } = ctx;

  await sink.file(`${A}/${V5_CLASS_FILE}`, names.map((n) => csvRow([n, n])).join(''));
  await sink.file(`${A}/${HIERARCHY_FILE}`, hierarchyJson(input.labels));

  const each = async (frame: FrameAnnotations, out: FileSet) => {
    const f = frame.image.frame;
    const item = itemNames(frame.image);
    if (!isPathComponent(item.subset)) {
      report.dropped('images of subsets that are not folder names', f, `subset "${item.subset}" cannot name a folder`);
      return;
    }
    if (seen.has(item.id)) {
      report.dropped('images with the same name as an earlier one', f, `"${item.id}" already names an image`);
      return;
    }
    seen.add(item.id);
    const { width, height } = frame.image;
    out.write(`${A}/${item.subset}-images-with-rotation.csv`, csvRow([item.id, item.subset, ...Array<string>(10).fill('')]), DESCRIPTION_HEADER);
    if (input.saveImages) out.image(frame.image, `${IMAGES_DIR}/${item.subset}/${item.file}`);

    const instances = frameInstances(frame, labels, (l) => known.has(l), ctx);
    const masks = instances.flatMap((i) => i.members).filter((a) => a.kind === 'mask');
    const usedIds = new Set(masks.map((m) => boxId(m)).filter(Boolean));
    let nextId = 0;
    const sized = width > 0 && height > 0;
    const norm = (b: [number, number, number, number]) => [b[0] / width, (b[0] + b[2]) / width, b[1] / height, (b[1] + b[3]) / height];

    for (const instance of instances) {
      for (const a of instance.members) {
        if (a.kind === 'label') {
          out.write(`${A}/${item.subset}${LABELS_SUFFIX}`, csvRow([item.id, '', a.label, confidence(a)]), LABEL_HEADER);
        } else if (a.kind === 'box') {
          if (!sized) {
            report.dropped('rectangle shapes', f, 'the image size is unknown, so the box cannot be normalized');
            continue;
          }
          meta.set(item.id, `${height} ${width}`);
          const [xMin, xMax, yMin, yMax] = norm(a.box!);
          const flags = BOX_FLAGS.map(([attr]) => flag(a.attributes.get(attr), attr, f, ctx));
          out.write(
            `${A}/${item.subset}${BOXES_SUFFIX}`,
            csvRow([item.id, '', a.label, confidence(a), ...[xMin!, xMax!, yMin!, yMax!].map(pyFloat), ...flags]),
            BOX_HEADER,
          );
        } else {
          let id = boxId(a);
          if (id && !isPathComponent(id)) {
            report.converted('mask box ids that are not file names', f, `"${id}" replaced by a generated id`);
            id = '';
          }
          while (!id) {
            const candidate = nextId.toString(16).padStart(8, '0');
            nextId++;
            if (!usedIds.has(candidate)) id = candidate;
          }
          const file = `${makeFileName(item.id)}_${makeFileName(a.label)}_${id}.png`;
          let coords = ['', '', '', ''];
          if (instance.box) {
            meta.set(item.id, `${height} ${width}`);
            coords = norm(instance.box.box!).map(pyFloat);
          }
          const iou = a.attributes.get('predicted_iou');
          out.write(`${A}/${item.subset}${MASKS_SUFFIX}`, csvRow([file, item.id, a.label, id, ...coords, iou ? pyStr(iou) : '', '']), MASK_HEADER);
          const png = await ctx.raster.encodePng({ width, height, channels: 1, data: a.bitmap! });
          out.binary(`${MASKS_DIR}/${item.subset}/${file}`, png);
        }
      }
    }
  };

  const end = (out: FileSet) => {
    if (meta.size === 0) return;
    let text = '# <image name> <height> <width>\n\n';
    for (const [id, size] of meta) text += `${shlexQuote(id)} ${size}\n`;
    out.write(`${A}/${IMAGE_META_FILE}`, text);
  };

  await writeFrames(input.frames, sink, each, end);
}

function boxId(a: Annotation): string {
  const v = a.attributes.get('box_id');
  return v ? pyStr(v) : '';
}

function confidence(a: Annotation): string {
  const v = a.attributes.get('score');
  return v ? pyStr(v) : '1';
}

/** Python's int() of the attribute, -1 when the label has none. */
function flag(v: PyValue | undefined, name: string, frame: number, ctx: ExportContext): string {
  if (!v) return '-1';
  const n = pyIntOr(v, NaN);
  if (Number.isNaN(n)) {
    ctx.report.converted('box flags that are not numbers', frame, `"${name}" = "${pyStr(v)}" written as -1`);
    return '-1';
  }
  return String(n);
}
