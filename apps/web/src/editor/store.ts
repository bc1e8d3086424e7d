/**
 * The store of records, with transactions and undo/redo.
 *
 * Every edit is a put (insert or replace) or a remove. Edits inside one transaction form one
 * history entry of (before, after) pairs per id, so undo puts back `before` and redo `after`.
 * A gesture (a drag spanning many pointer events) is a transaction left open across events:
 * the entry keeps each id's first `before` and last `after`, so a whole drag undoes in one step,
 * and cancelling it puts the `before`s back without leaving history behind.
 *
 * Listeners hear each change synchronously (the spatial index and frame order must be current
 * for the next hit test in the same event); the editor batches notifications for the UI.
 */
import type { AnnotationRecord } from './model';

/** Why a record changed: a user's edit, undo/redo, or the server assigning its id. */
export type ChangeCause = 'edit' | 'history' | 'server';

export interface Change {
  readonly id: string;
  readonly before: AnnotationRecord | undefined;
  readonly after: AnnotationRecord | undefined;
  readonly cause: ChangeCause;
}

export interface StoreListener {
  change(c: Change): void;
  /** Everything was replaced (load): rebuild from `store.all()`. */
  reset(): void;
}

interface Entry {
  readonly changes: Map<string, { before: AnnotationRecord | undefined; after: AnnotationRecord | undefined }>;
  /** The frame the user was editing, so undo can take them back there. */
  readonly frame: number;
}

export interface Gesture {
  /** Keeps the gesture's edits as one undo step (none when nothing changed). */
  commit(): void;
  /** Puts back what the gesture changed; nothing reaches history. */
  cancel(): void;
}

const HISTORY_LIMIT = 500;

export class Store {
  private readonly records = new Map<string, AnnotationRecord>();
  private readonly byFrame = new Map<number, Set<string>>();
  private readonly serverIds = new Map<string, number>();
  private readonly listeners = new Set<StoreListener>();
  private undoStack: Entry[] = [];
  private redoStack: Entry[] = [];
  private open: Entry | null = null;
  private depth = 0;
  private seq = 0;
  /** The frame being edited; history entries remember it (the editor keeps it current). */
  activeFrame = 0;

  get size(): number {
    return this.records.size;
  }

  get(id: string): AnnotationRecord | undefined {
    return this.records.get(id);
  }

  all(): IterableIterator<AnnotationRecord> {
    return this.records.values();
  }

  /** Ids of the records on `frame`, in no particular order (see FrameOrder for z-order). */
  idsOnFrame(frame: number): ReadonlySet<string> {
    return this.byFrame.get(frame) ?? EMPTY;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  listen(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replaces everything (a load): no history, no change events, one reset. */
  reset(records: Iterable<AnnotationRecord>, serverIds: Iterable<[string, number]>): void {
    this.records.clear();
    this.byFrame.clear();
    this.serverIds.clear();
    this.undoStack = [];
    this.redoStack = [];
    this.open = null;
    this.depth = 0;
    for (const [id, sid] of serverIds) this.serverIds.set(id, sid);
    for (const r of records) {
      const stamped = this.stamp(r);
      this.records.set(r.id, stamped);
      this.frameSet(r.frame).add(r.id);
      if (r.seq > this.seq) this.seq = r.seq;
    }
    for (const l of this.listeners) l.reset();
  }

  /** Inserts or replaces a record (an edit: recorded in the open transaction). */
  put(record: AnnotationRecord): AnnotationRecord {
    return this.transact(() => this.write(record.id, this.stamp(record), 'edit'))!;
  }

  remove(id: string): void {
    if (!this.records.has(id)) return;
    this.transact(() => this.write(id, undefined, 'edit'));
  }

  /** Runs `fn` as one undo step (joins the enclosing transaction or gesture if there is one). */
  transact<T>(fn: () => T): T {
    if (this.depth === 0) this.open = { changes: new Map(), frame: this.activeFrame };
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      if (this.depth === 0) this.close();
    }
  }

  /** Opens a transaction that stays open across events until committed or cancelled. */
  beginGesture(): Gesture {
    if (this.depth === 0) this.open = { changes: new Map(), frame: this.activeFrame };
    this.depth++;
    const entry = this.open!;
    let done = false;
    const end = (keep: boolean): void => {
      if (done) return;
      done = true;
      if (!keep) {
        for (const [id, c] of entry.changes) this.write(id, c.before && this.stamp(c.before), 'history', false);
        entry.changes.clear();
      }
      this.depth--;
      if (this.depth === 0) this.close();
    };
    return { commit: () => end(true), cancel: () => end(false) };
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0 && this.depth === 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0 && this.depth === 0;
  }

  /** Undoes the last step; returns the frame it was made on, or null when there is nothing to undo. */
  undo(): number | null {
    if (!this.canUndo) return null;
    const entry = this.undoStack.pop()!;
    for (const [id, c] of entry.changes) this.write(id, c.before && this.stamp(c.before), 'history', false);
    this.redoStack.push(entry);
    return entry.frame;
  }

  redo(): number | null {
    if (!this.canRedo) return null;
    const entry = this.redoStack.pop()!;
    for (const [id, c] of entry.changes) this.write(id, c.after && this.stamp(c.after), 'history', false);
    this.undoStack.push(entry);
    return entry.frame;
  }

  /** Forgets undo and redo (after a rebase onto the server's state their snapshots no longer apply). */
  clearHistory(): void {
    if (this.depth > 0) throw new Error('clearHistory: a transaction is open');
    this.undoStack = [];
    this.redoStack = [];
  }

  serverIdOf(id: string): number | undefined {
    return this.serverIds.get(id);
  }

  /** Records the server's id for a client id (or forgets it); the current record shows it, history is untouched. */
  setServerId(id: string, serverId: number | undefined): void {
    if (serverId === undefined) this.serverIds.delete(id);
    else this.serverIds.set(id, serverId);
    const current = this.records.get(id);
    if (current && current.serverId !== serverId) this.write(id, this.stamp(current), 'server', false);
  }

  /** Records carry the server id the store knows, whatever snapshot they were made from. */
  private stamp(r: AnnotationRecord): AnnotationRecord {
    const sid = this.serverIds.get(r.id);
    if (r.serverId === sid) return r;
    const { serverId: _drop, ...rest } = r;
    return sid === undefined ? rest : { ...rest, serverId: sid };
  }

  private write(id: string, after: AnnotationRecord | undefined, cause: ChangeCause, record = true): AnnotationRecord | undefined {
    const before = this.records.get(id);
    if (before === after) return after;
    if (before) {
      if (!after || after.frame !== before.frame) this.byFrame.get(before.frame)?.delete(id);
    }
    if (after) {
      this.records.set(id, after);
      this.frameSet(after.frame).add(id);
    } else {
      this.records.delete(id);
    }
    if (record && this.open) {
      const prev = this.open.changes.get(id);
      if (prev) prev.after = after;
      else this.open.changes.set(id, { before, after });
    }
    const change: Change = { id, before, after, cause };
    for (const l of this.listeners) l.change(change);
    return after;
  }

  private close(): void {
    const entry = this.open;
    this.open = null;
    if (!entry) return;
    // A put that ended where it started (e.g. a drag back to the start) is no step at all.
    for (const [id, c] of entry.changes) if (c.before === c.after) entry.changes.delete(id);
    if (entry.changes.size === 0) return;
    this.undoStack.push(entry);
    if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
    this.redoStack = [];
  }

  private frameSet(frame: number): Set<string> {
    let s = this.byFrame.get(frame);
    if (!s) this.byFrame.set(frame, (s = new Set()));
    return s;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
