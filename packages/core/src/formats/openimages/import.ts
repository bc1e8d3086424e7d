/**
 * Open Images import, as Datumaro reads it for CVAT (V5 and V6 layouts):
 *
 * - Annotation files sit in annotations/ (or the dataset's root); the dataset may sit in a folder.
 * - Labels: dataset_meta.json, else the first of oidv*-class-descriptions.csv (with a header),
 *   class-descriptions-boxable.csv, class-descriptions.csv (without); the hierarchy file's parents
 *   have no place in a label list and are not kept.
 * - Images: image_ids_and_rotation.csv, else every *-images-with-rotation.csv and
 *   *-images-with-labels-with-rotation.csv (ImageID, Subset); images only named by annotation files
 *   take their subset from the file name. A frame is named ImageID plus the extension of its file
 *   under images/<subset>/ (".jpg" without one).
 * - Sizes (boxes and masks are normalized): annotations/images.meta, else the task's image, else
 *   the image file's header. A box or mask of an image of unknown size is an error (Datumaro skips
 *   it with a warning).
 * - *-annotations-human-imagelabels.csv: tags; *-annotations-bbox.csv: rectangles with the Is*
 *   columns as true/false attributes (IsOccluded as the occluded flag, -1 as absent);
 *   *-annotations-object-segmentation.csv: masks from masks/<subset>/<MaskPath> (resized to the
 *   image, nearest neighbour), in the group of the box of the same label and corners (within 1e-6).
 *   Confidence becomes a "score" attribute, BoxID "box_id", PredictedIoU "predicted_iou", each as
 *   the file writes it (CVAT stores Python's float repr: "1" becomes "1.0" there).
 * - Masks stay masks (CVAT turns them into polygons unless told not to).
 */
