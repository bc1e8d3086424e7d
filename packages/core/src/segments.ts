/**
 * How a task's frames are cut into segments (one job each). Pure and shared: the server creates
 * jobs with it and the browser can show the layout before a task is created.
 */
export interface SegmentRange {
  start: number;
  stop: number;
}

/**
 * Segments of `size` frames (inclusive ranges over 0..frameCount-1), consecutive ones sharing
 * `overlap` frames, as CVAT cuts them. A size of 0 (or one not below frameCount) gives one segment.
 * The tail is merged into the last segment when it would be no longer than the overlap, since
 * such a job would hold only frames another job already has.
 */
export function splitIntoSegments(frameCount: number, size: number, overlap: number): SegmentRange[] {
  if (frameCount <= 0) return [];
  const segSize = size > 0 && size < frameCount ? size : frameCount;
  const ov = Math.max(0, Math.min(overlap, segSize - 1));
  const step = segSize - ov;
  const out: SegmentRange[] = [];
  for (let start = 0; start < frameCount; start += step) {
    const stop = Math.min(start + segSize - 1, frameCount - 1);
    out.push({ start, stop });
    if (stop === frameCount - 1) break;
  }
  return out;
}

/** CVAT's default overlap: 5 frames for video (interpolation mode), none for images. */
export function defaultOverlap(mediaType: 'image' | 'video', segmentSize: number): number {
  if (mediaType !== 'video') return 0;
  return Math.max(0, Math.min(5, segmentSize > 0 ? Math.floor(segmentSize / 2) : 5));
}
