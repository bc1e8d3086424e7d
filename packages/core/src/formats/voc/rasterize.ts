/**
 * Shapes to pixels for the raster formats. CVAT turns polygons and boxes into masks with
 * pycocotools (`frPyObjects`), whose fill decides which edge pixels are in; the polygon fill here
 * is the same algorithm (boundary walked at 5x, crossings per column, inside between crossings),
 * so a polygon exported here covers the pixels it covers when CVAT exports it.
 *
 * Ellipses: CVAT draws them with OpenCV's `cv2.ellipse` (a polygon through integer centre and
 * axes, filled with OpenCV's own scan conversion). Here a pixel is in when its centre lies inside
 * the ellipse of rounded centre and axes grown by half a pixel; edge pixels can differ from
 * OpenCV's, which exports report as a conversion.
 */

const SCALE = 5;

/**
 * Writes `value` into `target` (row-major, width x height) over the polygon's pixels.
 * `xy` is x0,y0,x1,y1,...; pixels outside the image are clipped.
 */
export function fillPolygon(xy: readonly number[], width: number, height: number, target: Uint8Array, value: number): void {
  const k = Math.floor(xy.length / 2);
  if (k === 0 || width <= 0 || height <= 0) return;
  const h = height, w = width;
  // Corners on a 5x grid (C's (int) truncates toward zero), closed.
  const x = new Array<number>(k + 1), y = new Array<number>(k + 1);
  for (let j = 0; j < k; j++) {
    x[j] = Math.trunc(SCALE * xy[2 * j]! + 0.5);
    y[j] = Math.trunc(SCALE * xy[2 * j + 1]! + 0.5);
  }
  x[k] = x[0]!;
  y[k] = y[0]!;
  // Every grid point along the boundary.
  const u: number[] = [], v: number[] = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j]!, xe = x[j + 1]!, ys = y[j]!, ye = y[j + 1]!;
    const dx = Math.abs(xe - xs), dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(Math.trunc(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(Math.trunc(xs + s * t + 0.5));
      }
    }
  }
  // Where the boundary crosses a pixel column, back on the pixel grid.
  const crossings: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1;
    xd = (xd + 0.5) / SCALE - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    let yd = v[j]! < v[j - 1]! ? v[j]! : v[j - 1]!;
    yd = (yd + 0.5) / SCALE - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    yd = Math.ceil(yd);
    crossings.push(xd * h + yd);
  }
  // Column-major run lengths between sorted crossings; pixels between odd and even ones are in.
  crossings.push(h * w);
  crossings.sort((a, b) => a - b);
  const diffs: number[] = [];
  let prev = 0;
  for (const c of crossings) {
    diffs.push(c - prev);
    prev = c;
  }
  const runs: number[] = [diffs[0]!];
  for (let j = 1; j < diffs.length;) {
    if (diffs[j]! > 0) runs.push(diffs[j++]!);
    else {
      j++;
      if (j < diffs.length) runs[runs.length - 1]! += diffs[j++]!;
    }
  }
  let pos = 0;
  for (let r = 0; r < runs.length; r++) {
    const len = runs[r]!;
    if (r % 2 === 1) {
      for (let p = pos; p < pos + len && p < h * w; p++) {
        const col = Math.floor(p / h), row = p % h;
        target[row * w + col] = value;
      }
    }
    pos += len;
  }
}

/** A rectangle, as CVAT rasterizes boxes: the polygon of its four corners. */
export function fillBox(x1: number, y1: number, x2: number, y2: number, width: number, height: number, target: Uint8Array, value: number): void {
  fillPolygon([x1, y1, x2, y1, x2, y2, x1, y2], width, height, target, value);
}

/** The corners of a rectangle rotated by `degrees` around its centre (CVAT's RotatedBoxesToPolygons). */
export function rotatedBoxPolygon(x0: number, y0: number, x1: number, y1: number, degrees: number): number[] {
  const a = (degrees * Math.PI) / 180;
  const cx = x0 + (x1 - x0) / 2, cy = y0 + (y1 - y0) / 2;
  const out: number[] = [];
  for (const [x, y] of [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] as const) {
    out.push(cx + Math.cos(a) * (x - cx) - Math.sin(a) * (y - cy), cy + Math.sin(a) * (x - cx) + Math.cos(a) * (y - cy));
  }
  return out;
}

/** An ellipse given CVAT's points (cx, cy, right x, top y) and rotation in degrees. */
export function fillEllipse(points: readonly number[], rotation: number, width: number, height: number, target: Uint8Array, value: number): void {
  const [cxRaw, cyRaw, rightX, topY] = points as [number, number, number, number];
  const cx = Math.round(cxRaw), cy = Math.round(cyRaw);
  // OpenCV's fill takes in the pixels its outline passes through: half a pixel beyond the axes
  // comes closest (about 3% of pixels differ, all on the edge).
  const rx = Math.abs(Math.round(rightX - cxRaw)) + 0.5, ry = Math.abs(Math.round(cyRaw - topY)) + 0.5;
  const a = (rotation * Math.PI) / 180, cos = Math.cos(a), sin = Math.sin(a);
  const reach = Math.ceil(Math.max(rx, ry));
  for (let py = Math.max(0, cy - reach); py <= Math.min(height - 1, cy + reach); py++) {
    for (let px = Math.max(0, cx - reach); px <= Math.min(width - 1, cx + reach); px++) {
      const dx = px - cx, dy = py - cy;
      // Into the ellipse's own frame (rotation is clockwise on screen, y pointing down).
      const ex = dx * cos + dy * sin, ey = -dx * sin + dy * cos;
      if ((ex * ex) / (rx * rx) + (ey * ey) / (ry * ry) <= 1) target[py * width + px] = value;
    }
  }
}
