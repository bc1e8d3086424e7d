/**
 * Areas and intersection-over-union of the shape kinds CVAT stores, on its flat
 * [x0, y0, x1, y1, ...] arrays in image pixels. Exact (no rasterizing) for boxes, rotated boxes,
 * simple polygons and RLE masks; ellipses go through an inscribed polygon.
 */

/** Axis-aligned box, min/max corners (continuous coordinates, not pixel indexes). */
export interface Box {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

export function boundingBox(points: readonly number[]): Box {
  let xmin = Infinity;
  let ymin = Infinity;
  let xmax = -Infinity;
  let ymax = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (x < xmin) xmin = x;
    if (x > xmax) xmax = x;
    if (y < ymin) ymin = y;
    if (y > ymax) ymax = y;
  }
  return { xmin, ymin, xmax, ymax };
}

/** A CVAT rectangle's [x1, y1, x2, y2] as a box, whichever corners were given. */
export function rectangleBox(points: readonly number[]): Box {
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = points;
  return { xmin: Math.min(x1, x2), ymin: Math.min(y1, y2), xmax: Math.max(x1, x2), ymax: Math.max(y1, y2) };
}

export function boxArea(b: Box): number {
  return b.xmax > b.xmin && b.ymax > b.ymin ? (b.xmax - b.xmin) * (b.ymax - b.ymin) : 0;
}

export function boxesIntersect(a: Box, b: Box): boolean {
  return a.xmin < b.xmax && b.xmin < a.xmax && a.ymin < b.ymax && b.ymin < a.ymax;
}

export function boxIntersectionArea(a: Box, b: Box): number {
  const w = Math.min(a.xmax, b.xmax) - Math.max(a.xmin, b.xmin);
  const h = Math.min(a.ymax, b.ymax) - Math.max(a.ymin, b.ymin);
  return w > 0 && h > 0 ? w * h : 0;
}

/** IoU of axis-aligned boxes; 0 when either is empty (CVAT: a degenerate shape matches nothing). */
export function boxIoU(a: Box, b: Box): number {
  const areaA = boxArea(a);
  const areaB = boxArea(b);
  if (areaA === 0 || areaB === 0) return 0;
  const inter = boxIntersectionArea(a, b);
  return inter / (areaA + areaB - inter);
}

// ---------------------------------------------------------------------------------------------
// Polygons

/** Twice the signed area (shoelace); positive for counter-clockwise in y-up axes. */
function signedArea2(p: readonly number[]): number {
  const n = p.length >> 1;
  let s = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    s += p[2 * j]! * p[2 * i + 1]! - p[2 * i]! * p[2 * j + 1]!;
  }
  return s;
}

/** Area enclosed by a polygon's ring; meaningful for simple polygons only. */
export function polygonArea(points: readonly number[]): number {
  return Math.abs(signedArea2(points)) / 2;
}

/**
 * Drops consecutive repeated vertices and a repeated closing vertex: shapely accepts them in a
 * valid ring, and they would otherwise read as zero-length edges that touch their neighbours.
 */
function cleanRing(points: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i]!;
    const y = points[i + 1]!;
    const n = out.length;
    if (n >= 2 && out[n - 2] === x && out[n - 1] === y) continue;
    out.push(x, y);
  }
  while (out.length >= 4 && out[0] === out[out.length - 2] && out[1] === out[out.length - 1]) out.length -= 2;
  return out;
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

function onSegment(ax: number, ay: number, bx: number, by: number, px: number, py: number): boolean {
  return Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by);
}

function segmentsTouch(
  ax: number, ay: number, bx: number, by: number,
  cx: number, cy: number, dx: number, dy: number,
): boolean {
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  if (o1 !== o2 && o3 !== o4) return true;
  return (
    (o1 === 0 && onSegment(ax, ay, bx, by, cx, cy)) ||
    (o2 === 0 && onSegment(ax, ay, bx, by, dx, dy)) ||
    (o3 === 0 && onSegment(cx, cy, dx, dy, ax, ay)) ||
    (o4 === 0 && onSegment(cx, cy, dx, dy, bx, by))
  );
}

