/**
 * Adapts the shared annotation rules (packages/core) to the server: the job's frames and the
 * task's labels in, a 400 naming every bad field out, or complete objects to store.
 */
import { parseAnnotations, type Annotations, type LabelSchema, type LabelType, type SchemaLabel } from '@framewise/core';
import { AppError } from '../../errors.js';
import type { LabelRecord } from '../../repositories/label.repository.js';

export interface JobContext {
  jobId: number;
  start: number;
  stop: number;
  labels: LabelRecord[];
  /** A ground-truth job's frames, when it takes only some frames of start..stop. */
  frames?: readonly number[] | null;
  /** Tasks with honeypots take no tracks: their frames are shuffled. */
  noTracks?: boolean;
}

function toSchemaLabel(l: LabelRecord): SchemaLabel {
  return {
    id: l.id,
    name: l.name,
    type: l.type as LabelType,
    attributes: l.attributes.map((a) => ({
      id: a.id,
      name: a.name,
      mutable: a.mutable,
      input_type: a.input_type as SchemaLabel['attributes'][number]['input_type'],
      default_value: a.default_value,
      values: a.values,
    })),
    sublabels: l.sublabels.map(toSchemaLabel),
  };
}

export function labelSchema(labels: LabelRecord[]): LabelSchema {
  return { labels: labels.map(toSchemaLabel) };
}

/** At most this many problems are listed; the rest are counted. */
const MAX_LISTED = 100;

/** Audio intervals have no place in image and video tasks; refuse them rather than drop them. */
function refuseIntervals(input: unknown): void {
  const intervals = (input as { intervals?: unknown } | null)?.intervals;
  if (Array.isArray(intervals) && intervals.length > 0) {
    throw AppError.invalid('intervals', 'audio intervals are not supported: Framewise tasks hold images and video');
  }
}

export function checkAnnotations(input: unknown, ctx: JobContext, mode: 'create' | 'update'): Omit<Annotations, 'version'> {
  refuseIntervals(input);
  const parsed = parseAnnotations(input, { schema: labelSchema(ctx.labels), frames: { start: ctx.start, stop: ctx.stop }, mode });
  if (!parsed.ok) {
    const [first] = parsed.problems;
    const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more)` : '';
    throw new AppError(
      'VALIDATION',
      `${first!.path}: ${first!.message}${more}`,
      parsed.problems.slice(0, MAX_LISTED).map((p) => ({ field: p.path, message: p.message })),
    );
  }
  const { version: _version, ...data } = parsed.annotations;
  if (ctx.noTracks && data.tracks.length > 0) {
    throw AppError.invalid('tracks', 'tracks are not supported when the task validation mode is "gt_pool" (its frames are shuffled); use shapes');
  }
  if (ctx.frames) refuseOtherFrames(data, new Set(ctx.frames));
  return data;
}

/** A ground-truth job of some frames holds annotations on those frames only. */
function refuseOtherFrames(data: Omit<Annotations, 'version'>, frames: ReadonlySet<number>): void {
  for (const kind of ['tags', 'shapes', 'tracks'] as const) {
    const i = data[kind].findIndex((o) => !frames.has(o.frame));
    if (i >= 0) throw AppError.invalid(`${kind}[${i}].frame`, `frame ${data[kind][i]!.frame} is not one of the ground-truth job's frames`);
  }
  for (const [i, t] of data.tracks.entries()) {
    const k = t.shapes.findIndex((s) => !frames.has(s.frame));
    if (k >= 0) throw AppError.invalid(`tracks[${i}].shapes[${k}].frame`, `frame ${t.shapes[k]!.frame} is not one of the ground-truth job's frames`);
  }
}

/** PATCH action=delete needs only the ids of what to delete. */
export function checkDeletion(input: unknown): Omit<Annotations, 'version'> {
  refuseIntervals(input);
  const body = (input ?? {}) as Record<string, unknown>;
  const out = { tags: [], shapes: [], tracks: [] } as unknown as Omit<Annotations, 'version'>;
  for (const kind of ['tags', 'shapes', 'tracks'] as const) {
    const list = body[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw AppError.invalid(kind, 'must be an array');
    (out[kind] as Array<{ id: number }>) = list.map((o, i) => {
      const id = (o as { id?: unknown } | null)?.id;
      if (!Number.isSafeInteger(id) || (id as number) <= 0) throw AppError.invalid(`${kind}[${i}].id`, 'an id is required to delete an object');
      return { id: id as number };
    });
  }
  return out;
}
