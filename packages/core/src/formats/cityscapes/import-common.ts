/**
 * What the CamVid, Cityscapes, KITTI and MOTS importers share: which files are images, frames
 * for items, the label list, and the class a mask's number names.
 */
import { ImageMatcher } from '../match.js';
import { DatasetFormatError, type DatasetLabel, type FrameAnnotations, type ImportContext } from '../model.js';
import { LabelCollector } from '../voc/attributes.js';
import { rgbToHex } from '../voc/colormap.js';
import type { VocCategories } from '../voc/labelmap.js';
import { DEFAULT_SUBSET } from './export-common.js';

/** Datumaro's IMAGE_EXTENSIONS. */
const IMAGE_EXTENSIONS = new Set([
  '.jpg', '.jpeg', '.jpe', '.jp2', '.png', '.bmp', '.dib', '.tif', '.tiff', '.tga', '.webp', '.pfm', '.sr', '.ras', '.exr',
  '.hdr', '.pic', '.pbm', '.pgm', '.ppm', '.pxm', '.pnm',
]);

export function imageExtension(path: string): string | undefined {
  const slash = path.lastIndexOf('/'), dot = path.lastIndexOf('.');
  if (dot <= slash + 1) return undefined;
  const ext = path.slice(dot);
  return IMAGE_EXTENSIONS.has(ext.toLowerCase()) ? ext : undefined;
}

/** Image files under `dir` by item id (the path below `dir` without extension, `strip` removed). */
export function imagesUnder(paths: readonly string[], dir: string, strip = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of paths) {
    if (!p.startsWith(dir)) continue;
    const ext = imageExtension(p);
    if (!ext) continue;
    let id = p.slice(dir.length, p.length - ext.length);
    if (strip) id = id.split(strip).join('');
    if (!out.has(id)) out.set(id, ext);
  }
  return out;
}

export function subsetOf(name: string): string | undefined {
  return name === DEFAULT_SUBSET || name === '' ? undefined : name;
}

/** Builds frames: image sizes from the masks, else from the task's matching image. */
export class FrameBuilder {
  private readonly matcher: ImageMatcher;
  readonly frames: FrameAnnotations[] = [];
  constructor(ctx: ImportContext) {
    this.matcher = new ImageMatcher(ctx.images);
  }
  /** A frame for an image, not yet listed. */
  make(name: string, subset: string | undefined, size?: { width: number; height: number }): FrameAnnotations {
    const task = size ? undefined : this.matcher.match(name);
    return {
      image: { frame: -1, name, width: size?.width ?? task?.width ?? 0, height: size?.height ?? task?.height ?? 0, ...(subset !== undefined ? { subset } : {}) },
      shapes: [],
      tags: [],
    };
  }
  add(name: string, subset: string | undefined, size?: { width: number; height: number }): FrameAnnotations {
    const frame = this.make(name, subset, size);
    this.frames.push(frame);
    return frame;
  }
}

export function declareLabels(collector: LabelCollector, cats: VocCategories, declared: ReadonlySet<string> = new Set(cats.names)): void {
  cats.names.forEach((n, i) => {
    if (!declared.has(n)) return;
    const c = cats.colors.get(i);
    collector.declare(n, c && rgbToHex(c));
  });
}

/**
 * Decides what a mask of class `cls` becomes: its label name, or null for the background class,
 * which is what no object covers (kept only when the task has a label of that name, as CVAT's
 * KITTI import keeps it).
 */
export function classLabel(cats: VocCategories, cls: number, file: string, ctx: ImportContext): string | null {
  const name = cats.names[cls];
  if (name === undefined) throw new DatasetFormatError(file, `class ${cls} is beyond the ${cats.names.length} labels of the label map`);
  if (cls === cats.background && !ctx.labels?.some((l) => l.name === name)) return null;
  return name;
}

/** The is_crowd attribute, for task labels that declare one (CVAT drops undeclared attributes). */
export function crowdAttributes(ctx: ImportContext, label: string, crowd: boolean): Record<string, string> {
  const spec: DatasetLabel | undefined = ctx.labels?.find((l) => l.name === label);
  return spec?.attributes.some((a) => a.name === 'is_crowd') ? { is_crowd: crowd ? 'true' : 'false' } : {};
}
