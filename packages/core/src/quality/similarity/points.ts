/**
 * Points by COCO's Object Keypoint Similarity (https://cocodataset.org/#keypoints-eval), as
 * CVAT's quality reports use it: each point pair scores exp(-d² / (2·s·(2σ)²)) where s is an
 * area (the object's box, or the image), and a shape scores the mean over its points.
 */
import type { Box } from '../../annotations/geometry.js';
import { assignPairs, type Candidate } from '../assign.js';
import type { PointSizeBase } from '../settings.js';

/** Score of one point pair at squared distance d2. */
export function pointScore(d2: number, scale: number, sigma: number): number {
  return Math.exp(-d2 / (2 * scale * (2 * sigma) ** 2));
}

/**
 * OKS of two equally long point lists compared index by index: the summed scores of the points
 * visible in both over the number visible in either (all visible when no flags are given).
 * 0 for lists of different lengths or when no point is visible.
 */
export function oks(a: readonly number[], b: readonly number[], scale: number, sigma: number, visibleA?: readonly boolean[], visibleB?: readonly boolean[]): number {
  if (a.length !== b.length) return 0;
  let sum = 0, count = 0;
  for (let i = 0; 2 * i + 1 < a.length; i++) {
    const va = visibleA ? visibleA[i] === true : true, vb = visibleB ? visibleB[i] === true : true;
    if (va || vb) count++;
    if (va && vb) {
      const dx = a[2 * i]! - b[2 * i]!, dy = a[2 * i + 1]! - b[2 * i + 1]!;
      sum += pointScore(dx * dx + dy * dy, scale, sigma);
    }
  }
  return count > 0 ? sum / count : 0;
}

export function boxWidthHeightArea(b: Box): number {
  return (b.xmax - b.xmin) * (b.ymax - b.ymin);
}

/** datumaro's bbox_iou > 0: the boxes share area (a box without area shares none). */
export function boxesShareArea(a: Box, b: Box): boolean {
  const w = Math.min(a.xmax, b.xmax) - Math.max(a.xmin, b.xmin);
  const h = Math.min(a.ymax, b.ymax) - Math.max(a.ymin, b.ymin);
  return w > 0 && h > 0;
}

/** datumaro's mean_bbox of two boxes: the mean of their corners. */
export function meanBox(a: Box, b: Box): Box {
  return { xmin: (a.xmin + b.xmin) / 2, ymin: (a.ymin + b.ymin) / 2, xmax: (a.xmax + b.xmax) / 2, ymax: (a.ymax + b.ymax) / 2 };
}

export interface PointsOptions {
  sigma: number;
  sizeBase: PointSizeBase;
  imageArea: number;
  /** iou_threshold: the least score for two points to be paired. */
  threshold: number;
}

/**
 * Similarity of two `points` shapes, each with the box of its group (the box of every object
 * grouped with it, or its own points' box when ungrouped):
 * - both boxes without area (a lone point): OKS index by index with the image area as scale;
 * - otherwise the scale is the image area (image_size) or the mean of the two boxes
 *   (group_bbox_size, 0 when the boxes share no area); points are paired one to one by best
 *   score (pairs under the threshold stay unpaired), and the summed scores of the pairs are
 *   divided by pairs + unpaired points of both sides.
 */
export function pointsSimilarity(a: readonly number[], b: readonly number[], boxA: Box, boxB: Box, o: PointsOptions): number {
  if (boxWidthHeightArea(boxA) === 0 && boxWidthHeightArea(boxB) === 0) return oks(a, b, o.imageArea, o.sigma);
  let scale: number;
  if (o.sizeBase === 'image_size') scale = o.imageArea;
  else {
    if (!boxesShareArea(boxA, boxB)) return 0;
    scale = boxWidthHeightArea(meanBox(boxA, boxB));
  }
  const n = a.length >> 1, m = b.length >> 1;
  const scores: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const dx = a[2 * i]! - b[2 * j]!, dy = a[2 * i + 1]! - b[2 * j + 1]!;
      scores.push({ a: i, b: j, similarity: pointScore(dx * dx + dy * dy, scale, o.sigma) });
    }
  }
  const r = assignPairs(n, m, scores, o.threshold);
  const total = r.pairs.length + r.aUnmatched.length + r.bUnmatched.length;
  if (total === 0) return 0;
  let sum = 0;
  for (const p of r.pairs) sum += p.similarity;
  return sum / total;
}
