/**
 * A parsed dataset (names) as the task's annotations (ids), ready for the server's validation
 * and save, as CVAT's import_dm_annotations (cvat/apps/dataset_manager/bindings.py) does it:
 *
 * - Items are matched to task frames as frames.ts says. An item the task has no image for is a
 *   problem naming it (CVAT fails the import on it), or, with `ignoreMissingImages`, is left out
 *   and listed in `skipped.items`.
 * - Labels, attributes and skeleton points are matched by exact name (resolve.ts). A label the
 *   task lacks is a problem counting its uses, or with `onUnknownLabel: 'skip'` its objects are
 *   left out and counted in `skipped.labels`; a label that cannot take the object's kind (a
 *   polygon on a rectangle label) is a problem. Unknown attributes are problems (CVAT drops them
 *   silently). Values stay strings; checkbox values spelled True/False become true/false.
 * - Shapes with a `track_id` become tracks (import-tracks.ts, track-rebuild.ts). Beyond CVAT,
 *   which keeps such shapes standalone unless the file marks keyframes, a shape without a
 *   keyframe flag (YOLO track ids) counts as a keyframe, so the track keeps its identity.
 * - Group numbers are the file's, renumbered 1..n in ascending order over the whole file (0
 *   stays 0; negative or fractional numbers become 0), so groups stay groups, objects of one group
 *   on several frames stay together and numbers stay small. CVAT
 *   renumbers per item and drops one-object groups; here a group spans frames as in the file.
 * - Coordinates, rotation, z_order, occluded, outside, score and source are kept as given (score 1
 *   when the file has none): the server's validation checks them and names the object.
 *
 * Problems mean the import should be refused; `annotations` then holds what could be converted.
 */
import type { Annotations, LabeledShape, LabeledTag, LabeledTrack, SubShape } from '../../annotations/types.js';
import type { DatasetImage, DatasetShape, DatasetTag, FrameAnnotations, ParsedDataset } from '../model.js';
import type { LabelSchema } from '../../annotations/schema.js';
import { FlatTracks, convertTrack } from './import-tracks.js';
import type { ResolvedLabel } from './resolve.js';
import { ImportScope, type ApplyOptions, type Skipped } from './scope.js';

export type { ApplyOptions, Skipped } from './scope.js';

export interface AppliedDataset {
  annotations: Annotations;
  /** Each names the item, track, label or attribute at fault; empty when the import may be saved. */
  problems: string[];
  skipped: Skipped;
}

function element(scope: ImportScope, skeleton: ResolvedLabel, e: DatasetShape, frame: number, where: string): SubShape | null {
  const point = scope.point(skeleton, e.label, where);
  if (!point) return null;
  return {
    frame, label_id: point.label.id, group: e.group, source: e.source,
    attributes: scope.labels.values(point, e.attributes, where),
    type: e.type, points: e.points, rotation: e.rotation, occluded: e.occluded, outside: e.outside, z_order: e.z_order,
    score: e.score ?? 1,
  };
}

function shape(scope: ImportScope, s: DatasetShape, frame: number, where: string): LabeledShape | null {
  const label = scope.label(s.label, s.type, where);
  if (!label) return null;
  const elements: SubShape[] = [];
  if (s.type === 'skeleton') {
    for (const e of s.elements ?? []) {
      const sub = element(scope, label, e, frame, where);
      if (sub) elements.push(sub);
    }
  }
  return {
    frame, label_id: label.label.id, group: s.group, source: s.source,
    attributes: scope.labels.values(label, s.attributes, where),
    type: s.type, points: s.points, rotation: s.rotation, occluded: s.occluded, outside: s.outside, z_order: s.z_order,
    score: s.score ?? 1, elements,
  };
}

function tag(scope: ImportScope, t: DatasetTag, frame: number, where: string): LabeledTag | null {
  const label = scope.label(t.label, 'tag', where);
  if (!label) return null;
  return { frame, label_id: label.label.id, group: t.group, source: t.source, attributes: scope.labels.values(label, t.attributes, where) };
}

/**
 * Positive whole group numbers of the file, renumbered 1..n in ascending order; anything else
 * becomes 0. Counted over the parsed dataset up front, so batches of frames converted one after
 * another number groups as one pass would.
 */
function groupNumbers(parsed: ParsedDataset): Map<number, number> {
  const used = new Set<number>();
  const note = (o: { group: number }) => {
    if (Number.isInteger(o.group) && o.group > 0) used.add(o.group);
  };
  for (const f of parsed.frames) {
    for (const s of f.shapes) {
      note(s);
      s.elements?.forEach(note);
    }
    f.tags.forEach(note);
  }
  for (const t of parsed.tracks) {
    note(t);
    t.elements?.forEach(note);
  }
  return new Map([...used].sort((a, b) => a - b).map((g, i) => [g, i + 1]));
}

