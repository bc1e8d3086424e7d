/**
 * Everything the server does with image pixels: probing uploads at task creation, CVAT's
 * "compressed" frames and previews. This is the only module that imports sharp, so its process-wide
 * settings live here too.
 *
 * BMP does not go through libvips: the prebuilt sharp binaries ship without ImageMagick, and
 * libvips reads BMP only through `magickload`. Uncompressed 24/32-bit BMPs (BI_RGB, BI_BITFIELDS,
 * BI_ALPHABITFIELDS) are parsed here and handed to sharp as raw pixels; palette, 16-bit and
 * RLE/JPEG/PNG-compressed BMPs are refused with INVALID_MEDIA, at probe time, so a task never
 * accepts a file that compressFrame could not decode later.
 */
import { type FileHandle, open, readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { Metadata, Sharp } from 'sharp';
import { AppError } from '../errors.js';

// The operation cache only pays off when identical pipelines run on the same input again; here
// every frame is decoded once. Left on, it would keep up to 50 MB of pixels and 20 open file
// handles per process, and the open handles keep deleted upload temp files alive on disk.
sharp.cache(false);
// sharp.concurrency() stays at its default (one libvips thread per core): how many images run at
// once is decided by the job queue, and each image may as well use every core while it runs.

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'bmp' | 'gif';

export interface ImageProbe {
  /** Display width: after the EXIF orientation is applied (5-8 swap width and height). */
  width: number;
  /** Display height, see width. */
  height: number;
  /** EXIF orientation 1-8; 1 when absent or out of range. */
  orientation: number;
  format: ImageFormat;
  /** Size of the encoded file. */
  bytes?: number;
}

export interface MediaLimits {
  /**
   * Largest width x height accepted. The header's dimensions are checked before any pixel is
   * decoded, so a small file claiming a huge canvas (a decompression bomb) is refused instead of
   * allocating gigabytes later. Default 2^28 (a 16384 x 16384 image).
   */
  maxPixels?: number;
}

export interface CompressOptions {
  /** JPEG quality 1-100 (CVAT's image_quality). */
  quality: number;
  /** Longest side of the output; never upscaled. */
  maxSide?: number;
  /** Named in the error message when decoding fails. */
  name?: string;
}

export interface PreviewOptions {
  /** The preview fits inside size x size; default 256. */
  size?: number;
  /** JPEG quality 1-100; default 80. */
  quality?: number;
  /** Named in the error message when decoding fails. */
  name?: string;
}

export const DEFAULT_MAX_PIXELS = 2 ** 28;
const SUPPORTED: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'tiff', 'gif']);
const EXPECTED = 'expected JPEG, PNG, WebP, TIFF, BMP or GIF';
// A BMP's headers and colour masks end before byte 14 + 124 + 16.
const HEAD_BYTES = 256;
const WHITE = { r: 255, g: 255, b: 255 };

function invalid(name: string | undefined, reason: string): AppError {
  return new AppError(
    'INVALID_MEDIA',
    name === undefined ? `invalid image: ${reason}` : `${name}: ${reason}`,
    name === undefined ? [] : [{ file: name, message: reason }],
  );
}

function checkQuality(quality: number, field: string): void {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw AppError.invalid(field, 'must be an integer from 1 to 100');
  }
}

/** sharp's own messages say "Input buffer"/"Input file"; the caller's name says which one. */
function sharpReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/unsupported image format/i.test(message)) return `not a supported image format (${EXPECTED})`;
  return message.replace(/^Input (buffer|file) (has|contains) /i, '').replace(/:\s*$/, '') || 'unreadable image';
}

/** A missing path is the server's own fault, not the client's media: let it surface as a 500. */
function isMissingFile(e: unknown): boolean {
  return e instanceof Error && /^Input file is missing/.test(e.message);
}

export class MediaRepository {
  readonly maxPixels: number;

  constructor(limits: MediaLimits = {}) {
    this.maxPixels = limits.maxPixels ?? DEFAULT_MAX_PIXELS;
    if (!Number.isSafeInteger(this.maxPixels) || this.maxPixels < 1) {
      throw new RangeError('maxPixels must be a positive integer');
    }
  }

