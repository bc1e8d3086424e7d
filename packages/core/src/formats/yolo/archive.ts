/**
 * Finding one's way in a YOLO archive: paths as the list files write them, image files beside
 * label files, and the task image each dataset item belongs to. YOLO stores coordinates relative
 * to the image size, which the files never state, so every item must be matched to an image of
 * known size: the task's images, or (creating a project from a dataset) the images the server
 * found in the archive. Like CVAT, an item no image matches is an error, not a silent skip.
 */
import { DatasetFormatError, type DatasetImage, type DatasetShape, type DatasetTag, type FrameAnnotations } from '../model.js';
import { ImageMatcher, stripExtension } from '../match.js';

// Datumaro's image extensions (what it finds in image folders), plus GIF.
const IMAGE_EXTENSIONS = new Set([
  'jpg', 'jpeg', 'jpe', 'jp2', 'png', 'bmp', 'dib', 'tif', 'tiff', 'tga', 'webp', 'pfm', 'sr', 'ras', 'exr', 'hdr', 'pic',
  'pbm', 'pgm', 'ppm', 'pxm', 'pnm', 'gif',
]);

export function isImagePath(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') && IMAGE_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function joinPath(dir: string, rel: string): string {
  return dir ? `${dir}/${rel}` : rel;
}

/** '/'-separated, without "." segments, ".." resolved where possible (Python's normpath). */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.trim().replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** A path from a YOLO list or config file, relative to the dataset root ("data/" is the root). */
export function localizePath(path: string): string {
  const p = normalizePath(path);
  return p.startsWith('data/') ? p.slice(5) : p;
}

/** The path of `name` nearest the archive root (ties: first in order), or undefined. */
export function shallowest(paths: readonly string[], test: (path: string) => boolean): string | undefined {
  let best: string | undefined;
  let bestDepth = Infinity;
  for (const p of paths) {
    if (!test(p)) continue;
    const depth = p.split('/').length;
    if (depth < bestDepth) {
      best = p;
      bestDepth = depth;
    }
  }
  return best;
}

/** Image files of the archive by path without extension, to find the image of a label file. */
export function imagesByStem(paths: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of paths) if (isImagePath(p) && !out.has(stripExtension(p))) out.set(stripExtension(p), p);
  return out;
}

/** Splits a text file into non-blank lines: 1-based number, trimmed text, whitespace-split fields. */
export function* textLines(text: string): Generator<{ line: number; text: string; fields: string[] }> {
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i]!.trim();
    if (trimmed) yield { line: i + 1, text: trimmed, fields: trimmed.split(/\s+/) };
  }
}

/**
 * Collects imported items into frames: each item is matched to a task image (which gives its
 * size), and items matching the same image share one frame, as CVAT merges them.
 */
export class FrameCollector {
  private readonly matcher: ImageMatcher;
  private readonly byName = new Map<string, FrameAnnotations>();

  constructor(private readonly images: readonly DatasetImage[]) {
    this.matcher = new ImageMatcher(images);
  }

  /**
   * The frame of the item named `name` (an image path, with or without extension); `file` is the
   * file to blame when no image matches.
   */
  frame(name: string, subset: string | undefined, file: string): FrameAnnotations {
    if (this.images.length === 0) {
      throw new DatasetFormatError(
        file,
        `the size of image "${name}" is unknown: YOLO coordinates are relative to the image size, so importing ` +
          'needs the task\'s images or the images in the archive',
      );
    }
    const image = this.matcher.match(name);
    if (!image) throw new DatasetFormatError(file, `no image of the task matches "${name}"`);
    let frame = this.byName.get(image.name);
    if (!frame) {
      frame = { image: { ...image, subset: subset ?? image.subset }, shapes: [], tags: [] };
      this.byName.set(image.name, frame);
    }
    return frame;
  }

  frames(): FrameAnnotations[] {
    return [...this.byName.values()];
  }
}

/** A shape read from a file: no attributes, group or z-order in YOLO. */
export function fileShape(label: string, type: DatasetShape['type'], points: number[], rotation = 0): DatasetShape {
  return { label, group: 0, source: 'file', attributes: {}, type, points, rotation, occluded: false, outside: false, z_order: 0 };
}

export function fileTag(label: string): DatasetTag {
  return { label, group: 0, source: 'file', attributes: {} };
}
