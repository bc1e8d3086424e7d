/**
 * A track's shape on any frame, for formats that write tracks frame by frame (CVAT for video,
 * Datumaro). Wraps the annotation model's interpolation (annotations/interpolate.ts), which keys
 * attributes by spec id, so attribute names are numbered here and turned back into names.
 *
 * Which frames a track is written on: every frame where it shows, plus every keyframe of the
 * track or of a skeleton point even where it is hidden (an outside keyframe ends a visible run;
 * readers need it to know where the track stops). Between keyframes nothing changes whether a
 * track shows, so hidden stretches are skipped in one step.
 */
import { indexTrack, shapeAt, type TrackFrame, type TrackIndex } from '../../annotations/interpolate.js';
import type { AttributeValue, ShapeType, TrackedShape } from '../../annotations/types.js';
import type { AttributeMap, DatasetTrack, DatasetTrackShape } from '../model.js';

/** Attribute names numbered for the interpolation, which keys attributes by id. */
export class AttributeIds {
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  values(map: AttributeMap): AttributeValue[] {
    return Object.entries(map).map(([name, value]) => {
      let id = this.ids.get(name);
      if (id === undefined) {
        id = this.names.length;
        this.ids.set(name, id);
        this.names.push(name);
      }
      return { spec_id: id, value };
    });
  }

  map(values: readonly AttributeValue[]): AttributeMap {
    const out: AttributeMap = {};
    for (const v of values) out[this.names[v.spec_id]!] = v.value;
    return out;
  }
}

interface GeometryAt {
  type: ShapeType;
  points: number[];
  rotation: number;
  occluded: boolean;
  outside: boolean;
  z_order: number;
  /** Mutable attributes in effect (the track's own attributes are on the track). */
  attributes: AttributeMap;
  /** Whether this frame is one of this track's (or this point's) keyframes. */
  keyframe: boolean;
}

export interface ElementAt extends GeometryAt {
  /** The skeleton point's label. */
  label: string;
}

export interface TrackShapeAt extends GeometryAt {
  frame: number;
  elements: ElementAt[];
}

function tracked(shapes: readonly DatasetTrackShape[], ids: AttributeIds): TrackedShape[] {
  return shapes.map((s) => ({
    frame: s.frame,
    type: s.type,
    points: s.points,
    rotation: s.rotation,
    occluded: s.occluded,
    outside: s.outside,
    z_order: s.z_order,
    attributes: ids.values(s.attributes),
  }));
}

export class TrackView {
  /** Every keyframe of the track and its points, ascending. */
  readonly keys: readonly number[];
  private readonly keySet: ReadonlySet<number>;
  private readonly own: ReadonlySet<number>;
  private readonly elementKeys: ReadonlyArray<ReadonlySet<number>>;
  private readonly index: TrackIndex;

  constructor(readonly track: DatasetTrack, private readonly ids: AttributeIds) {
    const elements = track.elements ?? [];
    this.index = indexTrack({
      shapes: tracked(track.shapes, ids),
      elements: elements.map((e, i) => ({ label_id: i, shapes: tracked(e.shapes, ids) })),
    });
    this.own = new Set(track.shapes.map((s) => s.frame));
    this.elementKeys = elements.map((e) => new Set(e.shapes.map((s) => s.frame)));
    const all = new Set(this.own);
    for (const e of this.elementKeys) for (const f of e) all.add(f);
    this.keys = [...all].sort((a, b) => a - b);
    this.keySet = all;
  }

  /** The track on `frame` when it is written there (see the module comment), else null. */
  at(frame: number): TrackShapeAt | null {
    const shape = shapeAt(this.index, frame, { includeOutside: this.keySet.has(frame) });
    return shape ? this.convert(shape) : null;
  }

  /** The first keyframe after `frame`. */
  nextKey(frame: number): number | undefined {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.keys[mid]! <= frame) lo = mid + 1;
      else hi = mid;
    }
    return this.keys[lo];
  }

  /** Every frame the track is written on, from its first keyframe through `stop`. */
  *frames(stop: number): Generator<TrackShapeAt> {
    let frame = this.keys[0];
    while (frame !== undefined && frame <= stop) {
      const shape = this.at(frame);
      if (shape) {
        yield shape;
        frame++;
      } else frame = this.nextKey(frame);
    }
  }

  private convert(shape: TrackFrame): TrackShapeAt {
    const elements = this.track.elements ?? [];
    return {
      frame: shape.frame,
      keyframe: this.own.has(shape.frame),
      type: shape.type,
      points: shape.points,
      rotation: shape.rotation,
      occluded: shape.occluded,
      outside: shape.outside,
      z_order: shape.z_order,
      attributes: this.ids.map(shape.attributes),
      elements: shape.elements.map((e) => ({
        label: elements[e.label_id]!.label,
        keyframe: this.elementKeys[e.label_id]!.has(shape.frame),
        type: e.type,
        points: e.points,
        rotation: e.rotation,
        occluded: e.occluded,
        outside: e.outside,
        z_order: e.z_order,
        attributes: this.ids.map(e.attributes),
      })),
    };
  }
}
