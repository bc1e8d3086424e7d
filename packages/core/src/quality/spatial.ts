/**
 * Which boxes overlap, by a sweep over x: sorted by left edge, each box is tested only against
 * the boxes still open at its left edge. A frame's similarity matrix is mostly zeros (objects
 * far apart share no area); this finds the few pairs worth computing in O((n + m) log(n + m)
 * + overlaps along x).
 */
import type { Box } from '../annotations/geometry.js';

// x: q opened at or before p and is still open, so only q.xmin < p.xmax is left to check.
function overlapsRest(p: Box, q: Box): boolean {
  return q.xmin < p.xmax && p.ymin < q.ymax && q.ymin < p.ymax;
}

/** Pairs [i, j] with a[i] and b[j] sharing area (touching edges do not count). */
export function overlappingPairs(a: readonly Box[], b: readonly Box[]): Array<[number, number]> {
  const order: Array<{ box: Box; i: number; side: 0 | 1 }> = [];
  a.forEach((box, i) => order.push({ box, i, side: 0 }));
  b.forEach((box, i) => order.push({ box, i, side: 1 }));
  order.sort((p, q) => p.box.xmin - q.box.xmin);
  const open: [number[], number[]] = [[], []];
  const out: Array<[number, number]> = [];
  for (const { box, i, side } of order) {
    const other = open[side === 0 ? 1 : 0];
    const boxes = side === 0 ? b : a;
    let keep = 0;
    for (let k = 0; k < other.length; k++) {
      const j = other[k]!;
      const q = boxes[j]!;
      if (q.xmax <= box.xmin) continue; // closed for good: later boxes start further right
      other[keep++] = j;
      if (overlapsRest(box, q)) out.push(side === 0 ? [i, j] : [j, i]);
    }
    other.length = keep;
    open[side].push(i);
  }
  return out;
}

/** Pairs [i, j], i < j, of boxes in one list sharing area. */
export function selfOverlappingPairs(boxes: readonly Box[]): Array<[number, number]> {
  const order = boxes.map((_, i) => i).sort((p, q) => boxes[p]!.xmin - boxes[q]!.xmin);
  const open: number[] = [];
  const out: Array<[number, number]> = [];
  for (const i of order) {
    const box = boxes[i]!;
    let keep = 0;
    for (let k = 0; k < open.length; k++) {
      const j = open[k]!;
      const q = boxes[j]!;
      if (q.xmax <= box.xmin) continue;
      open[keep++] = j;
      if (overlapsRest(box, q)) out.push(i < j ? [i, j] : [j, i]);
    }
    open.length = keep;
    open.push(i);
  }
  return out;
}
