/**
 * A track's shape on any frame, as CVAT's server computes it for exports
 * (TrackManager.get_interpolated_shapes and to_shapes in cvat/apps/dataset_manager/annotation.py):
 *
 * - Between two keyframes the shape moves linearly from the earlier to the later one:
 *   rectangles, ellipses, cuboids and skeletons point by point with the rotation taking the
 *   shorter way round; a single point likewise; polygons and polylines along their contours
 *   (contour.ts), so the vertex count may change. Multi-point `points` shapes and masks do not
 *   move: the earlier keyframe holds until the next (CVAT copies it; CVAT has no mask tracks at
 *   all, and holding is what it does after a track's last keyframe).
 * - Everything but the geometry (occluded, outside, z_order) steps: it is the earlier keyframe's.
 * - After an outside keyframe the track is hidden until its next keyframe; after the last
 *   keyframe, if that is visible, the shape stays as it is to the end.
 * - A keyframe's mutable attributes are the ones it sets plus those in effect on the keyframe
 *   before it; frames in between have the earlier keyframe's. The track's own (immutable)
 *   attributes are on the track, not repeated here.
 * - A skeleton's points are tracks of their own; on each frame the skeleton shows, each point
 *   shows as it is on that frame, outside or not, and a skeleton whose points are all outside
 *   is hidden.
 *
 * Keyframes are searched by bisection, so one frame costs O(log K) once a track is indexed.
 */
import { contourAt, planContour, type ContourPlan } from './contour.js';
import { angleDiff } from './rotation.js';
import { assertNever, type AttributeValue, type InterpolatedShape, type TrackedShape } from './types.js';

export interface InterpolatedElement extends InterpolatedShape {
  label_id: number;
}

/** A track's shape on one frame; `elements` holds a skeleton's points (empty for other shapes). */
export interface TrackFrame extends InterpolatedShape {
  elements: InterpolatedElement[];
}

export interface ElementTrackLike {
  label_id: number;
  shapes: readonly TrackedShape[];
}

/** LabeledTrack, SubTrack or anything else with keyframes. */
export interface TrackLike {
  shapes: readonly TrackedShape[];
  elements?: readonly ElementTrackLike[];
}

/**
 * Which hidden frames to return: false, only frames where the track is visible; 'keyframes',
 * also its outside keyframes, which end visible runs (what CVAT's exports list); true, every
 * frame from the first keyframe on, hidden ones with outside set (CVAT's include_outside).
 */
export type OutsideMode = boolean | 'keyframes';

export interface InterpolateOptions {
  /** First and last frame wanted, inclusive. */
  startFrame: number;
  stopFrame: number;
  includeOutside?: OutsideMode;
}

type Segment = { kind: 'hold' } | { kind: 'linear'; diff: Float64Array; turn: number } | { kind: 'contour'; plan: ContourPlan };

const HOLD: Segment = { kind: 'hold' };

function linear(a: TrackedShape, b: TrackedShape): Segment {
  if (a.points.length !== b.points.length) return HOLD;
  const diff = new Float64Array(a.points.length);
  for (let i = 0; i < diff.length; i++) diff[i] = b.points[i]! - a.points[i]!;
  return { kind: 'linear', diff, turn: angleDiff(b.rotation, a.rotation) };
}

function segmentBetween(a: TrackedShape, b: TrackedShape): Segment {
  // Keyframes of different types are invalid; CVAT raises, holding is the harmless answer.
  if (a.type !== b.type) return HOLD;
  switch (a.type) {
    case 'rectangle':
    case 'ellipse':
    case 'cuboid':
    case 'skeleton':
      return linear(a, b);
    case 'points':
      return a.points.length === 2 && b.points.length === 2 ? linear(a, b) : HOLD;
    case 'polygon':
    case 'polyline':
      return a.points.length >= 2 && b.points.length >= 2 ? { kind: 'contour', plan: planContour(a.points, b.points, a.type === 'polygon') } : HOLD;
    case 'mask':
      return HOLD;
    default:
      return assertNever(a.type, 'shape type');
  }
}

function withInherited(own: readonly AttributeValue[], previous: readonly AttributeValue[]): AttributeValue[] {
  const have = new Set(own.map((a) => a.spec_id));
  return [...own, ...previous.filter((a) => !have.has(a.spec_id))];
}

/** A track prepared for lookups: keyframes in frame order with the attributes in effect at each. */
export class TrackIndex {
  readonly frames: readonly number[];
  readonly elements: ReadonlyArray<{ label_id: number; index: TrackIndex }>;
  private readonly keys: readonly TrackedShape[];
  private readonly attributes: readonly AttributeValue[][];
  private readonly segments: Array<Segment | undefined>;

  constructor(track: TrackLike) {
    this.keys = [...track.shapes].sort((a, b) => a.frame - b.frame);
    this.frames = this.keys.map((k) => k.frame);
    const attributes: AttributeValue[][] = [];
    this.keys.forEach((k, i) => attributes.push(withInherited(k.attributes, attributes[i - 1] ?? [])));
    this.attributes = attributes;
    this.segments = new Array<Segment | undefined>(Math.max(0, this.keys.length - 1));
    this.elements = (track.elements ?? []).map((e) => ({ label_id: e.label_id, index: new TrackIndex(e) }));
  }

  /** Position of the last keyframe at or before `frame`; -1 before the first. */
  keyAt(frame: number): number {
    let lo = 0;
    let hi = this.frames.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.frames[mid]! <= frame) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  isOutside(k: number): boolean {
    return this.keys[k]!.outside;
  }

