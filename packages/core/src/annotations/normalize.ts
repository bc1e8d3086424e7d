/**
 * Valid submitted annotations as the complete objects the server stores: CVAT's defaults for
 * what was left out, keyframes in frame order, and a track's frame on its first keyframe.
 */
import type {
  AnnotationsInput,
  ObjectInput,
  ShapeInput,
  SubShapeInput,
  SubTrackInput,
  TrackedShapeInput,
  TrackInput,
} from './input.js';
import { isInt } from './input.js';
import { normalizeRotation } from './rotation.js';
import type { ValidationMode } from './fields.js';
import type { Problem } from './problem.js';
import { validateAnnotations, type ValidationContext } from './validate.js';
import type {
  Annotations,
  AttributeValue,
  LabeledShape,
  LabeledTag,
  LabeledTrack,
  ObjectCommon,
  SubShape,
  SubTrack,
  TrackedShape,
} from './types.js';

export interface NormalizeOptions {
  /** 'create' (the default) drops ids so the store assigns new ones, as CVAT does on create and PUT. */
  mode?: ValidationMode;
}

function attributes(list: readonly AttributeValue[] | undefined): AttributeValue[] {
  return (list ?? []).map((a) => ({ spec_id: a.spec_id, value: a.value }));
}

/** What an element takes from its skeleton when it leaves a field out (CVAT's UI always copies these). */
interface Inherited {
  group: number;
  source: ObjectCommon['source'];
  z_order: number;
}

const ROOT: Inherited = { group: 0, source: 'manual', z_order: 0 };

/*
 * The objects below are built as literals with every field named, not by spreading partial
 * objects together: spreads built each shape in V8's slow dictionary form and made normalizing a
 * million shapes take 4 s (plus as much again in garbage collection), against a fraction so.
 * An id is added last, where kept.
 */

function withId<T extends { id?: number }>(out: T, o: { id?: number | null }, keepIds: boolean): T {
  if (keepIds && isInt(o.id)) out.id = o.id;
  return out;
}

function common(o: ObjectInput, keepIds: boolean, frame: number, from: Inherited): ObjectCommon {
  const out: ObjectCommon = {
    frame,
    label_id: o.label_id,
    group: o.group ?? from.group,
    source: o.source ?? from.source,
    attributes: attributes(o.attributes),
  };
  return withId(out, o, keepIds);
}

function subShape(e: SubShapeInput, keepIds: boolean, parent: LabeledShape): SubShape {
  return withId(shapeFields(e, parent.frame, parent), e, keepIds);
}

/** A shape's fields, without an id or skeleton elements. */
function shapeFields(s: ShapeInput | SubShapeInput, frame: number, from: Inherited): SubShape {
  return {
    frame,
    label_id: s.label_id,
    group: s.group ?? from.group,
    source: s.source ?? from.source,
    attributes: attributes(s.attributes),
    type: s.type,
    points: s.type === 'skeleton' ? [] : [...(s.points ?? [])],
    rotation: normalizeRotation(s.rotation ?? 0),
    occluded: s.occluded ?? false,
    outside: s.outside ?? false,
    z_order: s.z_order ?? from.z_order,
    score: s.score ?? 1,
  };
}

function shape(s: ShapeInput, keepIds: boolean): LabeledShape {
  const out: LabeledShape = withId(shapeFields(s, s.frame, ROOT), s, keepIds) as LabeledShape;
  out.elements = s.type === 'skeleton' ? (s.elements ?? []).map((e) => subShape(e, keepIds, out)) : [];
  return out;
}

function trackedShape(s: TrackedShapeInput, keepIds: boolean): TrackedShape {
  const out: TrackedShape = {
    frame: s.frame,
    attributes: attributes(s.attributes),
    type: s.type,
    points: s.type === 'skeleton' ? [] : [...(s.points ?? [])],
    rotation: normalizeRotation(s.rotation ?? 0),
    occluded: s.occluded ?? false,
    outside: s.outside ?? false,
    z_order: s.z_order ?? 0,
  };
  return withId(out, s, keepIds);
}

function keyframes(shapes: readonly TrackedShapeInput[], keepIds: boolean): TrackedShape[] {
  return shapes.map((s) => trackedShape(s, keepIds)).sort((a, b) => a.frame - b.frame);
}

function subTrack(e: SubTrackInput, keepIds: boolean, parent: Inherited): SubTrack {
  const shapes = keyframes(e.shapes, keepIds);
  return { ...common(e, keepIds, shapes[0]?.frame ?? e.frame, parent), shapes };
}

/**
 * A skeleton's points start where the skeleton does (CVAT's JobAnnotation._sync_frames): the
 * skeleton's first keyframe moves back to the earliest point keyframe, and a point whose track
 * starts later gets an outside keyframe there, a copy of its first one, so every point exists
 * on every frame of the skeleton.
 */
function syncSkeleton(track: LabeledTrack): void {
  const first = track.shapes[0];
  if (!first) return;
  const earliest = Math.min(first.frame, ...track.elements.map((e) => e.shapes[0]?.frame ?? Infinity));
  first.frame = earliest;
  track.frame = earliest;
  for (const e of track.elements) {
    e.frame = earliest;
    const head = e.shapes[0];
    if (head && head.frame > earliest) {
      const { id: _id, ...copy } = head;
      e.shapes.unshift({ ...copy, frame: earliest, outside: true, points: [...copy.points], attributes: attributes(copy.attributes) });
    }
  }
}

function track(t: TrackInput, keepIds: boolean): LabeledTrack {
  const shapes = keyframes(t.shapes, keepIds);
  const out: LabeledTrack = { ...common(t, keepIds, shapes[0]?.frame ?? t.frame, ROOT), shapes, elements: [] };
  if (shapes[0]?.type === 'skeleton') {
    const inherited: Inherited = { group: out.group, source: out.source, z_order: 0 };
    out.elements = (t.elements ?? []).map((e) => subTrack(e, keepIds, inherited));
    syncSkeleton(out);
  }
  return out;
}

/**
 * The complete annotations for input that validateAnnotations accepted. Defaults are CVAT's
 * (LabeledShapeRequest and friends): group 0, source manual, occluded and outside false,
 * z_order 0, rotation 0, score 1, no attributes, no elements; skeleton elements take group,
 * source and z_order from their skeleton and its frame. Unknown fields (a client's `keyframe`
 * flags, say) are dropped: every tracked shape sent is a keyframe.
 */
export function normalizeAnnotations(input: AnnotationsInput, options: NormalizeOptions = {}): Annotations {
  const keepIds = (options.mode ?? 'create') === 'update';
  return {
    version: input.version ?? 0,
    tags: (input.tags ?? []).map((t): LabeledTag => common(t, keepIds, t.frame, ROOT)),
    shapes: (input.shapes ?? []).map((s) => shape(s, keepIds)),
    tracks: (input.tracks ?? []).map((t) => track(t, keepIds)),
  };
}

export type ParseResult = { ok: true; annotations: Annotations } | { ok: false; problems: Problem[] };

/** validateAnnotations, then normalizeAnnotations when nothing is wrong. */
export function parseAnnotations(input: unknown, ctx: ValidationContext): ParseResult {
  const problems = validateAnnotations(input, ctx);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, annotations: normalizeAnnotations(input as AnnotationsInput, { mode: ctx.mode ?? 'create' }) };
}
