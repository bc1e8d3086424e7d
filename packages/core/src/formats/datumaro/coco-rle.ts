/**
 * Masks between CVAT's encoding (run lengths over the mask's box, then left, top, right, bottom)
 * and COCO's compressed RLE, which Datumaro stores: run lengths over the whole image in
 * column-major order, delta-coded from the second-previous run and packed five bits a character
 * (pycocotools rleToString / rleFrString).
 */
import { bitmapToCvatMask } from '../mask.js';

export interface CocoRle {
  counts: string;
  /** [height, width] */
  size: [number, number];
}

export function encodeCounts(counts: readonly number[]): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    for (let more = true; more;) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

/** Null when the string is not a valid encoding. */
export function decodeCounts(s: string): number[] | null {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    for (let more = true; more;) {
      if (p >= s.length || k > 6) return null;
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) return null;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      // Sign extension; past 32 bits the int already carries it.
      if (!more && c & 0x10 && k < 7) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    if (x < 0) return null;
    counts.push(x);
  }
  return counts;
}

/**
 * A CVAT mask as COCO RLE over a width x height image. Pixels outside the image are cut off;
 * `clipped` says whether any were.
 */
export function cvatMaskToCoco(points: readonly number[], width: number, height: number): { rle: CocoRle; clipped: boolean } {
  const n = points.length - 4;
  const left = Math.round(points[n]!), top = Math.round(points[n + 1]!);
  const bw = Math.round(points[n + 2]!) - left + 1, bh = Math.round(points[n + 3]!) - top + 1;
  const box = new Uint8Array(Math.max(0, bw * bh));
  let pos = 0;
  for (let i = 0; i < n && pos < box.length; i++) {
    const len = Math.min(Math.max(0, Math.round(points[i]!)), box.length - pos);
    if (i % 2 === 1) box.fill(1, pos, pos + len);
    pos += len;
  }
  let clipped = false;
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  const add = (v: number, len: number) => {
    if (v === value) run += len;
    else {
      counts.push(run);
      value = v;
      run = len;
    }
  };
  for (let x = 0; x < width; x++) {
    const bx = x - left;
    if (bx < 0 || bx >= bw) {
      add(0, height);
      continue;
    }
    for (let y = 0; y < height; y++) {
      const by = y - top;
      add(by >= 0 && by < bh ? box[by * bw + bx]! : 0, 1);
    }
  }
  counts.push(run);
  for (let by = 0; by < bh && !clipped; by++) {
    for (let bx = 0; bx < bw; bx++) {
      const x = left + bx, y = top + by;
      if (box[by * bw + bx] && (x < 0 || y < 0 || x >= width || y >= height)) {
        clipped = true;
        break;
      }
    }
  }
  return { rle: { counts: encodeCounts(counts), size: [height, width] }, clipped };
}

/** COCO run lengths (column-major over height x width) as a CVAT mask; null when no pixel is set. */
export function cocoCountsToCvat(counts: readonly number[], height: number, width: number): number[] | null {
  const data = new Uint8Array(width * height);
  let idx = 0;
  counts.forEach((len, i) => {
    if (i % 2 === 1) {
      for (let j = idx; j < idx + len; j++) data[(j % height) * width + Math.floor(j / height)] = 1;
    }
    idx += len;
  });
  return bitmapToCvatMask({ width, height, data });
}
