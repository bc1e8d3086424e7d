/**
 * Class and instance PNGs back to numbers. Datumaro reads a colored PNG's colors (palette or
 * RGB alike) and maps them through the label map's colors (classes) or the VOC colormap
 * (instances); a gray PNG's values are the numbers themselves. A color with no meaning is an
 * error naming the pixel, as it would otherwise silently become a wrong class.
 */
import type { Bitmap } from '../mask.js';
import { DatasetFormatError, type RasterCodec } from '../model.js';

export async function decodeNumbers(
  raster: RasterCodec, file: string, bytes: Uint8Array, byColor: ReadonlyMap<number, number>,
): Promise<Bitmap> {
  let decoded;
  try {
    decoded = await raster.decodePng(bytes);
  } catch (e) {
    throw new DatasetFormatError(file, `not a readable PNG: ${(e as Error).message}`);
  }
  const { width, height, channels, data } = decoded;
  const out = new Uint8Array(width * height);
  if (channels === 1 || grayNumbers(data, width * height, channels, byColor)) {
    for (let i = 0; i < out.length; i++) out[i] = data[i * channels]!;
    return { width, height, data: out };
  }
  // Masks are large areas of one color: remembering the last lookup skips most map lookups.
  let lastKey = -1, lastId: number | undefined;
  for (let i = 0; i < width * height; i++) {
    const o = i * channels;
    const key = (data[o]! << 16) | (data[o + 1]! << 8) | data[o + 2]!;
    const id = key === lastKey ? lastId : byColor.get(key);
    lastKey = key;
    lastId = id;
    if (id === undefined || id > 255) {
      const rgb = `(${data[o]}, ${data[o + 1]}, ${data[o + 2]})`;
      throw new DatasetFormatError(file, `color ${rgb} at pixel (${i % width}, ${Math.floor(i / width)}) has no meaning in the label map`);
    }
    out[i] = id;
  }
  return { width, height, data: out };
}

function grayNumbers(data: Uint8Array, pixels: number, channels: number, byColor: ReadonlyMap<number, number>): boolean {
  let unmapped = false;
  for (let i = 0; i < pixels; i++) {
    const o = i * channels, v = data[o]!;
    if (data[o + 1] !== v || data[o + 2] !== v) return false;
    if (!unmapped && !byColor.has((v << 16) | (v << 8) | v)) unmapped = true;
  }
  return unmapped;
}