function renumber(objects: Iterable<{ group: number }>, groups: Map<number, number>): void {
  for (const o of objects) o.group = groups.get(o.group) ?? 0;
}

/** Standalone shapes and tags of a run of frames. */
export interface AppliedFrames {
  shapes: LabeledShape[];
  tags: LabeledTag[];
}

/** What only the end of an import knows: tracks (built over all frames), problems and skips. */
export interface AppliedRest {
  tracks: LabeledTrack[];
  problems: string[];
  skipped: Skipped;
}

/**
 * `parsed` converted a run of frames at a time, so that an import of a million objects holds
 * the converted form of one batch, not all of it: take batches with `next` until it gives null,
 * then `finish`. Shapes with a track id are held until `finish`, which builds tracks from them.
 */
export class DatasetApplier {
  private readonly scope: ImportScope;
  private readonly flat: FlatTracks;
  private readonly groups: Map<number, number>;
  private position = 0;

  constructor(private readonly parsed: ParsedDataset, schema: LabelSchema, images: readonly DatasetImage[], options: ApplyOptions) {
    this.scope = new ImportScope(schema, images, options);
    this.flat = new FlatTracks(this.scope);
    this.groups = groupNumbers(parsed);
  }

  /** The share of the parsed frames converted so far, 0..1. */
  fractionDone(): number {
    return this.parsed.frames.length ? this.position / this.parsed.frames.length : 1;
  }

  /** Problems found so far (an import stops at the first batch that has any). */
  problems(): string[] {
    return this.scope.problems.list();
  }

  /** The next frames' standalone shapes and tags, about `objects` of them (whole frames); null after the last frame. */
  next(objects = Infinity): AppliedFrames | null {
    const { frames } = this.parsed;
    if (this.position >= frames.length) return null;
    const out: AppliedFrames = { shapes: [], tags: [] };
    let taken = 0;
    while (this.position < frames.length && (taken === 0 || taken < objects)) {
      const f = frames[this.position++]!;
      taken += f.shapes.length + f.tags.length + 1;
      this.frame(f, out);
      if (this.scope.options.consume) {
        f.shapes = [];
        f.tags = [];
      }
    }
    renumber(out.tags, this.groups);
    renumber(out.shapes, this.groups);
    for (const s of out.shapes) renumber(s.elements, this.groups);
    return out;
  }

  finish(): AppliedRest {
    while (this.next() !== null);
    const tracks: LabeledTrack[] = [];
    for (const t of this.parsed.tracks) {
      const out = convertTrack(this.scope, t);
      if (out) tracks.push(out);
    }
    tracks.push(...this.flat.build());
    renumber(tracks, this.groups);
    for (const t of tracks) renumber(t.elements, this.groups);
    return { tracks, problems: this.scope.problems.list(), skipped: this.scope.skipped };
  }

  private frame(f: FrameAnnotations, out: AppliedFrames): void {
    const { scope } = this;
    const task = scope.frames.match(f.image);
    if (!task) {
      if (scope.options.ignoreMissingImages) scope.skipped.items.push(f.image.name);
      else scope.problems.add(scope.frames.missing(f.image));
      return;
    }
    if (f.image.frame >= 0) scope.numbers.note(f.image.frame, task.frame);
    const where = `item "${f.image.name}"`;
    for (const s of f.shapes) {
      if (s.track_id !== undefined) {
        this.flat.add(s as DatasetShape & { track_id: number }, task.frame, where);
        continue;
      }
      const converted = shape(scope, s, task.frame, where);
      if (converted) out.shapes.push(converted);
    }
    for (const t of f.tags) {
      const converted = tag(scope, t, task.frame, where);
      if (converted) out.tags.push(converted);
    }
  }
}

/**
 * `parsed` (a codec's import) as annotations of the task whose labels are `schema` and whose
 * frames are `images` (names and sizes, frame numbers from 0).
 */
export function applyParsedDataset(
  parsed: ParsedDataset,
  schema: LabelSchema,
  images: readonly DatasetImage[],
  options: ApplyOptions,
): AppliedDataset {
  const applier = new DatasetApplier(parsed, schema, images, options);
  const frames = applier.next() ?? { shapes: [], tags: [] };
  const rest = applier.finish();
  return { annotations: { version: 0, tags: frames.tags, shapes: frames.shapes, tracks: rest.tracks }, problems: rest.problems, skipped: rest.skipped };
}
