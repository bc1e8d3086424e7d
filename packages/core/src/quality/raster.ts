/**
 * Pixel sets of segments (polygons, masks, boxes) as runs down each column, the layout of
 * COCO's RLE that pycocotools (and so CVAT's segment IoU) works in. Polygons are filled as
 * rleFrPoly fills them (fill.ts), at a cost that follows the outline, and each set keeps only
 * the columns it covers, so unions, differences and intersection areas cost what the objects'
 * runs do, never a bitmap of the image.
 */
import { decodeMask } from '../annotations/geometry.js';
import { polygonCrossings } from './fill.js';

/**
 * Column `left + k` holds rows [lo[i], hi[i]) for i in start[k] .. start[k + 1] - 1: sorted,
 * disjoint, not touching, in absolute pixel coordinates.
 */
export interface Runs {
  left: number;
  cols: number;
  start: Int32Array;
  lo: Int32Array;
  hi: Int32Array;
  area: number;
}

export const EMPTY_RUNS: Runs = Object.freeze({ left: 0, cols: 0, start: new Int32Array(1), lo: new Int32Array(0), hi: new Int32Array(0), area: 0 });

/** Collects runs column by column, left to right, each column's runs top to bottom. */
class RunsBuilder {
  private readonly start: Int32Array;
  private lo: Int32Array;
  private hi: Int32Array;
  private n = 0;
  private area = 0;
  private col = 0;

  constructor(private readonly left: number, private readonly cols: number, capacity = 16) {
    this.start = new Int32Array(cols + 1);
    this.lo = new Int32Array(Math.max(4, capacity));
    this.hi = new Int32Array(Math.max(4, capacity));
  }

  /** Moves to column `left + k` (k never decreases). */
  column(k: number): void {
    while (this.col < k) this.start[++this.col] = this.n;
  }

  push(lo: number, hi: number): void {
    if (hi <= lo) return;
    const n = this.n;
    this.area += hi - lo;
    // Touching runs in one column are one run.
    if (n > this.start[this.col]! && this.hi[n - 1] === lo) {
      this.hi[n - 1] = hi;
      return;
    }
    if (n === this.lo.length) {
      const lo2 = new Int32Array(2 * n), hi2 = new Int32Array(2 * n);
      lo2.set(this.lo);
      hi2.set(this.hi);
      this.lo = lo2;
      this.hi = hi2;
    }
    this.lo[n] = lo;
    this.hi[n] = hi;
    this.n = n + 1;
  }

  done(): Runs {
    this.column(this.cols);
    if (this.area === 0) return EMPTY_RUNS;
    return { left: this.left, cols: this.cols, start: this.start, lo: this.lo.subarray(0, this.n), hi: this.hi.subarray(0, this.n), area: this.area };
  }
}

/**
 * COCO counts (column-major, starting with background) over a cols x rows window at (left, top),
 * kept to the columns that have pixels.
 */
export function runsFromCounts(counts: readonly number[], left: number, top: number, cols: number, rows: number): Runs {
  const total = cols * rows;
  let first = -1, last = -1, pos = 0;
  for (let i = 0; i < counts.length && pos < total; i++) {
    const len = counts[i]!;
    if (i % 2 === 1 && len > 0) {
      if (first < 0) first = pos;
      last = Math.min(total, pos + len) - 1;
    }
    pos += len;
  }
  if (first < 0 || rows <= 0) return EMPTY_RUNS;
  const c0 = Math.floor(first / rows), c1 = Math.floor(last / rows);
  const b = new RunsBuilder(left + c0, c1 - c0 + 1, (counts.length >> 1) + c1 - c0 + 1);
  pos = 0;
  for (let i = 0; i < counts.length && pos < total; i++) {
    const len = counts[i]!;
    if (i % 2 === 1) {
      let p = pos;
      const end = Math.min(pos + len, total);
      while (p < end) {
        const c = Math.floor(p / rows), r = p - c * rows;
        const stop = Math.min(end, (c + 1) * rows);
        b.column(c - c0);
        b.push(top + r, top + r + (stop - p));
        p = stop;
      }
    }
    pos += len;
  }
  return b.done();
}

/**
 * The pixels pycocotools' frPyObjects gives a polygon [x0, y0, x1, y1, ...] on a width x height
 * image, from rleFrPoly's column crossings (fill.ts): each pair of crossings in column-major
 * order bounds a run, as in the RLE those crossings make.
 */
