/**
 * The editor's link to the server's annotations: loading a job's annotations into the store,
 * what to save (SaveTracker), and rebasing unsaved work onto a fresh load after a save conflict
 * (the server's state, with the user's edits put back on top).
 */
import { isEngineShape, recordFromShape, recordFromTag, type ChangeSet, type CvatAnnotations, type CvatShape, type CvatTag } from './cvat';
import type { AnnotationRecord, EditorLabel } from './model';
import { SaveTracker, type PendingEdits } from './save-tracker';
import type { Store } from './store';

export class AnnotationSync {
  private readonly tracker: SaveTracker;
  private untouchedData: { shapes: CvatShape[]; tracks: unknown[] } = { shapes: [], tracks: [] };
  private loadedVersion = 0;

  constructor(private readonly store: Store) {
    this.tracker = new SaveTracker(store);
  }

  /** Replaces the store's contents with `annotations` (no history). */
  load(annotations: CvatAnnotations, labels: ReadonlyMap<number, EditorLabel>): void {
    const loaded = fromCvat(annotations, labels);
    this.untouchedData = loaded.untouched;
    this.loadedVersion = annotations.version;
    this.store.reset(loaded.records, loaded.serverIds);
    this.tracker.reset();
  }

  /** Loads `annotations` and puts the unsaved edits back on top (still unsaved); history is cleared. */
  rebase(annotations: CvatAnnotations, labels: ReadonlyMap<number, EditorLabel>, nextId: () => string): void {
    const mine = this.tracker.pending();
    const flags = new Map<string, { hidden: boolean; locked: boolean }>();
    for (const r of this.store.all()) if (r.hidden || r.locked) flags.set(r.id, { hidden: r.hidden, locked: r.locked });
    this.load(annotations, labels);
    reapply(this.store, mine, flags, nextId);
    this.store.clearHistory();
  }

  get version(): number {
    return this.loadedVersion;
  }

  get untouched(): { readonly shapes: readonly CvatShape[]; readonly tracks: readonly unknown[] } {
    return this.untouchedData;
  }

  changes(): ChangeSet {
    return this.tracker.changes();
  }

  get hasUnsavedChanges(): boolean {
    return this.tracker.hasUnsavedChanges;
  }

  markSaved(created: { shapes: CvatShape[]; tags: CvatTag[] }, sent: ChangeSet): void {
    this.tracker.markSaved(created, sent);
  }
}

export interface Loaded {
  records: AnnotationRecord[];
  serverIds: Array<[string, number]>;
  /** What the engine keeps but does not edit. */
  untouched: { shapes: CvatShape[]; tracks: unknown[] };
}

export function fromCvat(annotations: CvatAnnotations, labels: ReadonlyMap<number, EditorLabel>): Loaded {
  const out: Loaded = { records: [], serverIds: [], untouched: { shapes: [], tracks: annotations.tracks.slice() } };
  let seq = 0;
  const add = (r: AnnotationRecord): void => {
    out.records.push(r);
    if (r.serverId !== undefined) out.serverIds.push([r.id, r.serverId]);
  };
  for (const s of annotations.shapes) {
    if (isEngineShape(s)) add(recordFromShape(s, ++seq, labels.get(s.label_id)));
    else out.untouched.shapes.push(s);
  }
  for (const t of annotations.tags) add(recordFromTag(t, ++seq, labels.get(t.label_id)));
  return out;
}

/**
 * Puts unsaved work back after a reload, as edits (so they are unsaved again):
 * new objects are added; objects the user changed take the user's version, or come back as new
 * objects when someone else deleted them meanwhile; objects the user deleted are deleted again.
 * Hidden and locked (the client's own) carry over for every object still there.
 */
export function reapply(
  store: Store,
  mine: PendingEdits,
  flags: ReadonlyMap<string, { hidden: boolean; locked: boolean }>,
  nextId: () => string,
): void {
  store.transact(() => {
    for (const [id, f] of flags) {
      const r = store.get(id);
      if (r && (r.hidden !== f.hidden || r.locked !== f.locked)) store.put({ ...r, ...f });
    }
    for (const r of mine.created) store.put({ ...r, id: store.get(r.id) ? nextId() : r.id, seq: store.nextSeq() });
    for (const r of mine.updated) {
      const current = store.get(r.id);
      if (current) store.put({ ...r, seq: current.seq });
      else store.put({ ...r, id: nextId(), seq: store.nextSeq() });
    }
    for (const id of mine.deleted) store.remove(id);
  });
}
