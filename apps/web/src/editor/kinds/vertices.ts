/** Polygons, polylines and points: objects whose vertices are their handles. */
import type { ImagePoint } from '../coords';
import { boundsOf, nearestEdge, nearestVertex, pointInPolygon } from '../geometry';
import type { AnnotationRecord } from '../model';
import type { Handle, KindUtil, PathSink } from './types';

function vertexHandles(r: AnnotationRecord): Handle[] {
  const out: Handle[] = [];
  for (let i = 0; i + 1 < r.points.length; i += 2) {
    out.push({ id: i >> 1, role: 'vertex', x: r.points[i]!, y: r.points[i + 1]!, cursor: 'move' });
  }
  return out;
}

function moveVertex(start: AnnotationRecord, handle: Handle, p: ImagePoint): number[] {
  const out = start.points.slice();
  out[2 * handle.id] = p.x;
  out[2 * handle.id + 1] = p.y;
  return out;
}

function traceOpen(sink: PathSink, r: AnnotationRecord): void {
  const p = r.points;
  if (p.length < 2) return;
  sink.moveTo(p[0]!, p[1]!);
  for (let i = 2; i + 1 < p.length; i += 2) sink.lineTo(p[i]!, p[i + 1]!);
}

function nearLine(r: AnnotationRecord, p: ImagePoint, tolerance: number, closed: boolean): boolean {
  const e = nearestEdge(r.points, closed, p.x, p.y);
  return e !== null && e.distanceSq <= tolerance * tolerance;
}

const bounds = (r: AnnotationRecord) => (r.points.length >= 2 ? boundsOf(r.points) : null);

/** Twice the signed area; positive when the ring runs clockwise on screen (y down). */
export function signedArea2(p: readonly number[]): number {
  let s = 0;
  const n = p.length >> 1;
  for (let i = 0, j = n - 1; i < n; j = i++) s += p[2 * j]! * p[2 * i + 1]! - p[2 * i]! * p[2 * j + 1]!;
  return s;
}

/**
 * Polygons are traced clockwise whatever their vertex order, like rectangles and ellipses, so
 * many outlines in one path fill their union under the non-zero rule (none cancels another).
 */
function traceClockwise(sink: PathSink, r: AnnotationRecord): void {
  const p = r.points;
  const n = p.length >> 1;
  if (n === 0) return;
  if (signedArea2(p) >= 0) {
    traceOpen(sink, r);
  } else {
    sink.moveTo(p[2 * n - 2]!, p[2 * n - 1]!);
    for (let i = n - 2; i >= 0; i--) sink.lineTo(p[2 * i]!, p[2 * i + 1]!);
  }
  sink.closePath();
}

export const polygon: KindUtil = {
  paint: 'area',
  minVertices: 3,
  vertexHandles: true,
  bounds,
  hitTest: (r, p, tolerance) => pointInPolygon(r.points, p.x, p.y) || nearLine(r, p, tolerance, true),
  handles: vertexHandles,
  dragHandle: moveVertex,
  trace: traceClockwise,
};

export const polyline: KindUtil = {
  paint: 'line',
  minVertices: 2,
  vertexHandles: true,
  bounds,
  hitTest: (r, p, tolerance) => nearLine(r, p, tolerance, false),
  handles: vertexHandles,
  dragHandle: moveVertex,
  trace: traceOpen,
};

/** Point markers are drawn this many view pixels wide; hit tests allow at least that much. */
export const POINT_RADIUS_VIEW_PX = 4;

export const points: KindUtil = {
  paint: 'markers',
  minVertices: 1,
  vertexHandles: true,
  bounds,
  hitTest: (r, p, tolerance) => nearestVertex(r.points, p.x, p.y, tolerance) >= 0,
  handles: vertexHandles,
  dragHandle: moveVertex,
  // Markers keep their size on screen, so the renderer draws them in view space.
  trace: () => {},
};
