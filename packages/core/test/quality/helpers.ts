/** Small builders for quality tests: a label schema, shapes, tags, tracks and a one-call compare. */
import type { LabelSchema } from '../../src/annotations/schema.js';
import type { Annotations, LabeledShape, LabeledTag, LabeledTrack, ShapeType, SubShape, TrackedShape } from '../../src/annotations/types.js';
import { compareJob, type ValidationFrame } from '../../src/quality/compare.js';
import type { QualitySettings } from '../../src/quality/settings.js';
import type { ComparisonReport } from '../../src/quality/types.js';

export const GT_JOB = 1;
export const JOB = 2;

export const CAR = 1, PERSON = 2, POSE = 3, DAY = 4, NIGHT = 5, LANE = 6;
export const COLOR = 10, SPEED = 11, PARKED = 12;

export const SCHEMA: LabelSchema = {
  labels: [
    {
      id: CAR, name: 'car', type: 'any', sublabels: [],
      attributes: [
        { id: COLOR, name: 'color', mutable: false, input_type: 'select', default_value: 'red', values: ['red', 'blue'] },
        { id: SPEED, name: 'speed', mutable: true, input_type: 'number', default_value: '0', values: ['0', '100', '0.5'] },
        { id: PARKED, name: 'parked', mutable: false, input_type: 'checkbox', default_value: 'false', values: ['false', 'true'] },
      ],
    },
    { id: PERSON, name: 'person', type: 'any', attributes: [], sublabels: [] },
    {
      id: POSE, name: 'pose', type: 'skeleton', attributes: [],
      sublabels: [31, 32, 33].map((id) => ({ id, name: `p${id}`, type: 'points' as const, attributes: [], sublabels: [] })),
    },
    { id: DAY, name: 'day', type: 'tag', attributes: [], sublabels: [] },
    { id: NIGHT, name: 'night', type: 'tag', attributes: [], sublabels: [] },
    { id: LANE, name: 'lane', type: 'polyline', attributes: [], sublabels: [] },
  ],
};

export function shape(id: number, type: ShapeType, points: number[], over: Partial<LabeledShape> = {}): LabeledShape {
  return { id, frame: 0, type, label_id: CAR, group: 0, source: 'manual', attributes: [], points, rotation: 0, occluded: false, outside: false, z_order: 0, score: 1, elements: [], ...over };
}

export const box = (id: number, x1: number, y1: number, x2: number, y2: number, over: Partial<LabeledShape> = {}) => shape(id, 'rectangle', [x1, y1, x2, y2], over);

export function tag(id: number, label_id: number, frame = 0): LabeledTag {
  return { id, frame, label_id, group: 0, source: 'manual', attributes: [] };
}

export function skeleton(id: number, points: Array<[number, number]>, over: Partial<LabeledShape> = {}, elementOver: Array<Partial<SubShape>> = []): LabeledShape {
  const elements: SubShape[] = points.map(([x, y], k) => ({
    id: id * 10 + k, frame: over.frame ?? 0, label_id: 31 + k, group: 0, source: 'manual', attributes: [], score: 1,
    type: 'points', points: [x, y], rotation: 0, occluded: false, outside: false, z_order: 0, ...elementOver[k],
  }));
  return shape(id, 'skeleton', [], { label_id: POSE, elements, ...over });
}

export function keyframe(frame: number, points: number[], over: Partial<TrackedShape> = {}): TrackedShape {
  return { frame, type: 'rectangle', points, rotation: 0, occluded: false, outside: false, z_order: 0, attributes: [], ...over };
}

export function track(id: number, shapes: TrackedShape[], over: Partial<LabeledTrack> = {}): LabeledTrack {
  return { id, frame: shapes[0]!.frame, label_id: CAR, group: 0, source: 'manual', attributes: [], shapes, elements: [], ...over };
}

export function annotations(over: Partial<Annotations>): Annotations {
  return { version: 0, tags: [], shapes: [], tracks: [], ...over };
}

export interface RunOptions {
  settings?: Partial<QualitySettings>;
  frames?: ValidationFrame[];
  frameCount?: number;
  jobId?: number;
  inherited?: boolean;
}

/** Compares `ds` (job 2) with `gt` (job 1) on frame 0 of a 100 x 100 image unless told otherwise. */
export function compare(gt: Partial<Annotations>, ds: Partial<Annotations>, o: RunOptions = {}): ComparisonReport {
  return compareJob({
    labels: SCHEMA,
    settings: o.settings,
    inherited: o.inherited,
    gt: { job_id: GT_JOB, annotations: annotations(gt) },
    job: { job_id: o.jobId ?? JOB, annotations: annotations(ds), frame_count: o.frameCount ?? 10 },
    frames: o.frames ?? [{ frame: 0, width: 100, height: 100 }],
  });
}

export function conflictsOf(r: ComparisonReport) {
  return Object.values(r.frame_results ?? {}).flatMap((f) => f.conflicts);
}

export const shapeId = (job_id: number, obj_id: number, shape_type: ShapeType) => ({ obj_id, job_id, type: 'shape' as const, shape_type });