export function polygonRuns(points: readonly number[], width: number, height: number): Runs {
  if (points.length < 6 || width <= 0 || height <= 0) return EMPTY_RUNS;
  const a = polygonCrossings(points, height, width);
  const total = width * height;
  let first = -1, last = -1;
  for (let i = 0; i < a.length; i += 2) {
    const lo = a[i]!, hi = i + 1 < a.length ? a[i + 1]! : total;
    if (hi > lo) {
      if (first < 0) first = lo;
      last = hi - 1;
    }
  }
  if (first < 0) return EMPTY_RUNS;
  const c0 = Math.floor(first / height), c1 = Math.floor(last / height);
  const b = new RunsBuilder(c0, c1 - c0 + 1, (a.length >> 1) + c1 - c0 + 1);
  for (let i = 0; i < a.length; i += 2) {
    let p = a[i]!;
    const end = i + 1 < a.length ? a[i + 1]! : total;
    while (p < end) {
      const c = Math.floor(p / height), r = p - c * height;
      const stop = Math.min(end, (c + 1) * height);
      b.column(c - c0);
      b.push(r, r + (stop - p));
      p = stop;
    }
  }
  return b.done();
}

/**
 * The pixels pycocotools gives an axis-aligned box's polygon [x1, y1, x2, y1, x2, y2, x1, y2]
 * (x1 <= x2, y1 <= y2), in closed form: rleFrPoly walks the top and bottom edges on its 5x grid,
 * so column c is in when the grid point 5c + 2 lies in [X1, X2 - 1], and takes the rows between
 * the two edges' rounded heights (X, Y: coordinates times 5, rounded as C casts them).
 */
export function boxRuns(x1: number, y1: number, x2: number, y2: number, width: number, height: number): Runs {
  if (!Number.isFinite(x1 + y1 + x2 + y2)) return EMPTY_RUNS;
  const X1 = Math.trunc(5 * x1 + 0.5), X2 = Math.trunc(5 * x2 + 0.5);
  const row = (y: number) => {
    const v = Math.trunc(Math.trunc(5 * y + 0.5) + 0.5);
    const yd = (v + 0.5) / 5 - 0.5;
    return Math.ceil(yd < 0 ? 0 : yd > height ? height : yd);
  };
  const c0 = Math.max(0, Math.ceil((X1 - 2) / 5)), c1 = Math.min(width - 1, Math.floor((X2 - 3) / 5));
  const top = row(y1), bottom = row(y2);
  if (c1 < c0 || bottom <= top) return EMPTY_RUNS;
  const cols = c1 - c0 + 1;
  const start = new Int32Array(cols + 1);
  for (let k = 0; k <= cols; k++) start[k] = k;
  return { left: c0, cols, start, lo: new Int32Array(cols).fill(top), hi: new Int32Array(cols).fill(bottom), area: cols * (bottom - top) };
}

/** The pixels of a CVAT mask (RLE over its box, then left, top, right, bottom), cut to the image. */
export function maskRuns(points: readonly number[], width: number, height: number): Runs {
  const m = decodeMask(points);
  const left = Math.max(0, m.left), right = Math.min(width, m.left + m.width);
  if (right <= left || m.area === 0) return EMPTY_RUNS;
  const cols = right - left;
  // Rows arrive top to bottom, so each column's current run either grows by a row or ends.
  const curLo = new Int32Array(cols).fill(-1), curHi = new Int32Array(cols).fill(-1);
  const perCol: number[][] = Array.from({ length: cols }, () => []);
  for (let r = 0; r < m.height; r++) {
    const y = m.top + r;
    if (y < 0 || y >= height) continue;
    for (let k = m.rowStart[r]!; k < m.rowStart[r + 1]!; k++) {
      const x0 = Math.max(left, m.x0[k]!), x1 = Math.min(right, m.x1[k]!);
      for (let x = x0; x < x1; x++) {
        const c = x - left;
        if (curHi[c] === y) curHi[c] = y + 1;
        else {
          if (curHi[c]! >= 0) perCol[c]!.push(curLo[c]!, curHi[c]!);
          curLo[c] = y;
          curHi[c] = y + 1;
        }
      }
    }
  }
  const b = new RunsBuilder(left, cols);
  for (let c = 0; c < cols; c++) {
    b.column(c);
    const list = perCol[c]!;
    for (let i = 0; i < list.length; i += 2) b.push(list[i]!, list[i + 1]!);
    if (curHi[c]! >= 0) b.push(curLo[c]!, curHi[c]!);
  }
  return b.done();
}

