import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { MediaRepository } from '../../src/repositories/media.repository.js';

const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/images');
if (!fs.existsSync(fixturesDir)) console.warn(`skipping the real-photo media tests: ${fixturesDir} is absent`);
const media = new MediaRepository();
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'framewise-media-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function tmpFile(name: string, data: Buffer | string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, data);
  return file;
}

async function expectInvalid(promise: Promise<unknown>, name: string, reason?: RegExp): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected ${name} to be refused`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.code).toBe('INVALID_MEDIA');
  expect(appError.status).toBe(400);
  expect(appError.message).toContain(name);
  expect(appError.details).toEqual([{ file: name, message: expect.any(String) }]);
  if (reason) expect(appError.message).toMatch(reason);
  return appError;
}

function isJpeg(buffer: Buffer): boolean {
  return buffer[0] === 0xff && buffer[1] === 0xd8;
}

async function dims(buffer: Buffer): Promise<[number, number]> {
  const meta = await sharp(buffer).metadata();
  return [meta.width, meta.height];
}

/** RGB of the pixel at (x, y) of an encoded image. */
async function pixel(buffer: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(buffer).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

function expectColour(actual: number[], expected: number[], tolerance = 12): void {
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]!), `channel ${i}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance));
}

type Rgb = [number, number, number];
const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

/** Four solid quadrants, large enough that JPEG keeps each colour near exact at the centres. */
function quadrant(width: number, height: number): (x: number, y: number) => Rgb {
  return (x, y) => (y < height / 2 ? (x < width / 2 ? RED : GREEN) : x < width / 2 ? BLUE : WHITE);
}

async function expectQuadrants(buffer: Buffer, width: number, height: number): Promise<void> {
  expect(await dims(buffer)).toEqual([width, height]);
  const qx = Math.floor(width / 4);
  const qy = Math.floor(height / 4);
  expectColour(await pixel(buffer, qx, qy), RED);
  expectColour(await pixel(buffer, width - 1 - qx, qy), GREEN);
  expectColour(await pixel(buffer, qx, height - 1 - qy), BLUE);
  expectColour(await pixel(buffer, width - 1 - qx, height - 1 - qy), WHITE);
}

function rawRgb(width: number, height: number, colour: (x: number, y: number) => Rgb): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(colour(x, y), (y * width + x) * 3);
  return data;
}

/** Deterministic noise: compresses badly, so JPEG size reacts to quality. */
function noise(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return data;
}

function fromRaw(data: Buffer, width: number, height: number, channels: 3 | 4 = 3) {
  return sharp(data, { raw: { width, height, channels } });
}

/** A hand-written 24-bit BI_RGB BMP: BGR triplets, rows padded to 4 bytes, bottom-up unless topDown. */
function bmp24(width: number, height: number, colour: (x: number, y: number) => Rgb, topDown = false): Buffer {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + stride * height, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(topDown ? -height : height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(0, 30); // BI_RGB
  header.writeUInt32LE(stride * height, 34);
  const rows = Buffer.alloc(stride * height, 0xee); // padding bytes are garbage on purpose
  for (let y = 0; y < height; y++) {
    const row = (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colour(x, y);
      rows[row + x * 3] = b;
      rows[row + x * 3 + 1] = g;
      rows[row + x * 3 + 2] = r;
    }
  }
  return Buffer.concat([header, rows]);
}

/** A 32-bit BI_BITFIELDS BMP with a BITMAPV5HEADER (masks, alpha mask included, inside the header). */
function bmp32(width: number, height: number, colour: (x: number, y: number) => [number, number, number, number]): Buffer {
  const offset = 14 + 124;
  const header = Buffer.alloc(offset);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(offset + width * height * 4, 2);
  header.writeUInt32LE(offset, 10);
  header.writeUInt32LE(124, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(32, 28);
  header.writeUInt32LE(3, 30); // BI_BITFIELDS
  header.writeUInt32LE(0x00ff0000, 54);
  header.writeUInt32LE(0x0000ff00, 58);
  header.writeUInt32LE(0x000000ff, 62);
  header.writeUInt32LE(0xff000000, 66);
  const rows = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = colour(x, y);
      rows.writeUInt32LE(((a << 24) | (r << 16) | (g << 8) | b) >>> 0, ((height - 1 - y) * width + x) * 4);
    }
  }
  return Buffer.concat([header, rows]);
}