  /** Points and rotation on `frame`, from keyframe `k` (keyAt(frame)). */
  private geometry(k: number, frame: number): { points: number[]; rotation: number } {
    const key = this.keys[k]!;
    const next = this.keys[k + 1];
    if (frame === key.frame || !next) return { points: key.points.slice(), rotation: key.rotation };
    const segment = (this.segments[k] ??= segmentBetween(key, next));
    const t = (frame - key.frame) / (next.frame - key.frame);
    switch (segment.kind) {
      case 'hold':
        return { points: key.points.slice(), rotation: key.rotation };
      case 'linear': {
        const { diff } = segment;
        const points = new Array<number>(diff.length);
        for (let i = 0; i < diff.length; i++) points[i] = key.points[i]! + diff[i]! * t;
        return { points, rotation: (key.rotation + segment.turn * t + 360) % 360 };
      }
      case 'contour':
        return { points: contourAt(segment.plan, t), rotation: key.rotation };
      default:
        return assertNever(segment, 'segment');
    }
  }

  private attributesAt(k: number): AttributeValue[] {
    const source = this.attributes[k]!;
    const out = new Array<AttributeValue>(source.length);
    for (let i = 0; i < source.length; i++) out[i] = { spec_id: source[i]!.spec_id, value: source[i]!.value };
    return out;
  }

  /** A skeleton's point on `frame`, from its keyframe `k` (keyAt(frame)), hidden or not. */
  elementAt(k: number, frame: number, label_id: number): InterpolatedElement {
    const key = this.keys[k]!;
    const { points, rotation } = this.geometry(k, frame);
    return {
      label_id,
      frame,
      keyframe: frame === key.frame,
      type: key.type,
      points,
      rotation,
      occluded: key.occluded,
      outside: key.outside,
      z_order: key.z_order,
      attributes: this.attributesAt(k),
    };
  }

  /** The shape on `frame` from keyframe `k` (keyAt(frame)), hidden or not, with the skeleton's points. */
  frameAt(k: number, frame: number, elements: InterpolatedElement[]): TrackFrame {
    const key = this.keys[k]!;
    const { points, rotation } = this.geometry(k, frame);
    return {
      frame,
      keyframe: frame === key.frame,
      type: key.type,
      points,
      rotation,
      occluded: key.occluded,
      outside: key.outside,
      z_order: key.z_order,
      attributes: this.attributesAt(k),
      elements,
    };
  }
}

interface CacheEntry {
  shapes: readonly TrackedShape[];
  count: number;
  elements: TrackLike['elements'];
  index: TrackIndex;
}

const indexes = new WeakMap<TrackLike, CacheEntry>();

/**
 * The index of a track, built once per track object and kept while the object lives. A track
 * is read as a value: replace it (or its shapes array) to change it; an edit in place that keeps
 * the same arrays and keyframe count goes unseen.
 */
export function indexTrack(track: TrackLike | TrackIndex): TrackIndex {
  if (track instanceof TrackIndex) return track;
  const hit = indexes.get(track);
  if (hit && hit.shapes === track.shapes && hit.count === track.shapes.length && hit.elements === track.elements) return hit.index;
  const index = new TrackIndex(track);
  indexes.set(track, { shapes: track.shapes, count: track.shapes.length, elements: track.elements, index });
  return index;
}

function visibleFrame(index: TrackIndex, k: number, frame: number, mode: OutsideMode): TrackFrame | null {
  if (index.isOutside(k) && mode !== true && !(mode === 'keyframes' && index.frames[k] === frame)) return null;
  const elements: InterpolatedElement[] = [];
  let shown = false;
  for (const e of index.elements) {
    const ek = e.index.keyAt(frame);
    if (ek < 0) continue;
    const element = e.index.elementAt(ek, frame, e.label_id);
    shown ||= !element.outside;
    elements.push(element);
  }
  if (mode !== true && elements.length > 0 && !shown) return null;
  return index.frameAt(k, frame, elements);
}

/** The track on one frame, or null where it does not exist or, unless asked for, is hidden. */
export function shapeAt(track: TrackLike | TrackIndex, frame: number, options: { includeOutside?: OutsideMode } = {}): TrackFrame | null {
  const index = indexTrack(track);
  const k = index.keyAt(frame);
  return k < 0 ? null : visibleFrame(index, k, frame, options.includeOutside ?? false);
}

/** The track on every frame of startFrame..stopFrame where it shows (see OutsideMode), in frame order. */
export function interpolateTrack(track: TrackLike | TrackIndex, options: InterpolateOptions): TrackFrame[] {
  const index = indexTrack(track);
  const mode = options.includeOutside ?? false;
  const { frames } = index;
  const out: TrackFrame[] = [];
  if (frames.length === 0) return out;
  let frame = Math.max(options.startFrame, frames[0]!);
  let k = index.keyAt(frame);
  while (frame <= options.stopFrame) {
    while (k + 1 < frames.length && frames[k + 1]! <= frame) k++;
    const shape = visibleFrame(index, k, frame, mode);
    if (shape) out.push(shape);
    // A hidden stretch shows nothing until the next keyframe: skip it rather than walk it.
    if (index.isOutside(k) && mode !== true) {
      if (k + 1 >= frames.length) break;
      frame = Math.max(frame + 1, frames[k + 1]!);
    } else frame++;
  }
  return out;
}
