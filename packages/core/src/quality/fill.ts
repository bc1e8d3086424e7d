/**
 * pycocotools' rleFrPoly (formats/polygon-fill.ts is the line-for-line port) computed per pixel
 * column instead of per grid step. rleFrPoly walks the outline on a 5x grid, one point per step,
 * and keeps only the steps where the outline passes a column centre (every 5th grid column);
 * that walk is most of a polygon's cost. Here each edge yields those crossings directly: a
 * shallow edge steps x one grid unit at a time, so its crossings are every 5th step; along a
 * steep edge x only changes where its rounded position does, found by solving for the step and
 * checking the neighbours with the very expression rleFrPoly evaluates, so every rounding
 * (C's truncating casts included) is the same. The result is the same set of crossings, hence
 * the same pixels; the tests compare both on many random polygons.
 */

const INT_MIN = -2147483648;

/** C's (int) cast of a double as x86 performs it: NaN and overflow give INT_MIN. */
function cInt(v: number): number {
  return v < 2147483648 && v >= INT_MIN ? Math.trunc(v) : INT_MIN;
}

// Crossings of the polygon being filled; module state so the hot loops call plain functions.
let buf = new Float64Array(1024);
let count = 0;
let rows = 0, cols = 0;

function push(c: number, yd: number): void {
  let y = (yd + 0.5) / 5 - 0.5;
  y = y < 0 ? 0 : y > rows ? rows : y;
  if (count === buf.length) {
    const grown = new Float64Array(2 * count);
    grown.set(buf);
    buf = grown;
  }
  buf[count++] = c * rows + Math.ceil(y);
}

/** A crossing between two neighbouring outline points one grid column apart (xd the lower). */
function cross(xd: number, yd: number): void {
  if ((((xd - 2) % 5) + 5) % 5 !== 0) return;
  const c = (xd - 2) / 5;
  if (c >= 0 && c <= cols - 1) push(c, yd);
}

/** rleFrPoly's rounded point on a steep edge at step t. */
function steepU(xs: number, s: number, t: number): number {
  return cInt(xs + s * t + 0.5);
}

/** rleFrPoly's rounded point on a shallow edge at step t. */
function shallowV(ys: number, s: number, t: number): number {
  return cInt(ys + s * t + 0.5);
}

/** The first step t in [1, dy] past column m along a steep edge (u rising past m, or falling to m). */
function steepStep(xs: number, s: number, dy: number, m: number, rising: boolean): number {
  // From the unrounded line's solution, moved until the rounded values agree (u is monotone).
  let t = Math.ceil((m + 0.5 - xs) / s);
  t = t < 1 ? 1 : t > dy ? dy : t;
  if (rising) {
    while (t > 1 && steepU(xs, s, t - 1) >= m + 1) t--;
    while (t < dy && steepU(xs, s, t) < m + 1) t++;
  } else {
    while (t > 1 && steepU(xs, s, t - 1) <= m) t--;
    while (t < dy && steepU(xs, s, t) > m) t++;
  }
  return t;
}

/**
 * rleFrPoly's crossing positions (column * height + row, column-major) for polygon `xy` on a
 * width x height image, sorted. The returned view is reused by the next call.
 */
export function polygonCrossings(xy: readonly number[], height: number, width: number): Float64Array {
  const k = xy.length >> 1;
  count = 0;
  rows = height;
  cols = width;
  // The last point walked, for the step from one edge to the next.
  let pu = 0, pv = 0;
  let x0 = cInt(5 * xy[0]! + 0.5), y0 = cInt(5 * xy[1]! + 0.5);
  const xFirst = x0, yFirst = y0;
  for (let j = 0; j < k; j++) {
    const x1 = j + 1 < k ? cInt(5 * xy[2 * j + 2]! + 0.5) : xFirst;
    const y1 = j + 1 < k ? cInt(5 * xy[2 * j + 3]! + 0.5) : yFirst;
    let xs = x0, xe = x1, ys = y0, ye = y1;
    x0 = x1;
    y0 = y1;
    const dx = Math.abs(xe - xs), dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      let tmp = xs;
      xs = xe;
      xe = tmp;
      tmp = ys;
      ys = ye;
      ye = tmp;
    }
    if (dx >= dy) {
      // Points (xs + t, v(t)), t = 0..dx (walked backwards when flipped).
      const s = (ye - ys) / dx;
      const first = flip ? dx : 0, last = flip ? 0 : dx;
      const u0 = xs + first, v0 = shallowV(ys, s, first);
      if (j > 0 && u0 !== pu) cross(u0 < pu ? u0 : u0 - 1, v0 < pv ? v0 : pv);
      // Steps t-1 -> t cross at column xs + t - 1; only those = 2 (mod 5) are column centres.
      for (let t = 1 + ((((2 - xs) % 5) + 5) % 5); t <= dx; t += 5) {
        const a = shallowV(ys, s, t - 1), b = shallowV(ys, s, t);
        cross(xs + t - 1, a < b ? a : b);
      }
      pu = xs + last;
      pv = shallowV(ys, s, last);
    } else {
      // Points (u(t), ys + t), t = 0..dy, |slope| < 1: u moves by at most one per step.
      const s = (xe - xs) / dy;
      const first = flip ? dy : 0, last = flip ? 0 : dy;
      const u0 = steepU(xs, s, first), v0 = ys + first;
      if (j > 0 && u0 !== pu) cross(u0 < pu ? u0 : u0 - 1, v0 < pv ? v0 : pv);
      const ua = steepU(xs, s, 0), ub = steepU(xs, s, dy);
      const lo = ua < ub ? ua : ub, hi = ua < ub ? ub : ua;
      // Each column m = 2 (mod 5) between the ends is passed once, between steps t-1 and t.
      for (let m = lo + ((((2 - lo) % 5) + 5) % 5); m < hi; m += 5) {
        const c = (m - 2) / 5;
        if (c < 0 || c > width - 1) continue;
        push(c, ys + steepStep(xs, s, dy, m, ub > ua) - 1);
      }
      pu = steepU(xs, s, last);
      pv = ys + last;
    }
  }
  return buf.subarray(0, count).sort();
}