  /**
   * Dimensions, orientation and format from the headers alone: sharp's metadata() does not decode
   * pixels (a PNG header claiming 16000 x 16000 answers in about a millisecond, and a JPEG cut in
   * half still probes), so task creation can afford it for every upload. Beyond the header only a
   * PNG's last bytes are read. Corrupt pixel data is found by compressFrame.
   */
  async probeImage(input: Buffer | string, name: string): Promise<ImageProbe> {
    const { head, tail, bytes } = await readHead(input);
    if (bytes === 0) throw invalid(name, 'the file is empty');
    if (isBmp(head)) {
      const bmp = parseBmpHeader(head, bytes, name);
      this.checkPixels(bmp.width, bmp.height, name);
      return { width: bmp.width, height: bmp.height, orientation: 1, format: 'bmp', bytes };
    }

    let meta: Metadata;
    try {
      // Our own limit below gives a clearer message than sharp's; metadata() decodes nothing anyway.
      meta = await sharp(input, { limitInputPixels: false }).metadata();
    } catch (e) {
      if (isMissingFile(e)) throw e;
      throw invalid(name, sharpReason(e));
    }
    if (!SUPPORTED.has(meta.format)) {
      throw invalid(name, `${String(meta.format).toUpperCase()} images are not supported (${EXPECTED})`);
    }
    const { width, height } = meta;
    if (!(width > 0 && height > 0)) throw invalid(name, 'the image header has no dimensions');
    this.checkPixels(width, height, name);
    // The one truncation a header read can still catch cheaply: an interrupted PNG upload keeps its
    // IHDR but loses the IEND chunk, and refusing it here names the file at task creation instead of
    // failing later in the background frame job. (JPEG has no such test: cameras append data after
    // the EOI marker, so a missing FFD9 at the end proves nothing.)
    if (meta.format === 'png' && !(await hasPngEnd(input, tail, bytes))) {
      throw invalid(name, 'the PNG is truncated (no IEND chunk at the end of the file)');
    }

    const tag = meta.orientation;
    const orientation = tag !== undefined && tag >= 1 && tag <= 8 ? tag : 1;
    const swap = orientation >= 5;
    return {
      width: swap ? height : width,
      height: swap ? width : height,
      orientation,
      format: meta.format as ImageFormat,
      bytes,
    };
  }

  /** CVAT's "compressed" frame: upright JPEG on white, no metadata, never upscaled. */
  async compressFrame(input: Buffer | string, options: CompressOptions): Promise<Buffer> {
    checkQuality(options.quality, 'image_quality');
    const { maxSide, name } = options;
    if (maxSide !== undefined && !(Number.isInteger(maxSide) && maxSide > 0)) {
      throw AppError.invalid('maxSide', 'must be a positive integer');
    }
    return this.render(input, name, (image) => {
      const sized = maxSide === undefined ? image : image.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
      return sized.jpeg({ quality: options.quality });
    });
  }

  /** A JPEG that fits inside size x size, aspect kept, never upscaled. */
  async makePreview(input: Buffer | string, options: PreviewOptions = {}): Promise<Buffer> {
    const size = options.size ?? 256;
    if (!(Number.isInteger(size) && size > 0)) throw AppError.invalid('size', 'must be a positive integer');
    const quality = options.quality ?? 80;
    checkQuality(quality, 'quality');
    return this.render(input, options.name, (image) =>
      image
        .resize({
          width: size,
          height: size,
          fit: 'inside',
          withoutEnlargement: true,
        })
        .jpeg({ quality }),
    );
  }

  /**
   * Runs `finish` on the upright, opaque image and encodes. A file on disk goes straight to sharp:
   * the header read that decode() does first (open, stat, two reads, close: five thread-pool
   * trips) is a tenth of a cold frame's cost, and only BMPs (which libvips cannot read) and
   * broken files need it. Those fail in sharp and take the careful path, which names the problem.
   */
  private async render(input: Buffer | string, name: string | undefined, finish: (image: Sharp) => Sharp): Promise<Buffer> {
    if (typeof input === 'string') {
      try {
        return await finish(this.open(input)).toBuffer();
      } catch (e) {
        if (isMissingFile(e)) throw e;
      }
    }
    return this.encode(finish(await this.decode(input, name)), name);
  }

  private open(input: Buffer | string): Sharp {
    const image = sharp(input, {
      // 'truncated' refuses files that end early (a JPEG whose header survived the probe but whose
      // scan data was cut off would otherwise come out grey at the bottom), yet keeps images with
      // recoverable decoder warnings such as stray bytes before a JPEG marker, which browsers and
      // PIL (so CVAT) display without complaint; the default 'warning' would refuse those.
      failOn: 'truncated',
      limitInputPixels: this.maxPixels,
    });
    // autoOrient() is rotate() without an angle: it applies (and drops) the EXIF orientation.
    // The output carries no metadata at all because withMetadata()/keepMetadata() is never called.
    return image.autoOrient().flatten({ background: WHITE });
  }

