/**
 * One replica's objects on a frame against another's, as the quality engine matches a job with
 * its ground truth: kind by kind, optimal (Hungarian) assignment over the pairs whose similarity
 * reaches the threshold. Geometry decides the pairs; whether their labels agree is the vote's
 * business, so a pair with different labels is still one object seen two ways.
 */
import { assignPairs, type Candidate } from '../quality/assign.js';
import type { FrameObject } from '../quality/objects.js';
import { overlappingPairs } from '../quality/spatial.js';
import { familyOf, type Family, type FrameSimilarity } from './similarity.js';

export interface MatchedPair {
  a: FrameObject;
  b: FrameObject;
  similarity: number;
}

export interface PairMatch {
  pairs: MatchedPair[];
  aUnmatched: FrameObject[];
  bUnmatched: FrameObject[];
}

/** Objects of `family` among `objects`, in their order. */
export function ofFamily(objects: readonly FrameObject[], family: Family): FrameObject[] {
  return objects.filter((o) => familyOf(o.kind) === family);
}

/** Matches `a` and `b`, all of one family. */
export function matchFamily(a: readonly FrameObject[], b: readonly FrameObject[], family: Family, sim: FrameSimilarity): PairMatch {
  if (a.length === 0 || b.length === 0) return { pairs: [], aUnmatched: [...a], bUnmatched: [...b] };
  let candidates: Array<readonly [number, number]>;
  const ra = a.map((o) => sim.reach(o)), rb = b.map((o) => sim.reach(o));
  if (ra.every((r) => r !== null) && rb.every((r) => r !== null)) {
    candidates = overlappingPairs(ra as NonNullable<(typeof ra)[number]>[], rb as NonNullable<(typeof rb)[number]>[]);
  } else {
    candidates = [];
    for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) candidates.push([i, j]);
  }
  const scored: Candidate[] = candidates.map(([i, j]) => ({ a: i, b: j, similarity: sim.of(a[i]!, b[j]!) }));
  const r = assignPairs(a.length, b.length, scored, sim.thresholdOf(family));
  return {
    pairs: r.pairs.map((p) => ({ a: a[p.a]!, b: b[p.b]!, similarity: p.similarity })),
    aUnmatched: r.aUnmatched.map((i) => a[i]!),
    bUnmatched: r.bUnmatched.map((j) => b[j]!),
  };
}
