/**
 * MOTS PNG 1.0 import, as CVAT reads it (Datumaro's "mots" extractor, then mots.py):
 *
 * - The dataset is an instances/ folder at the top (no subset) or in each top-level folder (the
 *   subset). Items are the .png files under instances/, in path order; images/ gives their extensions.
 * - A pixel value is class * 1000 + instance; class 0 is the background. Classes count from 1
 *   over instances/labels.txt; class 10 is "ignored" (drawn over the others) when labels.txt has
 *   fewer than ten labels. Without labels.txt the classes are MOTS's own: 1 car, 2 pedestrian,
 *   10 ignored (Datumaro reads class 1 there as "background", a slip not reproduced).
 * - Every instance becomes a track of masks, every mask a keyframe, with an outside keyframe
 *   after each run that stops before the next mask or before the last frame, as mots.py builds
 *   them. Tracks are told apart by subset, label and instance number (CVAT goes by instance
 *   number alone, which merges instances of different classes that share a number).
 * - Frames: importing into a task, the task's frame each item names (an item no task image
 *   matches is an error, as in CVAT); otherwise items are numbered in order from 0.
 */
import { ImageMatcher } from '../match.js';
import { DatasetFormatError, type DatasetTrack, type DatasetTrackShape, type FrameAnnotations, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { LabelCollector } from '../voc/attributes.js';
import { inferKeyframes } from '../datumaro/track-build.js';
import { idMasks } from '../cityscapes/id-masks.js';
import { imagesUnder, subsetOf } from '../cityscapes/import-common.js';
import { readIdPng, type RasterCodec16 } from '../cityscapes/raster16.js';
import { IMAGES_DIR, IMAGE_EXT, LABELS_FILE, MASKS_DIR, MAX_INSTANCES } from './layout.js';

const MOTS_CLASSES = new Map([[1, 'car'], [2, 'pedestrian'], [10, 'ignored']]);
const IGNORED = 10;

/** Subset folders: '' when instances/ is at the top, else each top-level folder holding one. */
function subsetDirs(paths: readonly string[]): string[] {
  if (paths.some((p) => p.startsWith(`${MASKS_DIR}/`))) return [''];
  const dirs = new Set<string>();
  for (const p of paths) {
    const m = /^([^/]+\/)instances\//.exec(p);
    if (m) dirs.add(m[1]!);
  }
  return [...dirs].sort();
}

interface Item {
  file: string;
  subset: string | undefined;
  name: string;
}

export async function importMots(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const has = new Set(paths);
  const dirs = subsetDirs(paths);
  if (!dirs.length) throw new DatasetFormatError(paths[0] ?? 'upload', `no ${MASKS_DIR}/ folder found`);
  const labels = new LabelCollector();
  const matcher = ctx.images.length ? new ImageMatcher(ctx.images) : undefined;
  const frames: FrameAnnotations[] = [];
  const tracks = new Map<string, { label: string; instance: number; subset: string; shapes: DatasetTrackShape[] }>();
  const raster = ctx.raster as RasterCodec16;
  let lastFrame = Math.max(-1, ...ctx.images.map((i) => i.frame));

  for (const dir of dirs) {
    const subset = subsetOf(dir.slice(0, -1));
    const masksDir = `${dir}${MASKS_DIR}/`;
    const labelsPath = `${masksDir}${LABELS_FILE}`;
    const declared = has.has(labelsPath)
      ? (await source.text(labelsPath)).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
      : undefined;
    for (const name of declared ?? MOTS_CLASSES.values()) labels.declare(name);
    const classLabel = (cls: number, file: string): string => {
      const name = declared === undefined ? MOTS_CLASSES.get(cls)
        : cls === IGNORED && declared.length < IGNORED ? declared.find((n) => n === 'ignored') : declared[cls - 1];
      if (name === undefined) {
        const known = declared === undefined ? 'MOTS classes 1, 2 and 10' : `the ${declared.length} labels of ${labelsPath}`;
        throw new DatasetFormatError(file, `class ${cls} is not one of ${known}`);
      }
      return name;
    };
    const images = imagesUnder(paths, `${dir}${IMAGES_DIR}/`);
    const items: Item[] = paths.filter((p) => p.startsWith(masksDir) && p.endsWith('.png')).map((file) => {
      const id = file.slice(masksDir.length, -'.png'.length);
      return { file, subset, name: id + (images.get(id) ?? IMAGE_EXT) };
    });

    for (const item of items) {
      const ids = await readIdPng(raster, item.file, await source.bytes(item.file));
      let frame = frames.length;
      if (matcher) {
        const task = matcher.match(item.name);
        if (!task) throw new DatasetFormatError(item.file, `no image of the task matches "${item.name}"`);
        frame = task.frame;
      }
      lastFrame = Math.max(lastFrame, frame);
      frames.push({
        image: { frame, name: item.name, width: ids.width, height: ids.height, ...(subset !== undefined ? { subset } : {}) },
        shapes: [],
        tags: [],
      });
      for (const [value, points] of idMasks(ids.data, ids.width, ids.height)) {
        const cls = Math.floor(value / MAX_INSTANCES), instance = value % MAX_INSTANCES;
        if (cls === 0) continue;
        const label = classLabel(cls, item.file);
        const key = `${dir}\n${label}\n${instance}`;
        let track = tracks.get(key);
        if (!track) tracks.set(key, (track = { label, instance, subset: dir, shapes: [] }));
        track.shapes.push({
          frame, type: 'mask', points, rotation: 0, occluded: false, outside: false, z_order: cls === IGNORED && label === 'ignored' ? 1 : 0,
          attributes: {}, keyframe: true,
        });
      }
    }
  }

  const ordered = [...tracks.values()].sort((a, b) =>
    a.instance - b.instance || (a.subset < b.subset ? -1 : a.subset > b.subset ? 1 : 0) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const built: DatasetTrack[] = ordered.map((t, id) => ({
    id, label: t.label, group: 0, source: 'manual', attributes: {},
    shapes: inferKeyframes([...t.shapes].sort((a, b) => a.frame - b.frame), lastFrame),
  }));
  return { labels: labels.result(), frames, tracks: built };
}
