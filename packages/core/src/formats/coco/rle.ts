/**
 * COCO's run-length encoding and CVAT's, and the conversions between them.
 *
 * COCO RLE runs over the whole image in column-major order (down the first column, then the
 * next), alternating background and foreground and starting with background (a leading 0 when
 * the first pixel is set); `size` is [height, width]. CVAT's runs go row-major over the mask's
 * own box, followed by left, top, right, bottom. Between the two we keep masks as "runs": the
 * foreground intervals [start, end) of the column-major pixel index, sorted and disjoint, so a
 * mask costs memory for its box and its runs, never for the whole image.
 */
import { bitmapToCvatMask } from '../mask.js';

/** Flat [start0, end0, start1, end1, ...] foreground intervals of the column-major index. */
export type Runs = number[];

/** COCO counts (background first) to runs; null when they cover more than `total` pixels. */
export function countsToRuns(counts: readonly number[], total: number): Runs | null {
  const runs: Runs = [];
  let pos = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (i % 2 === 1 && c > 0) {
      // A zero-length background run between two foreground runs joins them.
      if (runs.length > 0 && runs[runs.length - 1] === pos) runs[runs.length - 1] = pos + c;
      else runs.push(pos, pos + c);
    }
    pos += c;
  }
  return pos > total ? null : runs;
}

/** Runs to COCO counts covering `total` pixels, as Datumaro's mask_to_rle writes them. */
export function runsToCounts(runs: Runs, total: number): number[] {
  const counts: number[] = [];
  let pos = 0;
  for (let i = 0; i < runs.length; i += 2) {
    counts.push(runs[i]! - pos, runs[i + 1]! - runs[i]!);
    pos = runs[i + 1]!;
  }
  if (pos < total || counts.length === 0) counts.push(total - pos);
  return counts;
}

export function runsArea(runs: Runs): number {
  let area = 0;
  for (let i = 0; i < runs.length; i += 2) area += runs[i + 1]! - runs[i]!;
  return area;
}

