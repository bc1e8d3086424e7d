/** Plane geometry on flat [x0, y0, x1, y1, ...] arrays in image pixels, for hit tests and edits. */
import type { ImageBox } from './coords';

export function boundsOf(points: readonly number[]): ImageBox {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { minX, minY, maxX, maxY };
}

export function distanceToSegmentSq(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / len2;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const qx = ax + t * dx - px;
  const qy = ay + t * dy - py;
  return qx * qx + qy * qy;
}

/** Even-odd rule, so self-intersecting polygons behave as the canvas fills them. */
export function pointInPolygon(points: readonly number[], x: number, y: number): boolean {
  const n = points.length >> 1;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = points[2 * i]!;
    const yi = points[2 * i + 1]!;
    const xj = points[2 * j]!;
    const yj = points[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export interface NearestEdge {
  /** The edge from vertex `index` to the next one. */
  index: number;
  distanceSq: number;
  /** The closest point on the edge. */
  x: number;
  y: number;
}

/** The edge of a polyline (or polygon, when `closed`) closest to (x, y). */
export function nearestEdge(points: readonly number[], closed: boolean, x: number, y: number): NearestEdge | null {
  const n = points.length >> 1;
  const edges = closed ? n : n - 1;
  let best: NearestEdge | null = null;
  for (let i = 0; i < edges; i++) {
    const j = (i + 1) % n;
    const ax = points[2 * i]!;
    const ay = points[2 * i + 1]!;
    const bx = points[2 * j]!;
    const by = points[2 * j + 1]!;
    const d = distanceToSegmentSq(x, y, ax, ay, bx, by);
    if (best === null || d < best.distanceSq) {
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy;
      const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / len2));
      best = { index: i, distanceSq: d, x: ax + t * dx, y: ay + t * dy };
    }
  }
  return best;
}

/** Index of the vertex within `tolerance` of (x, y), the closest one; -1 when none. */
export function nearestVertex(points: readonly number[], x: number, y: number, tolerance: number): number {
  let best = -1;
  let bestD = tolerance * tolerance;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const dx = points[i]! - x;
    const dy = points[i + 1]! - y;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      bestD = d;
      best = i >> 1;
    }
  }
  return best;
}

export function translate(points: readonly number[], dx: number, dy: number): number[] {
  const out = new Array<number>(points.length);
  for (let i = 0; i + 1 < points.length; i += 2) {
    out[i] = points[i]! + dx;
    out[i + 1] = points[i + 1]! + dy;
  }
  return out;
}

/** A box with a rotation: centre, half sizes, angle in radians (clockwise on screen, y down). */
export interface OrientedBox {
  cx: number;
  cy: number;
  hw: number;
  hh: number;
  angle: number;
}

export function orientedBox(xmin: number, ymin: number, xmax: number, ymax: number, rotationDeg: number): OrientedBox {
  return { cx: (xmin + xmax) / 2, cy: (ymin + ymax) / 2, hw: Math.abs(xmax - xmin) / 2, hh: Math.abs(ymax - ymin) / 2, angle: (rotationDeg * Math.PI) / 180 };
}

/** Image point -> the box's own axes (origin at its centre). */
export function toBoxLocal(b: OrientedBox, x: number, y: number): { x: number; y: number } {
  const c = Math.cos(b.angle);
  const s = Math.sin(b.angle);
  const dx = x - b.cx;
  const dy = y - b.cy;
  return { x: dx * c + dy * s, y: -dx * s + dy * c };
}

/** The box's own axes -> image point. */
export function fromBoxLocal(b: OrientedBox, lx: number, ly: number): { x: number; y: number } {
  const c = Math.cos(b.angle);
  const s = Math.sin(b.angle);
  return { x: b.cx + lx * c - ly * s, y: b.cy + lx * s + ly * c };
}

/** Corners in drawing order (top-left, top-right, bottom-right, bottom-left before rotation). */
export function boxCorners(b: OrientedBox): number[] {
  const out: number[] = [];
  for (const [sx, sy] of [[-1, -1], [1, -1], [1, 1], [-1, 1]] as const) {
    const p = fromBoxLocal(b, sx * b.hw, sy * b.hh);
    out.push(p.x, p.y);
  }
  return out;
}
