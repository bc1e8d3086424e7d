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
  };
}

/** The contour at fraction `t` (0 < t < 1) of the way from the left keyframe to the right one. */
export function contourAt(plan: ContourPlan, t: number): number[] {
  const { lx, ly, rx, ry } = plan;
  const n = lx.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    xs[k] = lx[k]! + (rx[k]! - lx[k]!) * t;
    ys[k] = ly[k]! + (ry[k]! - ly[k]!) * t;
  }
  const dist = (a: number, b: number) => {
    const dx = xs[a]! - xs[b]!;
    const dy = ys[a]! - ys[b]!;
    return Math.sqrt(dx * dx + dy * dy);
  };
  const out: number[] = [];
  for (const { si, ei, threshold } of plan.reductions) {
    if (threshold === null) {
      out.push(xs[si]!, ys[si]!);
      continue;
    }
    const start = out.length;
    out.push(xs[si]!, ys[si]!);
    let last = si;
    for (let k = si + 1; k < ei; k++) {
      if (dist(last, k) >= threshold) {
        out.push(xs[k]!, ys[k]!);
        last = k;
      }
    }
    out.push(xs[ei]!, ys[ei]!);
    if (out.length - start === 4 && dist(si, ei) < threshold) {
      out.length = start;
      out.push((xs[si]! + xs[ei]!) / 2, (ys[si]! + ys[ei]!) / 2);
    }
  }
  // The closing vertex added for the computation goes again, as in CVAT.
  if (plan.closed) out.length -= 2;
  return out;
}
