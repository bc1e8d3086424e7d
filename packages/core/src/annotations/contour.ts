/**
 * CVAT's interpolation of polygons and polylines whose keyframes may have different vertex
 * counts (TrackManager.get_interpolated_shapes -> interpolate_position in
 * cvat/apps/dataset_manager/annotation.py), ported step by step so exports agree with CVAT's:
 *
 * 1. Each vertex gets its position along the contour, as a fraction of the contour's length
 *    (a polygon is closed by repeating its first vertex).
 * 2. Every left (earlier) vertex is paired with the right vertex nearest in that fraction; right
 *    vertices nobody chose join the left vertex nearest to them.
 * 3. Each pair is interpolated linearly.
 * 4. The result is thinned: a run of left vertices paired with the same right vertex, or the
 *    several right vertices one left vertex took, keeps only points at least
 *    length / (2 * count) apart, and two survivors closer than that become their midpoint.
 *
 * Steps 1, 2 and the thresholds of 4 depend only on the two keyframes, so they are planned once
 * per pair of keyframes; each frame then costs one pass over the pairs.
 */

/** One thinning step: the interpolated points si..ei, or just point si when `threshold` is null. */
interface Reduction {
  si: number;
  ei: number;
  threshold: number | null;
}

export interface ContourPlan {
  closed: boolean;
  /** Coordinates of the paired vertices, left then right, for each interpolated point. */
  lx: Float64Array;
  ly: Float64Array;
  rx: Float64Array;
  ry: Float64Array;
  reductions: Reduction[];
  /** Scratch for one frame, reused from frame to frame: the interpolated points and which survive thinning. */
  xs: Float64Array;
  ys: Float64Array;
  kept: Int32Array;
  pairedWith: Int32Array;
}

function withClosure(points: readonly number[], closed: boolean): number[] {
  return closed ? [...points, points[0]!, points[1]!] : [...points];
}

function curveLength(p: readonly number[], from: number, to: number): number {
  let length = 0;
  for (let i = from + 1; i <= to; i++) {
    const dx = p[2 * i]! - p[2 * i - 2]!;
    const dy = p[2 * i + 1]! - p[2 * i - 1]!;
    length += Math.sqrt(dx * dx + dy * dy);
  }
  return length;
}

/**
 * Fractions along the contour. A contour of length 0 gives NaN after the first vertex, as in
 * CVAT, and nearest() then picks index 0 for them, as CVAT's comparison does.
 */
function offsets(p: readonly number[]): number[] {
  const n = p.length / 2;
  const total = curveLength(p, 0, n - 1);
  const out = [0];
  let acc = 0;
  for (let i = 1; i < n; i++) {
    const dx = p[2 * i]! - p[2 * i - 2]!;
    const dy = p[2 * i + 1]! - p[2 * i - 1]!;
    acc += Math.sqrt(dx * dx + dy * dy);
    out.push(acc / total);
  }
  return out;
}

/** Index of the first value nearest `value` (ties go to the earlier index). */
function nearest(value: number, curve: readonly number[]): number {
  let best = 0;
  let bestDistance = Math.abs(value - curve[0]!);
  for (let i = 1; i < curve.length; i++) {
    const d = Math.abs(value - curve[i]!);
    if (d < bestDistance) {
      best = i;
      bestDistance = d;
    }
  }
  return best;
}

