/** datumaro's find_instances: objects of group 0 each alone, the others by group number. */
import type { FrameObject } from './objects.js';

export interface GroupIndex {
  groups: FrameObject[][];
  of: Map<FrameObject, number>;
}

export function groupInstancesByGroup(objects: readonly FrameObject[]): GroupIndex {
  const groups: FrameObject[][] = [];
  const of = new Map<FrameObject, number>();
  const byNumber = new Map<number, number>();
  const sorted = objects.map((o, i) => [o, i] as const).sort((p, q) => p[0].group - q[0].group || p[1] - q[1]);
  for (const [o] of sorted) {
    let k: number | undefined;
    if (o.group !== 0) k = byNumber.get(o.group);
    if (k === undefined) {
      k = groups.length;
      groups.push([]);
      if (o.group !== 0) byNumber.set(o.group, k);
    }
    groups[k]!.push(o);
    of.set(o, k);
  }
  return { groups, of };
}