/** The same PNG with the IHDR claiming other dimensions (CRC fixed, so only the size lies). */
function pngClaiming(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  expect(out.toString('latin1', 12, 16)).toBe('IHDR');
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

describe.skipIf(!fs.existsSync(fixturesDir))('MediaRepository on real photos (/work/shared/fixtures/images)', () => {
  const fixture = (name: string) => path.join(fixturesDir, name);
  const known = {
    'skimage_astronaut.png': [512, 512, 'png'],
    'skimage_camera.png': [512, 512, 'png'],
    'skimage_chelsea.png': [451, 300, 'png'],
    'skimage_coffee.png': [600, 400, 'png'],
    'skimage_rocket.jpg': [640, 427, 'jpeg'],
    'skimage_hubble_deep_field.jpg': [1000, 872, 'jpeg'],
  } as const;

  for (const [name, [width, height, format]] of Object.entries(known)) {
    it(`probes ${name} by path and by buffer, and compresses it to a JPEG of the same size`, async () => {
      const file = fixture(name);
      const size = fs.statSync(file).size;
      const expected = { width, height, format, orientation: 1, bytes: size };
      expect(await media.probeImage(file, name)).toEqual(expected);
      const buffer = fs.readFileSync(file);
      expect(await media.probeImage(buffer, name)).toEqual(expected);

      const frame = await media.compressFrame(file, { quality: 70, name });
      expect(isJpeg(frame)).toBe(true);
      expect(await dims(frame)).toEqual([width, height]);
    });
  }

  it('makes smaller frames at lower quality', async () => {
    const file = fixture('skimage_astronaut.png');
    const low = await media.compressFrame(file, { quality: 10 });
    const mid = await media.compressFrame(file, { quality: 50 });
    const high = await media.compressFrame(file, { quality: 95 });
    console.log(`astronaut 512x512 PNG -> JPEG: q10 ${low.length} B, q50 ${mid.length} B, q95 ${high.length} B`);
    expect(low.length).toBeLessThan(mid.length);
    expect(mid.length).toBeLessThan(high.length);
  });

  it('shrinks to maxSide keeping the aspect ratio, and never upscales', async () => {
    const file = fixture('skimage_rocket.jpg');
    expect(await dims(await media.compressFrame(file, { quality: 80, maxSide: 320 }))).toEqual([320, 214]);
    expect(await dims(await media.compressFrame(file, { quality: 80, maxSide: 5000 }))).toEqual([640, 427]);
  });

  it('makes previews that fit in 256 x 256 and keep the aspect ratio', async () => {
    for (const [name, [width, height]] of Object.entries(known)) {
      const preview = await media.makePreview(fixture(name));
      expect(isJpeg(preview)).toBe(true);
      const [w, h] = await dims(preview);
      expect(Math.max(w, h)).toBe(256);
      expect(Math.abs(w / h - width / height)).toBeLessThan(0.01);
    }
    const small = await media.makePreview(fixture('skimage_chelsea.png'), { size: 64, quality: 50 });
    expect(await dims(small)).toEqual([64, 43]);
  });

  it('refuses the first 100 bytes of a real PNG (cut inside its iCCP chunk) at probe time', async () => {
    const png = fs.readFileSync(fixture('skimage_astronaut.png'));
    await expectInvalid(media.probeImage(png.subarray(0, 100), 'astronaut.png'), 'astronaut.png', /corrupt header/);
  });

  it('refuses a truncated copy of a real JPEG at decode time, not at probe time', async () => {
    const jpeg = fs.readFileSync(fixture('skimage_rocket.jpg'));
    const cut = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    expect(await media.probeImage(cut, 'rocket-cut.jpg')).toMatchObject({ width: 640, height: 427, format: 'jpeg' });
    await expectInvalid(media.compressFrame(cut, { quality: 70, name: 'rocket-cut.jpg' }), 'rocket-cut.jpg', /premature end/);
  });
});

describe('MediaRepository.probeImage', () => {
  it('reports display dimensions for EXIF orientation 6 (width and height swapped)', async () => {
    const jpeg = await fromRaw(noise(40, 20), 40, 20).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await media.probeImage(jpeg, 'rotated.jpg')).toEqual({
      width: 20,
      height: 40,
      orientation: 6,
      format: 'jpeg',
      bytes: jpeg.length,
    });
  });

  it('keeps width and height for orientations 1-4 and swaps them for 5-8', async () => {
    for (let orientation = 1; orientation <= 8; orientation++) {
      const jpeg = await fromRaw(noise(30, 10), 30, 10).jpeg().withMetadata({ orientation }).toBuffer();
      const probe = await media.probeImage(jpeg, `o${orientation}.jpg`);
      expect(probe.orientation).toBe(orientation);
      expect([probe.width, probe.height]).toEqual(orientation >= 5 ? [10, 30] : [30, 10]);
    }
  });

  it('reads PNG with alpha, WebP, TIFF (with orientation) and GIF', async () => {
    const rgba = Buffer.alloc(24 * 16 * 4, 0x80);
    const png = await fromRaw(rgba, 24, 16, 4).png().toBuffer();
    expect(await media.probeImage(png, 'a.png')).toEqual({ width: 24, height: 16, orientation: 1, format: 'png', bytes: png.length });
    const webp = await fromRaw(noise(24, 16), 24, 16).webp().toBuffer();
    expect(await media.probeImage(webp, 'a.webp')).toMatchObject({ width: 24, height: 16, orientation: 1, format: 'webp' });
    const tiff = await fromRaw(noise(24, 16), 24, 16).tiff().withMetadata({ orientation: 8 }).toBuffer();
    expect(await media.probeImage(tiff, 'a.tiff')).toMatchObject({ width: 16, height: 24, orientation: 8, format: 'tiff' });
    const gif = await fromRaw(noise(24, 16), 24, 16).gif().toBuffer();
    expect(await media.probeImage(gif, 'a.gif')).toMatchObject({ width: 24, height: 16, format: 'gif' });
  });

  it('reads only the headers: a JPEG cut in half and a PNG whose header claims 16000 x 16000 both probe', async () => {
    const jpeg = await fromRaw(noise(200, 200), 200, 200).jpeg().toBuffer();
    const half = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    expect(await media.probeImage(half, 'half.jpg')).toMatchObject({ width: 200, height: 200, format: 'jpeg' });

    const png = await fromRaw(noise(200, 200), 200, 200).png().toBuffer();
    // 256 M pixels would take seconds and 768 MB to decode; a header read takes a millisecond.
    const liar = pngClaiming(png, 16000, 16000);
    const started = performance.now();
    expect(await media.probeImage(liar, 'liar.png')).toMatchObject({ width: 16000, height: 16000 });
    expect(performance.now() - started).toBeLessThan(500);
    await expectInvalid(media.compressFrame(liar, { quality: 70, name: 'liar.png' }), 'liar.png', /cannot decode/);
  });

  it('refuses absurd dimensions (decompression bombs) before decoding anything', async () => {
    const png = await fromRaw(noise(10, 10), 10, 10).png().toBuffer();
    await expectInvalid(media.probeImage(pngClaiming(png, 20000, 20000), 'bomb.png'), 'bomb.png', /20000x20000 .*more than the limit of 268435456/);
    await expectInvalid(media.compressFrame(pngClaiming(png, 20000, 20000), { quality: 70, name: 'bomb.png' }), 'bomb.png');

    const strict = new MediaRepository({ maxPixels: 99 });
    await expectInvalid(strict.probeImage(png, 'ten.png'), 'ten.png', /10x10 is 100 pixels, more than the limit of 99/);
    await expectInvalid(strict.compressFrame(png, { quality: 70, name: 'ten.png' }), 'ten.png');
    await expectInvalid(strict.probeImage(bmp24(10, 10, () => RED), 'ten.bmp'), 'ten.bmp', /more than the limit/);
    expect(await new MediaRepository({ maxPixels: 100 }).probeImage(png, 'ten.png')).toMatchObject({ width: 10 });
  });

  it('refuses random bytes, a PNG truncated to 100 bytes, empty input and a text file named .jpg', async () => {
    const random = randomBytes(4096);
    random[0] = 0; // not 'BM' by chance
    await expectInvalid(media.probeImage(random, 'noise.png'), 'noise.png', /not a supported image format/);

    // IHDR survives in the first 100 bytes of this PNG; the missing IEND gives the cut away.
    const png = await fromRaw(noise(64, 64), 64, 64).png().toBuffer();
    await expectInvalid(media.probeImage(png.subarray(0, 100), 'cut.png'), 'cut.png', /PNG is truncated/);
    await expectInvalid(media.probeImage(tmpFile('cut.png', png.subarray(0, 100)), 'cut.png'), 'cut.png', /PNG is truncated/);
    await expectInvalid(media.probeImage(png.subarray(0, png.length - 1), 'short.png'), 'short.png', /PNG is truncated/);

    await expectInvalid(media.probeImage(Buffer.alloc(0), 'empty.jpg'), 'empty.jpg', /empty/);
    await expectInvalid(media.probeImage(tmpFile('empty.jpg', ''), 'empty.jpg'), 'empty.jpg', /empty/);

    const text = tmpFile('notes.jpg', 'These are my annotation notes, not a photo.\n');
    const error = await expectInvalid(media.probeImage(text, 'notes.jpg'), 'notes.jpg', /not a supported image format/);
    expect(error.details[0]!.message).not.toContain('notes.jpg');
  });

  it('accepts a PNG with a little data appended after IEND, by buffer and by path', async () => {
    const png = await fromRaw(noise(32, 32), 32, 32).png().toBuffer();
    const padded = Buffer.concat([png, Buffer.from('appended by some tool')]);
    expect(await media.probeImage(padded, 'padded.png')).toMatchObject({ width: 32, height: 32, format: 'png' });
    expect(await media.probeImage(tmpFile('padded.png', padded), 'padded.png')).toMatchObject({ width: 32, format: 'png' });
    expect(await dims(await media.compressFrame(padded, { quality: 80 }))).toEqual([32, 32]);
  });

  it('refuses formats sharp can read but the platform does not accept', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expectInvalid(media.probeImage(svg, 'logo.svg'), 'logo.svg', /SVG images are not supported/);
    const avif = await fromRaw(noise(16, 16), 16, 16).avif().toBuffer();
    await expectInvalid(media.probeImage(avif, 'a.avif'), 'a.avif', /HEIF images are not supported/);
  });

  it('lets a missing path surface as a server fault, not as INVALID_MEDIA', async () => {
    const error = await media.probeImage(path.join(tmp, 'missing.png'), 'missing.png').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(AppError);
  });

  it('probes a small PNG fast enough for 10,000-image tasks (timing printed, not asserted)', async () => {
    const png = await fromRaw(noise(64, 48), 64, 48).png().toBuffer();
    const file = tmpFile('small.png', png);
    const iterations = 200;
    for (const [label, input] of [
      ['buffer', png],
      ['path', file],
    ] as const) {
      for (let i = 0; i < 20; i++) await media.probeImage(input, 'small.png'); // warm-up
      const started = performance.now();
      for (let i = 0; i < iterations; i++) await media.probeImage(input, 'small.png');
      const perImage = (performance.now() - started) / iterations;
      console.log(
        `probeImage (${label}, 64x48 PNG): ${perImage.toFixed(3)} ms per image over ${iterations} runs; ` +
          `10,000 images ≈ ${((perImage * 10_000) / 1000).toFixed(1)} s sequential`,
      );
    }
  });
});

