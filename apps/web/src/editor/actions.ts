/**
 * Edits of whole objects (label, attributes, flags, z-order, delete, paste), each one undo step.
 * The Editor calls these with its current frame and selection.
 */
import type { FrameOrder } from './frame-order';
import {
  defaultAttributes,
  editedSource,
  labelFits,
  type AnnotationRecord,
  type EditorLabel,
  type ObjectKind,
} from './model';
import type { Store } from './store';

/** What update() may change. `attributes` are merged into the current values. */
export interface ObjectPatch {
  labelId?: number;
  attributes?: Readonly<Record<number, string>>;
  occluded?: boolean;
  hidden?: boolean;
  locked?: boolean;
  zOrder?: number;
}

export interface ActionContext {
  readonly store: Store;
  readonly order: FrameOrder;
  readonly labels: ReadonlyMap<number, EditorLabel>;
  nextId(): string;
}

/** Fields of the patch beyond hidden/locked, the only ones a locked object refuses. */
function touchesObject(patch: ObjectPatch): boolean {
  return patch.labelId !== undefined || patch.attributes !== undefined || patch.occluded !== undefined || patch.zOrder !== undefined;
}

/**
 * Applies `patch` to object `id`; false (and nothing changes) when the object is missing,
 * locked (unless the patch unlocks it), or the new label does not fit its kind. A new label
 * brings its own attribute defaults (attribute ids belong to labels).
 */
export function updateObject(ctx: ActionContext, id: string, patch: ObjectPatch): boolean {
  const r = ctx.store.get(id);
  if (!r) return false;
  if (r.locked && patch.locked !== false && touchesObject(patch)) return false;
  let attributes = r.attributes;
  let labelId = r.labelId;
  if (patch.labelId !== undefined && patch.labelId !== r.labelId) {
    const label = ctx.labels.get(patch.labelId);
    if (!label || !labelFits(label, r.kind)) return false;
    labelId = label.id;
    attributes = defaultAttributes(label);
  }
  if (patch.attributes) attributes = { ...attributes, ...patch.attributes };
  const next: AnnotationRecord = {
    ...r,
    labelId,
    attributes,
    occluded: patch.occluded ?? r.occluded,
    hidden: patch.hidden ?? r.hidden,
    locked: patch.locked ?? r.locked,
    zOrder: patch.zOrder ?? r.zOrder,
  };
  ctx.store.put(touchesObject(patch) ? { ...next, source: editedSource(r.source) } : next);
  return true;
}

/** Sets a flag on all `ids` (off when every one has it already, as CVAT's toggles do). */
export function toggleFlag(ctx: ActionContext, ids: readonly string[], flag: 'hidden' | 'locked' | 'occluded'): number {
  const records = ids.map((id) => ctx.store.get(id)).filter((r): r is AnnotationRecord => r !== undefined);
  if (records.length === 0) return 0;
  const value = !records.every((r) => r[flag]);
  let n = 0;
  ctx.store.transact(() => {
    for (const r of records) if (updateObject(ctx, r.id, { [flag]: value })) n++;
  });
  return n;
}

/** Removes the objects (locked ones only when `force`); returns the ids removed. */
export function deleteObjects(ctx: ActionContext, ids: readonly string[], force: boolean): string[] {
  const removed: string[] = [];
  ctx.store.transact(() => {
    for (const id of ids) {
      const r = ctx.store.get(id);
      if (!r || (r.locked && !force)) continue;
      ctx.store.remove(id);
      removed.push(id);
    }
  });
  return removed;
}

/** The z-order of a new object: with the frame's highest, so (created last) it is drawn on top. */
export function topZ(ctx: ActionContext, frame: number): number {
  return ctx.order.zRange(frame).max;
}

/** A new object's record: the label's attribute defaults, manual source, on top. */
export function newRecord(ctx: ActionContext, kind: ObjectKind, frame: number, label: EditorLabel, points: readonly number[]): AnnotationRecord {
  return {
    id: ctx.nextId(),
    kind,
    frame,
    labelId: label.id,
    points: points.slice(),
    attributes: defaultAttributes(label),
    occluded: false,
    hidden: false,
    locked: false,
    zOrder: kind === 'tag' ? 0 : topZ(ctx, frame),
    rotation: 0,
    group: 0,
    source: 'manual',
    score: 1,
    seq: ctx.store.nextSeq(),
  };
}

/** A tag of `labelId` already on the frame, if any (a frame carries each tag once). */
export function tagOnFrame(ctx: ActionContext, frame: number, labelId: number): AnnotationRecord | undefined {
  for (const id of ctx.store.idsOnFrame(frame)) {
    const r = ctx.store.get(id)!;
    if (r.kind === 'tag' && r.labelId === labelId) return r;
  }
  return undefined;
}

/**
 * Copies of `originals` on `frame`, on top of what is there and in their original order.
 * Returns the new ids.
 */
export function pasteObjects(ctx: ActionContext, originals: readonly AnnotationRecord[], frame: number): string[] {
  const ids: string[] = [];
  ctx.store.transact(() => {
    const z = topZ(ctx, frame);
    for (const o of originals) {
      if (o.kind === 'tag' && tagOnFrame(ctx, frame, o.labelId)) continue;
      const { serverId: _server, ...rest } = o;
      const copy: AnnotationRecord = {
        ...rest,
        id: ctx.nextId(),
        frame,
        points: o.points.slice(),
        hidden: false,
        locked: false,
        zOrder: o.kind === 'tag' ? 0 : z,
        source: 'manual',
        seq: ctx.store.nextSeq(),
      };
      ctx.store.put(copy);
      ids.push(copy.id);
    }
  });
  return ids;
}

/** CVAT's '+': the objects go above everything else on their frame. Returns how many moved. */
export function raiseObjects(ctx: ActionContext, ids: readonly string[]): number {
  return restack(ctx, ids, 'up');
}

/** CVAT's '-': the objects go below everything else on their frame. */
export function lowerObjects(ctx: ActionContext, ids: readonly string[]): number {
  return restack(ctx, ids, 'down');
}

function restack(ctx: ActionContext, ids: readonly string[], dir: 'up' | 'down'): number {
  let n = 0;
  ctx.store.transact(() => {
    for (const id of ids) {
      const r = ctx.store.get(id);
      if (!r || r.locked || r.kind === 'tag') continue;
      const end = dir === 'up' ? ctx.order.top(r.frame) : ctx.order.bottom(r.frame);
      if (end?.id === r.id) continue;
      const { min, max } = ctx.order.zRange(r.frame);
      if (updateObject(ctx, id, { zOrder: dir === 'up' ? max + 1 : min - 1 })) n++;
    }
  });
  return n;
}
