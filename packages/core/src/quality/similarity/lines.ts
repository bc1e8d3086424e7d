/**
 * Polylines as CVAT compares them (its LineMatcher): both lines are resampled to the same
 * number of points at matching shares of their length, keeping every original vertex of
 * either, and the pairs of points score like OKS, exp(-d² / (2·S·(2t)²)) with S the image area
 * and t the line thickness setting, averaged. Unoriented comparison takes the better of the
 * line and its reverse; the oriented one (for mismatching_direction) only the line as drawn.
 */
import type { Box } from '../../annotations/geometry.js';

const EPSILON = 1e-7;

function cumulative(p: readonly number[]): { lengths: number[]; ends: number[]; total: number } {
  const lengths: number[] = [];
  for (let i = 0; i + 3 < p.length; i += 2) lengths.push(Math.hypot(p[i + 2]! - p[i]!, p[i + 3]! - p[i + 1]!));
  const ends: number[] = [];
  let s = 0;
  for (const l of lengths) ends.push((s += l));
  ends.push(s); // repeated so the index past the last segment reads the total
  return { lengths, ends, total: s };
}

/**
 * CVAT's approximate_points: walks both lines by relative length, emitting at every vertex of
 * either the point each line has there. Like CVAT, the walk ends one point short (the final
 * pair repeats the ends and is dropped), so the ends are compared once. Flat [x, y, ...] lists.
 */
export function resampleLines(a: readonly number[], b: readonly number[]): [number[], number[]] {
  const na = a.length >> 1, nb = b.length >> 1;
  const aSegs = na - 1, bSegs = nb - 1;
  const A = cumulative(a), B = cumulative(b);
  const max = na + nb - 1;
  const an = new Float64Array(2 * max), bn = new Float64Array(2 * max);
  an[0] = a[0]!; an[1] = a[1]!;
  bn[0] = b[0]!; bn[1] = b[1]!;
  const at = (p: readonly number[], i: number, out: Float64Array, k: number) => {
    out[2 * k] = p[2 * i]!;
    out[2 * k + 1] = p[2 * i + 1]!;
  };
  const between = (p: readonly number[], i: number, q: number, out: Float64Array, k: number) => {
    out[2 * k] = p[2 * i]! * q + p[2 * i + 2]! * (1 - q);
    out[2 * k + 1] = p[2 * i + 1]! * q + p[2 * i + 3]! * (1 - q);
  };
  let ai = 0, bi = 0, next = 0;
  while (ai < aSegs || bi < bSegs) {
    next = ai + bi + 1;
    const aPos = A.ends[ai]! / (A.total || 1), bPos = B.ends[bi]! / (B.total || 1);
    if (ai < aSegs && aPos <= bPos) {
      if (bi < bSegs) {
        // Where b is at a's vertex, as the share of b's current segment still ahead.
        const q = (bPos - aPos) * (B.total / (B.lengths[bi] || 1));
        if (Math.abs(q) <= EPSILON) at(b, bi + 1, bn, next);
        else between(b, bi, q, bn, next);
      } else at(b, bi, bn, next);
      ai++;
      at(a, ai, an, next);
    } else {
      if (ai < aSegs) {
        const q = (aPos - bPos) * (A.total / (A.lengths[ai] || 1));
        if (Math.abs(q) <= EPSILON) at(a, ai + 1, an, next);
        else between(a, ai, q, an, next);
      } else at(a, ai, an, next);
      bi++;
      at(b, bi, bn, next);
    }
  }
  const count = next < max ? next : max;
  return [Array.from(an.subarray(0, 2 * count)), Array.from(bn.subarray(0, 2 * count))];
}

function compare(a: readonly number[], b: readonly number[], reversed: boolean, denom: number): number {
  const n = a.length >> 1;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const j = reversed ? n - 1 - i : i;
    const dx = a[2 * i]! - b[2 * j]!, dy = a[2 * i + 1]! - b[2 * j + 1]!;
    sum += Math.exp(-(dx * dx + dy * dy) / denom);
  }
  return sum / n;
}

function circle(p: readonly number[]): { cx: number; cy: number; r2: number } {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i + 1 < p.length; i += 2) {
    x0 = Math.min(x0, p[i]!); x1 = Math.max(x1, p[i]!);
    y0 = Math.min(y0, p[i + 1]!); y1 = Math.max(y1, p[i + 1]!);
  }
  return { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, r2: ((x1 - x0) ** 2 + (y1 - y0) ** 2) / 4 };
}

export interface LineOptions {
  /** Image area (height x width). */
  scale: number;
  /** line_thickness. */
  thickness: number;
  oriented: boolean;
}

/**
 * Similarity of a ground-truth line to a job's line. Lines whose boxes' circumscribed circles
 * are further apart than 6 thicknesses (in sqrt(image area)) score 0 without resampling.
 */
export function lineSimilarity(gt: readonly number[], ds: readonly number[], o: LineOptions): number {
  if (gt.length < 4 || ds.length < 4) return 0;
  const g = circle(gt), d = circle(ds);
  const reach2 = o.scale * (6 * o.thickness) ** 2;
  if ((d.cx - g.cx) ** 2 + (d.cy - g.cy) ** 2 > d.r2 + g.r2 + reach2) return 0;
  const [a, b] = resampleLines(gt, ds);
  const denom = 2 * o.scale * (2 * o.thickness) ** 2;
  const direct = compare(a, b, false, denom);
  return o.oriented ? direct : Math.max(direct, compare(a, b, true, denom));
}

/**
 * A box around the line that another line's must overlap for the two to score above 0 (the
 * circle test above, loosened to boxes).
 */
export function lineReach(p: readonly number[], scale: number, thickness: number): Box {
  const c = circle(p);
  const r = Math.sqrt(c.r2) + (Math.sqrt(scale) * 6 * thickness) / 2 + 1;
  return { xmin: c.cx - r, ymin: c.cy - r, xmax: c.cx + r, ymax: c.cy + r };
}