import { bitmapToCvatMask } from '../mask.js';
import { ImageMatcher, stripExtension } from '../match.js';
import { DatasetFormatError, type DatasetShape, type DatasetTag, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { LabelCollector, collapseGroups } from '../voc/attributes.js';
import { readCsvTable, type CsvTable } from '../vggface2/csv.js';
import { metaLabels } from '../widerface/dataset-meta.js';
import { parseFloatField, parseIntField } from '../yolo/numbers.js';
import { imageSize } from './image-size.js';
import {
  ANNOTATIONS_DIR, BOXES_SUFFIX, BOX_FLAGS, FULL_DESCRIPTION_FILE, HIERARCHY_FILE, IMAGES_DIR, IMAGE_META_FILE, LABELS_SUFFIX,
  MASKS_DIR, MASKS_SUFFIX, SUBSET_DESCRIPTION_SUFFIXES, V5_CLASS_BOXABLE_FILE, V5_CLASS_FILE, isPathComponent, shlexSplit,
  subsetOfFile,
} from './layout.js';
import { readMask } from './masks.js';

interface Item {
  id: string;
  subset: string;
  tags: DatasetTag[];
  shapes: DatasetShape[];
  /** Datumaro's group of each shape, collapsed the way CVAT keeps groups at the end. */
  groups: number[];
  /** Normalized corners of each box shape, for matching masks. */
  boxes: Array<{ shape: number; label: string; corners: number[] }>;
  size?: { width: number; height: number } | null;
}

const ANNOTATION_FILE_RE = /(^|\/)(image_ids_and_rotation\.csv|[^/]*-images-with(-labels-with)?-rotation\.csv|[^/]*-annotations-(human-imagelabels|bbox|object-segmentation)\.csv|oidv[^/]*-class-descriptions\.csv|class-descriptions(-boxable)?\.csv)$/;

export async function importOpenImages(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const first = paths.find((p) => ANNOTATION_FILE_RE.test(p));
  if (first === undefined) throw new DatasetFormatError(ANNOTATIONS_DIR, 'no Open Images annotation files (image descriptions, class descriptions, annotation CSVs)');
  const annDir = first.slice(0, first.lastIndexOf('/') + 1);
  const root = annDir.endsWith(`${ANNOTATIONS_DIR}/`) ? annDir.slice(0, -ANNOTATIONS_DIR.length - 1) : annDir;
  const inDir = paths.filter((p) => p.startsWith(annDir) && !p.slice(annDir.length).includes('/')).map((p) => p.slice(annDir.length));
  const has = new Set(paths);
  const table = async (name: string, required: readonly string[], columns?: readonly string[]) =>
    readCsvTable(`${annDir}${name}`, await source.text(`${annDir}${name}`), required, columns);

  const collector = new LabelCollector();
  const labelNames = await readLabels(source, root, annDir, inDir, table);
  labelNames.forEach((n) => collector.declare(n));
  const declared = new Set(labelNames);
  if (inDir.includes(HIERARCHY_FILE)) {
    try {
      JSON.parse(await source.text(`${annDir}${HIERARCHY_FILE}`));
    } catch (e) {
      throw new DatasetFormatError(`${annDir}${HIERARCHY_FILE}`, `not valid JSON (${(e as Error).message})`);
    }
  }

  const meta = await readImageMeta(source, `${annDir}${IMAGE_META_FILE}`, has);
  const imageFiles = new Map<string, string>();
  for (const p of paths) {
    if (!p.startsWith(`${root}${IMAGES_DIR}/`)) continue;
    const parts = stripExtension(p.slice(root.length + IMAGES_DIR.length + 1)).split('/');
    if (parts.length > 1) {
      const id = parts.slice(1).join('/');
      if (!imageFiles.has(id)) imageFiles.set(id, p);
    }
  }
  const matcher = new ImageMatcher(ctx.images);
  const items = new Map<string, Item>();
  const add = (id: string, subset: string) => {
    const item: Item = { id, subset, tags: [], shapes: [], groups: [], boxes: [] };
    items.set(id, item);
    return item;
  };
  const itemOf = (id: string, t: CsvTable, line: number) => {
    if (!id) throw new DatasetFormatError(t.file, 'ImageID is empty', { line });
    return items.get(id) ?? add(id, subsetOfFile(t.file.slice(annDir.length)));
  };
  const checkLabel = (t: CsvTable, line: number, name: string) => {
    if (!declared.has(name)) throw new DatasetFormatError(t.file, `label "${name}" is not in the class descriptions`, { line });
  };
  const sizeOf = async (item: Item, t: CsvTable, line: number) => {
    if (item.size === undefined) item.size = await findSize(item.id, meta, imageFiles, matcher, source);
    if (!item.size) {
      throw new DatasetFormatError(t.file, `the size of image "${item.id}" is unknown: give it in ${ANNOTATIONS_DIR}/${IMAGE_META_FILE}, include the image, or import into a task`, { line });
    }
    return item.size;
  };

  const descriptions = inDir.includes(FULL_DESCRIPTION_FILE)
    ? [FULL_DESCRIPTION_FILE]
    : SUBSET_DESCRIPTION_SUFFIXES.flatMap((suffix) => inDir.filter((n) => n.endsWith(suffix) && n !== FULL_DESCRIPTION_FILE));
  for (const name of descriptions) {
    const t = await table(name, ['ImageID', 'Subset']);
    for (const row of t.rows) {
      const id = row.get('ImageID'), subset = row.get('Subset');
      if (!id) throw new DatasetFormatError(t.file, 'ImageID is empty', { line: row.line });
      if (items.has(id)) throw new DatasetFormatError(t.file, `image "${id}" is described twice`, { line: row.line });
      if (!isPathComponent(subset)) throw new DatasetFormatError(t.file, `subset "${subset}" is not a folder name`, { line: row.line });
      add(id, subset);
    }
  }

  for (const name of inDir.filter((n) => n.endsWith(LABELS_SUFFIX))) {
    const t = await table(name, ['ImageID', 'LabelName', 'Confidence']);
    for (const row of t.rows) {
      const item = itemOf(row.get('ImageID'), t, row.line);
      const label = row.get('LabelName');
      checkLabel(t, row.line, label);
      const score = row.get('Confidence');
      parseFloatField(score, 'Confidence', { file: t.file, line: row.line });
      item.tags.push({ label, group: 0, source: 'file', attributes: { score } });
      collector.attribute(label, 'score', 'text');
    }
  }

  for (const name of inDir.filter((n) => n.endsWith(BOXES_SUFFIX))) {
    const t = await table(name, ['ImageID', 'LabelName', 'Confidence', 'XMin', 'XMax', 'YMin', 'YMax']);
    for (const row of t.rows) {
      const at = { file: t.file, line: row.line };
      const item = itemOf(row.get('ImageID'), t, row.line);
      const label = row.get('LabelName');
      checkLabel(t, row.line, label);
      const corners = ['XMin', 'XMax', 'YMin', 'YMax'].map((c) => parseFloatField(row.get(c), c, at));
      const [xMin, xMax, yMin, yMax] = corners as [number, number, number, number];
      const score = row.get('Confidence');
      parseFloatField(score, 'Confidence', at);
      const { width, height } = await sizeOf(item, t, row.line);
      const shape = fileShape('rectangle', label, [xMin * width, yMin * height, 0, 0]);
      // Datumaro keeps x, y, w, h; CVAT's corners are x + w, y + h.
      shape.points[2] = shape.points[0]! + (xMax * width - xMin * width);
      shape.points[3] = shape.points[1]! + (yMax * height - yMin * height);
      shape.attributes.score = score;
      collector.attribute(label, 'score', 'text');
      for (const [attr, column] of BOX_FLAGS) {
        const raw = row.get(column);
        if (raw === '') continue;
        const v = parseIntField(raw.trim(), column, at);
        if (v < 0) continue;
        if (attr === 'occluded') shape.occluded = v !== 0;
        else {
          shape.attributes[attr] = v !== 0 ? 'true' : 'false';
          collector.attribute(label, attr, 'bool');
        }
      }
      // Datumaro numbers an image's boxes 1, 2, ... (labels come before them, masks after).
      const group = item.boxes.length + 1;
      item.boxes.push({ shape: item.shapes.length, label, corners });
      item.shapes.push(shape);
      item.groups.push(group);
    }
  }

  for (const name of inDir.filter((n) => n.endsWith(MASKS_SUFFIX))) {
    const t = await table(name, ['MaskPath', 'ImageID', 'LabelName', 'BoxID']);
    for (const row of t.rows) {
      const at = { file: t.file, line: row.line };
      const maskPath = row.get('MaskPath');
      if (!isPathComponent(maskPath)) throw new DatasetFormatError(t.file, `MaskPath "${maskPath}" is not a file name`, at);
      const item = itemOf(row.get('ImageID'), t, row.line);
      const label = row.get('LabelName');
      checkLabel(t, row.line, label);
      const boxId = row.get('BoxID');
      if (!isPathComponent(boxId)) throw new DatasetFormatError(t.file, `BoxID "${boxId}" is not a file name part`, at);
      const size = await sizeOf(item, t, row.line);
      const file = `${root}${MASKS_DIR}/${item.subset}/${maskPath}`;
      if (!has.has(file)) throw new DatasetFormatError(t.file, `mask file ${file} is missing`, at);
      const points = bitmapToCvatMask(await readMask(source, file, size, ctx));
      let group = 0;
      const boxCols = ['BoxXMin', 'BoxXMax', 'BoxYMin', 'BoxYMax'].map((c) => row.get(c));
      if (boxCols.every((v) => v !== '')) {
        const corners = boxCols.map((v, k) => parseFloatField(v, ['BoxXMin', 'BoxXMax', 'BoxYMin', 'BoxYMax'][k]!, at));
        for (const b of item.boxes) {
          if (b.label === label && b.corners.every((c, k) => Math.abs(c - corners[k]!) <= 1e-6)) group = item.groups[b.shape]!;
        }
      }
      if (!points) continue;
      const shape = fileShape('mask', label, points);
      shape.attributes.box_id = boxId;
      collector.attribute(label, 'box_id', 'text');
      const iou = row.get('PredictedIoU');
      if (iou !== '') {
        parseFloatField(iou, 'PredictedIoU', at);
        shape.attributes.predicted_iou = iou;
        collector.attribute(label, 'predicted_iou', 'text');
      }
      item.shapes.push(shape);
      item.groups.push(group);
    }
  }

  const frames = [];
  for (const item of items.values()) {
    collapseGroups(item.groups).forEach((g, i) => (item.shapes[i]!.group = g));
    const file = imageFiles.get(item.id);
    const name = item.id + (file ? file.slice(stripExtension(file).length) : '.jpg');
    const size = item.size ?? (await findSize(item.id, meta, imageFiles, matcher, source));
    frames.push({
      image: { frame: -1, name, width: size?.width ?? 0, height: size?.height ?? 0, ...(item.subset !== 'default' ? { subset: item.subset } : {}) },
      shapes: item.shapes,
      tags: item.tags,
    });
  }
  return { labels: collector.result(), frames, tracks: [] };
}

function fileShape(type: 'rectangle' | 'mask', label: string, points: number[]): DatasetShape {
  return { type, label, group: 0, source: 'file', attributes: {}, points, rotation: 0, occluded: false, outside: false, z_order: 0 };
}

async function readLabels(
  source: ImportSource, root: string, annDir: string, inDir: readonly string[],
  table: (name: string, required: readonly string[], columns?: readonly string[]) => Promise<CsvTable>,
): Promise<string[]> {
  const meta = await metaLabels(source, root);
  if (meta) return meta;
  const v6 = inDir.filter((n) => /^oidv.*-class-descriptions\.csv$/.test(n));
  const name = v6[0] ?? [V5_CLASS_BOXABLE_FILE, V5_CLASS_FILE].find((n) => inDir.includes(n));
  if (!name) throw new DatasetFormatError(`${annDir}${V5_CLASS_FILE}`, 'no class description file (oidv6-class-descriptions.csv or class-descriptions.csv)');
  const t = v6[0] ? await table(name, ['LabelName']) : await table(name, [], ['LabelName', 'DisplayName']);
  const out: string[] = [];
  for (const row of t.rows) {
    const label = row.get('LabelName');
    if (!label) throw new DatasetFormatError(t.file, 'LabelName is empty', { line: row.line });
    if (!out.includes(label)) out.push(label);
  }
  return out;
}

async function readImageMeta(source: ImportSource, path: string, has: ReadonlySet<string>): Promise<Map<string, { width: number; height: number }>> {
  const out = new Map<string, { width: number; height: number }>();
  if (!has.has(path)) return out;
  (await source.text(path)).split(/\r?\n/).forEach((line, i) => {
    const fields = shlexSplit(line);
    if (fields === null) throw new DatasetFormatError(path, 'a quote is not closed', { line: i + 1 });
    if (fields.length === 0) return;
    if (fields.length < 3) throw new DatasetFormatError(path, 'expected "<image name> <height> <width>"', { line: i + 1 });
    const at = { file: path, line: i + 1 };
    const height = parseIntField(fields[1]!, 'height', at), width = parseIntField(fields[2]!, 'width', at);
    if (height <= 0 || width <= 0) throw new DatasetFormatError(path, 'height and width must be positive', at);
    out.set(fields[0]!, { width, height });
  });
  return out;
}

async function findSize(
  id: string, meta: ReadonlyMap<string, { width: number; height: number }>, imageFiles: ReadonlyMap<string, string>,
  matcher: ImageMatcher, source: ImportSource,
): Promise<{ width: number; height: number } | null> {
  const fromMeta = meta.get(id);
  if (fromMeta) return fromMeta;
  const file = imageFiles.get(id);
  const task = matcher.match(id);
  if (task && task.width > 0 && task.height > 0) return { width: task.width, height: task.height };
  if (file) return imageSize(await source.bytes(file));
  return null;
}
