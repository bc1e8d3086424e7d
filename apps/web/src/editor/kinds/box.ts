/**
 * Resize handles of boxes with a rotation, shared by rectangles and ellipses (an ellipse is
 * edited through its bounding box, as in CVAT).
 */
import type { ImageBox, ImagePoint } from '../coords';
import { boundsOf, boxCorners, fromBoxLocal, toBoxLocal, type OrientedBox } from '../geometry';
import type { Handle } from './types';

/** Handle sides in the box's own axes, clockwise from the top-left corner. */
const SIDES: ReadonlyArray<readonly [number, number]> = [
  [-1, -1], [0, -1], [1, -1], [1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0],
];
const CURSORS = ['nwse-resize', 'ns-resize', 'nesw-resize', 'ew-resize', 'nwse-resize', 'ns-resize', 'nesw-resize', 'ew-resize'];

export function boxHandles(b: OrientedBox): Handle[] {
  return SIDES.map(([sx, sy], id) => {
    const p = fromBoxLocal(b, sx * b.hw, sy * b.hh);
    return { id, role: 'resize' as const, x: p.x, y: p.y, cursor: CURSORS[id]! };
  });
}

export function orientedBounds(b: OrientedBox): ImageBox {
  return b.angle === 0 ? { minX: b.cx - b.hw, minY: b.cy - b.hh, maxX: b.cx + b.hw, maxY: b.cy + b.hh } : boundsOf(boxCorners(b));
}

/**
 * The box after dragging handle `id` to `p`: the opposite side stays where it was, in the box's
 * own axes; dragging past it flips the box. Returns the unrotated corners (CVAT keeps
 * x1 < x2, y1 < y2 and the rotation separately) around the new centre.
 */
export function resizeBox(b: OrientedBox, id: number, p: ImagePoint): { xmin: number; ymin: number; xmax: number; ymax: number } {
  const [sx, sy] = SIDES[id] ?? [0, 0];
  const q = toBoxLocal(b, p.x, p.y);
  let l = -b.hw;
  let r = b.hw;
  let t = -b.hh;
  let d = b.hh;
  if (sx < 0) l = q.x;
  if (sx > 0) r = q.x;
  if (sy < 0) t = q.y;
  if (sy > 0) d = q.y;
  const hw = Math.abs(r - l) / 2;
  const hh = Math.abs(d - t) / 2;
  const c = fromBoxLocal(b, (l + r) / 2, (t + d) / 2);
  return { xmin: c.x - hw, ymin: c.y - hh, xmax: c.x + hw, ymax: c.y + hh };
}

/** Whether `p` is inside the box grown by `tolerance`. */
export function insideBox(b: OrientedBox, p: ImagePoint, tolerance: number): boolean {
  const q = toBoxLocal(b, p.x, p.y);
  return Math.abs(q.x) <= b.hw + tolerance && Math.abs(q.y) <= b.hh + tolerance;
}
