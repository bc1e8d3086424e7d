/**
 * Tracks rebuilt from shapes seen frame by frame (Datumaro, MOT), as CVAT's importers do
 * (bindings.py _validate_track_shapes, mot.py): a shape is a keyframe when marked so or when the
 * track appears or disappears there; a visible run that stops before the next shape, or before
 * the last frame, ends with an outside keyframe on the frame after it.
 */
import type { DatasetTrackShape } from '../model.js';

export function inferKeyframes(shapes: readonly DatasetTrackShape[], lastFrame: number): DatasetTrackShape[] {
  const out: DatasetTrackShape[] = [];
  const hide = (s: DatasetTrackShape, frame: number): DatasetTrackShape => ({ ...s, attributes: { ...s.attributes }, outside: true, keyframe: true, frame });
  let prev: DatasetTrackShape | undefined;
  for (const s of shapes) {
    if (prev && s.frame === prev.frame) continue;
    const prevVisible = prev !== undefined && !prev.outside;
    const visible = !s.outside;
    const gap = prevVisible && prev!.frame + 1 < s.frame;
    if (gap) out.push(hide(prev!, prev!.frame + 1));
    // Beyond CVAT: an outside shape marked as a keyframe is kept (our exports write them).
    if (prev === undefined || prevVisible !== visible || s.keyframe || gap) out.push({ ...s, keyframe: true });
    prev = s;
  }
  if (prev && !prev.outside && prev.frame + 1 <= lastFrame) out.push(hide(prev, prev.frame + 1));
  return out;
}
