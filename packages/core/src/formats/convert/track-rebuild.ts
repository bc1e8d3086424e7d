/**
 * A track's keyframes from its shape on each frame it was written on (formats that flatten
 * tracks: COCO, YOLO, LabelMe...), as CVAT's importer rebuilds them
 * (bindings.py import_dm_annotations, _validate_track_shapes), frames being consecutive task
 * frame numbers:
 *
 * - The first shape is a keyframe. After it a shape is a keyframe where the track appears or
 *   disappears, where it reappears after frames it was not written on, and where it is visible
 *   and marked as a keyframe. Other shapes are frames the interpolation gives back.
 * - A visible shape followed by frames the track is not written on gets an outside keyframe on
 *   the frame after it (a copy of it), so the track stops there; so does the last shape when the
 *   task has frames after it.
 *
 * One difference, so our own exports come back exactly: a shape outside and marked as a keyframe
 * stays a keyframe after another outside one (CVAT keeps only visible marked shapes; a skeleton's
 * point may be hidden at two keyframes in a row with different attributes).
 */
export interface SeenShape {
  frame: number;
  outside: boolean;
  keyframe: boolean;
}

export function inferKeyframes<T extends SeenShape>(seen: readonly T[], lastFrame: number, hide: (shape: T, frame: number) => T): T[] {
  const out: T[] = [];
  let prev: T | undefined;
  for (const s of seen) {
    const prevVisible = prev !== undefined && !prev.outside;
    const gap = prevVisible && prev!.frame + 1 < s.frame;
    if (gap) out.push(hide(prev!, prev!.frame + 1));
    if (prev === undefined || prevVisible === s.outside || s.keyframe || gap) out.push(s);
    prev = s;
  }
  if (prev && !prev.outside && prev.frame + 1 <= lastFrame) out.push(hide(prev, prev.frame + 1));
  return out;
}
