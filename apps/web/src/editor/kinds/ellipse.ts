/**
 * Ellipses: CVAT's points [cx, cy, x, y] where (x, y) is the top-right corner of the bounding
 * box (rx = x - cx, ry = cy - y), plus a rotation. Edited through that box.
 */
import type { ImagePoint } from '../coords';
import { orientedBox, toBoxLocal, type OrientedBox } from '../geometry';
import type { AnnotationRecord } from '../model';
import { boxHandles, orientedBounds, resizeBox } from './box';
import type { Handle, KindUtil, PathSink } from './types';

export function ellipseBox(points: readonly number[], rotation: number): OrientedBox {
  const [cx = 0, cy = 0, x = 0, y = 0] = points;
  const rx = Math.abs(x - cx);
  const ry = Math.abs(cy - y);
  return orientedBox(cx - rx, cy - ry, cx + rx, cy + ry, rotation);
}

/** An ellipse's points from its bounding box's corners in any order. */
export function ellipsePoints(ax: number, ay: number, bx: number, by: number): number[] {
  return [(ax + bx) / 2, (ay + by) / 2, Math.max(ax, bx), Math.min(ay, by)];
}

export const ellipse: KindUtil = {
  paint: 'area',
  minVertices: 2,
  vertexHandles: false,
  bounds: (r) => orientedBounds(ellipseBox(r.points, r.rotation)),
  hitTest(r: AnnotationRecord, p: ImagePoint, tolerance: number): boolean {
    const b = ellipseBox(r.points, r.rotation);
    const q = toBoxLocal(b, p.x, p.y);
    const a = b.hw + tolerance;
    const c = b.hh + tolerance;
    return (q.x * q.x) / (a * a) + (q.y * q.y) / (c * c) <= 1;
  },
  handles: (r) => boxHandles(ellipseBox(r.points, r.rotation)),
  dragHandle(start: AnnotationRecord, handle: Handle, p: ImagePoint): number[] {
    const b = resizeBox(ellipseBox(start.points, start.rotation), handle.id, p);
    return ellipsePoints(b.xmin, b.ymin, b.xmax, b.ymax);
  },
  trace(sink: PathSink, r: AnnotationRecord): void {
    const b = ellipseBox(r.points, r.rotation);
    // A fresh subpath, or the arc would be joined to the previous shape by a line.
    sink.moveTo(b.cx + b.hw * Math.cos(b.angle), b.cy + b.hw * Math.sin(b.angle));
    sink.ellipse(b.cx, b.cy, b.hw, b.hh, b.angle, 0, 2 * Math.PI);
    sink.closePath();
  },
};