/**
 * Whether the ring is a simple polygon with area: at least 3 distinct vertices, no edge meeting
 * another except its two neighbours at their shared vertex, and no spike folding back on itself.
 * This is what shapely's `is_valid` means for a polygon without holes, which is CVAT's condition
 * for comparing polygons at all. O(n²) pairs with a box test in front; fine for annotation
 * polygons (hundreds of vertices), slow for tens of thousands.
 */
export function isSimplePolygon(points: readonly number[]): boolean {
  const p = cleanRing(points);
  const n = p.length >> 1;
  if (n < 3 || signedArea2(p) === 0) return false;
  for (let i = 0; i < n; i++) {
    const i1 = (i + 1) % n;
    const ax = p[2 * i]!, ay = p[2 * i + 1]!, bx = p[2 * i1]!, by = p[2 * i1 + 1]!;
    // Neighbours share a vertex; they are invalid only when collinear and turning back.
    const i2 = (i1 + 1) % n;
    const cx = p[2 * i2]!, cy = p[2 * i2 + 1]!;
    if (orient(ax, ay, bx, by, cx, cy) === 0 && (bx - ax) * (cx - bx) + (by - ay) * (cy - by) < 0) return false;
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue;
      const j1 = (j + 1) % n;
      const dx0 = p[2 * j]!, dy0 = p[2 * j + 1]!, dx1 = p[2 * j1]!, dy1 = p[2 * j1 + 1]!;
      if (Math.max(ax, bx) < Math.min(dx0, dx1) || Math.max(dx0, dx1) < Math.min(ax, bx)) continue;
      if (Math.max(ay, by) < Math.min(dy0, dy1) || Math.max(dy0, dy1) < Math.min(ay, by)) continue;
      if (segmentsTouch(ax, ay, bx, by, dx0, dy0, dx1, dy1)) return false;
    }
  }
  return true;
}

/** A ring ready for intersection: cleaned, counter-clockwise, shifted to a local origin. */
interface Ring {
  xy: Float64Array;
  n: number;
}

function toRing(points: readonly number[], ox: number, oy: number): Ring {
  const p = cleanRing(points);
  const n = p.length >> 1;
  const xy = new Float64Array(2 * n);
  const ccw = signedArea2(p) > 0;
  for (let k = 0; k < n; k++) {
    const src = ccw ? k : n - 1 - k;
    xy[2 * k] = p[2 * src]! - ox;
    xy[2 * k + 1] = p[2 * src + 1]! - oy;
  }
  return { xy, n };
}

type Where = { kind: 'in' } | { kind: 'out' } | { kind: 'on'; dx: number; dy: number };

/** Where a point lies relative to a ring: on an edge (within tol, with that edge's direction), in or out. */
function locate(px: number, py: number, q: Ring, tol: number): Where {
  const { xy, n } = q;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ax = xy[2 * j]!, ay = xy[2 * j + 1]!, bx = xy[2 * i]!, by = xy[2 * i + 1]!;
    const ex = bx - ax, ey = by - ay;
    const len2 = ex * ex + ey * ey;
    if (len2 === 0) continue;
    let t = ((px - ax) * ex + (py - ay) * ey) / len2;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const cx = ax + t * ex - px, cy = ay + t * ey - py;
    if (cx * cx + cy * cy <= tol * tol) return { kind: 'on', dx: ex, dy: ey };
  }
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ay = xy[2 * j + 1]!, by = xy[2 * i + 1]!;
    if (ay > py !== by > py) {
      const ax = xy[2 * j]!, bx = xy[2 * i]!;
      if (px < ax + ((py - ay) * (bx - ax)) / (by - ay)) inside = !inside;
    }
  }
  return inside ? { kind: 'in' } : { kind: 'out' };
}

