/**
 * Attribute values on annotated objects: which specs may appear where, which values a spec
 * accepts, and the defaults CVAT adds when it returns annotations.
 */
import { effectiveDefault, type AttributeSpec } from '../labels.js';
import { isInt, isRecord } from './input.js';
import type { IndexedLabel } from './label-index.js';
import type { Problem } from './problem.js';
import type { AttributeSpecWithId, LabelSchema, SchemaLabel } from './schema.js';
import type { Annotations, AttributeValue, LabeledTrack, SubTrack, TrackedShape } from './types.js';

/** AttributeValRequest.value's maxLength in CVAT's schema. */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 4096;

/**
 * Where an attribute value sits. CVAT (JobAnnotation._save_*_to_db) accepts any spec of the
 * label on tags and shapes, only immutable ones on a track and only mutable ones on its keyframes.
 */
export type AttributePlace = 'object' | 'track' | 'keyframe';

// Room for float error in (value - min) / step, relative to the number of steps.
const STEP_TOLERANCE = 1e-9;

function numberProblem(spec: AttributeSpec, value: string): string | null {
  const [min, max, step] = spec.values.map(Number) as [number, number, number];
  // A spec that is itself broken is reported where labels are checked, not on every object.
  if (spec.values.length !== 3 || ![min, max, step].every(Number.isFinite) || step <= 0) return null;
  const text = value.trim();
  const v = Number(text);
  if (text === '' || !Number.isFinite(v)) return `"${value}" is not a number`;
  if (v < min || v > max) return `${value} is outside [${min}, ${max}]`;
  const k = (v - min) / step;
  if (Math.abs(k - Math.round(k)) > STEP_TOLERANCE * Math.max(1, Math.abs(k))) {
    return `${value} is not on the step grid ${min} + k * ${step}`;
  }
  return null;
}

/** Why `value` does not fit `spec`, or null when it does. */
export function attributeValueProblem(spec: AttributeSpec, value: string): string | null {
  switch (spec.input_type) {
    case 'checkbox':
      return value === 'true' || value === 'false' ? null : `must be "true" or "false"; got "${value}"`;
    case 'radio':
    case 'select':
      return spec.values.includes(value) ? null : `"${value}" is not one of ${spec.values.map((v) => `"${v}"`).join(', ')}`;
    case 'number':
      return numberProblem(spec, value);
    case 'text':
      return null;
    default: {
      const never: never = spec.input_type;
      return `unknown input type ${String(never)}`;
    }
  }
}

function placeProblem(spec: AttributeSpecWithId, place: AttributePlace): string | null {
  if (place === 'track' && spec.mutable) {
    return `attribute "${spec.name}" is mutable: it belongs on the track's keyframes, not on the track`;
  }
  if (place === 'keyframe' && !spec.mutable) {
    return `attribute "${spec.name}" is immutable: it belongs on the track, not on a keyframe`;
  }
  return null;
}

/** Everything wrong with an object's `attributes` (at `path`) for its label; `label` null when the label is unknown. */
export function attributeListProblems(attrs: unknown, label: IndexedLabel | null, place: AttributePlace, path: string): Problem[] {
  if (attrs === undefined) return [];
  if (!Array.isArray(attrs)) return [{ path, message: 'must be an array' }];
  const problems: Problem[] = [];
  const seen = new Set<number>();
  attrs.forEach((a, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(a)) {
      problems.push({ path: at, message: 'must be an object with spec_id and value' });
      return;
    }
    const value = typeof a.value === 'string' ? a.value : null;
    if (value === null) problems.push({ path: `${at}.value`, message: 'must be a string' });
    else if (value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
      problems.push({ path: `${at}.value`, message: `is longer than ${MAX_ATTRIBUTE_VALUE_LENGTH} characters` });
    }
    if (!isInt(a.spec_id)) {
      problems.push({ path: `${at}.spec_id`, message: 'must be an integer' });
      return;
    }
    if (seen.has(a.spec_id)) {
      const name = label?.specs.get(a.spec_id)?.name;
      problems.push({ path: `${at}.spec_id`, message: `duplicate value for attribute ${name ? `"${name}"` : a.spec_id}` });
      return;
    }
    seen.add(a.spec_id);
    if (!label) return;
    const spec = label.specs.get(a.spec_id);
    if (!spec) {
      problems.push({ path: `${at}.spec_id`, message: `attribute ${a.spec_id} is not an attribute of label "${label.label.name}"` });
      return;
    }
    const misplaced = placeProblem(spec, place);
    if (misplaced) problems.push({ path: `${at}.spec_id`, message: misplaced });
    if (value !== null) {
      const bad = attributeValueProblem(spec, value);
      if (bad) problems.push({ path: `${at}.value`, message: `attribute "${spec.name}": ${bad}` });
    }
  });
  return problems;
}

function extend(values: readonly AttributeValue[], defaults: readonly AttributeValue[]): AttributeValue[] {
  const have = new Set(values.map((v) => v.spec_id));
  return [...values.map((v) => ({ ...v })), ...defaults.filter((d) => !have.has(d.spec_id)).map((d) => ({ ...d }))];
}

function defaultsOf(specs: readonly AttributeSpecWithId[]): AttributeValue[] {
  return specs.map((s) => ({ spec_id: s.id, value: effectiveDefault(s) }));
}

function extendTrack<T extends SubTrack>(track: T, label: SchemaLabel | undefined): T {
  if (!label) return track;
  let previous = defaultsOf(label.attributes.filter((a) => a.mutable));
  const shapes = [...track.shapes]
    .sort((a, b) => a.frame - b.frame)
    .map((s): TrackedShape => {
      const attributes = extend(s.attributes, previous);
      previous = attributes;
      return { ...s, attributes };
    });
  return { ...track, attributes: extend(track.attributes, defaultsOf(label.attributes.filter((a) => !a.mutable))), shapes };
}

/**
 * The annotations as CVAT returns them (JobAnnotation._extend_attributes): every attribute of
 * the label present, those left out at their spec's default, except that a keyframe inherits a
 * mutable value from the keyframe before it. Keyframes come out ordered by frame.
 */
export function withAttributeDefaults(data: Annotations, schema: LabelSchema): Annotations {
  const byId = new Map<number, SchemaLabel>();
  for (const l of schema.labels) {
    byId.set(l.id, l);
    for (const s of l.sublabels) byId.set(s.id, s);
  }
  const all = (labelId: number, values: AttributeValue[]) => {
    const label = byId.get(labelId);
    return label ? extend(values, defaultsOf(label.attributes)) : values;
  };
  return {
    version: data.version,
    tags: data.tags.map((t) => ({ ...t, attributes: all(t.label_id, t.attributes) })),
    shapes: data.shapes.map((s) => ({
      ...s,
      attributes: all(s.label_id, s.attributes),
      elements: s.elements.map((e) => ({ ...e, attributes: all(e.label_id, e.attributes) })),
    })),
    tracks: data.tracks.map(
      (t): LabeledTrack => ({
        ...extendTrack(t, byId.get(t.label_id)),
        elements: t.elements.map((e) => extendTrack(e, byId.get(e.label_id))),
      }),
    ),
  };
}