  /** A pipeline that starts upright and opaque; nothing runs until encode() asks for the output. */
  private async decode(input: Buffer | string, name: string | undefined): Promise<Sharp> {
    const { head, bytes } = await readHead(input);
    if (bytes === 0) throw invalid(name, 'the file is empty');
    if (isBmp(head)) {
      const data = typeof input === 'string' ? await readFile(input) : input;
      const bmp = parseBmpHeader(data, data.length, name);
      this.checkPixels(bmp.width, bmp.height, name);
      const raw = decodeBmp(data, bmp);
      return sharp(raw.pixels, {
        raw: { width: bmp.width, height: bmp.height, channels: raw.channels },
        limitInputPixels: this.maxPixels,
      })
        .autoOrient()
        .flatten({ background: WHITE });
    }
    return this.open(input);
  }

  private async encode(image: Sharp, name: string | undefined): Promise<Buffer> {
    try {
      return await image.toBuffer();
    } catch (e) {
      if (isMissingFile(e)) throw e;
      throw invalid(name, `cannot decode the image: ${sharpReason(e)}`);
    }
  }

  private checkPixels(width: number, height: number, name: string | undefined): void {
    if (width * height > this.maxPixels) {
      throw invalid(name, `${width}x${height} is ${width * height} pixels, more than the limit of ${this.maxPixels}`);
    }
  }
}

/** The first and last bytes and the total size; for a path this never reads the whole file. */
async function readHead(input: Buffer | string): Promise<{ head: Buffer; tail: Buffer; bytes: number }> {
  if (typeof input !== 'string') {
    return { head: input.subarray(0, HEAD_BYTES), tail: input.subarray(-IEND.length), bytes: input.length };
  }
  const file = await open(input, 'r');
  try {
    const { size } = await file.stat();
    const head = await readAt(file, 0, HEAD_BYTES, size);
    const tail = await readAt(file, size - IEND.length, IEND.length, size);
    return { head, tail, bytes: size };
  } finally {
    await file.close();
  }
}

async function readAt(file: FileHandle, position: number, length: number, size: number): Promise<Buffer> {
  const start = Math.max(0, position);
  const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - start)));
  const { bytesRead } = await file.read(buffer, 0, buffer.length, start);
  return buffer.subarray(0, bytesRead);
}

// An empty IEND chunk: length 0, type, CRC.
const IEND = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
// Some tools append data after IEND; tolerate up to this much of it.
const PNG_TRAILER_WINDOW = 64 * 1024;

async function hasPngEnd(input: Buffer | string, tail: Buffer, size: number): Promise<boolean> {
  if (tail.equals(IEND)) return true;
  let window: Buffer;
  if (typeof input === 'string') {
    const file = await open(input, 'r');
    try {
      window = await readAt(file, size - PNG_TRAILER_WINDOW, PNG_TRAILER_WINDOW, size);
    } finally {
      await file.close();
    }
  } else {
    window = input.subarray(-PNG_TRAILER_WINDOW);
  }
  return window.includes(IEND);
}

// ---------------------------------------------------------------------------------------------
// BMP

interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bitsPerPixel: 24 | 32;
  /** Byte offset of the first stored row. */
  dataOffset: number;
  rowStride: number;
  /** Channel masks for BI_BITFIELDS; absent for BI_RGB (B, G, R bytes, the 4th byte unused). */
  masks?: { r: number; g: number; b: number; a: number };
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const COMPRESSION_NAMES: Record<number, string> = {
  1: 'RLE8',
  2: 'RLE4',
  4: 'JPEG',
  5: 'PNG',
  11: 'CMYK',
  12: 'CMYK RLE8',
  13: 'CMYK RLE4',
};
const BMP_SUPPORTED = 'only uncompressed 24- and 32-bit BMPs are supported';

function isBmp(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x42 && head[1] === 0x4d; // 'BM'
}

/**
 * Validates everything decodeBmp relies on, including that the file is long enough for every row,
 * so a BMP that probes fine also decodes. `data` needs only the first HEAD_BYTES; `size` is the
 * whole file's length.
 */
