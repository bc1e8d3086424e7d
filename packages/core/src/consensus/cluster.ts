/**
 * Objects of several replicas joined into clusters, as CVAT's merge joins them: replicas are
 * matched pairwise, and a cluster grows along those matches from its first object (replicas in
 * order, then their objects in order), taking an object only when the cluster has nothing from
 * its replica yet and it is alike enough (the threshold) to every object already in. So a
 * cluster holds at most one object per replica, and an object that fits nowhere is a cluster of
 * its own. Matches are followed both ways (CVAT follows them from the earlier replica to the
 * later; going back too lets a cluster reach an object that only a later replica matched).
 */
import type { FrameObject } from '../quality/objects.js';

export interface ClusterInput {
  /** Each replica's objects, replicas in order. */
  sources: ReadonlyArray<readonly FrameObject[]>;
  /** Matched pairs between replicas. */
  matches: ReadonlyArray<readonly [FrameObject, FrameObject]>;
  similarity(a: FrameObject, b: FrameObject): number;
  threshold: number;
}

/** Clusters of objects, each listed in replica order; every object is in exactly one. */
export function clusterObjects(input: ClusterInput): FrameObject[][] {
  const replicaOf = new Map<FrameObject, number>();
  input.sources.forEach((list, r) => list.forEach((o) => replicaOf.set(o, r)));
  const adjacent = new Map<FrameObject, FrameObject[]>();
  const link = (x: FrameObject, y: FrameObject) => {
    let list = adjacent.get(x);
    if (!list) adjacent.set(x, (list = []));
    list.push(y);
  };
  for (const [a, b] of input.matches) {
    link(a, b);
    link(b, a);
  }
  const visited = new Set<FrameObject>();
  const clusters: FrameObject[][] = [];
  for (const list of input.sources) {
    for (const start of list) {
      if (visited.has(start)) continue;
      const cluster: FrameObject[] = [];
      const replicas = new Set<number>();
      const fits = (o: FrameObject) => !replicas.has(replicaOf.get(o)!) && cluster.every((m) => input.similarity(m, o) >= input.threshold);
      const queue = [start];
      for (let q = 0; q < queue.length; q++) {
        const o = queue[q]!;
        // Checked again when taken: the cluster may have grown since it was queued.
        if (visited.has(o) || !fits(o)) continue;
        cluster.push(o);
        replicas.add(replicaOf.get(o)!);
        visited.add(o);
        for (const n of adjacent.get(o) ?? []) if (!visited.has(n) && fits(n)) queue.push(n);
      }
      cluster.sort((x, y) => replicaOf.get(x)! - replicaOf.get(y)!);
      clusters.push(cluster);
    }
  }
  return clusters;
}
