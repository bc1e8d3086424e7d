/**
 * One job's share of annotations written to a whole task, as CVAT splits them when a client
 * writes to the task (PUT /api/tasks/{id}/annotations, PATCH ?action=create): task.py
 * TaskAnnotation._patch_data gives each job AnnotationIR.slice(start, stop) of the data
 * (cvat/apps/dataset_manager/annotation.py: slice, _is_shape_inside, _is_track_inside,
 * _slice_track). mergeSegments (merge.ts) is the way back.
 *
 * - Tags and shapes on frames start..stop, inclusive; with overlapping segments an object on a
 *   shared frame goes to every job that has the frame.
 * - Tracks are clipped to the range. Their keyframes in the range are kept. A track visible at
 *   `start` without a keyframe there gets its interpolated shape there as a keyframe (mutable
 *   attributes as in effect on that frame). A track hidden at `start` loses the outside keyframes
 *   that open the range. A track visible at `stop` that has a keyframe after it gets its
 *   interpolated shape at `stop` as a (visible) keyframe, unless that shape has the geometry of
 *   the keyframe before; CVAT adds no outside keyframe: the job's copy is ended at the seam when
 *   the task's annotations are merged again (mergeSegments closes it at the next job's start).
 *   A track with no visible frame in the range is left out.
 * - A skeleton track is present when its own keyframes say so (CVAT's _is_track_inside reads
 *   the parent only); each element is clipped by the same rules on its own keyframes.
 *
 * Where this differs from CVAT's _slice_track (read at cvat-ai/cvat 4c4f6b5, 2023), each time
 * because CVAT's result is a track that shows something else than the task did, or an invalid one:
 * - CVAT drops the outside keyframes that open the range even when it then inserts the shape at
 *   `start`, so a track visible at `start`, hidden a while and visible again in the range comes
 *   out visible all the way; here those keyframes stay.
 * - A track hidden from an outside keyframe in the range on, after a visible keyframe in the
 *   range, gets that outside keyframe twice from CVAT when it also has keyframes out of the range
 *   (cvat-ai/cvat#8411: exports then fail on CVAT's keyframe order assertion); here once.
 * - CVAT skips the keyframe at `stop` when its points equal the previous keyframe's, so a box
 *   turning in place would stop turning in the job; here the rotation is compared as well.
 * - CVAT keeps an element with no keyframe left (a skeleton point CVAT's UI cannot load,
 *   cvat-ai/cvat#8183); here it is left out, which shows the same (a missing point is an outside
 *   one), and a skeleton left with no element is left out as a whole.
 * Masks hold between keyframes (interpolate.ts); CVAT has no mask tracks to slice.
 */
import { TrackIndex, shapeAt } from './interpolate.js';
import type {
  Annotations,
  AttributeValue,
  InterpolatedShape,
  LabeledShape,
  LabeledTag,
  LabeledTrack,
  SubShape,
  SubTrack,
  TrackedShape,
} from './types.js';

/**
 * The part of `data` that belongs to a job on frames start..stop (inclusive), in the order of
 * `data`. Everything returned is a new object without ids: the job stores them as its own.
 * Tracks in `data` may list keyframes in any order; the result lists them by frame.
 */
export function sliceAnnotations(
  data: Omit<Annotations, 'version'>,
  start: number,
  stop: number,
): Omit<Annotations, 'version'> {
  if (!Number.isInteger(start) || !Number.isInteger(stop) || stop < start) {
    throw new RangeError(`not a segment: frames ${start}..${stop}`);
  }
  const inRange = (o: { frame: number }) => start <= o.frame && o.frame <= stop;
  const tracks: LabeledTrack[] = [];
  for (const t of data.tracks) {
    const sliced = sliceTrack(t, start, stop);
    if (sliced) tracks.push(sliced);
  }
  return {
    tags: data.tags.filter(inRange).map(copyTag),
    shapes: data.shapes.filter(inRange).map(copyShape),
    tracks,
  };
}