function parseBmpHeader(data: Buffer, size: number, name: string | undefined): BmpHeader {
  const bad = (reason: string) => invalid(name, `BMP: ${reason}`);
  if (data.length < 26) throw bad('the header is truncated');
  const dataOffset = data.readUInt32LE(10);
  const headerSize = data.readUInt32LE(14);

  let width: number;
  let rawHeight: number;
  let bitsPerPixel: number;
  let compression = BI_RGB;
  if (headerSize === 12) {
    // OS/2 BITMAPCOREHEADER: unsigned 16-bit dimensions, always bottom-up and uncompressed.
    width = data.readUInt16LE(18);
    rawHeight = data.readUInt16LE(20);
    bitsPerPixel = data.readUInt16LE(24);
  } else if ([40, 52, 56, 108, 124].includes(headerSize)) {
    if (data.length < 14 + 40) throw bad('the header is truncated');
    width = data.readInt32LE(18);
    rawHeight = data.readInt32LE(22);
    bitsPerPixel = data.readUInt16LE(28);
    compression = data.readUInt32LE(30);
  } else {
    // 64 is OS/2 2.x, whose compression codes mean something else than Windows'.
    throw bad(`unsupported header (size ${headerSize})`);
  }

  if (width <= 0 || rawHeight === 0 || rawHeight === -0x80000000) {
    throw bad(`invalid dimensions ${width}x${rawHeight}`);
  }
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);

  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    const kind = COMPRESSION_NAMES[compression] ?? `type ${compression}`;
    throw bad(`${kind} compression is not supported (${BMP_SUPPORTED})`);
  }
  if (bitsPerPixel !== 24 && bitsPerPixel !== 32) {
    const kind = bitsPerPixel <= 8 ? `${bitsPerPixel}-bit palette` : `${bitsPerPixel}-bit`;
    throw bad(`${kind} images are not supported (${BMP_SUPPORTED})`);
  }

  let masks: BmpHeader['masks'];
  let headerEnd = 14 + headerSize;
  if (compression !== BI_RGB) {
    if (bitsPerPixel !== 32) throw bad(`bit-field masks need 32 bits per pixel, not ${bitsPerPixel}`);
    // A 40-byte header is followed by the masks; larger headers contain them at the same offset.
    const withAlpha = compression === BI_ALPHABITFIELDS || headerSize >= 56;
    if (headerSize === 40) headerEnd += compression === BI_ALPHABITFIELDS ? 16 : 12;
    if (data.length < 14 + 40 + (withAlpha ? 16 : 12)) throw bad('the colour masks are truncated');
    masks = {
      r: data.readUInt32LE(54),
      g: data.readUInt32LE(58),
      b: data.readUInt32LE(62),
      a: withAlpha ? data.readUInt32LE(66) : 0,
    };
    for (const [channel, mask] of Object.entries(masks)) {
      if ((mask === 0 && channel !== 'a') || !isContiguous(mask)) {
        throw bad(`invalid ${channel} colour mask 0x${mask.toString(16)}`);
      }
    }
  }

  if (dataOffset < headerEnd) throw bad(`pixel data offset ${dataOffset} lies inside the header`);
  const rowStride = Math.ceil((width * bitsPerPixel) / 32) * 4;
  const needed = dataOffset + rowStride * height;
  if (needed > size) throw bad(`the file is truncated (${size} bytes, the pixel data needs ${needed})`);
  return { width, height, topDown, bitsPerPixel, dataOffset, rowStride, ...(masks && { masks }) };
}

function isContiguous(mask: number): boolean {
  if (mask === 0) return true;
  const shifted = mask >>> maskShift(mask);
  return (shifted & (shifted + 1)) === 0;
}

function maskShift(mask: number): number {
  return mask === 0 ? 0 : 31 - Math.clz32(mask & -mask);
}

/** Top-down RGB(A) rows for sharp's raw input. */
function decodeBmp(data: Buffer, bmp: BmpHeader): { pixels: Buffer; channels: 3 | 4 } {
  const { width, height, topDown, dataOffset, rowStride, masks } = bmp;
  const rowAt = (y: number) => dataOffset + (topDown ? y : height - 1 - y) * rowStride;

  if (!masks) {
    const step = bmp.bitsPerPixel / 8;
    const out = Buffer.allocUnsafe(width * height * 3);
    let o = 0;
    for (let y = 0; y < height; y++) {
      for (let i = rowAt(y), end = i + width * step; i < end; i += step) {
        out[o++] = data[i + 2]!;
        out[o++] = data[i + 1]!;
        out[o++] = data[i]!;
      }
    }
    return { pixels: out, channels: 3 };
  }

  const channels = [masks.r, masks.g, masks.b, masks.a].map((mask) => {
    const shift = maskShift(mask);
    const max = mask >>> shift;
    return { mask, shift, max };
  });
  // Some writers declare an alpha mask but leave every alpha byte 0; that means opaque, not invisible.
  let alphaUsed = false;
  if (masks.a !== 0) {
    outer: for (let y = 0; y < height; y++) {
      for (let x = 0, i = rowAt(y); x < width; x++, i += 4) {
        if ((data.readUInt32LE(i) & masks.a) !== 0) {
          alphaUsed = true;
          break outer;
        }
      }
    }
  }
  const count = alphaUsed ? 4 : 3;
  const out = Buffer.allocUnsafe(width * height * count);
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0, i = rowAt(y); x < width; x++, i += 4) {
      const pixel = data.readUInt32LE(i);
      for (let c = 0; c < count; c++) {
        const { mask, shift, max } = channels[c]!;
        out[o++] = max === 255 ? (pixel & mask) >>> shift : Math.round((((pixel & mask) >>> shift) * 255) / max);
      }
    }
  }
  return { pixels: out, channels: count };
}