/**
 * Twice the signed area contributed, by Green's theorem, by the parts of P's boundary that bound
 * P ∩ Q: pieces of P's edges inside Q, plus (when `takeShared`) pieces lying on an edge of Q that
 * runs the same way, since then both interiors are on the same side and the piece bounds the
 * intersection. Pieces on an edge of Q running the other way bound nothing.
 */
function boundaryTerm(P: Ring, Q: Ring, takeShared: boolean, tol: number): number {
  const p = P.xy, q = Q.xy;
  let sum = 0;
  const ts: number[] = [];
  for (let i = 0; i < P.n; i++) {
    const i1 = (i + 1) % P.n;
    const x0 = p[2 * i]!, y0 = p[2 * i + 1]!, x1 = p[2 * i1]!, y1 = p[2 * i1 + 1]!;
    const rx = x1 - x0, ry = y1 - y0;
    const rr = rx * rx + ry * ry;
    if (rr === 0) continue;
    const rlen = Math.sqrt(rr);
    const exmin = Math.min(x0, x1) - tol, exmax = Math.max(x0, x1) + tol;
    const eymin = Math.min(y0, y1) - tol, eymax = Math.max(y0, y1) + tol;
    ts.length = 0;
    ts.push(0, 1);
    for (let j = 0; j < Q.n; j++) {
      const j1 = (j + 1) % Q.n;
      const qx0 = q[2 * j]!, qy0 = q[2 * j + 1]!, qx1 = q[2 * j1]!, qy1 = q[2 * j1 + 1]!;
      if (Math.max(qx0, qx1) < exmin || Math.min(qx0, qx1) > exmax) continue;
      if (Math.max(qy0, qy1) < eymin || Math.min(qy0, qy1) > eymax) continue;
      const sx = qx1 - qx0, sy = qy1 - qy0;
      const wx = qx0 - x0, wy = qy0 - y0;
      const d = rx * sy - ry * sx;
      const slen = Math.hypot(sx, sy);
      if (Math.abs(d) > 1e-12 * rlen * slen) {
        const t = (wx * sy - wy * sx) / d;
        const u = (wx * ry - wy * rx) / d;
        const tt = tol / rlen, tu = slen > 0 ? tol / slen : 0;
        if (t > -tt && t < 1 + tt && u > -tu && u < 1 + tu) ts.push(t);
      } else if (Math.abs(wx * ry - wy * rx) <= tol * rlen) {
        // Collinear: Q's endpoints split P's edge where the shared stretch begins and ends.
        ts.push((wx * rx + wy * ry) / rr, ((qx1 - x0) * rx + (qy1 - y0) * ry) / rr);
      }
    }
    ts.sort((a, b) => a - b);
    let prev = 0;
    for (const raw of ts) {
      const t = raw < 0 ? 0 : raw > 1 ? 1 : raw;
      if (t <= prev) continue;
      if ((t - prev) * rlen > tol) {
        const tm = (prev + t) / 2;
        const where = locate(x0 + tm * rx, y0 + tm * ry, Q, tol);
        const take =
          where.kind === 'in' || (where.kind === 'on' && takeShared && where.dx * rx + where.dy * ry > 0);
        if (take) {
          const ax = x0 + prev * rx, ay = y0 + prev * ry, bx = x0 + t * rx, by = y0 + t * ry;
          sum += ax * by - bx * ay;
        }
      }
      prev = t;
    }
  }
  return sum;
}

/**
 * Area of the intersection of two simple polygons (convex or not), exact up to rounding: the
 * intersection's boundary is walked piece by piece (Green's theorem) instead of being built, so
 * shared edges, touching vertices and containment need no special cases beyond the
 * same-direction rule for edges lying on each other. Not for self-intersecting rings (check with
 * isSimplePolygon) or polygons with holes. O((n + k)·m + (m + k)·n) for n and m vertices and k
 * crossings.
 */
