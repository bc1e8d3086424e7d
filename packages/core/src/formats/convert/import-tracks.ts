/**
 * Tracks of an import: rebuilt from shapes that carry a `track_id` (formats that flatten tracks),
 * or converted from the parsed tracks of video formats.
 *
 * Attributes go where CVAT keeps them, by the task's spec: immutable ones on the track (the
 * first value seen, in frame order), mutable ones on keyframes. A parsed track that gives a
 * mutable value on the track itself has it on its first keyframe unless that sets its own.
 */
import type { AttributeValue, LabeledTrack, ShapeType, SubTrack, TrackedShape } from '../../annotations/types.js';
import type { DatasetShape, DatasetTrack, DatasetTrackShape, Geometry } from '../model.js';
import { usage } from './problems.js';
import type { ResolvedLabel } from './resolve.js';
import type { ImportScope } from './scope.js';
import { inferKeyframes, type SeenShape } from './track-rebuild.js';

interface Seen extends SeenShape {
  geometry: Geometry;
  values: AttributeValue[];
  where: string;
  group: number;
  source: DatasetShape['source'];
}

interface FlatTrack {
  label: ResolvedLabel;
  where: string;
  shapes: Seen[];
  points: Map<number, { label: ResolvedLabel; seen: Seen[] }>;
}

function firstValues(label: ResolvedLabel, lists: Iterable<readonly AttributeValue[]>): AttributeValue[] {
  const out = new Map<number, string>();
  for (const list of lists) for (const v of list) if (!out.has(v.spec_id)) out.set(v.spec_id, v.value);
  return [...out].map(([spec_id, value]) => ({ spec_id, value })).sort((a, b) => label.order.get(a.spec_id)! - label.order.get(b.spec_id)!);
}

function tracked(frame: number, g: Geometry, outside: boolean, attributes: AttributeValue[]): TrackedShape {
  return { frame, type: g.type, points: g.points, rotation: g.rotation, occluded: g.occluded, outside, z_order: g.z_order, attributes };
}

/** `list` in frame order with one entry per frame; a second on the same frame is a problem. */
function onePerFrame<T extends { frame: number }>(scope: ImportScope, list: readonly T[], what: string, where: (t: T) => string): T[] {
  const sorted = [...list].sort((a, b) => a.frame - b.frame);
  return sorted.filter((t, i) => {
    if (i === 0 || sorted[i - 1]!.frame !== t.frame) return true;
    scope.problems.add(`${where(t)}: ${what} has two shapes on frame ${t.frame}; the first is kept`);
    return false;
  });
}

/** Shapes with a track_id, collected over the frames, then rebuilt as tracks. */
export class FlatTracks {
  private readonly tracks = new Map<number, FlatTrack>();

  constructor(private readonly scope: ImportScope) {}

  add(s: DatasetShape & { track_id: number }, frame: number, where: string): void {
    const { scope } = this;
    const label = scope.label(s.label, s.type, where);
    if (!label) return;
    let t = this.tracks.get(s.track_id);
    if (!t) this.tracks.set(s.track_id, (t = { label, where, shapes: [], points: new Map() }));
    else if (t.label !== label) {
      const first = t;
      scope.problems.count(`track-label\u0000${s.track_id}\u0000${s.label}`, where, (n, at) =>
        `track ${s.track_id} has shapes of label "${s.label}" ${usage(n, at)}, but its first shape (${first.where}) has "${first.label.label.name}"`);
      return;
    }
    const keyframe = s.keyframe ?? true;
    const seen = (shape: DatasetShape, of: ResolvedLabel, key: boolean): Seen => ({
      frame, outside: shape.outside, keyframe: key, geometry: shape, where, group: shape.group, source: shape.source,
      values: scope.labels.values(of, shape.attributes, where),
    });
    t.shapes.push(seen(s, label, keyframe));
    if (s.type !== 'skeleton') return;
    for (const e of s.elements ?? []) {
      const point = scope.point(label, e.label, where);
      if (!point) continue;
      let p = t.points.get(point.label.id);
      if (!p) t.points.set(point.label.id, (p = { label: point, seen: [] }));
      p.seen.push(seen(e, point, e.keyframe ?? keyframe));
    }
  }

