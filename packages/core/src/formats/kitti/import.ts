/**
 * KITTI 1.0 import, as CVAT reads it (Datumaro's "kitti" importer, segmentation and detection):
 *
 * - Every folder holding instance/ or label_2/, at any depth, is a subset named by the folder
 *   ("default" is no subset); its items are the files under instance/ (*.png), label_2/ (*.txt)
 *   and image_2/ (images, for the extension and for images without annotations).
 * - instance/<item>.png (16-bit gray): each distinct value is a mask of class value >> 8,
 *   instance value & 255 (0: a crowd region). The classes are those of label_colors.txt beside
 *   the subset folder; without it, the task's labels as CVAT writes them in (background first
 *   unless the task has one), or, with no task, Datumaro's KITTI labels.
 * - label_2/<item>.txt: boxes, see detection.ts; their labels are added as seen. truncated and
 *   score become attributes, occluded the shape's flag.
 * - Unlike Datumaro, the background class is not a mask of its own unless the task has a label of
 *   its name (CVAT itself drops "background" masks when the task has no such label). is_crowd is
 *   set only on labels of the task that declare it.
 */
import { DatasetFormatError, type DatasetShape, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { LabelCollector } from '../voc/attributes.js';
import { vocCategories } from '../voc/labelmap.js';
import { idMasks, maskShape } from '../cityscapes/id-masks.js';
import { FrameBuilder, classLabel, crowdAttributes, declareLabels, imagesUnder, subsetOf } from '../cityscapes/import-common.js';
import { LABEL_COLORS_FILE, cityscapesLabelMap, parseLabelColors, taskLabelMap } from '../cityscapes/label-colors.js';
import { readIdPng, type RasterCodec16 } from '../cityscapes/raster16.js';
import { parseDetections } from './detection.js';
import { IMAGES_DIR, IMAGE_EXT, INSTANCES_DIR, LABELS_DIR } from './layout.js';

/** Subset folders ('' for the archive's top, else 'a/b/'), in path order. */
function subsetDirs(paths: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/');
    const k = parts.findIndex((c, i) => i < parts.length - 1 && (c === INSTANCES_DIR || c === LABELS_DIR));
    if (k >= 0) dirs.add(parts.slice(0, k).map((c) => `${c}/`).join(''));
  }
  return [...dirs].sort();
}

function under(paths: readonly string[], dir: string, ext: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of paths) if (p.startsWith(dir) && p.endsWith(ext)) out.set(p.slice(dir.length, p.length - ext.length), p);
  return out;
}

export async function importKitti(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const has = new Set(paths);
  const dirs = subsetDirs(paths);
  if (!dirs.length) throw new DatasetFormatError(paths[0] ?? 'upload', `no ${INSTANCES_DIR}/ or ${LABELS_DIR}/ folder found`);
  const labels = new LabelCollector();
  const frames = new FrameBuilder(ctx);
  const raster = ctx.raster as RasterCodec16;

  for (const dir of dirs) {
    const subset = subsetOf(dir.slice(0, -1).slice(dir.slice(0, -1).lastIndexOf('/') + 1));
    const segmentation = under(paths, `${dir}${INSTANCES_DIR}/`, '.png');
    const detection = under(paths, `${dir}${LABELS_DIR}/`, '.txt');
    const images = imagesUnder(paths, `${dir}${IMAGES_DIR}/`);
    const shapes = new Map<string, DatasetShape[]>();
    const sizes = new Map<string, { width: number; height: number }>();

    if (segmentation.size) {
      const parent = dir.slice(0, dir.slice(0, -1).lastIndexOf('/') + 1);
      const colorsPath = `${parent}${LABEL_COLORS_FILE}`;
      const map = has.has(colorsPath)
        ? parseLabelColors(colorsPath, await source.text(colorsPath))
        : ctx.labels?.length ? taskLabelMap(ctx.labels) : cityscapesLabelMap();
      const cats = vocCategories(map);
      declareLabels(labels, cats);
      for (const [id, file] of [...segmentation].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const ids = await readIdPng(raster, file, await source.bytes(file));
        sizes.set(id, ids);
        const list: DatasetShape[] = [];
        for (const [value, points] of idMasks(ids.data, ids.width, ids.height)) {
          const label = classLabel(cats, value >> 8, file, ctx);
          if (label !== null) list.push(maskShape(label, points, crowdAttributes(ctx, label, (value & 255) === 0)));
        }
        shapes.set(id, list);
      }
    }
    for (const [id, file] of [...detection].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const boxes = parseDetections(file, await source.text(file));
      for (const b of boxes) {
        labels.declare(b.label);
        labels.attributes(b.label, b.attributes, new Map([['truncated', 'bool'], ['score', 'number']]));
      }
      shapes.set(id, [...(shapes.get(id) ?? []), ...boxes]);
    }
    for (const id of images.keys()) if (!shapes.has(id)) shapes.set(id, []);
    for (const [id, list] of shapes) {
      const frame = frames.add(id + (images.get(id) ?? IMAGE_EXT), subset, sizes.get(id));
      frame.shapes = list;
    }
  }
  return { labels: labels.result(), frames: frames.frames, tracks: [] };
}
