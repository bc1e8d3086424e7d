/**
 * Polygons and masks compared as CVAT's segmentation matcher does: parts with the same group
 * and label are one object (their union), IoU is counted in pixels (polygons filled as
 * pycocotools does), and with panoptic comparison each object keeps only the pixels it shows:
 * objects are painted in z order (ties in CVAT's instance order), and a pixel belongs to the
 * object painted there last, so what lies under another object does not count for it.
 */
import type { Box } from '../../annotations/geometry.js';
import type { FrameObject } from '../objects.js';
import { maskRuns, polygonRuns, runsBox, runsIoU, subtractRuns, unionRuns, type Runs } from '../raster.js';
import { selfOverlappingPairs } from '../spatial.js';

export interface SegmentInstance {
  parts: FrameObject[];
  label_id: number;
  /** The object's pixels: all of its parts' or, panoptic, the visible ones. */
  runs: Runs;
  /** Pixel box of `runs`. */
  box: Box;
}

/** The pixels of a polygon or mask on a width x height frame, rasterized once per object. */
export function segmentRuns(o: FrameObject, width: number, height: number, cache: Map<FrameObject, Runs>): Runs {
  let r = cache.get(o);
  if (!r) {
    r = o.kind === 'mask' ? maskRuns(o.points, width, height) : polygonRuns(o.points, width, height);
    cache.set(o, r);
  }
  return r;
}

function stableSortBy<T>(xs: readonly T[], key: (x: T) => number): T[] {
  return xs.map((x, i) => [x, i] as const).sort((p, q) => key(p[0]) - key(q[0]) || p[1] - q[1]).map((p) => p[0]);
}

/**
 * datumaro's find_instances, then split by label: ungrouped objects (group 0) each on their
 * own, then each group in group order, its parts by label.
 */
export function groupInstances(objects: readonly FrameObject[]): FrameObject[][] {
  const sorted = stableSortBy(objects, (o) => o.group);
  const out: FrameObject[][] = [];
  for (let i = 0; i < sorted.length;) {
    const g = sorted[i]!.group;
    let j = i;
    while (j < sorted.length && sorted[j]!.group === g) j++;
    const members = sorted.slice(i, j);
    if (g === 0) for (const m of members) out.push([m]);
    else {
      const byLabel = stableSortBy(members, (o) => o.label_id);
      for (let k = 0; k < byLabel.length;) {
        let l = k;
        while (l < byLabel.length && byLabel[l]!.label_id === byLabel[k]!.label_id) l++;
        out.push(byLabel.slice(k, l));
        k = l;
      }
    }
    i = j;
  }
  return out;
}

/**
 * The objects made of one side's polygons and masks (given polygons first, then masks, as CVAT
 * lists them), with their pixels.
 */
export function segmentInstances(
  objects: readonly FrameObject[],
  width: number,
  height: number,
  panoptic: boolean,
  cache: Map<FrameObject, Runs>,
): SegmentInstance[] {
  const groups = groupInstances(objects);
  let pixels: Runs[];
  if (!panoptic) pixels = groups.map((parts) => unionRuns(parts.map((p) => segmentRuns(p, width, height, cache))));
  else {
    const owner = new Map<FrameObject, number>();
    groups.forEach((parts, k) => parts.forEach((p) => owner.set(p, k)));
    const painted = stableSortBy(groups.flat(), (o) => o.z_order);
    const runs = painted.map((p) => segmentRuns(p, width, height, cache));
    // Each part loses what parts of other objects painted after it cover.
    const covers: number[][] = painted.map(() => []);
    for (const [i, j] of selfOverlappingPairs(runs.map(runsBox))) {
      if (owner.get(painted[i]!) !== owner.get(painted[j]!)) covers[i]!.push(j);
    }
    const visible = new Map<FrameObject, Runs>();
    painted.forEach((p, i) => {
      const cover = covers[i]!.filter((j) => runs[j]!.area > 0);
      visible.set(p, cover.length ? subtractRuns(runs[i]!, unionRuns(cover.map((j) => runs[j]!))) : runs[i]!);
    });
    pixels = groups.map((parts) => unionRuns(parts.map((p) => visible.get(p)!)));
  }
  return groups.map((parts, k) => ({ parts, label_id: parts[0]!.label_id, runs: pixels[k]!, box: runsBox(pixels[k]!) }));
}

export function segmentSimilarity(a: SegmentInstance, b: SegmentInstance): number {
  return runsIoU(a.runs, b.runs);
}
