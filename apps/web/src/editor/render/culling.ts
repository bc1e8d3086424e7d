/** Which objects a drawing needs: the index's candidates for a box, without hidden or excluded ones. */
import type { ImageBox } from '../coords';
import type { AnnotationRecord } from '../model';
import type { SpatialIndex } from '../spatial';
import type { Store } from '../store';

/** Objects of `frame` whose bounds meet `box`, hidden ones and those in `skip` left out. */
export function objectsIn(store: Store, index: SpatialIndex, frame: number, box: ImageBox, skip: ReadonlySet<string>): AnnotationRecord[] {
  const out: AnnotationRecord[] = [];
  for (const id of index.search(frame, box)) {
    if (skip.has(id)) continue;
    const r = store.get(id);
    if (r && !r.hidden) out.push(r);
  }
  return out;
}
