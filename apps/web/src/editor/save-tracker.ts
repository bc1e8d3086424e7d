/**
 * What must be sent to the server: the difference between the records now and the records as
 * the server last had them, over the ids edited since. Comparing states (not counting edits)
 * means an edit undone before saving sends nothing, and a new object deleted before saving
 * never reaches the server.
 *
 * A save is changes() -> PATCH create/update/delete -> markSaved(created, sent). Edits made
 * while the save was in flight are compared against what was sent, so they stay unsaved.
 * One save at a time: a second changes() before the first is settled would create twice.
 */
import { emptyBatch, shapeFromRecord, tagFromRecord, type ChangeBatch, type ChangeSet, type CvatShape, type CvatTag } from './cvat';
import { assertNever, sameOnServer, type AnnotationRecord } from './model';
import type { Change, Store, StoreListener } from './store';

/** What one PATCH body of changes() carried, to settle when the server accepts it. */
type Sent =
  | { action: 'create'; shapes: AnnotationRecord[]; tags: AnnotationRecord[] }
  | { action: 'update'; records: AnnotationRecord[] }
  | { action: 'delete'; ids: string[] };

/** Unsaved work, for carrying it over a reload (Editor.rebase). */
export interface PendingEdits {
  created: AnnotationRecord[];
  updated: AnnotationRecord[];
  deleted: string[];
}

export class SaveTracker implements StoreListener {
  /** Records as the server has them, by client id (only saved ones: they have server ids). */
  private readonly saved = new Map<string, AnnotationRecord>();
  /** Ids that may differ from `saved`. */
  private readonly dirty = new Set<string>();
  /** Keyed by batch, so a caller may send (and settle) create, update and delete separately. */
  private readonly inFlight = new WeakMap<ChangeBatch, Sent>();

  constructor(private readonly store: Store) {
    store.listen(this);
  }

  change(c: Change): void {
    if (c.cause !== 'server') this.dirty.add(c.id);
  }

  reset(): void {
    this.saved.clear();
    this.dirty.clear();
    for (const r of this.store.all()) {
      if (r.serverId !== undefined) this.saved.set(r.id, r);
      else this.dirty.add(r.id);
    }
  }

  get hasUnsavedChanges(): boolean {
    for (const id of this.dirty) {
      if (this.differs(id)) return true;
      this.dirty.delete(id);
    }
    return false;
  }

  pending(): PendingEdits {
    const out: PendingEdits = { created: [], updated: [], deleted: [] };
    for (const id of this.dirty) {
      const now = this.store.get(id);
      const then = this.saved.get(id);
      if (now && !then) out.created.push(now);
      else if (now && then && !sameOnServer(now, then)) out.updated.push(now);
      else if (!now && then) out.deleted.push(id);
    }
    return out;
  }

  /** The PATCH bodies that bring the server up to date. */
  changes(): ChangeSet {
    const set: ChangeSet = { create: emptyBatch(), update: emptyBatch(), delete: emptyBatch() };
    const created: Sent & { action: 'create' } = { action: 'create', shapes: [], tags: [] };
    const updated: Sent & { action: 'update' } = { action: 'update', records: [] };
    const deleted: Sent & { action: 'delete' } = { action: 'delete', ids: [] };
    const { created: toCreate, updated: toUpdate, deleted: toDelete } = this.pending();
    for (const r of toCreate) {
      if (r.kind === 'tag') {
        set.create.tags.push(tagFromRecord(r, undefined));
        created.tags.push(r);
      } else {
        set.create.shapes.push(shapeFromRecord(r, undefined));
        created.shapes.push(r);
      }
    }
    for (const r of toUpdate) {
      this.push(set.update, r, this.saved.get(r.id)!.serverId!);
      updated.records.push(r);
    }
    for (const id of toDelete) {
      const then = this.saved.get(id)!;
      this.push(set.delete, then, then.serverId!);
      deleted.ids.push(id);
    }
    this.inFlight.set(set.create, created);
    this.inFlight.set(set.update, updated);
    this.inFlight.set(set.delete, deleted);
    return set;
  }

  /**
   * The server accepted the batches of `sent` (all of a changes() result, or some of its
   * batches with empty ones in place of the others); `created` is its answer to the create
   * request, in the order sent, carrying the new ids.
   */
  markSaved(created: { shapes: CvatShape[]; tags: CvatTag[] }, sent: ChangeSet): void {
    for (const action of ['create', 'update', 'delete'] as const) {
      const batch = sent[action];
      const meta = this.inFlight.get(batch);
      if (!meta) {
        if (batch.shapes.length === 0 && batch.tags.length === 0) continue;
        throw new Error(`markSaved: sent.${action} is not a batch this editor's changes() produced`);
      }
      if (meta.action !== action) throw new Error(`markSaved: sent.${action} holds the ${meta.action} batch`);
      this.settleBatch(meta, created);
      this.inFlight.delete(batch);
    }
  }

  private settleBatch(meta: Sent, created: { shapes: CvatShape[]; tags: CvatTag[] }): void {
    switch (meta.action) {
      case 'create': {
        if (created.shapes.length !== meta.shapes.length || created.tags.length !== meta.tags.length) {
          throw new Error(
            `markSaved: sent ${meta.shapes.length} shapes and ${meta.tags.length} tags to create, ` +
              `the answer has ${created.shapes.length} and ${created.tags.length}`,
          );
        }
        const settle = (r: AnnotationRecord, serverId: number | undefined): void => {
          if (serverId === undefined) throw new Error(`markSaved: the server gave no id for created object ${r.id}`);
          this.store.setServerId(r.id, serverId);
          this.saved.set(r.id, { ...r, serverId });
          this.settle(r.id);
        };
        meta.shapes.forEach((r, i) => settle(r, created.shapes[i]!.id));
        meta.tags.forEach((r, i) => settle(r, created.tags[i]!.id));
        return;
      }
      case 'update':
        for (const r of meta.records) {
          this.saved.set(r.id, { ...r, serverId: this.saved.get(r.id)?.serverId ?? r.serverId });
          this.settle(r.id);
        }
        return;
      case 'delete':
        for (const id of meta.ids) {
          this.saved.delete(id);
          this.store.setServerId(id, undefined);
          this.settle(id);
        }
        return;
      default:
        assertNever(meta, 'save batch');
    }
  }

  private push(batch: { shapes: CvatShape[]; tags: CvatTag[] }, r: AnnotationRecord, serverId: number): void {
    if (r.kind === 'tag') batch.tags.push(tagFromRecord(r, serverId));
    else batch.shapes.push(shapeFromRecord(r, serverId));
  }

  private differs(id: string): boolean {
    const now = this.store.get(id);
    const then = this.saved.get(id);
    if (!now || !then) return now !== then;
    return !sameOnServer(now, then);
  }

  /** Forgets `id` as unsaved unless it was edited again since it was sent. */
  private settle(id: string): void {
    if (!this.differs(id)) this.dirty.delete(id);
    else this.dirty.add(id);
  }
}
