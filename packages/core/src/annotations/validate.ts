/**
 * Checks annotations a client submits (PUT or PATCH of /jobs/{id}/annotations) against the
 * task's labels and the job's frames, reporting every problem with the path of the field.
 * CVAT itself checks little beyond label and attribute ids (JobAnnotation._save_*_to_db);
 * the geometry and value rules here are what its UI guarantees, so data it writes passes.
 */
import { attributeListProblems } from './attributes.js';
import { FieldChecker, type FrameSet, type ValidationMode } from './fields.js';
import { isInt, type Json } from './input.js';
import { indexLabels, labelFitProblem, type IndexedLabel } from './label-index.js';
import { pointsProblems } from './point-rules.js';
import type { Problem } from './problem.js';
import type { LabelSchema, SchemaLabel } from './schema.js';
import type { ShapeType } from './types.js';

export type { FrameSet, ValidationMode } from './fields.js';

export interface ValidationContext {
  schema: LabelSchema;
  frames: FrameSet;
  /** 'update' (PATCH action=update) needs ids on the objects; 'create' (the default) ignores them. */
  mode?: ValidationMode;
}

const KINDS = ['tags', 'shapes', 'tracks'] as const;

/** Every problem with `input` as annotations for the context; empty when it can be stored. */
export function validateAnnotations(input: unknown, ctx: ValidationContext): Problem[] {
  const c = new FieldChecker(indexLabels(ctx.schema), ctx.frames, ctx.mode ?? 'create');
  const root = c.object(input, '');
  if (!root) return c.problems;
  if (root.version !== undefined && !isInt(root.version)) c.report('version', 'must be an integer');
  for (const kind of KINDS) {
    const list = root[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      c.report(kind, 'must be an array');
      continue;
    }
    const ids = new Set<number>();
    list.forEach((item, i) => {
      const path = `${kind}[${i}]`;
      const o = c.object(item, path);
      if (!o) return;
      const id = c.id(o, path, c.mode === 'update');
      if (id !== undefined && c.mode === 'update') {
        if (ids.has(id)) c.report(`${path}.id`, `duplicate id ${id}`);
        ids.add(id);
      }
      if (kind === 'tags') checkTag(c, o, path);
      else if (kind === 'shapes') checkShape(c, o, path);
      else checkTrack(c, o, path);
    });
  }
  return c.problems;
}

function fit(c: FieldChecker, label: IndexedLabel | null, kind: ShapeType | 'tag' | null, path: string): void {
  if (!label || !kind) return;
  const problem = labelFitProblem(label, kind);
  if (problem) c.report(`${path}.label_id`, problem);
}

function checkTag(c: FieldChecker, o: Json, path: string): void {
  c.frame(o, path);
  const label = c.label(o, path);
  c.grouping(o, path);
  fit(c, label, 'tag', path);
  c.problems.push(...attributeListProblems(o.attributes, label, 'object', `${path}.attributes`));
}

function checkPoints(c: FieldChecker, o: Json, type: ShapeType | null, path: string): void {
  if (!type || (type === 'skeleton' && o.points === undefined)) return;
  if (o.points === undefined) {
    c.report(`${path}.points`, 'is required');
    return;
  }
  for (const message of pointsProblems(type, o.points)) c.report(`${path}.points`, message);
}

function checkShape(c: FieldChecker, o: Json, path: string): void {
  const frame = c.frame(o, path);
  const label = c.label(o, path);
  c.grouping(o, path);
  const type = c.type(o, path);
  fit(c, label, type, path);
  c.flags(o, path, true);
  checkPoints(c, o, type, path);
  c.problems.push(...attributeListProblems(o.attributes, label, 'object', `${path}.attributes`));
  // With no valid type there is no telling whether elements belong; the type is reported already.
  if (type === null) return;
  if (type !== 'skeleton') {
    noElements(c, o.elements, path);
    return;
  }
  const skeleton = label?.label.type === 'skeleton' ? label.label : null;
  forEachElement(c, o.elements, skeleton, `${path}.elements`, (e, ep, point) => checkShapeElement(c, e, ep, point, frame));
}

function noElements(c: FieldChecker, elements: unknown, path: string): void {
  if (elements !== undefined && (!Array.isArray(elements) || elements.length > 0)) {
    c.report(`${path}.elements`, 'only skeletons have elements');
  }
}

/**
 * Walks a skeleton's elements, each of which must be a distinct point of `skeleton` (null when
 * the parent's label is already reported). CVAT's UI sends every point; its server stores any
 * subset and its UI shows the missing ones as outside, so missing points are no problem here.
 */
