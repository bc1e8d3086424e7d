/**
 * Where VOC keeps things, and the item naming CVAT uses: an item's id is its frame name without
 * extension (directories kept), which names its XML, PNGs and list lines.
 */
import { stripExtension } from '../match.js';
import type { DatasetImage } from '../model.js';

export const ANNOTATIONS_DIR = 'Annotations';
export const IMAGES_DIR = 'JPEGImages';
export const CLASS_DIR = 'SegmentationClass';
export const OBJECT_DIR = 'SegmentationObject';
export const SETS_DIR = 'ImageSets';
export const TASK_DIRS = ['Main', 'Segmentation', 'Layout', 'Action'] as const;
export type TaskDir = (typeof TASK_DIRS)[number];

/** Datumaro's name for items without a subset; imports read it back as no subset. */
export const DEFAULT_SUBSET = 'default';

export interface ItemNames {
  id: string;
  /** The image's file name as the archive stores it (id + the image's extension, ".jpg" if none). */
  file: string;
  subset: string;
}

export function itemNames(image: DatasetImage): ItemNames {
  const id = stripExtension(image.name);
  const ext = image.name.slice(id.length) || '.jpg';
  return { id, file: id + ext, subset: image.subset || DEFAULT_SUBSET };
}

export function subsetOrDefault(subset: string): string | undefined {
  return subset === DEFAULT_SUBSET ? undefined : subset;
}

/** Per-subset lists of ImageSets, filled while frames stream by and written at the end. */
export class SubsetLists {
  /** Every item (ImageSets/Main/<subset>.txt). */
  readonly main: string[] = [];
  /** Class numbers of each item's tags (ImageSets/Main/<label>_<subset>.txt). */
  readonly classes = new Map<string, Set<number>>();
  readonly segmentation: string[] = [];
  /** Items without any annotation: Datumaro lists them in every task's list. */
  readonly layout: string[] = [];
  readonly action: string[] = [];
}

export function listText(items: readonly string[]): string {
  return items.map((i) => `${i}\n`).join('');
}