/** The union of several masks' runs. */
export function unionRuns(all: readonly Runs[]): Runs {
  const nonEmpty = all.filter((r) => r.length > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0]?.slice() ?? [];
  const pairs: Array<[number, number]> = [];
  for (const r of nonEmpty) for (let i = 0; i < r.length; i += 2) pairs.push([r[i]!, r[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: Runs = [];
  for (const [s, e] of pairs) {
    const last = out.length - 1;
    if (last > 0 && s <= out[last]!) out[last] = Math.max(out[last]!, e);
    else out.push(s, e);
  }
  return out;
}

/**
 * pycocotools' toBbox over COCO counts, quirks included (a foreground run that continues into
 * the next column widens the box to the full height), so boxes of masks match CVAT's.
 */
export function countsBbox(counts: readonly number[], height: number, width: number): [number, number, number, number] {
  const m = Math.floor(counts.length / 2) * 2;
  if (m === 0) return [0, 0, 0, 0];
  let xs = width, ys = height, xe = 0, ye = 0, cc = 0, xp = 0;
  for (let j = 0; j < m; j++) {
    cc += counts[j]!;
    const t = cc - (j % 2);
    const y = t % height;
    const x = (t - y) / height;
    if (j % 2 === 0) xp = x;
    else if (xp < x) {
      ys = 0;
      ye = height - 1;
    }
    xs = Math.min(xs, x);
    xe = Math.max(xe, x);
    ys = Math.min(ys, y);
    ye = Math.max(ye, y);
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}

/**
 * Decodes COCO's compressed counts string (what pycocotools writes for iscrowd masks): each count
 * in 5-bit groups, least significant first, offset by 48 into printable ASCII, bit 0x20 meaning
 * "more groups follow" and bit 0x10 of the last group the sign; from the third count on, each is
 * stored as the difference from the count two places before. Returns an error message on bad input.
 */
export function decodeCountsString(s: string): number[] | string {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0, k = 0, more = true, scale = 1;
    while (more) {
      if (p >= s.length) return 'counts string ends inside a number';
      const code = s.charCodeAt(p) - 48;
      if (code < 0 || code > 63) return `invalid character ${JSON.stringify(s[p])} in counts string at ${p}`;
      x += (code & 0x1f) * scale;
      scale *= 32;
      more = (code & 0x20) !== 0;
      p++;
      k++;
      if (!more && (code & 0x10) !== 0) x -= scale;
      if (k > 10) return `number too long in counts string at ${p}`;
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    if (x < 0 || !Number.isSafeInteger(x)) return `negative count in counts string before ${p}`;
    counts.push(x);
  }
  return counts;
}

/** The inverse of decodeCountsString (pycocotools' rleToString). */
export function encodeCountsString(counts: readonly number[]): string {
  let out = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    let more = true;
    while (more) {
      let c = ((x % 32) + 32) % 32;
      x = Math.floor(x / 32);
      more = (c & 0x10) !== 0 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      out += String.fromCharCode(c + 48);
    }
  }
  return out;
}

/** A CVAT mask's pixels inside the image, as column-major runs over height x width. */
export function cvatMaskToRuns(points: readonly number[], height: number, width: number): Runs {
  const n = points.length - 4;
  if (n < 0) return [];
  const left = Math.round(points[n]!), top = Math.round(points[n + 1]!);
  const boxW = Math.round(points[n + 2]!) - left + 1, boxH = Math.round(points[n + 3]!) - top + 1;
  if (boxW <= 0 || boxH <= 0) return [];
  const box = new Uint8Array(boxW * boxH);
  let pos = 0;
  for (let i = 0; i < n && pos < box.length; i++) {
    const len = Math.min(Math.max(0, Math.round(points[i]!)), box.length - pos);
    if (i % 2 === 1) box.fill(1, pos, pos + len);
    pos += len;
  }
  const runs: Runs = [];
  const x0 = Math.max(left, 0), x1 = Math.min(left + boxW - 1, width - 1);
  const y0 = Math.max(top, 0), y1 = Math.min(top + boxH - 1, height - 1);
  for (let x = x0; x <= x1; x++) {
    for (let y = y0; y <= y1; y++) {
      if (!box[(y - top) * boxW + (x - left)]) continue;
      const idx = x * height + y;
      if (runs.length > 0 && runs[runs.length - 1] === idx) runs[runs.length - 1] = idx + 1;
      else runs.push(idx, idx + 1);
    }
  }
  return runs;
}

/** Column-major runs to a CVAT mask over their tight box; null when no pixel is set. */
export function runsToCvatMask(runs: Runs, height: number): number[] | null {
  if (runs.length === 0 || height <= 0) return null;
  let left = Infinity, right = -1, top = Infinity, bottom = -1;
  for (let i = 0; i < runs.length; i += 2) {
    const s = runs[i]!, e = runs[i + 1]! - 1;
    const xs = Math.floor(s / height), xe = Math.floor(e / height);
    left = Math.min(left, xs);
    right = Math.max(right, xe);
    if (xs === xe) {
      top = Math.min(top, s % height);
      bottom = Math.max(bottom, e % height);
    } else {
      // The run wraps into following columns: it reaches both the bottom and the top row.
      top = Math.min(top, 0);
      bottom = height - 1;
    }
  }
  const boxW = right - left + 1, boxH = bottom - top + 1;
  const data = new Uint8Array(boxW * boxH);
  for (let i = 0; i < runs.length; i += 2) {
    for (let p = runs[i]!; p < runs[i + 1]!; p++) {
      const x = Math.floor(p / height), y = p - x * height;
      data[(y - top) * boxW + (x - left)] = 1;
    }
  }
  const mask = bitmapToCvatMask({ width: boxW, height: boxH, data });
  if (!mask) return null;
  const k = mask.length - 4;
  mask[k] = mask[k]! + left;
  mask[k + 1] = mask[k + 1]! + top;
  mask[k + 2] = mask[k + 2]! + left;
  mask[k + 3] = mask[k + 3]! + top;
  return mask;
}
