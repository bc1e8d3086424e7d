/** Rectangles: points [x1, y1, x2, y2] (x1 <= x2, y1 <= y2) plus a rotation around the centre. */
import type { ImagePoint } from '../coords';
import { boxCorners, orientedBox, type OrientedBox } from '../geometry';
import type { AnnotationRecord } from '../model';
import { boxHandles, insideBox, orientedBounds, resizeBox } from './box';
import type { Handle, KindUtil, PathSink } from './types';

export function rectangleBox(points: readonly number[], rotation: number): OrientedBox {
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = points;
  return orientedBox(Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2), rotation);
}

/** A rectangle's points from two corners in any order. */
export function rectanglePoints(ax: number, ay: number, bx: number, by: number): number[] {
  return [Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by)];
}

export const rectangle: KindUtil = {
  paint: 'area',
  minVertices: 2,
  vertexHandles: false,
  bounds: (r) => orientedBounds(rectangleBox(r.points, r.rotation)),
  hitTest: (r, p, tolerance) => insideBox(rectangleBox(r.points, r.rotation), p, tolerance),
  handles: (r) => boxHandles(rectangleBox(r.points, r.rotation)),
  dragHandle(start: AnnotationRecord, handle: Handle, p: ImagePoint): number[] {
    const b = resizeBox(rectangleBox(start.points, start.rotation), handle.id, p);
    return [b.xmin, b.ymin, b.xmax, b.ymax];
  },
  trace(sink: PathSink, r: AnnotationRecord): void {
    const c = boxCorners(rectangleBox(r.points, r.rotation));
    sink.moveTo(c[0]!, c[1]!);
    sink.lineTo(c[2]!, c[3]!);
    sink.lineTo(c[4]!, c[5]!);
    sink.lineTo(c[6]!, c[7]!);
    sink.closePath();
  },
};
