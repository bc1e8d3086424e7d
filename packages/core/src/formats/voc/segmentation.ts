/**
 * Masks of an image from SegmentationObject (one per instance, its class the highest class
 * number under it, as Datumaro's lookup ends on) or, without it, SegmentationClass (one per class
 * but the background).
 */
import { bitmapToCvatMask, type Bitmap } from '../mask.js';
import { DatasetFormatError, type DatasetShape, type ImportContext, type ImportSource } from '../model.js';
import { INSTANCE_COLORS, rgbKey } from './colormap.js';
import { decodeNumbers } from './decode.js';
import type { VocCategories } from './labelmap.js';
import { CLASS_DIR, OBJECT_DIR } from './layout.js';

const INSTANCE_BY_COLOR = new Map(INSTANCE_COLORS.map((c, i) => [rgbKey(c), i]));

export interface SegmentationResult {
  shapes: Array<{ shape: DatasetShape; group: number }>;
  size?: Bitmap;
}

export async function segmentationMasks(
  source: ImportSource, has: ReadonlySet<string>, base: string, id: string, cats: VocCategories, ctx: ImportContext,
): Promise<SegmentationResult> {
  const classPath = `${base}${CLASS_DIR}/${id}.png`, objectPath = `${base}${OBJECT_DIR}/${id}.png`;
  const classes = has.has(classPath) ? await decodeNumbers(ctx.raster, classPath, await source.bytes(classPath), cats.byColor) : undefined;
  const objects = has.has(objectPath) ? await decodeNumbers(ctx.raster, objectPath, await source.bytes(objectPath), INSTANCE_BY_COLOR) : undefined;
  const out: SegmentationResult = { shapes: [], size: classes ?? objects };
  const mask = (label: number, bitmap: Bitmap, value: number, file: string): DatasetShape => {
    const name = cats.names[label];
    if (name === undefined) throw new DatasetFormatError(file, `class number ${label} is beyond the ${cats.names.length} labels of the label map`);
    return {
      type: 'mask', label: name, group: 0, source: 'file', attributes: {}, points: bitmapToCvatMask(bitmap, value)!,
      rotation: 0, occluded: false, outside: false, z_order: 0,
    };
  };
  if (objects) {
    if (!classes) throw new DatasetFormatError(objectPath, `instances without ${classPath}: their classes are unknown`);
    if (classes.width !== objects.width || classes.height !== objects.height) {
      throw new DatasetFormatError(objectPath, `is ${objects.width}x${objects.height}, ${classPath} is ${classes.width}x${classes.height}`);
    }
    // An instance's class: the highest class number under it (what Datumaro's lookup ends on).
    const classOf = new Int32Array(256).fill(-1);
    for (let p = 0; p < objects.data.length; p++) {
      const inst = objects.data[p]!;
      if (inst && classes.data[p]! > classOf[inst]!) classOf[inst] = classes.data[p]!;
    }
    for (let inst = 1; inst < 256; inst++) {
      if (classOf[inst]! >= 0) out.shapes.push({ shape: mask(classOf[inst]!, objects, inst, classPath), group: inst });
    }
  } else if (classes) {
    const present = new Uint8Array(256);
    for (const v of classes.data) present[v] = 1;
    for (let c = 0; c < 256; c++) {
      if (present[c] && c !== cats.background) out.shapes.push({ shape: mask(c, classes, c, classPath), group: 0 });
    }
  }
  return out;
}
