/**
 * The images inside an unpacked dataset archive, for creating tasks from it: every image file with
 * its display size (read from its header the way task creation reads it, so both agree), and the
 * dataset item each belongs to. Items name images loosely (COCO "a.jpg" for
 * "images/train/a.jpg", VOC "a" for "JPEGImages/a.jpg"), and archives hold other images beside
 * them (VOC and CamVid masks, COCO panoptic PNGs), so finding an item's image weighs its subset
 * and whether the codec read the file as data.
 */
import { stripExtension, type ImportSource } from '@framewise/core';
import { isAppError } from '../../errors.js';
import type { MediaRepository } from '../../repositories/media.repository.js';
import { mimeOf } from '../../repositories/share.repository.js';
import type { LocalImportSource } from './import-source.js';

const PROBE_CONCURRENCY = 8;
const IMAGE_FOLDER = /^(images?|imgs?|img\d*|image_\d+|jpegimages|leftimg8bit)$/i;

function add(map: Map<string, ArchiveImage[]>, key: string, img: ArchiveImage): void {
  const list = map.get(key);
  if (list) list.push(img);
  else map.set(key, [img]);
}

export interface ArchiveImage {
  /** Path in the archive. */
  path: string;
  width: number;
  height: number;
  /** Why the file cannot be a frame (not an image the server reads); undefined when it can. */
  unreadable?: string;
}

/** Every image file of the archive, in path order, with its size. */
export async function probeArchiveImages(
  source: LocalImportSource,
  media: MediaRepository,
  tick: (done: number, total: number) => Promise<void>,
): Promise<ArchiveImage[]> {
  const paths = source.paths().filter((p) => mimeOf(p) === 'image');
  const out: ArchiveImage[] = new Array(paths.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < paths.length) {
      const i = next++;
      const path = paths[i]!;
      try {
        const probe = await media.probeImage(source.localPath(path), path);
        out[i] = { path, width: probe.width, height: probe.height };
      } catch (e) {
        if (!isAppError(e)) throw e;
        out[i] = { path, width: 0, height: 0, unreadable: e.message };
      }
      await tick(++done, paths.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBE_CONCURRENCY, paths.length) }, worker));
  return out;
}

/** The source, noting each file a codec reads: images it reads are masks, not items' pictures. */
export function recordReads(source: ImportSource): { source: ImportSource; read: Set<string> } {
  const read = new Set<string>();
  return {
    read,
    source: {
      paths: () => source.paths(),
      text: (p) => (read.add(p), source.text(p)),
      bytes: (p) => (read.add(p), source.bytes(p)),
    },
  };
}

export type ImageLookup = { image: ArchiveImage } | { ambiguous: ArchiveImage[] } | null;

/** Segment-aligned tails of a path: "a/b/c" gives "a/b/c", "b/c", "c". */
function tails(path: string): string[] {
  const out = [path];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.push(path.slice(i + 1));
  return out;
}

function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

export class ArchiveImageIndex {
  private readonly byPath = new Map<string, ArchiveImage>();
  /** Images by every tail of their path without extension. */
  private readonly byTail = new Map<string, ArchiveImage[]>();
  /**
   * Images by the tails of their path cut before a "_" in the name: Cityscapes keeps item "a"
   * as "a_leftImg8bit.png" (Datumaro's convention; CVAT names the frame so too).
   */
  private readonly bySuffixed = new Map<string, ArchiveImage[]>();

  constructor(
    images: readonly ArchiveImage[],
    /** Files the codec read: masks and the like, taken only when nothing else fits. */
    private readonly read: ReadonlySet<string>,
  ) {
    for (const img of images) {
      this.byPath.set(img.path, img);
      const stem = stripExtension(img.path);
      for (const t of tails(stem)) add(this.byTail, t, img);
      const base = stem.lastIndexOf('/') + 1;
      for (let i = stem.indexOf('_', base + 1); i > 0; i = stem.indexOf('_', i + 1)) {
        for (const t of tails(stem.slice(0, i))) add(this.bySuffixed, t, img);
      }
    }
  }

  /**
   * The image of the item named `name` in `subset` (undefined: the default subset): the file at
   * that path, else files whose path ends with the name (extension aside), else with the name
   * less its leading folders, else files named as the item plus a "_" suffix. Among several,
   * files the codec did not read are preferred, then files under a folder named as the subset,
   * then those with the name's extension, then those in an images folder.
   */
  find(name: string, subset: string | undefined): ImageLookup {
    const norm = name.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
    const exact = this.byPath.get(norm);
    if (exact) return { image: exact };
    for (const index of [this.byTail, this.bySuffixed]) {
      for (const t of tails(norm)) {
        const found = new Set([...(index.get(stripExtension(t)) ?? []), ...(index.get(t) ?? [])]);
        if (found.size > 0) return this.pick([...found], norm, subset);
      }
    }
    return null;
  }

  private pick(candidates: ArchiveImage[], name: string, subset: string | undefined): ImageLookup {
    const folder = subset ?? 'default';
    const ext = extensionOf(name);
    const preferences: Array<(img: ArchiveImage) => boolean> = [
      (img) => !this.read.has(img.path),
      (img) => img.path.split('/').slice(0, -1).includes(folder),
      (img) => img.path.split('/').slice(0, -1).some((s) => s.toLowerCase() === folder.toLowerCase()),
      (img) => ext !== '' && extensionOf(img.path) === ext,
      // Formats that keep masks beside images they do not read (KITTI's semantic_rgb) put the
      // pictures in a folder that says so.
      (img) => img.path.split('/').slice(0, -1).some((s) => IMAGE_FOLDER.test(s)),
    ];
    let left = candidates;
    for (const prefer of preferences) {
      if (left.length === 1) break;
      const kept = left.filter(prefer);
      if (kept.length > 0) left = kept;
    }
    return left.length === 1 ? { image: left[0]! } : { ambiguous: left };
  }
}
