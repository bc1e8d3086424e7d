/**
 * Masks between CVAT's encoding (run lengths over the mask's bounding box, then left, top,
 * right, bottom) and full-image bitmaps, which raster formats (VOC, COCO RLE, Cityscapes...)
 * read and write. Bitmaps are one byte per pixel, non-zero = foreground.
 */

export interface Bitmap {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Paints a CVAT mask into a new image-sized bitmap; pixels outside the image are clipped. */
export function cvatMaskToBitmap(points: readonly number[], width: number, height: number): Bitmap {
  const data = new Uint8Array(width * height);
  paintCvatMask(points, data, width, height, 1);
  return { width, height, data };
}

/** Writes `value` into `target` (image-sized, row-major) wherever the CVAT mask is set. */
export function paintCvatMask(points: readonly number[], target: Uint8Array, width: number, height: number, value: number): void {
  const n = points.length - 4;
  if (n < 0) return;
  const left = Math.round(points[n]!), top = Math.round(points[n + 1]!);
  const boxW = Math.round(points[n + 2]!) - left + 1, boxH = Math.round(points[n + 3]!) - top + 1;
  if (boxW <= 0 || boxH <= 0) return;
  const total = boxW * boxH;
  let pos = 0;
  for (let i = 0; i < n && pos < total; i++) {
    const len = Math.min(Math.max(0, Math.round(points[i]!)), total - pos);
    if (i % 2 === 1) {
      for (let p = pos; p < pos + len; p++) {
        const y = top + Math.floor(p / boxW), x = left + (p % boxW);
        if (x >= 0 && y >= 0 && x < width && y < height) target[y * width + x] = value;
      }
    }
    pos += len;
  }
}

/**
 * Encodes the pixels of `bitmap` equal to `value` (or, without one, every non-zero pixel) as a
 * CVAT mask over their tight bounding box; null when no pixel is set.
 */
export function bitmapToCvatMask(bitmap: Bitmap, value?: number): number[] | null {
  const { width, height, data } = bitmap;
  const on = value === undefined ? (v: number) => v !== 0 : (v: number) => v === value;
  let left = width, top = height, right = -1, bottom = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (on(data[row + x]!)) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        bottom = y;
      }
    }
  }
  if (right < 0) return null;
  const runs: number[] = [];
  let current = false, run = 0;
  for (let y = top; y <= bottom; y++) {
    const row = y * width;
    for (let x = left; x <= right; x++) {
      const v = on(data[row + x]!);
      if (v === current) run++;
      else {
        runs.push(run);
        current = v;
        run = 1;
      }
    }
  }
  runs.push(run);
  return [...runs, left, top, right, bottom];
}

/** The distinct non-zero values of a bitmap, ascending (class or instance ids of a mask PNG). */
export function bitmapValues(bitmap: Bitmap): number[] {
  const seen = new Uint8Array(256);
  for (const v of bitmap.data) seen[v] = 1;
  const out: number[] = [];
  for (let v = 1; v < 256; v++) if (seen[v]) out.push(v);
  return out;
}
