/**
 * Geometry between our encodings and Datumaro's: boxes as x, y, w, h; ellipses as their bounding
 * box (x1, y1, x2, y2; ours is center and two corner coordinates, see annotations/types.ts);
 * 2D cuboids as eight [x, y] points in our order.
 */

/** Datumaro's ellipse box from center (cx, cy) and the top-right corner coordinates (rx_x, ry_y). */
export function ellipseToBox(p: readonly number[]): number[] {
  const [cx, cy, right, top] = p as [number, number, number, number];
  return [cx - (right - cx), top, right, cy + (cy - top)];
}

/**
 * The center back from a box. The midpoint of (c - d, c + d) is not always c in floating point;
 * of the doubles next to it, the one that writes the same box again is taken (the shortest when
 * several do), so export, import, export is byte-equal and typical values come back exactly.
 */
function center(low: number, high: number, fromHigh: boolean): number {
  const mid = (low + high) / 2;
  const reproduces = (c: number) => (fromHigh ? c - (high - c) === low : c + (c - low) === high);
  let best = mid;
  let found = reproduces(mid);
  for (const c of neighbours(mid)) {
    if (reproduces(c) && (!found || String(c).length < String(best).length)) {
      best = c;
      found = true;
    }
  }
  return best;
}

function neighbours(x: number): number[] {
  const buf = new DataView(new ArrayBuffer(8));
  const step = (v: number, up: boolean) => {
    if (v === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
    buf.setFloat64(0, v);
    const bits = buf.getBigInt64(0);
    buf.setBigInt64(0, (v > 0) === up ? bits + 1n : bits - 1n);
    return buf.getFloat64(0);
  };
  const out: number[] = [];
  let lo = x, hi = x;
  for (let i = 0; i < 2; i++) {
    lo = step(lo, false);
    hi = step(hi, true);
    out.push(lo, hi);
  }
  return out;
}

export function boxToEllipse(b: readonly number[]): number[] {
  const [x1, y1, x2, y2] = b as [number, number, number, number];
  return [center(x1, x2, true), center(y1, y2, false), x2, y1];
}
