/**
 * Skeletons by OKS over their points, as CVAT compares them: the points in the order of the
 * skeleton label's sublabels; a point outside (or missing) is absent, an occluded one hidden,
 * and only points visible on both sides score, over those visible on either. The scale is the
 * mean of the two skeletons' group boxes, and skeletons whose boxes share no area score 0.
 */
import type { Box } from '../../annotations/geometry.js';
import type { SkeletonPoint } from '../objects.js';
import { boxesShareArea, boxWidthHeightArea, meanBox, oks } from './points.js';

export interface SkeletonVector {
  xy: number[];
  visible: boolean[];
}

/** The skeleton's points in `order` (sublabel ids); null when every point is absent (CVAT leaves such skeletons out). */
export function skeletonVector(elements: readonly SkeletonPoint[], order: readonly number[]): SkeletonVector | null {
  const xy: number[] = [], visible: boolean[] = [];
  let present = false;
  for (const sublabel of order) {
    const e = elements.find((p) => p.label_id === sublabel);
    if (!e || e.outside) {
      xy.push(0, 0);
      visible.push(false);
      continue;
    }
    present = true;
    xy.push(e.x, e.y);
    visible.push(!e.occluded);
  }
  return present ? { xy, visible } : null;
}

export function skeletonSimilarity(a: SkeletonVector, b: SkeletonVector, boxA: Box, boxB: Box, sigma: number): number {
  if (!boxesShareArea(boxA, boxB)) return 0;
  return oks(a.xy, b.xy, boxWidthHeightArea(meanBox(boxA, boxB)), sigma, a.visible, b.visible);
}
