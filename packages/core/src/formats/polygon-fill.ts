/**
 * Polygon fill as pycocotools' rleFrPoly does it, step for step: CVAT computes COCO polygon
 * areas and crowd masks with it, and turns polygons and boxes into masks with it for the raster
 * formats (VOC, Segmentation mask, ...), so every format here covers the pixels CVAT's would.
 * The boundary is walked on a 5x grid; crossings of pixel column centres give the runs.
 */

const INT_MIN = -2147483648;

/** C's (int) cast of a double as x86 performs it: NaN and overflow give INT_MIN. */
function cInt(v: number): number {
  if (!Number.isFinite(v) || v >= 2147483648 || v < INT_MIN) return INT_MIN;
  return Math.trunc(v);
}

/** pycocotools' rleFrPoly: a polygon [x0, y0, x1, y1, ...] to COCO counts over height x width. */
export function polygonCounts(xy: readonly number[], height: number, width: number): number[] {
  const k = xy.length >> 1;
  const scale = 5;
  const x: number[] = [], y: number[] = [];
  for (let j = 0; j < k; j++) {
    x.push(cInt(scale * xy[2 * j]! + 0.5));
    y.push(cInt(scale * xy[2 * j + 1]! + 0.5));
  }
  x.push(x[0] ?? 0);
  y.push(y[0] ?? 0);
  // Upsample and walk the whole boundary densely.
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
        v.push(cInt(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(cInt(xs + s * t + 0.5));
      }
    }
  }
  // Points where the boundary crosses a pixel column centre, downsampled.
  const a: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j]! < u[j - 1]! ? u[j]! : u[j]! - 1;
    xd = (xd + 0.5) / scale - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > width - 1) continue;
    let yd = v[j]! < v[j - 1]! ? v[j]! : v[j - 1]!;
    yd = (yd + 0.5) / scale - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > height) yd = height;
    yd = Math.ceil(yd);
    a.push(xd * height + yd);
  }
  a.push(height * width);
  a.sort((p, q) => p - q);
  let prev = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j]!;
    a[j] = t - prev;
    prev = t;
  }
  // Boundary points that coincide cancel out: fold empty runs into the previous one.
  const b: number[] = [a[0]!];
  for (let j = 1; j < a.length;) {
    if (a[j]! > 0) b.push(a[j++]!);
    else {
      j++;
      if (j < a.length) b[b.length - 1] = b[b.length - 1]! + a[j++]!;
    }
  }
  return b;
}