export function polygonIntersectionArea(a: readonly number[], b: readonly number[]): number {
  const ba = boundingBox(a), bb = boundingBox(b);
  if (!boxesIntersect(ba, bb)) return 0;
  // A local origin keeps the cross products small, so large pixel coordinates lose no precision.
  const ox = Math.min(ba.xmin, bb.xmin), oy = Math.min(ba.ymin, bb.ymin);
  const scale = Math.max(ba.xmax, bb.xmax) - ox + Math.max(ba.ymax, bb.ymax) - oy;
  const tol = scale * 1e-10;
  const A = toRing(a, ox, oy), B = toRing(b, ox, oy);
  if (A.n < 3 || B.n < 3) return 0;
  const twice = boundaryTerm(A, B, true, tol) + boundaryTerm(B, A, false, tol);
  return Math.max(0, twice / 2);
}

/**
 * IoU of two polygons as CVAT computes it with shapely: 0 when either is not a valid simple
 * polygon or has no area.
 */
export function polygonIoU(a: readonly number[], b: readonly number[]): number {
  if (!isSimplePolygon(a) || !isSimplePolygon(b)) return 0;
  return simplePolygonIoU(a, b);
}

/** IoU of polygons already known to be simple (skips the O(n²) validity check). */
export function simplePolygonIoU(a: readonly number[], b: readonly number[]): number {
  const areaA = polygonArea(a), areaB = polygonArea(b);
  if (areaA === 0 || areaB === 0) return 0;
  const inter = Math.min(polygonIntersectionArea(a, b), areaA, areaB);
  return inter / (areaA + areaB - inter);
}

// ---------------------------------------------------------------------------------------------
// Rotated rectangles and ellipses

/**
 * Corners of a CVAT rectangle [x1, y1, x2, y2] turned by `rotation` degrees about its center,
 * clockwise on screen (image y grows downwards), as CVAT draws it.
 */
export function rectanglePolygon(points: readonly number[], rotation: number): number[] {
  const b = rectangleBox(points);
  const cx = (b.xmin + b.xmax) / 2, cy = (b.ymin + b.ymax) / 2;
  const corners = [b.xmin, b.ymin, b.xmax, b.ymin, b.xmax, b.ymax, b.xmin, b.ymax];
  if (rotation % 360 === 0) return corners;
  const th = (rotation * Math.PI) / 180;
  const c = Math.cos(th), s = Math.sin(th);
  const out: number[] = [];
  for (let i = 0; i < 8; i += 2) {
    const dx = corners[i]! - cx, dy = corners[i + 1]! - cy;
    out.push(cx + dx * c - dy * s, cy + dx * s + dy * c);
  }
  return out;
}

/** IoU of two CVAT rectangles with their rotations; exact (rotated boxes are convex polygons). */
export function rectangleIoU(a: readonly number[], rotationA: number, b: readonly number[], rotationB: number): number {
  if (rotationA % 360 === 0 && rotationB % 360 === 0) return boxIoU(rectangleBox(a), rectangleBox(b));
  return simplePolygonIoU(rectanglePolygon(a, rotationA), rectanglePolygon(b, rotationB));
}

/** Vertices of the polygon inscribed in an ellipse that `ellipsePolygon` uses by default. */
export const ELLIPSE_SEGMENTS = 64;

/**
 * A CVAT ellipse [cx, cy, x, y] ((x, y) a corner of its bounding box, so the radii are
 * |x - cx| and |y - cy|) turned by `rotation` degrees, as an inscribed polygon of `segments`
 * vertices. With 64 the polygon has 99.84% of the ellipse's area; IoU of two ellipses computed
 * on their polygons is off by far less, as both lose alike.
 */
export function ellipsePolygon(points: readonly number[], rotation: number, segments = ELLIPSE_SEGMENTS): number[] {
  const [cx = 0, cy = 0, px = 0, py = 0] = points;
  const rx = Math.abs(px - cx), ry = Math.abs(py - cy);
  const th = (rotation * Math.PI) / 180;
  const c = Math.cos(th), s = Math.sin(th);
  const out: number[] = [];
  for (let k = 0; k < segments; k++) {
    const a = (2 * Math.PI * k) / segments;
    const dx = rx * Math.cos(a), dy = ry * Math.sin(a);
    out.push(cx + dx * c - dy * s, cy + dx * s + dy * c);
  }
  return out;
}

