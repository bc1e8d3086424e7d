/**
 * How a dataset with images becomes tasks of a project, as CVAT's load_dataset_data
 * (cvat/apps/dataset_manager/bindings.py) does it: one task per subset (items without one form
 * "default"), named after the subset and carrying it, whose media are the images of the subset's
 * items. Frames are named by the image's path below the subset's common root, which is where the
 * item names point from (CVAT's data_root): COCO's "images/train/a.jpg" for item "a.jpg" is frame
 * "a.jpg" of task "train". Task creation sorts them by name, as CVAT's does.
 *
 * Each subset gets its own share of the dataset, its items renamed to their frames, so the
 * annotations are matched exactly; frame numbers stay as the file gives them, and tracks go to the
 * subset whose items carry their first frame.
 */
import {
  sortFileNames,
  stripExtension,
  type DatasetImage,
  type DatasetTrack,
  type FrameAnnotations,
  type ParsedDataset,
} from '@framewise/core';
import type { ArchiveImage, ArchiveImageIndex } from './archive-images.js';

/** CVAT's name for the items of a dataset that name no subset. */
export const DEFAULT_SUBSET = 'default';

const LISTED = 5;

export interface TaskMedia {
  /** Path in the archive. */
  path: string;
  /** The frame's name in the task. */
  name: string;
  width: number;
  height: number;
}

export interface SubsetTask {
  subset: string;
  /** One entry per image, in the order task creation gives the frames. */
  media: TaskMedia[];
  /** The subset's items (named by their frames) and tracks. */
  dataset: ParsedDataset;
}

export interface ProjectImportPlan {
  tasks: SubsetTask[];
  /** Each names the items at fault; the import must not go on when there are any. */
  problems: string[];
}

function listed(names: string[]): string {
  const shown = names.slice(0, LISTED).map((n) => `"${n}"`).join(', ');
  return names.length > LISTED ? `${shown} and ${names.length - LISTED} more` : shown;
}

/** The leading folders `a` and `b` share ("x/y/" and "x/z/" share "x/"). */
function commonRoot(a: string, b: string): string {
  const as = a.split('/');
  const bs = b.split('/');
  let i = 0;
  while (i < as.length - 1 && i < bs.length - 1 && as[i] === bs[i]) i++;
  return i === 0 ? '' : `${as.slice(0, i).join('/')}/`;
}

/**
 * Where the item's name starts in its image's path: "images/train/" for item "a.jpg" (or "a")
 * at "images/train/a.jpg". An item named by the whole path (YOLO lists, formats that take the
 * archive's names) says nothing: its folder stands in.
 */
function rootOf(itemName: string, path: string): string {
  const id = stripExtension(itemName.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, ''));
  const stem = stripExtension(path);
  if (id !== stem && stem.endsWith(`/${id}`)) return stem.slice(0, stem.length - id.length);
  return path.slice(0, path.lastIndexOf('/') + 1);
}

interface Draft {
  subset: string;
  items: FrameAnnotations[];
  images: Map<string, { image: ArchiveImage; root: string }>;
  /** Item (by index in `items`) to image path. */
  pathOf: string[];
  tracks: DatasetTrack[];
}

function firstFrame(t: DatasetTrack): number | undefined {
  return t.shapes[0]?.frame ?? t.elements?.find((e) => e.shapes.length > 0)?.shapes[0]?.frame;
}

export function planSubsetTasks(parsed: ParsedDataset, index: ArchiveImageIndex): ProjectImportPlan {
  const drafts = new Map<string, Draft>();
  const missing: string[] = [];
  const ambiguous: string[] = [];
  const unreadable: string[] = [];
  const subsetOfFrame = new Map<number, Draft>();

  for (const item of parsed.frames) {
    const subset = item.image.subset || DEFAULT_SUBSET;
    const found = index.find(item.image.name, item.image.subset || undefined);
    if (!found) {
      missing.push(item.image.name);
      continue;
    }
    if ('ambiguous' in found) {
      ambiguous.push(`"${item.image.name}" (${found.ambiguous.slice(0, 3).map((i) => i.path).join(', ')})`);
      continue;
    }
    if (found.image.unreadable) {
      unreadable.push(found.image.unreadable);
      continue;
    }
    let draft = drafts.get(subset);
    if (!draft) drafts.set(subset, (draft = { subset, items: [], images: new Map(), pathOf: [], tracks: [] }));
    draft.items.push(item);
    draft.pathOf.push(found.image.path);
    if (!draft.images.has(found.image.path)) draft.images.set(found.image.path, { image: found.image, root: rootOf(item.image.name, found.image.path) });
    if (item.image.frame >= 0 && !subsetOfFrame.has(item.image.frame)) subsetOfFrame.set(item.image.frame, draft);
  }

  const problems: string[] = [];
  if (missing.length) {
    problems.push(`${missing.length} item(s) have no image in the archive: ${listed(missing)}; the archive must include the images of every item`);
  }
  if (ambiguous.length) problems.push(`item(s) match several images of the archive: ${ambiguous.slice(0, LISTED).join('; ')}`);
  if (unreadable.length) problems.push(`image(s) that cannot be frames: ${unreadable.slice(0, LISTED).join('; ')}`);

  const ordered = [...drafts.values()];
  const placeless: number[] = [];
  for (const t of parsed.tracks) {
    const frame = firstFrame(t);
    const draft = (frame !== undefined ? subsetOfFrame.get(frame) : undefined) ?? (ordered.length === 1 ? ordered[0] : undefined);
    if (draft) draft.tracks.push(t);
    else placeless.push(t.id);
  }
  if (placeless.length) problems.push(`track(s) ${placeless.slice(0, LISTED).join(', ')}: no item of the dataset carries their frames, so their subset is unknown`);

  const tasks = ordered.map((d) => toTask(d, parsed));
  return { tasks, problems };
}

function toTask(d: Draft, parsed: ParsedDataset): SubsetTask {
  const entries = [...d.images.values()];
  const root = entries.map((e) => e.root).reduce(commonRoot);
  const nameOf = new Map(entries.map((e) => [e.image.path, e.image.path.slice(root.length)]));
  const byName = new Map(entries.map((e) => [nameOf.get(e.image.path)!, e.image]));
  const media = sortFileNames([...byName.keys()], 'lexicographical').map((name) => {
    const image = byName.get(name)!;
    return { path: image.path, name, width: image.width, height: image.height };
  });
  const items = d.items.map((item, i) => ({ ...item, image: { ...item.image, name: nameOf.get(d.pathOf[i]!)! } }));
  return { subset: d.subset, media, dataset: { labels: parsed.labels, frames: items, tracks: d.tracks } };
}

/** The frames task creation will give `task`, for checking its annotations before it exists. */
export function expectedImages(task: SubsetTask): DatasetImage[] {
  return task.media.map((m, frame) => ({ frame, name: m.name, width: m.width, height: m.height }));
}
