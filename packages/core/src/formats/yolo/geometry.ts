/**
 * Shape geometry for YOLO files: rectangles as Datumaro computes them (so exported numbers match
 * CVAT's to the last digit), oriented boxes between corner points and rectangle + rotation, and
 * clipping to the image, which YOLO files need because Ultralytics refuses an image whose labels
 * hold a coordinate outside [0, 1].
 */

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * A CVAT rectangle as Datumaro's Bbox holds it: x, y, w, h, with the right and bottom edges
 * recomputed as x + w and y + h (which can differ from x2, y2 in the last bit; CVAT's numbers
 * come from that).
 */
export function datumaroBox(points: readonly number[]): Box {
  const x = points[0]!, y = points[1]!;
  const w = points[2]! - x, h = points[3]! - y;
  return { x1: x, y1: y, x2: x + w, y2: y + h };
}

/** Whether CVAT treats the rectangle as rotated (Datumaro's test: rotation % 360 > 1e-5). */
export function isRotated(rotation: number): boolean {
  // Python's % is never negative for a positive divisor.
  return ((rotation % 360) + 360) % 360 > 0.00001;
}

/**
 * The four corners of a (possibly rotated) rectangle, starting top-left and going clockwise on
 * screen, rotated about the centre by `rotation` degrees clockwise; Datumaro's exact arithmetic.
 */
export function rectangleCorners(points: readonly number[], rotation: number): number[] {
  const { x1: x, y1: y } = datumaroBox(points);
  const w = points[2]! - x, h = points[3]! - y;
  const corners = [x, y, x + w, y, x + w, y + h, x, y + h];
  const r = rotation * (Math.PI / 180);
  if (r === 0) return corners;
  const cx = x + w / 2, cy = y + h / 2;
  const cos = Math.cos(r), sin = Math.sin(r);
  const out: number[] = [];
  for (let i = 0; i < 8; i += 2) {
    const px = corners[i]!, py = corners[i + 1]!;
    out.push(cx + cos * (px - cx) - sin * (py - cy), cy + sin * (px - cx) + cos * (py - cy));
  }
  return out;
}

/** The axis-aligned bounding box of flat [x, y, ...] points. */
export function boundsOf(points: readonly number[]): Box {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i]!, y = points[i + 1]!;
    if (x < x1) x1 = x;
    if (x > x2) x2 = x;
    if (y < y1) y1 = y;
    if (y > y2) y2 = y;
  }
  return { x1, y1, x2, y2 };
}

/**
 * A rectangle (x1, y1, x2, y2 and rotation in degrees) from four corner points listed around it
 * in order, the first edge being the rectangle's top edge. Exact for the corners
 * `rectangleCorners` produces; for other quadrilaterals, the rectangle whose sides average the
 * opposite sides (Datumaro fits cv2.minAreaRect, which differs only for non-rectangles).
 */
export function rectangleFromCorners(c: readonly number[]): { points: number[]; rotation: number } {
  const [ax, ay, bx, by, cx, cy, dx, dy] = c as [number, number, number, number, number, number, number, number];
  const mx = (ax + bx + cx + dx) / 4, my = (ay + by + cy + dy) / 4;
  const w = (Math.hypot(bx - ax, by - ay) + Math.hypot(cx - dx, cy - dy)) / 2;
  const h = (Math.hypot(dx - ax, dy - ay) + Math.hypot(cx - bx, cy - by)) / 2;
  // Direction of the top edge, averaged with the bottom edge (both run left to right).
  const angle = Math.atan2(by - ay + (cy - dy), bx - ax + (cx - dx));
  let rotation = (angle * 180) / Math.PI;
  rotation = ((rotation % 360) + 360) % 360;
  if (Math.abs(rotation) < 0.00001 || Math.abs(rotation - 360) < 0.00001) rotation = 0;
  return { points: [mx - w / 2, my - h / 2, mx + w / 2, my + h / 2], rotation };
}

/** Clamps flat [x, y, ...] points into the image; true when any point moved. */
export function clampPoints(points: number[], width: number, height: number): boolean {
  let moved = false;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = Math.min(Math.max(points[i]!, 0), width), y = Math.min(Math.max(points[i + 1]!, 0), height);
    if (x !== points[i] || y !== points[i + 1]) moved = true;
    points[i] = x;
    points[i + 1] = y;
  }
  return moved;
}

export function pointsInside(points: readonly number[], width: number, height: number): boolean {
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i]!, y = points[i + 1]!;
    if (x < 0 || y < 0 || x > width || y > height) return false;
  }
  return true;
}

/** A polygon cut to the image rectangle (Sutherland-Hodgman); may come back with < 3 points. */
export function clipPolygon(points: readonly number[], width: number, height: number): number[] {
  let poly: Array<[number, number]> = [];
  for (let i = 0; i + 1 < points.length; i += 2) poly.push([points[i]!, points[i + 1]!]);
  const edges: Array<[(p: [number, number]) => boolean, (a: [number, number], b: [number, number]) => [number, number]]> = [
    [(p) => p[0] >= 0, (a, b) => at(a, b, (0 - a[0]) / (b[0] - a[0]))],
    [(p) => p[0] <= width, (a, b) => at(a, b, (width - a[0]) / (b[0] - a[0]))],
    [(p) => p[1] >= 0, (a, b) => at(a, b, (0 - a[1]) / (b[1] - a[1]))],
    [(p) => p[1] <= height, (a, b) => at(a, b, (height - a[1]) / (b[1] - a[1]))],
  ];
  for (const [inside, cross] of edges) {
    const next: Array<[number, number]> = [];
    for (let i = 0; i < poly.length; i++) {
      const cur = poly[i]!, prev = poly[(i + poly.length - 1) % poly.length]!;
      if (inside(cur)) {
        if (!inside(prev)) next.push(cross(prev, cur));
        next.push(cur);
      } else if (inside(prev)) next.push(cross(prev, cur));
    }
    poly = next;
  }
  // Clipping along an edge can leave repeated points; they add nothing.
  const out: number[] = [];
  for (const [x, y] of poly) {
    const n = out.length;
    if (n >= 2 && out[n - 2] === x && out[n - 1] === y) continue;
    out.push(x, y);
  }
  if (out.length >= 4 && out[0] === out[out.length - 2] && out[1] === out[out.length - 1]) out.length -= 2;
  return out;
}

function at(a: [number, number], b: [number, number], t: number): [number, number] {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
}
