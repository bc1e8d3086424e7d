/**
 * Each frame's records sorted bottom to top (zOrder, then creation), kept up to date edit by
 * edit: a change costs a binary search and one splice, not a re-sort of the frame.
 */
import type { AnnotationRecord } from './model';
import type { Change, Store, StoreListener } from './store';

export function compareOrder(a: AnnotationRecord, b: AnnotationRecord): number {
  return a.zOrder - b.zOrder || a.seq - b.seq;
}

/** First index whose record is not below `r`. */
function lowerBound(list: readonly AnnotationRecord[], r: AnnotationRecord): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareOrder(list[mid]!, r) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Sorted {
  list: AnnotationRecord[];
  /** The frozen copy handed out; dropped when `list` changes. */
  snapshot: readonly AnnotationRecord[] | null;
}

export class FrameOrder implements StoreListener {
  private readonly frames = new Map<number, Sorted>();

  constructor(private readonly store: Store) {
    store.listen(this);
  }

  /** The frame's records, bottom first. The array is a snapshot: it never changes afterwards. */
  list(frame: number): readonly AnnotationRecord[] {
    const s = this.sorted(frame);
    if (!s.snapshot) s.snapshot = Object.freeze(s.list.slice());
    return s.snapshot;
  }

  /** The lowest and highest zOrder on the frame (0, 0 when it is empty). */
  zRange(frame: number): { min: number; max: number } {
    const { list } = this.sorted(frame);
    if (list.length === 0) return { min: 0, max: 0 };
    return { min: list[0]!.zOrder, max: list[list.length - 1]!.zOrder };
  }

  /** The topmost record on the frame, or undefined. */
  top(frame: number): AnnotationRecord | undefined {
    const { list } = this.sorted(frame);
    return list[list.length - 1];
  }

  bottom(frame: number): AnnotationRecord | undefined {
    return this.sorted(frame).list[0];
  }

  change(c: Change): void {
    if (c.before) {
      const s = this.frames.get(c.before.frame);
      if (s) {
        const i = lowerBound(s.list, c.before);
        if (s.list[i]?.id === c.before.id) s.list.splice(i, 1);
        s.snapshot = null;
      }
    }
    if (c.after) {
      const s = this.frames.get(c.after.frame);
      if (s) {
        s.list.splice(lowerBound(s.list, c.after), 0, c.after);
        s.snapshot = null;
      }
    }
  }

  reset(): void {
    this.frames.clear();
  }

  private sorted(frame: number): Sorted {
    let s = this.frames.get(frame);
    if (!s) {
      const list: AnnotationRecord[] = [];
      for (const id of this.store.idsOnFrame(frame)) list.push(this.store.get(id)!);
      list.sort(compareOrder);
      this.frames.set(frame, (s = { list, snapshot: null }));
    }
    return s;
  }
}
