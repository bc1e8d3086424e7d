/**
 * Matching dataset items to task frames. Files name images inconsistently: COCO by file_name
 * with directories, YOLO and VOC by stem, CVAT by the name it was given. CVAT matches on the
 * path without extension; we try the exact name first, then that, then the bare stem when it
 * is unique, so "images/train/a.jpg", "train/a" and "a" all find frame "train/a.jpg".
 */
import type { DatasetImage } from './model.js';

export function stripExtension(name: string): string {
  const slash = name.lastIndexOf('/');
  const dot = name.lastIndexOf('.');
  return dot > slash + 1 ? name.slice(0, dot) : name;
}

export function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

export class ImageMatcher {
  private readonly exact = new Map<string, DatasetImage>();
  private readonly noExt = new Map<string, DatasetImage>();
  private readonly stems = new Map<string, DatasetImage | null>();

  constructor(images: readonly DatasetImage[]) {
    for (const img of images) {
      const name = img.name.replace(/\\/g, '/');
      this.exact.set(name, img);
      this.noExt.set(stripExtension(name), img);
      const stem = stripExtension(baseName(name));
      // A stem shared by two images is ambiguous: it matches neither.
      this.stems.set(stem, this.stems.has(stem) ? null : img);
    }
  }

  /** The task image a dataset item names, or null. */
  match(itemName: string): DatasetImage | null {
    const name = itemName.replace(/\\/g, '/').replace(/^\.?\//, '');
    const direct = this.exact.get(name) ?? this.noExt.get(stripExtension(name)) ?? this.noExt.get(name);
    if (direct) return direct;
    // Strip leading directories one at a time ("images/train/a.jpg" -> "train/a.jpg" -> "a.jpg").
    let rest = name;
    for (let i = rest.indexOf('/'); i >= 0; i = rest.indexOf('/')) {
      rest = rest.slice(i + 1);
      const hit = this.exact.get(rest) ?? this.noExt.get(stripExtension(rest));
      if (hit) return hit;
    }
    return this.stems.get(stripExtension(baseName(name))) ?? null;
  }
}