describe('MediaRepository.compressFrame', () => {
  it('applies EXIF orientation 6: output has swapped dimensions, upright pixels and no orientation tag', async () => {
    // Stored 40x20: left half red, right half blue. Orientation 6 means "rotate 90° clockwise to
    // display", so the displayed 20x40 image is red on top and blue below.
    const stored = rawRgb(40, 20, (x) => (x < 20 ? RED : BLUE));
    const jpeg = await fromRaw(stored, 40, 20).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const frame = await media.compressFrame(jpeg, { quality: 90 });
    expect(isJpeg(frame)).toBe(true);
    expect(await dims(frame)).toEqual([20, 40]);
    expectColour(await pixel(frame, 10, 5), RED, 40);
    expectColour(await pixel(frame, 10, 34), BLUE, 40);
    const meta = await sharp(frame).metadata();
    expect(meta.orientation).toBeUndefined();
    expect(meta.exif).toBeUndefined();
    expect(meta.icc).toBeUndefined();
  });

  it('flattens alpha on white', async () => {
    // Left half opaque red, right half fully transparent (black underneath).
    const rgba = Buffer.alloc(32 * 16 * 4);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) rgba.set([255, 0, 0, 255], (y * 32 + x) * 4);
    const png = await fromRaw(rgba, 32, 16, 4).png().toBuffer();
    const frame = await media.compressFrame(png, { quality: 90 });
    expect((await sharp(frame).metadata()).channels).toBe(3);
    expectColour(await pixel(frame, 4, 8), RED, 30);
    expectColour(await pixel(frame, 28, 8), WHITE);
  });

  it('compresses WebP, TIFF and GIF input', async () => {
    const colour = quadrant(64, 48);
    const webp = await fromRaw(rawRgb(64, 48, colour), 64, 48).webp({ lossless: true }).toBuffer();
    const tiff = await fromRaw(rawRgb(64, 48, colour), 64, 48).tiff().toBuffer();
    const gif = await fromRaw(rawRgb(64, 48, colour), 64, 48).gif().toBuffer();
    for (const input of [webp, tiff, gif]) await expectQuadrants(await media.compressFrame(input, { quality: 95 }), 64, 48);
  });

  it('makes smaller output at lower quality, and shrinks to maxSide without upscaling', async () => {
    const png = await fromRaw(noise(300, 200), 300, 200).png().toBuffer();
    const low = await media.compressFrame(png, { quality: 20 });
    const high = await media.compressFrame(png, { quality: 90 });
    expect(low.length).toBeLessThan(high.length);
    expect(await dims(await media.compressFrame(png, { quality: 50, maxSide: 150 }))).toEqual([150, 100]);
    expect(await dims(await media.compressFrame(png, { quality: 50, maxSide: 1000 }))).toEqual([300, 200]);
  });

  it('is strict about truncated pixel data: the header probes, the decode is refused with the name', async () => {
    const jpeg = await fromRaw(noise(256, 256), 256, 256).jpeg({ quality: 90 }).toBuffer();
    const cut = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    expect(await media.probeImage(cut, 'cut.jpg')).toMatchObject({ width: 256, height: 256, format: 'jpeg' });
    const error = await expectInvalid(media.compressFrame(cut, { quality: 70, name: 'cut.jpg' }), 'cut.jpg', /premature end of JPEG/);
    expect(error.details[0]!.message).toMatch(/^cannot decode the image/);
    await expectInvalid(media.makePreview(cut, { name: 'cut.jpg' }), 'cut.jpg');

    const png = await fromRaw(noise(128, 128), 128, 128).png().toBuffer();
    const half = png.subarray(0, Math.floor(png.length / 2));
    await expectInvalid(media.compressFrame(tmpFile('half.png', half), { quality: 70, name: 'half.png' }), 'half.png');
    // From disk, sharp reads the file first; what it refuses still gets the careful diagnosis.
    await expectInvalid(media.compressFrame(tmpFile('cut.jpg', cut), { quality: 70, name: 'cut.jpg' }), 'cut.jpg', /premature end of JPEG/);
    await expectInvalid(media.compressFrame(tmpFile('zero.jpg', ''), { quality: 70, name: 'zero.jpg' }), 'zero.jpg', /the file is empty/);
    await expectInvalid(media.makePreview(tmpFile('zero.png', ''), { name: 'zero.png' }), 'zero.png', /the file is empty/);
  });

  it('without a name, still answers INVALID_MEDIA', async () => {
    const jpeg = await fromRaw(noise(64, 64), 64, 64).jpeg().toBuffer();
    const error = await media.compressFrame(jpeg.subarray(0, 400), { quality: 70 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('INVALID_MEDIA');
    expect((error as AppError).details).toEqual([]);
  });

  it('tolerates recoverable JPEG warnings (stray bytes before a marker), as browsers and CVAT do', async () => {
    const jpeg = await fromRaw(noise(64, 64), 64, 64).jpeg().toBuffer();
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    const stray = Buffer.concat([jpeg.subarray(0, sos), Buffer.from([1, 2, 3, 4]), jpeg.subarray(sos)]);
    // sharp's default failOn ('warning') would refuse it:
    await expect(sharp(stray).jpeg().toBuffer()).rejects.toThrow(/extraneous bytes/);
    expect(await dims(await media.compressFrame(stray, { quality: 70 }))).toEqual([64, 64]);
  });

  it('refuses quality outside 1-100 as a validation error', async () => {
    const png = await fromRaw(noise(8, 8), 8, 8).png().toBuffer();
    for (const quality of [0, 101, 50.5]) {
      await expect(media.compressFrame(png, { quality })).rejects.toMatchObject({ code: 'VALIDATION' });
    }
    await expect(media.compressFrame(png, { quality: 1 })).resolves.toBeInstanceOf(Buffer);
    await expect(media.compressFrame(png, { quality: 100 })).resolves.toBeInstanceOf(Buffer);
  });
});

describe('MediaRepository.makePreview', () => {
  it('fits inside 256 x 256 by default, keeps the aspect ratio and applies orientation', async () => {
    const jpeg = await fromRaw(noise(800, 400), 800, 400).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const preview = await media.makePreview(jpeg);
    expect(isJpeg(preview)).toBe(true);
    expect(await dims(preview)).toEqual([128, 256]);
  });

  it('honours size and never upscales small images', async () => {
    const png = await fromRaw(noise(100, 50), 100, 50).png().toBuffer();
    expect(await dims(await media.makePreview(png))).toEqual([100, 50]);
    expect(await dims(await media.makePreview(png, { size: 40 }))).toEqual([40, 20]);
  });
});

describe('MediaRepository with BMP (decoded here: prebuilt sharp has no BMP loader)', () => {
  it('confirms sharp itself cannot read BMP, which is why the repository parses it', async () => {
    await expect(sharp(bmp24(4, 4, () => RED)).metadata()).rejects.toThrow(/unsupported image format/);
  });

  for (const topDown of [false, true]) {
    const label = topDown ? 'top-down (negative height)' : 'bottom-up';
    it(`probes and decodes a 24-bit BI_RGB ${label} BMP whose rows need padding`, async () => {
      // 33 * 3 = 99 bytes per row, padded to 100.
      const bmp = bmp24(33, 21, quadrant(33, 21), topDown);
      expect(await media.probeImage(bmp, 'q.bmp')).toEqual({ width: 33, height: 21, orientation: 1, format: 'bmp', bytes: bmp.length });
      await expectQuadrants(await media.compressFrame(bmp, { quality: 100 }), 33, 21);
    });
  }

  it('puts every block of a 5 x 3 colour grid in its place, rows padded, both row orders', async () => {
    // 16 x 16 blocks match JPEG's 4:2:0 MCUs, so each block's centre survives encoding nearly exactly;
    // the 81st column (part of the last block) makes each 243-byte row need 1 byte of padding.
    const block = (x: number, y: number): Rgb => {
      const bx = Math.min(4, Math.floor(x / 16));
      const by = Math.floor(y / 16);
      return [bx * 60, by * 120, 255 - bx * 50];
    };
    for (const topDown of [false, true]) {
      const frame = await media.compressFrame(bmp24(81, 48, block, topDown), { quality: 100 });
      expect(await dims(frame)).toEqual([81, 48]);
      for (let by = 0; by < 3; by++) {
        for (let bx = 0; bx < 5; bx++) expectColour(await pixel(frame, bx * 16 + 8, by * 16 + 8), block(bx * 16, by * 16), 6);
      }
    }
  });

  it('reads a BMP from a path, and makes a preview of it', async () => {
    const file = tmpFile('big.bmp', bmp24(600, 300, quadrant(600, 300)));
    expect(await media.probeImage(file, 'big.bmp')).toMatchObject({ width: 600, height: 300, format: 'bmp', bytes: fs.statSync(file).size });
    await expectQuadrants(await media.makePreview(file), 256, 128);
    await expectQuadrants(await media.compressFrame(file, { quality: 90, maxSide: 300 }), 300, 150);
  });

  it('decodes 32-bit BI_BITFIELDS with alpha (V5 header) and flattens it on white', async () => {
    const bmp = bmp32(32, 32, (x, y) => (y < 16 ? [0, 0, 255, 255] : x < 16 ? [0, 255, 0, 255] : [0, 0, 0, 0]));
    expect(await media.probeImage(bmp, 'alpha.bmp')).toMatchObject({ width: 32, height: 32, format: 'bmp' });
    const frame = await media.compressFrame(bmp, { quality: 95 });
    expectColour(await pixel(frame, 16, 4), BLUE);
    expectColour(await pixel(frame, 4, 28), GREEN);
    expectColour(await pixel(frame, 28, 28), WHITE);
  });

  it('treats a declared but all-zero alpha channel as opaque', async () => {
    const bmp = bmp32(16, 16, () => [255, 0, 0, 0]);
    expectColour(await pixel(await media.compressFrame(bmp, { quality: 95 }), 8, 8), RED);
  });

  it('refuses palette, RLE-compressed, truncated and malformed BMPs with a clear reason', async () => {
    const good = bmp24(8, 8, () => BLACK);
    const palette = Buffer.from(good);
    palette.writeUInt16LE(8, 28);
    await expectInvalid(media.probeImage(palette, 'pal.bmp'), 'pal.bmp', /8-bit palette images are not supported/);

    const rle = Buffer.from(palette);
    rle.writeUInt32LE(1, 30);
    await expectInvalid(media.probeImage(rle, 'rle.bmp'), 'rle.bmp', /RLE8 compression is not supported/);
    await expectInvalid(media.compressFrame(rle, { quality: 80, name: 'rle.bmp' }), 'rle.bmp', /RLE8/);

    await expectInvalid(media.probeImage(good.subarray(0, good.length - 10), 'short.bmp'), 'short.bmp', /BMP: the file is truncated/);
    await expectInvalid(media.probeImage(good.subarray(0, 20), 'tiny.bmp'), 'tiny.bmp', /BMP: the header is truncated/);
    await expectInvalid(media.probeImage(tmpFile('short.bmp', good.subarray(0, 60)), 'short.bmp'), 'short.bmp', /truncated/);

    const zero = Buffer.from(good);
    zero.writeInt32LE(0, 22);
    await expectInvalid(media.probeImage(zero, 'zero.bmp'), 'zero.bmp', /invalid dimensions 8x0/);

    const oddHeader = Buffer.from(good);
    oddHeader.writeUInt32LE(64, 14);
    await expectInvalid(media.probeImage(oddHeader, 'os2.bmp'), 'os2.bmp', /unsupported header/);
  });
});