export function planContour(leftPoints: readonly number[], rightPoints: readonly number[], closed: boolean): ContourPlan {
  const left = withClosure(leftPoints, closed);
  const right = withClosure(rightPoints, closed);
  const lo = offsets(left);
  const ro = offsets(right);

  const matching: number[][] = lo.map((v) => [nearest(v, ro)]);
  const chosen = new Set(matching.map((m) => m[0]!));
  ro.forEach((v, r) => {
    if (!chosen.has(r)) matching[nearest(v, lo)]!.push(r);
  });
  for (const m of matching) m.sort((a, b) => a - b);

  // Interpolated points are laid out left vertex by left vertex, each with its right partners in order.
  const firstIndex: number[] = [];
  const lastIndex: number[] = [];
  const lx: number[] = [], ly: number[] = [], rx: number[] = [], ry: number[] = [];
  matching.forEach((m, i) => {
    firstIndex.push(lx.length);
    for (const r of m) {
      lx.push(left[2 * i]!);
      ly.push(left[2 * i + 1]!);
      rx.push(right[2 * r]!);
      ry.push(right[2 * r + 1]!);
    }
    lastIndex.push(lx.length - 1);
  });

  const reductions: Reduction[] = [];
  const leftRun = (start: number, stop: number) => {
    const si = firstIndex[start]!;
    const ei = firstIndex[stop]!;
    reductions.push({ si, ei, threshold: si === ei ? null : curveLength(left, start, stop) / (2 * (stop - start + 1)) });
  };
  const rightRun = (i: number) => {
    const m = matching[i]!;
    const start = m[0]!;
    const stop = m[m.length - 1]!;
    reductions.push({ si: firstIndex[i]!, ei: lastIndex[i]!, threshold: curveLength(right, start, stop) / (2 * (stop - start + 1)) });
  };
  let open: number | null = null;
  matching.forEach((m, i) => {
    if (m.length === 1) {
      if (open === null) open = i;
      else if (m[0] !== matching[open]![0]) {
        leftRun(open, i - 1);
        open = i;
      }
    } else {
      if (open !== null) leftRun(open, i - 1);
      open = null;
      rightRun(i);
    }
  });
  if (open !== null) leftRun(open, matching.length - 1);

  return {
    closed,
    lx: Float64Array.from(lx),
    ly: Float64Array.from(ly),
    rx: Float64Array.from(rx),
    ry: Float64Array.from(ry),
    reductions,
    xs: new Float64Array(lx.length),
    ys: new Float64Array(lx.length),
    kept: new Int32Array(lx.length),
    pairedWith: new Int32Array(lx.length),
  };
}

/** The contour at fraction `t` (0 < t < 1) of the way from the left keyframe to the right one. */
export function contourAt(plan: ContourPlan, t: number): number[] {
  const { lx, ly, rx, ry, xs, ys, reductions } = plan;
  for (let k = 0; k < lx.length; k++) {
    xs[k] = lx[k]! + (rx[k]! - lx[k]!) * t;
    ys[k] = ly[k]! + (ry[k]! - ly[k]!) * t;
  }
  // Indexes of the kept points, or -1 - si for the midpoint of points si and ei.
  const kept = plan.kept;
  let w = 0;
  for (let r = 0; r < reductions.length; r++) {
    const { si, ei, threshold } = reductions[r]!;
    if (threshold === null) {
      kept[w++] = si;
      continue;
    }
    const start = w;
    kept[w++] = si;
    let last = si;
    for (let k = si + 1; k < ei; k++) {
      const dx = xs[last]! - xs[k]!;
      const dy = ys[last]! - ys[k]!;
      if (Math.sqrt(dx * dx + dy * dy) >= threshold) {
        kept[w++] = k;
        last = k;
      }
    }
    kept[w++] = ei;
    if (w - start === 2) {
      const dx = xs[si]! - xs[ei]!;
      const dy = ys[si]! - ys[ei]!;
      if (Math.sqrt(dx * dx + dy * dy) < threshold) {
        w = start;
        kept[w++] = -1 - si;
        plan.pairedWith[si] = ei;
      }
    }
  }
  // The closing vertex added for the computation goes again, as in CVAT.
  if (plan.closed && w > 0) w--;
  const out = new Array<number>(2 * w);
  for (let i = 0; i < w; i++) {
    const k = kept[i]!;
    if (k >= 0) {
      out[2 * i] = xs[k]!;
      out[2 * i + 1] = ys[k]!;
    } else {
      const a = -1 - k;
      const b = plan.pairedWith[a]!;
      out[2 * i] = (xs[a]! + xs[b]!) / 2;
      out[2 * i + 1] = (ys[a]! + ys[b]!) / 2;
    }
  }
  return out;
}
