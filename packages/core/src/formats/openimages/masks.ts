/**
 * An Open Images mask PNG as Datumaro reads it: any non-zero pixel is in; a mask of another size
 * than its image is resized to it, nearest neighbour as OpenCV does (source pixel floor(x * s)).
 */
import type { Bitmap } from '../mask.js';
import { DatasetFormatError, type ImportContext, type ImportSource } from '../model.js';

export async function readMask(source: ImportSource, path: string, size: { width: number; height: number }, ctx: ImportContext): Promise<Bitmap> {
  let raster;
  try {
    raster = await ctx.raster.decodePng(await source.bytes(path));
  } catch (e) {
    throw new DatasetFormatError(path, `not a readable PNG (${(e as Error).message})`);
  }
  const { width: sw, height: sh, channels, data } = raster;
  const colors = channels === 4 ? 3 : channels;
  const on = (x: number, y: number) => {
    const base = (y * sw + x) * channels;
    for (let c = 0; c < colors; c++) if (data[base + c]) return 1;
    return 0;
  };
  const { width, height } = size;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(sh - 1, Math.floor((y * sh) / height));
    for (let x = 0; x < width; x++) out[y * width + x] = on(Math.min(sw - 1, Math.floor((x * sw) / width)), sy);
  }
  return { width, height, data: out };
}
