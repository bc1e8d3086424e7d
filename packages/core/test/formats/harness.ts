/**
 * Test harness for format codecs: datasets read from a directory, exports written to memory,
 * PNG through sharp (what the server uses). Real files, no mocks.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type {
  DatasetImage, ExportInput, ExportReport, ExportSink, FileContent, FrameAnnotations, ImportSource, Raster, RasterCodec,
} from '../../src/formats/model.js';

/** Datumaro's sample datasets, copied from ../shared/fixtures/datasets (MIT, licence beside them). */
export const DATASETS = fileURLToPath(new URL('../fixtures/datasets/', import.meta.url));

export function dirSource(dir: string): ImportSource {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  files.sort();
  return {
    paths: () => files,
    text: async (p) => readFileSync(join(dir, p), 'utf8'),
    bytes: async (p) => new Uint8Array(readFileSync(join(dir, p))),
  };
}

/** An ImportSource over in-memory files (e.g. an export read back). */
export function memorySource(files: Map<string, Uint8Array>): ImportSource {
  const paths = [...files.keys()].sort();
  const get = (p: string) => {
    const f = files.get(p);
    if (!f) throw new Error(`no file ${p}`);
    return f;
  };
  return { paths: () => paths, text: async (p) => new TextDecoder().decode(get(p)), bytes: async (p) => get(p) };
}

export class MemorySink implements ExportSink {
  readonly files = new Map<string, Uint8Array>();
  readonly images = new Map<string, string>();
  async file(path: string, content: FileContent): Promise<void> {
    if (this.files.has(path)) throw new Error(`written twice: ${path}`);
    const enc = new TextEncoder();
    let parts: Uint8Array[] = [];
    if (typeof content === 'string') parts = [enc.encode(content)];
    else if (content instanceof Uint8Array) parts = [content];
    else for await (const c of content) parts.push(typeof c === 'string' ? enc.encode(c) : c);
    this.files.set(path, Buffer.concat(parts));
  }
  async image(image: DatasetImage, path: string): Promise<void> {
    this.images.set(path, image.name);
  }
  text(path: string): string {
    const f = this.files.get(path);
    if (!f) throw new Error(`not exported: ${path} (have ${[...this.files.keys()].join(', ')})`);
    return new TextDecoder().decode(f);
  }
}

export class ListReport implements ExportReport {
  readonly droppedItems: Array<{ what: string; frame: number | null; reason: string }> = [];
  readonly convertedItems: Array<{ what: string; frame: number | null; how: string }> = [];
  dropped(what: string, frame: number | null, reason: string) {
    this.droppedItems.push({ what, frame, reason });
  }
  converted(what: string, frame: number | null, how: string) {
    this.convertedItems.push({ what, frame, how });
  }
}

export const sharpRaster: RasterCodec = {
  async decodePng(bytes, options) {
    const img = sharp(bytes);
    const meta = await img.metadata();
    if (options?.indexed && meta.isPalette) {
      // sharp expands palettes; recover indexes by matching colours against the PNG's palette.
      const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const palette = pngPalette(bytes);
      const lookup = new Map<number, number>();
      palette.forEach(([r, g, b], i) => {
        const key = (r << 16) | (g << 8) | b;
        if (!lookup.has(key)) lookup.set(key, i);
      });
      const out = new Uint8Array(info.width * info.height);
      for (let i = 0; i < out.length; i++) {
        const key = (data[i * 3]! << 16) | (data[i * 3 + 1]! << 8) | data[i * 3 + 2]!;
        out[i] = lookup.get(key) ?? 0;
      }
      return { width: info.width, height: info.height, channels: 1, data: out };
    }
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels as Raster['channels'], data: new Uint8Array(data) };
  },
  async encodePng(raster, options) {
    if (options?.palette) {
      const rgb = new Uint8Array(raster.width * raster.height * 3);
      for (let i = 0; i < raster.width * raster.height; i++) {
        const c = options.palette[raster.data[i]!] ?? [0, 0, 0];
        rgb.set(c, i * 3);
      }
      const out = await sharp(rgb, { raw: { width: raster.width, height: raster.height, channels: 3 } })
        .png({ palette: true, colours: Math.max(2, options.palette.length), dither: 0 }).toBuffer();
      return new Uint8Array(out);
    }
    const out = await sharp(raster.data, { raw: { width: raster.width, height: raster.height, channels: raster.channels } }).png().toBuffer();
    return new Uint8Array(out);
  },
};

/** The PLTE chunk of a PNG as RGB triples. */
function pngPalette(bytes: Uint8Array): Array<[number, number, number]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = 8; p + 8 <= bytes.length;) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    if (type === 'PLTE') {
      const out: Array<[number, number, number]> = [];
      for (let i = 0; i < len; i += 3) out.push([bytes[p + 8 + i]!, bytes[p + 9 + i]!, bytes[p + 10 + i]!]);
      return out;
    }
    p += 12 + len;
  }
  return [];
}

export async function* iterate<T>(items: readonly T[]): AsyncIterable<T> {
  for (const it of items) yield it;
}

/** An ExportInput over frames given in memory. */
export function exportInput(partial: Partial<Omit<ExportInput, 'frames'>> & { frames: FrameAnnotations[] }): ExportInput {
  return {
    name: partial.name ?? 'task',
    labels: partial.labels ?? [],
    frames: iterate(partial.frames),
    tracks: partial.tracks ?? [],
    saveImages: partial.saveImages ?? false,
    meta: partial.meta ?? { size: partial.frames.length, mode: 'annotation' },
  };
}
