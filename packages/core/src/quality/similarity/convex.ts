/**
 * Area IoU of convex polygons (turned boxes, ellipses as inscribed polygons) by clipping one
 * with each edge of the other (Sutherland-Hodgman), O(n·m) with no allocation per step: for
 * these shapes several times cheaper than the general polygon intersection in geometry.ts,
 * and exact up to rounding all the same.
 */

function signedArea2(p: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) s += p[2 * j]! * p[2 * i + 1]! - p[2 * i]! * p[2 * j + 1]!;
  return s;
}

let bufA = new Float64Array(256);
let bufB = new Float64Array(256);

/** Area shared by two convex polygons [x0, y0, x1, y1, ...], either orientation. */
export function convexIntersectionArea(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = a.length >> 1, nb = b.length >> 1;
  if (na < 3 || nb < 3) return 0;
  const cap = 2 * (na + nb + 2);
  if (bufA.length < cap) {
    bufA = new Float64Array(cap);
    bufB = new Float64Array(cap);
  }
  let src = bufA, dst = bufB;
  for (let i = 0; i < 2 * na; i++) src[i] = a[i]!;
  let n = na;
  // Keep the side of each clipping edge where b's interior lies.
  const sign = signedArea2(b, nb) >= 0 ? 1 : -1;
  for (let e = 0; e < nb && n > 0; e++) {
    const e1 = (e + 1) % nb;
    const ex = b[2 * e]!, ey = b[2 * e + 1]!;
    const dx = b[2 * e1]! - ex, dy = b[2 * e1 + 1]! - ey;
    let m = 0;
    let px = src[2 * (n - 1)]!, py = src[2 * (n - 1) + 1]!;
    let pd = sign * (dx * (py - ey) - dy * (px - ex));
    for (let i = 0; i < n; i++) {
      const cx = src[2 * i]!, cy = src[2 * i + 1]!;
      const cd = sign * (dx * (cy - ey) - dy * (cx - ex));
      if (cd >= 0) {
        if (pd < 0) {
          const t = pd / (pd - cd);
          dst[2 * m] = px + t * (cx - px);
          dst[2 * m + 1] = py + t * (cy - py);
          m++;
        }
        dst[2 * m] = cx;
        dst[2 * m + 1] = cy;
        m++;
      } else if (pd >= 0) {
        const t = pd / (pd - cd);
        dst[2 * m] = px + t * (cx - px);
        dst[2 * m + 1] = py + t * (cy - py);
        m++;
      }
      px = cx;
      py = cy;
      pd = cd;
    }
    const t = src;
    src = dst;
    dst = t;
    n = m;
  }
  return n < 3 ? 0 : Math.abs(signedArea2(src, n)) / 2;
}

/** IoU of two convex polygons; 0 when either has no area. */
export function convexIoU(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const areaA = Math.abs(signedArea2(a, a.length >> 1)) / 2, areaB = Math.abs(signedArea2(b, b.length >> 1)) / 2;
  if (areaA === 0 || areaB === 0) return 0;
  const inter = Math.min(convexIntersectionArea(a, b), areaA, areaB);
  return inter / (areaA + areaB - inter);
}
