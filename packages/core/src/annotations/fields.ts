/**
 * Checks of the single fields every annotated object shares, for the validator in validate.ts.
 * Each reports into one list and returns the value when it is usable, so later checks can rely
 * on it and a broken field is reported once.
 */
import { isFiniteNumber, isInt, isRecord, type Json } from './input.js';
import type { IndexedLabel, LabelIndex } from './label-index.js';
import type { Problem } from './problem.js';
import { SHAPE_TYPES, SOURCES, type ShapeType } from './types.js';

/** The frames objects may sit on: a job's range (inclusive) or, for a ground-truth job, its chosen frames. */
export type FrameSet = { start: number; stop: number } | { frames: readonly number[] };

export type ValidationMode = 'create' | 'update';

export class FieldChecker {
  readonly problems: Problem[] = [];
  private readonly frameSet: ReadonlySet<number> | null;

  constructor(
    readonly labels: LabelIndex,
    private readonly frames: FrameSet,
    readonly mode: ValidationMode,
  ) {
    this.frameSet = 'frames' in frames ? new Set(frames.frames) : null;
  }

  report(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  object(v: unknown, path: string): Json | null {
    if (isRecord(v)) return v;
    this.report(path, 'must be an object');
    return null;
  }

  /** `required`: CVAT's update matches objects by id, so top-level objects need one then. */
  id(o: Json, path: string, required: boolean): number | undefined {
    const v = o.id;
    if (v === undefined || v === null) {
      if (required) this.report(`${path}.id`, 'is required when updating objects');
      return undefined;
    }
    if (!isInt(v)) {
      this.report(`${path}.id`, 'must be an integer');
      return undefined;
    }
    return v;
  }

  /** A frame number that must also lie in the frame set when `inRange`. */
  frame(o: Json, path: string, inRange = true): number | undefined {
    const f = o.frame;
    if (f === undefined) {
      this.report(`${path}.frame`, 'is required');
      return undefined;
    }
    if (!isInt(f) || f < 0) {
      this.report(`${path}.frame`, 'must be a non-negative integer');
      return undefined;
    }
    if (inRange) {
      const fr = this.frames;
      if (this.frameSet ? !this.frameSet.has(f) : 'start' in fr && (f < fr.start || f > fr.stop)) {
        this.report(
          `${path}.frame`,
          'start' in fr ? `frame ${f} is outside frames ${fr.start}-${fr.stop}` : `frame ${f} is not one of the frames annotated here`,
        );
      }
    }
    return f;
  }

  /** The object's label, or null (reported) when it is missing or unknown. */
  label(o: Json, path: string): IndexedLabel | null {
    const id = o.label_id;
    if (id === undefined) {
      this.report(`${path}.label_id`, 'is required');
      return null;
    }
    if (!isInt(id)) {
      this.report(`${path}.label_id`, 'must be an integer');
      return null;
    }
    const label = this.labels.get(id);
    if (!label) this.report(`${path}.label_id`, `label ${id} is not one of this task's labels`);
    return label ?? null;
  }

  /** group and source, which every object and element has. */
  grouping(o: Json, path: string): void {
    if (o.group !== undefined && o.group !== null && (!isInt(o.group) || o.group < 0)) {
      this.report(`${path}.group`, 'must be a non-negative integer or null');
    }
    if (o.source !== undefined && !(SOURCES as readonly unknown[]).includes(o.source)) {
      this.report(`${path}.source`, `must be one of ${SOURCES.join(', ')}`);
    }
  }

  type(o: Json, path: string): ShapeType | null {
    const t = o.type;
    if (t === undefined) {
      this.report(`${path}.type`, 'is required');
      return null;
    }
    if (!(SHAPE_TYPES as readonly unknown[]).includes(t)) {
      this.report(`${path}.type`, `must be one of ${SHAPE_TYPES.join(', ')}`);
      return null;
    }
    return t as ShapeType;
  }

  /** occluded, outside, z_order, rotation and, where the wire shape has it, score. */
  flags(o: Json, path: string, withScore: boolean): void {
    for (const key of ['occluded', 'outside'] as const) {
      if (o[key] !== undefined && typeof o[key] !== 'boolean') this.report(`${path}.${key}`, 'must be true or false');
    }
    if (o.z_order !== undefined && !isInt(o.z_order)) this.report(`${path}.z_order`, 'must be an integer');
    if (o.rotation !== undefined && !isFiniteNumber(o.rotation)) this.report(`${path}.rotation`, 'must be a finite number of degrees');
    if (withScore && o.score !== undefined && (!isFiniteNumber(o.score) || o.score < 0 || o.score > 1)) {
      this.report(`${path}.score`, 'must be a number in [0, 1]');
    }
  }
}