export function ellipseIoU(a: readonly number[], rotationA: number, b: readonly number[], rotationB: number): number {
  return simplePolygonIoU(ellipsePolygon(a, rotationA), ellipsePolygon(b, rotationB));
}

// ---------------------------------------------------------------------------------------------
// Masks

/**
 * A mask as runs of foreground pixels per row, in absolute pixel columns: row `top + r` has the
 * half-open column ranges [x0[k], x1[k]) for k in rowStart[r] .. rowStart[r + 1] - 1.
 */
export interface MaskRuns {
  left: number;
  top: number;
  width: number;
  height: number;
  area: number;
  rowStart: Int32Array;
  x0: Int32Array;
  x1: Int32Array;
}

/**
 * Decodes CVAT's mask points: run lengths over the mask's bounding box [left, top, right, bottom]
 * (inclusive pixels), row by row, starting with a background run. Runs past the box are cut off;
 * a shortfall leaves the rest as background.
 */
export function decodeMask(points: readonly number[]): MaskRuns {
  const n = points.length - 4;
  const left = Math.round(points[n] ?? 0), top = Math.round(points[n + 1] ?? 0);
  const right = Math.round(points[n + 2] ?? -1), bottom = Math.round(points[n + 3] ?? -1);
  const width = Math.max(0, right - left + 1), height = Math.max(0, bottom - top + 1);
  const total = width * height;
  const rows: number[] = [], xs0: number[] = [], xs1: number[] = [];
  let pos = 0, area = 0;
  for (let i = 0; i < n && pos < total; i++) {
    const len = Math.min(Math.max(0, Math.round(points[i]!)), total - pos);
    if (i % 2 === 1 && len > 0) {
      area += len;
      let p = pos;
      const end = pos + len;
      while (p < end) {
        const r = Math.floor(p / width), c = p - r * width;
        const stop = Math.min(end, (r + 1) * width);
        rows.push(r);
        xs0.push(left + c);
        xs1.push(left + c + (stop - p));
        p = stop;
      }
    }
    pos += len;
  }
  const rowStart = new Int32Array(height + 1);
  for (const r of rows) rowStart[r + 1] = rowStart[r + 1]! + 1;
  for (let r = 0; r < height; r++) rowStart[r + 1] = rowStart[r + 1]! + rowStart[r]!;
  return { left, top, width, height, area, rowStart, x0: Int32Array.from(xs0), x1: Int32Array.from(xs1) };
}

export function maskArea(points: readonly number[]): number {
  return decodeMask(points).area;
}

/** Foreground pixels two masks share, merging their runs row by row over the rows both cover. */
export function maskIntersectionArea(a: MaskRuns, b: MaskRuns): number {
  const y0 = Math.max(a.top, b.top), y1 = Math.min(a.top + a.height, b.top + b.height);
  let inter = 0;
  for (let y = y0; y < y1; y++) {
    let i = a.rowStart[y - a.top]!, iEnd = a.rowStart[y - a.top + 1]!;
    let j = b.rowStart[y - b.top]!, jEnd = b.rowStart[y - b.top + 1]!;
    while (i < iEnd && j < jEnd) {
      const lo = Math.max(a.x0[i]!, b.x0[j]!), hi = Math.min(a.x1[i]!, b.x1[j]!);
      if (hi > lo) inter += hi - lo;
      if (a.x1[i]! < b.x1[j]!) i++;
      else j++;
    }
  }
  return inter;
}

export function maskRunsIoU(a: MaskRuns, b: MaskRuns): number {
  if (a.area === 0 || b.area === 0) return 0;
  const inter = maskIntersectionArea(a, b);
  return inter / (a.area + b.area - inter);
}

/** IoU of two masks in CVAT's points encoding, computed on runs (no bitmap). */
export function maskIoU(a: readonly number[], b: readonly number[]): number {
  return maskRunsIoU(decodeMask(a), decodeMask(b));
}