function forEachElement(
  c: FieldChecker,
  elements: unknown,
  skeleton: SchemaLabel | null,
  path: string,
  check: (e: Json, path: string, point: IndexedLabel | null) => void,
): void {
  if (elements === undefined || (Array.isArray(elements) && elements.length === 0)) {
    c.report(path, 'a skeleton needs at least one element');
    return;
  }
  if (!Array.isArray(elements)) {
    c.report(path, 'must be an array');
    return;
  }
  const seen = new Set<number>();
  elements.forEach((item, i) => {
    const ep = `${path}[${i}]`;
    const e = c.object(item, ep);
    if (!e) return;
    let point = c.label(e, ep);
    if (point && skeleton && point.skeleton?.id !== skeleton.id) {
      c.report(`${ep}.label_id`, `label ${point.label.id} is not a point of skeleton "${skeleton.name}"`);
      point = null;
    } else if (point && seen.has(point.label.id)) {
      c.report(`${ep}.label_id`, `skeleton point "${point.label.name}" appears more than once`);
    }
    if (point) seen.add(point.label.id);
    c.grouping(e, ep);
    check(e, ep, point);
  });
}

/** A skeleton element: one point on the skeleton's frame. */
function elementGeometry(c: FieldChecker, o: Json, path: string): void {
  const type = c.type(o, path);
  if (type && type !== 'points') {
    c.report(`${path}.type`, `a skeleton element is of type points; got ${type}`);
    return;
  }
  if (!type) return;
  if (o.points === undefined) c.report(`${path}.points`, 'is required');
  else if (Array.isArray(o.points) && o.points.length !== 2) {
    c.report(`${path}.points`, `a skeleton element is exactly one point (2 numbers); got ${o.points.length}`);
  } else {
    for (const message of pointsProblems('points', o.points)) c.report(`${path}.points`, message);
  }
}

function checkShapeElement(c: FieldChecker, e: Json, path: string, point: IndexedLabel | null, parentFrame: number | undefined): void {
  c.id(e, path, false);
  const frame = c.frame(e, path, false);
  if (frame !== undefined && parentFrame !== undefined && frame !== parentFrame) {
    c.report(`${path}.frame`, `must equal the skeleton's frame ${parentFrame}`);
  }
  c.flags(e, path, true);
  elementGeometry(c, e, path);
  c.problems.push(...attributeListProblems(e.attributes, point, 'object', `${path}.attributes`));
}

/**
 * A track's keyframes: unique frames in range, one type for all (the type of the earliest, which
 * is the track's), returned so the label can be checked against it.
 */
function checkKeyframes(c: FieldChecker, shapes: unknown, label: IndexedLabel | null, path: string, element: boolean): ShapeType | null {
  if (shapes === undefined) {
    c.report(path, 'is required');
    return null;
  }
  if (!Array.isArray(shapes)) {
    c.report(path, 'must be an array');
    return null;
  }
  if (shapes.length === 0) {
    c.report(path, 'a track needs at least one keyframe');
    return null;
  }
  const frames = new Set<number>();
  const typed: Array<{ i: number; frame: number; type: ShapeType }> = [];
  shapes.forEach((item, i) => {
    const sp = `${path}[${i}]`;
    const s = c.object(item, sp);
    if (!s) return;
    c.id(s, sp, false);
    const frame = c.frame(s, sp);
    if (frame !== undefined) {
      if (frames.has(frame)) c.report(`${sp}.frame`, `duplicate keyframe at frame ${frame}`);
      frames.add(frame);
    }
    c.flags(s, sp, false);
    if (element) elementGeometry(c, s, sp);
    else {
      const type = c.type(s, sp);
      checkPoints(c, s, type, sp);
      if (type && frame !== undefined) typed.push({ i, frame, type });
    }
    c.problems.push(...attributeListProblems(s.attributes, label, 'keyframe', `${sp}.attributes`));
  });
  if (element) return 'points';
  const first = typed.reduce<(typeof typed)[number] | undefined>((a, b) => (a && a.frame <= b.frame ? a : b), undefined);
  if (!first) return null;
  for (const k of typed) {
    if (k.type !== first.type) c.report(`${path}[${k.i}].type`, `keyframe type ${k.type} differs from the track's ${first.type} (its first keyframe's)`);
  }
  return first.type;
}

function checkTrack(c: FieldChecker, o: Json, path: string): void {
  c.frame(o, path, false);
  const label = c.label(o, path);
  c.grouping(o, path);
  c.problems.push(...attributeListProblems(o.attributes, label, 'track', `${path}.attributes`));
  const type = checkKeyframes(c, o.shapes, label, `${path}.shapes`, false);
  fit(c, label, type, path);
  if (type === null) return;
  if (type !== 'skeleton') {
    noElements(c, o.elements, path);
    return;
  }
  const skeleton = label?.label.type === 'skeleton' ? label.label : null;
  forEachElement(c, o.elements, skeleton, `${path}.elements`, (e, ep, point) => {
    c.id(e, ep, false);
    c.frame(e, ep, false);
    c.problems.push(...attributeListProblems(e.attributes, point, 'track', `${ep}.attributes`));
    checkKeyframes(c, e.shapes, point, `${ep}.shapes`, true);
  });
}
