/** Frame selection: CVAT's start_frame / stop_frame / frame_filter ("step=N"). */
export interface FrameSelection {
  start: number;
  /** Inclusive; undefined means the last frame. */
  stop?: number;
  step: number;
}

/** Parses CVAT's frame_filter; '' means every frame. Returns null when the text is not valid. */
export function parseFrameFilter(filter: string): number | null {
  const text = filter.trim();
  if (text === '') return 1;
  const m = /^step\s*=\s*(\d+)$/.exec(text);
  if (!m) return null;
  const step = Number(m[1]);
  return step >= 1 ? step : null;
}

/** Indexes (into the source media, 0-based) of the frames a selection keeps. */
export function selectFrames(total: number, sel: FrameSelection): number[] {
  const stop = Math.min(sel.stop ?? total - 1, total - 1);
  const out: number[] = [];
  for (let i = Math.max(0, sel.start); i <= stop; i += sel.step) out.push(i);
  return out;
}
