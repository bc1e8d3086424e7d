/**
 * An R-tree of object bounds per frame (rbush), kept in step with the store change by change,
 * so hit tests and viewport culling look at the few objects near a point or inside the view
 * instead of the whole frame.
 */
import RBush from 'rbush';
import type { ImageBox } from './coords';
import { kindUtil } from './kinds';
import type { AnnotationRecord } from './model';
import type { Change, Store, StoreListener } from './store';

interface Item extends ImageBox {
  readonly id: string;
  readonly frame: number;
}

function itemOf(r: AnnotationRecord): Item | null {
  const b = kindUtil(r.kind).bounds(r);
  if (!b || !Number.isFinite(b.minX) || !Number.isFinite(b.maxY)) return null;
  return { minX: b.minX, minY: b.minY, maxX: b.maxX, maxY: b.maxY, id: r.id, frame: r.frame };
}

export class SpatialIndex implements StoreListener {
  private readonly trees = new Map<number, RBush<Item>>();
  private readonly items = new Map<string, Item>();

  constructor(private readonly store: Store) {
    store.listen(this);
  }

  /** Ids of the objects on `frame` whose bounds meet `box`. */
  search(frame: number, box: ImageBox): string[] {
    const tree = this.trees.get(frame);
    if (!tree) return [];
    return tree.search(box).map((item) => item.id);
  }

  /** Bounds of an object as indexed (undefined for tags). */
  boundsOf(id: string): ImageBox | undefined {
    return this.items.get(id);
  }

  change(c: Change): void {
    const old = this.items.get(c.id);
    if (old) {
      this.trees.get(old.frame)?.remove(old);
      this.items.delete(c.id);
    }
    if (c.after) {
      const item = itemOf(c.after);
      if (item) {
        this.tree(item.frame).insert(item);
        this.items.set(item.id, item);
      }
    }
  }

  reset(): void {
    this.trees.clear();
    this.items.clear();
    const perFrame = new Map<number, Item[]>();
    for (const r of this.store.all()) {
      const item = itemOf(r);
      if (!item) continue;
      this.items.set(item.id, item);
      let list = perFrame.get(item.frame);
      if (!list) perFrame.set(item.frame, (list = []));
      list.push(item);
    }
    // Bulk loading builds a better tree, and faster, than inserting one by one.
    for (const [frame, list] of perFrame) this.tree(frame).load(list);
  }

  private tree(frame: number): RBush<Item> {
    let t = this.trees.get(frame);
    if (!t) this.trees.set(frame, (t = new RBush<Item>()));
    return t;
  }
}
