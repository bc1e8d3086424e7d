/**
 * A job's annotations as the objects quality reports compare, frame by frame: what CVAT's
 * dataset export turns them into before its comparator sees them (bindings'
 * CvatToDmAnnotationConverter). Tracks give their interpolated shape on each frame and are
 * absent where outside; cuboids take no part (CVAT compares only 2D kinds it can measure);
 * attribute values carry every spec of the label, defaults filled in, numbers and checkboxes
 * parsed, so "1" and "1.0" are the same number as in CVAT.
 */
import { boundingBox, rectangleBox, type Box } from '../annotations/geometry.js';
import { shapeAt } from '../annotations/interpolate.js';
import type { IndexedLabel, LabelIndex } from '../annotations/label-index.js';
import { effectiveDefault } from '../labels.js';
import type { AttributeSpecWithId } from '../annotations/schema.js';
import type { Annotations, AttributeValue, ShapeType } from '../annotations/types.js';
import type { AnnotationId } from './types.js';

export type ObjectKind = 'tag' | 'rectangle' | 'ellipse' | 'polygon' | 'mask' | 'polyline' | 'points' | 'skeleton';

export interface SkeletonPoint {
  label_id: number;
  x: number;
  y: number;
  outside: boolean;
  occluded: boolean;
}

/** One object on one frame, ready for comparison. */
export interface FrameObject {
  id: AnnotationId;
  kind: ObjectKind;
  label_id: number;
  group: number;
  z_order: number;
  points: readonly number[];
  rotation: number;
  /** Comparable attribute values by spec id; shapes also carry `occluded` under OCCLUDED_KEY. */
  attributes: Map<number, string>;
  elements: SkeletonPoint[];
  /** The axis-aligned box CVAT's get_bbox gives (rotation ignored); null for tags. */
  box: Box | null;
}

/** CVAT compares `occluded` as an attribute of shapes; it is kept under this pseudo spec id. */
export const OCCLUDED_KEY = -1;

function comparable(spec: AttributeSpecWithId, value: string): string {
  switch (spec.input_type) {
    case 'number': {
      const t = value.trim();
      return t === '' ? 'NaN' : String(Number(t));
    }
    case 'checkbox':
      return value.toLowerCase() === 'true' ? 'true' : 'false';
    default:
      return value;
  }
}

function attributeMap(label: IndexedLabel | undefined, ...lists: ReadonlyArray<readonly AttributeValue[]>): Map<number, string> {
  const out = new Map<number, string>();
  if (!label) return out;
  const given = new Map<number, string>();
  for (const list of lists) for (const a of list) given.set(a.spec_id, a.value);
  for (const [id, spec] of label.specs) out.set(id, comparable(spec, given.get(id) ?? effectiveDefault(spec)));
  return out;
}

function kindOf(type: ShapeType): ObjectKind | null {
  return type === 'cuboid' ? null : type;
}

function skeletonBox(elements: readonly SkeletonPoint[]): Box | null {
  const xy: number[] = [];
  for (const e of elements) if (!e.outside) xy.push(e.x, e.y);
  return xy.length ? boundingBox(xy) : null;
}

/** CVAT's get_bbox of a shape of `kind` ([x, y, w, h] as min/max corners); skeletons from their visible points. */
export function objectBox(kind: ObjectKind, points: readonly number[], elements: readonly SkeletonPoint[]): Box | null {
  switch (kind) {
    case 'tag':
      return null;
    case 'rectangle':
      return rectangleBox(points);
    case 'ellipse': {
      const [cx = 0, cy = 0, px = 0, py = 0] = points;
      const rx = Math.abs(px - cx), ry = Math.abs(py - cy);
      return { xmin: cx - rx, ymin: cy - ry, xmax: cx + rx, ymax: cy + ry };
    }
    case 'mask': {
      const n = points.length - 4;
      const l = Math.round(points[n] ?? 0), t = Math.round(points[n + 1] ?? 0);
      return { xmin: l, ymin: t, xmax: Math.round(points[n + 2] ?? -1) + 1, ymax: Math.round(points[n + 3] ?? -1) + 1 };
    }
    case 'polygon':
    case 'polyline':
    case 'points':
      return boundingBox(points);
    case 'skeleton':
      return skeletonBox(elements);
  }
}

function firstAtOrAfter(sorted: readonly number[], frame: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < frame) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The objects of `annotations` on each of `frames` (tags, then shapes, then tracks, each in
 * input order, as CVAT lists them), ids naming `jobId`. Frames without objects are absent.
 */
export function objectsByFrame(annotations: Annotations, jobId: number, frames: readonly number[], labels: LabelIndex): Map<number, FrameObject[]> {
  const wanted = new Set(frames);
  const sorted = [...wanted].sort((a, b) => a - b);
  const out = new Map<number, FrameObject[]>();
  const push = (frame: number, o: FrameObject) => {
    let list = out.get(frame);
    if (!list) out.set(frame, (list = []));
    list.push(o);
  };
  for (const t of annotations.tags) {
    if (!wanted.has(t.frame)) continue;
    push(t.frame, {
      id: { obj_id: t.id ?? 0, job_id: jobId, type: 'tag', shape_type: null },
      kind: 'tag', label_id: t.label_id, group: t.group ?? 0, z_order: 0, points: [], rotation: 0,
      attributes: attributeMap(labels.get(t.label_id), t.attributes), elements: [], box: null,
    });
  }
  for (const s of annotations.shapes) {
    const kind = kindOf(s.type);
    if (!kind || s.outside || !wanted.has(s.frame)) continue;
    const elements = s.elements.map((e) => ({ label_id: e.label_id, x: e.points[0] ?? 0, y: e.points[1] ?? 0, outside: e.outside, occluded: e.occluded }));
    const attributes = attributeMap(labels.get(s.label_id), s.attributes);
    attributes.set(OCCLUDED_KEY, String(s.occluded));
    push(s.frame, {
      id: { obj_id: s.id ?? 0, job_id: jobId, type: 'shape', shape_type: s.type },
      kind, label_id: s.label_id, group: s.group ?? 0, z_order: s.z_order, points: s.points, rotation: s.rotation,
      attributes, elements, box: objectBox(kind, s.points, elements),
    });
  }
  for (const t of annotations.tracks) {
    if (t.shapes.length === 0) continue;
    let first = Infinity, last = -Infinity, endsOutside = false;
    for (const k of t.shapes) {
      if (k.frame < first) first = k.frame;
      if (k.frame >= last) {
        last = k.frame;
        endsOutside = k.outside;
      }
    }
    const label = labels.get(t.label_id);
    for (let i = firstAtOrAfter(sorted, first); i < sorted.length; i++) {
      const frame = sorted[i]!;
      if (endsOutside && frame >= last) break; // hidden from its last keyframe on
      const shape = shapeAt(t, frame);
      if (!shape) continue;
      const kind = kindOf(shape.type);
      if (!kind) break;
      const elements = shape.elements.map((e) => ({ label_id: e.label_id, x: e.points[0] ?? 0, y: e.points[1] ?? 0, outside: e.outside, occluded: e.occluded }));
      const attributes = attributeMap(label, t.attributes, shape.attributes);
      attributes.set(OCCLUDED_KEY, String(shape.occluded));
      push(frame, {
        id: { obj_id: t.id ?? 0, job_id: jobId, type: 'track', shape_type: shape.type },
        kind, label_id: t.label_id, group: t.group ?? 0, z_order: shape.z_order, points: shape.points, rotation: shape.rotation,
        attributes, elements, box: objectBox(kind, shape.points, elements),
      });
    }
  }
  return out;
}