/** Pixels in any of `list`. */
export function unionRuns(list: readonly Runs[]): Runs {
  const parts = list.filter((r) => r.area > 0);
  if (parts.length === 0) return EMPTY_RUNS;
  if (parts.length === 1) return parts[0]!;
  const left = Math.min(...parts.map((r) => r.left));
  const right = Math.max(...parts.map((r) => r.left + r.cols));
  const b = new RunsBuilder(left, right - left);
  const tmp: Array<[number, number]> = [];
  for (let x = left; x < right; x++) {
    tmp.length = 0;
    for (const r of parts) {
      const k = x - r.left;
      if (k < 0 || k >= r.cols) continue;
      for (let i = r.start[k]!; i < r.start[k + 1]!; i++) tmp.push([r.lo[i]!, r.hi[i]!]);
    }
    if (tmp.length === 0) continue;
    tmp.sort((p, q) => p[0] - q[0]);
    b.column(x - left);
    let [lo, hi] = tmp[0]!;
    for (let i = 1; i < tmp.length; i++) {
      const [l, h] = tmp[i]!;
      if (l <= hi) hi = Math.max(hi, h);
      else {
        b.push(lo, hi);
        lo = l;
        hi = h;
      }
    }
    b.push(lo, hi);
  }
  return b.done();
}

/** Pixels of `a` not in `b`. */
export function subtractRuns(a: Runs, b: Runs): Runs {
  if (a.area === 0 || b.area === 0) return a;
  const out = new RunsBuilder(a.left, a.cols);
  let changed = false;
  for (let k = 0; k < a.cols; k++) {
    out.column(k);
    const kb = a.left + k - b.left;
    let j = kb >= 0 && kb < b.cols ? b.start[kb]! : 0;
    const jEnd = kb >= 0 && kb < b.cols ? b.start[kb + 1]! : 0;
    for (let i = a.start[k]!; i < a.start[k + 1]!; i++) {
      let lo = a.lo[i]!;
      const hi = a.hi[i]!;
      while (j < jEnd && b.hi[j]! <= lo) j++;
      let jj = j;
      while (jj < jEnd && b.lo[jj]! < hi) {
        changed = true;
        if (b.lo[jj]! > lo) out.push(lo, b.lo[jj]!);
        lo = Math.max(lo, b.hi[jj]!);
        jj++;
      }
      if (lo < hi) out.push(lo, hi);
    }
  }
  return changed ? out.done() : a;
}

/** Number of pixels in both. */
export function intersectionArea(a: Runs, b: Runs): number {
  if (a.area === 0 || b.area === 0) return 0;
  const x0 = Math.max(a.left, b.left), x1 = Math.min(a.left + a.cols, b.left + b.cols);
  let inter = 0;
  for (let x = x0; x < x1; x++) {
    let i = a.start[x - a.left]!, j = b.start[x - b.left]!;
    const iEnd = a.start[x - a.left + 1]!, jEnd = b.start[x - b.left + 1]!;
    while (i < iEnd && j < jEnd) {
      const lo = Math.max(a.lo[i]!, b.lo[j]!), hi = Math.min(a.hi[i]!, b.hi[j]!);
      if (hi > lo) inter += hi - lo;
      if (a.hi[i]! < b.hi[j]!) i++;
      else j++;
    }
  }
  return inter;
}

/** Pixel IoU as pycocotools computes it; 0 when both are empty. */
export function runsIoU(a: Runs, b: Runs): number {
  const inter = intersectionArea(a, b);
  const union = a.area + b.area - inter;
  return union > 0 ? inter / union : 0;
}

/** The smallest box of whole pixels holding the runs' columns (rows from the runs themselves). */
export function runsBox(r: Runs): { xmin: number; ymin: number; xmax: number; ymax: number } {
  if (r.area === 0) return { xmin: 0, ymin: 0, xmax: 0, ymax: 0 };
  let ymin = Infinity, ymax = -Infinity;
  for (let i = 0; i < r.lo.length; i++) {
    if (r.lo[i]! < ymin) ymin = r.lo[i]!;
    if (r.hi[i]! > ymax) ymax = r.hi[i]!;
  }
  return { xmin: r.left, ymin, xmax: r.left + r.cols, ymax };
}