  private keyframes(label: ResolvedLabel, seen: readonly Seen[], what: string): { own: AttributeValue[]; shapes: TrackedShape[] } {
    const { scope } = this;
    const unique = onePerFrame(scope, seen, what, (s) => s.where);
    const hide = (s: Seen, frame: number): Seen => ({ ...s, frame, outside: true, keyframe: true, geometry: { ...s.geometry, points: [...s.geometry.points] } });
    const keys = inferKeyframes(unique, scope.frames.lastFrame, hide);
    const own = firstValues(label, unique.map((s) => scope.labels.split(label, s.values).immutable));
    const shapes = keys.map((k) => tracked(k.frame, k.geometry, k.outside, scope.labels.split(label, k.values).mutable));
    return { own, shapes };
  }

  /** The tracks, ordered by track_id (our exports number tracks by their position). */
  build(): LabeledTrack[] {
    const out: LabeledTrack[] = [];
    for (const [id, t] of [...this.tracks].sort((a, b) => a[0] - b[0])) {
      const { own, shapes } = this.keyframes(t.label, t.shapes, `track ${id}`);
      const head = t.shapes[0]!;
      const elements = [...t.points.values()].map(({ label, seen }): SubTrack => {
        const built = this.keyframes(label, seen, `point "${label.label.name}" of track ${id}`);
        return { frame: built.shapes[0]!.frame, label_id: label.label.id, group: seen[0]!.group, source: seen[0]!.source, attributes: built.own, shapes: built.shapes };
      });
      out.push({ frame: shapes[0]!.frame, label_id: t.label.label.id, group: head.group, source: head.source, attributes: own, shapes, elements });
    }
    return out;
  }
}

/**
 * A parsed track's keyframes (all its shapes when none is marked), on task frames. A frame the
 * task lacks is a problem, except an outside keyframe past the task's last frame (it hides nothing).
 */
function parsedKeyframes(scope: ImportScope, label: ResolvedLabel, list: readonly DatasetTrackShape[], what: string, where: string) {
  const marked = list.filter((s) => s.keyframe);
  const placed: Array<{ frame: number; s: DatasetTrackShape }> = [];
  for (const s of marked.length > 0 ? marked : list) {
    const frame = scope.numbers.resolve(s.frame);
    if (frame !== null) placed.push({ frame, s });
    else if (!(s.outside && scope.numbers.beyondEnd(s.frame))) {
      scope.problems.add(`${where}: ${what} has a keyframe on frame ${s.frame} of the file, which is no frame of the task`);
    }
  }
  const split = onePerFrame(scope, placed, what, () => where).map(({ frame, s }) => ({
    frame, s, values: scope.labels.split(label, scope.labels.values(label, s.attributes, where)),
  }));
  return {
    immutable: firstValues(label, split.map((k) => k.values.immutable)),
    shapes: split.map((k) => tracked(k.frame, k.s, k.s.outside, k.values.mutable)),
  };
}

function withMissing(label: ResolvedLabel, values: AttributeValue[], extra: readonly AttributeValue[]): AttributeValue[] {
  return firstValues(label, [values, extra]);
}

function convertTrackOf(scope: ImportScope, label: ResolvedLabel, t: DatasetTrack, what: string, where: string) {
  const own = scope.labels.split(label, scope.labels.values(label, t.attributes, where));
  const keys = parsedKeyframes(scope, label, t.shapes, what, where);
  const first = keys.shapes[0];
  if (first) first.attributes = withMissing(label, first.attributes, own.mutable);
  return { attributes: firstValues(label, [own.immutable, keys.immutable]), shapes: keys.shapes };
}

/** A parsed track (CVAT for video, MOT, Datumaro) as the task's track; null when left out. */
export function convertTrack(scope: ImportScope, t: DatasetTrack): LabeledTrack | null {
  const where = `track ${t.id}`;
  const kind: ShapeType | undefined = t.shapes[0]?.type;
  if (!kind) {
    if ((t.elements ?? []).some((e) => e.shapes.length > 0)) scope.problems.add(`${where}: the skeleton has points but no keyframes of its own`);
    return null;
  }
  const label = scope.label(t.label, kind, where);
  if (!label) return null;
  const { attributes, shapes } = convertTrackOf(scope, label, t, 'the track', where);
  if (shapes.length === 0) return null;
  const elements: SubTrack[] = [];
  for (const e of t.elements ?? []) {
    const point = scope.point(label, e.label, where);
    if (!point) continue;
    const sub = convertTrackOf(scope, point, e, `point "${e.label}"`, where);
    if (sub.shapes.length === 0) continue;
    elements.push({ frame: sub.shapes[0]!.frame, label_id: point.label.id, group: e.group, source: e.source, attributes: sub.attributes, shapes: sub.shapes });
  }
  return { frame: shapes[0]!.frame, label_id: label.label.id, group: t.group, source: t.source, attributes, shapes, elements };
}
