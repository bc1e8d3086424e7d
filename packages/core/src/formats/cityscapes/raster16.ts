/**
 * Grayscale PNGs of ids (Cityscapes instanceIds, KITTI semantic and instance, MOTS instances).
 * Datumaro writes them 16-bit (int32 arrays through PIL, uint16 through OpenCV) and reads sample
 * values as they are stored, 8- or 16-bit. The host's RasterCodec is 8-bit only, so 16-bit PNGs go
 * through an extension the host may provide; without it these formats refuse 16-bit files with
 * a DatasetFormatError that says why, rather than reading wrong numbers.
 */
import { DatasetFormatError, type RasterCodec } from '../model.js';

/** One channel of 16-bit samples, row-major. */
export interface Raster16 {
  width: number;
  height: number;
  data: Uint16Array;
}

/** Proposed addition to RasterCodec (model.ts) for 16-bit grayscale PNGs. */
export interface RasterCodec16 extends RasterCodec {
  /** Decodes a 16-bit grayscale PNG to its sample values, unscaled. */
  decodePng16?(bytes: Uint8Array): Promise<Raster16>;
  /** Encodes a 16-bit grayscale PNG (bit depth 16, colour type 0). */
  encodePng16?(raster: Raster16): Promise<Uint8Array>;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface PngHeader {
  depth: number;
  colorType: number;
}

/** Bit depth and colour type from the IHDR chunk, which a PNG must start with. */
function pngHeader(file: string, bytes: Uint8Array): PngHeader {
  const ok = bytes.length >= 33 && SIGNATURE.every((b, i) => bytes[i] === b) && String.fromCharCode(...bytes.subarray(12, 16)) === 'IHDR';
  if (!ok) throw new DatasetFormatError(file, 'not a PNG file');
  return { depth: bytes[24]!, colorType: bytes[25]! };
}

/**
 * The sample values of a grayscale PNG of ids. 8-bit files may also be RGB or palette PNGs whose
 * colours are all gray (some writers expand gray); real colours are an error naming the pixel.
 */
export async function readIdPng(raster: RasterCodec16, file: string, bytes: Uint8Array): Promise<Raster16> {
  const { depth, colorType } = pngHeader(file, bytes);
  if (depth === 16) {
    if (colorType !== 0 && colorType !== 4) throw new DatasetFormatError(file, 'is a 16-bit colour PNG; ids are read from grayscale PNGs');
    if (!raster.decodePng16) throw new DatasetFormatError(file, 'is a 16-bit PNG, and this server cannot decode 16-bit PNGs');
    try {
      return await raster.decodePng16(bytes);
    } catch (e) {
      throw new DatasetFormatError(file, `not a readable PNG: ${(e as Error).message}`);
    }
  }
  let decoded;
  try {
    decoded = await raster.decodePng(bytes);
  } catch (e) {
    throw new DatasetFormatError(file, `not a readable PNG: ${(e as Error).message}`);
  }
  const { width, height, channels, data } = decoded;
  const out = new Uint16Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const o = i * channels, v = data[o]!;
    if (channels >= 3 && (data[o + 1] !== v || data[o + 2] !== v)) {
      throw new DatasetFormatError(file, `pixel (${i % width}, ${Math.floor(i / width)}) is coloured (${v}, ${data[o + 1]}, ${data[o + 2]}); ids are read from grayscale PNGs`);
    }
    out[i] = v;
  }
  return { width, height, data: out };
}

/** Encodes ids as a 16-bit grayscale PNG, refusing clearly when the host cannot. */
export async function writeId16Png(raster: RasterCodec16, file: string, image: Raster16): Promise<Uint8Array> {
  if (!raster.encodePng16) throw new DatasetFormatError(file, 'needs a 16-bit PNG, and this server cannot encode 16-bit PNGs');
  return raster.encodePng16(image);
}
