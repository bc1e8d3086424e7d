/**
 * Cityscapes 1.0 import, as CVAT reads it (Datumaro's "cityscapes" extractor):
 *
 * - The dataset is a gtFine/ folder at the top of the archive or one folder down; each folder
 *   gtFine/<subset>/ is a subset ("default" is no subset).
 * - Masks: <item>_gtFine_labelTrainIds.png where a subset has any, else
 *   <item>_gtFine_instanceIds.png (8- or 16-bit gray). A value below 1000 is a class number (a
 *   crowd region), else class * 1000 + instance. Each distinct value is one mask.
 * - Labels: label_colors.txt beside gtFine/ in class number order; without it, the task's labels
 *   as CVAT writes them in (background first unless the task has one), or, with no task,
 *   Datumaro's Cityscapes labels (its 20 training labels for labelTrainIds).
 * - Images: imgsFine/leftImg8bit/<subset>/<item>_leftImg8bit.<ext> (also leftImg8bit/<subset>/,
 *   Cityscapes' own layout); images without masks are frames without annotations.
 * - Unlike Datumaro, the background class (class 0 as Cityscapes encodes it, "background" in the
 *   training labels) is not a mask of its own unless the task has a label of its name. is_crowd
 *   is set only on labels of the task that declare it, as CVAT keeps only declared attributes.
 */
import { DatasetFormatError, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { LabelCollector } from '../voc/attributes.js';
import { vocCategories, type VocCategories } from '../voc/labelmap.js';
import { GT_DIR, IMAGES_DIR } from './export.js';
import { idMasks, maskShape } from './id-masks.js';
import { FrameBuilder, classLabel, crowdAttributes, declareLabels, imagesUnder, subsetOf } from './import-common.js';
import { LABEL_COLORS_FILE, cityscapesLabelMap, cityscapesTrainLabelMap, parseLabelColors, taskLabelMap } from './label-colors.js';
import { readIdPng, type RasterCodec16 } from './raster16.js';

const TRAIN_IDS = '_gtFine_labelTrainIds.png';
const INSTANCE_IDS = '_gtFine_instanceIds.png';

/** Dataset roots ('' or 'dir/') and their subsets, shallowest first as Datumaro searches. */
function findSubsets(paths: readonly string[], dir: string): Map<string, Set<string>> {
  for (const depth of [0, 1]) {
    const found = new Map<string, Set<string>>();
    const re = depth === 0 ? new RegExp(`^()${dir}/([^/]+)/`) : new RegExp(`^([^/]+/)${dir}/([^/]+)/`);
    for (const p of paths) {
      const m = re.exec(p);
      if (!m) continue;
      if (!found.has(m[1]!)) found.set(m[1]!, new Set());
      found.get(m[1]!)!.add(m[2]!);
    }
    if (found.size) return found;
  }
  return new Map();
}

export async function importCityscapes(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const has = new Set(paths);
  let roots = findSubsets(paths, GT_DIR);
  const annotated = roots.size > 0;
  if (!annotated) roots = findSubsets(paths, IMAGES_DIR);
  if (!roots.size) throw new DatasetFormatError(paths[0] ?? 'upload', `no ${GT_DIR}/<subset>/ or ${IMAGES_DIR}/<subset>/ folder found`);
  const labels = new LabelCollector();
  const frames = new FrameBuilder(ctx);
  const raster = ctx.raster as RasterCodec16;

  for (const [root, subsets] of roots) {
    const declaredPath = `${root}${LABEL_COLORS_FILE}`;
    const declared = has.has(declaredPath) ? parseLabelColors(declaredPath, await source.text(declaredPath)) : undefined;
    for (const subset of [...subsets].sort()) {
      const gtDir = `${root}${GT_DIR}/${subset}/`;
      let suffix = TRAIN_IDS;
      let masks = paths.filter((p) => p.startsWith(gtDir) && p.endsWith(TRAIN_IDS));
      if (!masks.length) {
        suffix = INSTANCE_IDS;
        masks = paths.filter((p) => p.startsWith(gtDir) && p.endsWith(INSTANCE_IDS));
      }
      const fallback = suffix === TRAIN_IDS ? cityscapesTrainLabelMap() : cityscapesLabelMap();
      const cats: VocCategories = vocCategories(declared ?? (ctx.labels?.length ? taskLabelMap(ctx.labels) : fallback));
      declareLabels(labels, cats);
      const images = imagesUnder(paths, `${root}${IMAGES_DIR}/${subset}/`, '_leftImg8bit');
      for (const [id, ext] of imagesUnder(paths, `${root}leftImg8bit/${subset}/`, '_leftImg8bit')) if (!images.has(id)) images.set(id, ext);

      for (const file of masks) {
        const id = file.slice(gtDir.length, file.length - suffix.length);
        const ids = await readIdPng(raster, file, await source.bytes(file));
        const frame = frames.add(id + (images.get(id) ?? '.png'), subsetOf(subset), ids);
        images.delete(id);
        for (const [value, points] of idMasks(ids.data, ids.width, ids.height)) {
          const crowd = value < 1000;
          const label = classLabel(cats, crowd ? value : Math.floor(value / 1000), file, ctx);
          if (label !== null) frame.shapes.push(maskShape(label, points, crowdAttributes(ctx, label, crowd)));
        }
      }
      for (const [id, ext] of images) frames.add(id + ext, subsetOf(subset));
    }
  }
  return { labels: labels.result(), frames: frames.frames, tracks: [] };
}