function copyAttributes(attributes: readonly AttributeValue[]): AttributeValue[] {
  return attributes.map((a) => ({ ...a }));
}

function copyTag(t: LabeledTag): LabeledTag {
  const out = { ...t, attributes: copyAttributes(t.attributes) };
  delete out.id;
  return out;
}

function copySubShape(s: SubShape): SubShape {
  const out = { ...s, points: [...s.points], attributes: copyAttributes(s.attributes) };
  delete out.id;
  return out;
}

function copyShape(s: LabeledShape): LabeledShape {
  const out = {
    ...s,
    points: [...s.points],
    attributes: copyAttributes(s.attributes),
    elements: (s.elements ?? []).map(copySubShape),
  };
  delete out.id;
  return out;
}

function copyKeyframe(k: TrackedShape): TrackedShape {
  const out = { ...k, points: [...k.points], attributes: copyAttributes(k.attributes) };
  delete out.id;
  return out;
}

/** An interpolated frame made a keyframe; shapeAt's copies are already the caller's own. */
function asKeyframe(s: InterpolatedShape): TrackedShape {
  return {
    frame: s.frame,
    type: s.type,
    points: s.points,
    rotation: s.rotation,
    occluded: s.occluded,
    outside: s.outside,
    z_order: s.z_order,
    attributes: s.attributes,
  };
}

function sameGeometry(a: Pick<TrackedShape, 'points' | 'rotation'>, b: Pick<TrackedShape, 'points' | 'rotation'>): boolean {
  return a.rotation === b.rotation && a.points.length === b.points.length && a.points.every((v, i) => v === b.points[i]);
}

/** A track's keyframes for the job (see the top of the file); empty when it shows nothing there. */
function clipKeyframes(shapes: readonly TrackedShape[], start: number, stop: number): TrackedShape[] {
  const sorted = [...shapes].sort((a, b) => a.frame - b.frame);
  const last = sorted[sorted.length - 1];
  if (!last) return [];
  // The keyframes alone: for a skeleton's own keyframes its points must not hide it here, since
  // CVAT decides a skeleton's presence on the parent's keyframes.
  const index = new TrackIndex({ shapes: sorted });
  const kept = sorted.filter((k) => start <= k.frame && k.frame <= stop).map(copyKeyframe);
  const out: TrackedShape[] = [];
  const atStart = shapeAt(index, start);
  if (atStart && !atStart.keyframe) {
    out.push(asKeyframe(atStart), ...kept);
  } else {
    // Hidden at start: outside keyframes before its first visible one only repeat that.
    const firstVisible = kept.findIndex((k) => !k.outside);
    if (firstVisible < 0) return [];
    out.push(...kept.slice(firstVisible));
  }
  if (last.frame > stop) {
    const atStop = shapeAt(index, stop);
    // Without it the job would hold the previous keyframe up to stop instead of moving on
    // towards the keyframe past the range, which the job does not have.
    if (atStop && !atStop.keyframe && !sameGeometry(atStop, out[out.length - 1]!)) out.push(asKeyframe(atStop));
  }
  return out;
}

function sliceTrack(t: LabeledTrack, start: number, stop: number): LabeledTrack | null {
  const shapes = clipKeyframes(t.shapes, start, stop);
  if (shapes.length === 0) return null;
  const source = t.elements ?? [];
  const elements: SubTrack[] = [];
  for (const e of source) {
    const es = clipKeyframes(e.shapes, start, stop);
    if (es.length === 0) continue;
    const element = { ...e, frame: es[0]!.frame, attributes: copyAttributes(e.attributes), shapes: es };
    delete element.id;
    elements.push(element);
  }
  // A skeleton none of whose points shows in the range shows nothing there.
  if (source.length > 0 && elements.length === 0) return null;
  const out = { ...t, frame: shapes[0]!.frame, attributes: copyAttributes(t.attributes), shapes, elements };
  delete out.id;
  return out;
}
