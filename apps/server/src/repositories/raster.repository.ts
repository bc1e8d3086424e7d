/**
 * PNG decoding and encoding for dataset codecs (RasterCodec in packages/core). sharp does the
 * pixel work; the one thing it cannot do is write an indexed PNG with a given palette in a given
 * order (its palette quantiser picks its own), which VOC-style class masks need: index N must be
 * class N. Those are written here: an 8-bit palette PNG is a few chunks around deflated rows.
 */
import zlib from 'node:zlib';
import type { Raster, RasterCodec } from '@framewise/core';
import sharp from 'sharp';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

export function encodeIndexedPng(raster: Raster, palette: ReadonlyArray<readonly [number, number, number]>): Buffer {
  if (raster.channels !== 1) throw new RangeError('an indexed PNG is written from one channel of palette indexes');
  if (palette.length === 0 || palette.length > 256) throw new RangeError('a PNG palette holds 1 to 256 colours');
  const { width, height, data } = raster;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // colour type: palette
  const plte = Buffer.alloc(palette.length * 3);
  palette.forEach(([r, g, b], i) => plte.set([r, g, b], i * 3));
  // Each row is a filter byte (0: none) and the row's indexes; masks are long runs, which deflate well.
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) rows.set(data.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('PLTE', plte), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** The PLTE chunk of a PNG as RGB triples; empty when it has none. */
export function pngPalette(bytes: Uint8Array): Array<[number, number, number]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = 8; p + 8 <= buf.length; ) {
    const len = buf.readUInt32BE(p);
    const type = buf.toString('latin1', p + 4, p + 8);
    if (type === 'PLTE') {
      const out: Array<[number, number, number]> = [];
      for (let i = 0; i + 2 < len; i += 3) out.push([buf[p + 8 + i]!, buf[p + 9 + i]!, buf[p + 10 + i]!]);
      return out;
    }
    if (type === 'IDAT') break;
    p += 12 + len;
  }
  return [];
}

export const sharpRasterCodec: RasterCodec = {
  async decodePng(bytes, options) {
    const image = sharp(bytes, { limitInputPixels: 2 ** 28 });
    const meta = await image.metadata();
    if (meta.format !== 'png') throw new Error(`not a PNG (${meta.format ?? 'unknown format'})`);
    const palette = options?.indexed && meta.isPalette ? pngPalette(bytes) : [];
    if (palette.length) {
      // sharp expands palettes; map colours back to their first index (PNG palettes rarely repeat).
      const { data, info } = await image.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      const lookup = new Map<number, number>();
      palette.forEach(([r, g, b], i) => {
        const key = (r << 16) | (g << 8) | b;
        if (!lookup.has(key)) lookup.set(key, i);
      });
      const out = new Uint8Array(info.width * info.height);
      for (let i = 0; i < out.length; i++) out[i] = lookup.get((data[i * 3]! << 16) | (data[i * 3 + 1]! << 8) | data[i * 3 + 2]!) ?? 0;
      return { width: info.width, height: info.height, channels: 1, data: out };
    }
    // Grey stays one channel (sharp would otherwise hand out RGB).
    const grey = (meta.channels ?? 3) <= 2;
    const { data, info } = await (grey ? image.toColourspace('b-w') : image).raw().toBuffer({ resolveWithObject: true });
    let channels = info.channels;
    let pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (channels === 2) {
      // Grey with alpha: keep the grey (masks have no use for alpha).
      const grey = new Uint8Array(info.width * info.height);
      for (let i = 0; i < grey.length; i++) grey[i] = pixels[i * 2]!;
      pixels = grey;
      channels = 1;
    }
    return { width: info.width, height: info.height, channels: channels as Raster['channels'], data: pixels };
  },

  async encodePng(raster, options) {
    if (options?.palette) return new Uint8Array(encodeIndexedPng(raster, options.palette));
    let image = sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: raster.channels } });
    // One channel means grey (class ids): without this sharp writes it as RGB.
    if (raster.channels === 1) image = image.toColourspace('b-w');
    return new Uint8Array(await image.png({ compressionLevel: 6 }).toBuffer());
  },

  async decodePng16(bytes) {
    const { data, info } = await sharp(bytes, { limitInputPixels: 2 ** 28 })
      .toColourspace('grey16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    const samples = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
    if (info.channels === 1) return { width: info.width, height: info.height, data: new Uint16Array(samples) };
    const grey = new Uint16Array(info.width * info.height);
    for (let i = 0; i < grey.length; i++) grey[i] = samples[i * info.channels]!;
    return { width: info.width, height: info.height, data: grey };
  },

  async encodePng16(raster) {
    // A Uint16Array input tells sharp the samples are 16-bit.
    const out = await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: 1 } })
      .toColourspace('grey16')
      .png({ compressionLevel: 6 })
      .toBuffer();
    return new Uint8Array(out);
  },
};
