/**
 * CVAT's _match_segments on a sparse similarity matrix. CVAT fills a square matrix of
 * 1 - similarity, sets every cost above 1 - threshold to 1 and runs the Hungarian method on it;
 * a pair is a match when its cost is below 1 and within the threshold. Since every unmatched
 * row costs 1 either way, that optimum is a maximum-similarity matching over the pairs within
 * the threshold, and it splits over the connected components of those pairs: each component
 * is solved on its own small matrix, which keeps a frame of thousands of objects cheap when a
 * spatial prefilter has supplied only the pairs that can overlap.
 */
import { minCostAssignment } from '../assignment.js';

export interface Candidate {
  a: number;
  b: number;
  similarity: number;
}

export interface Assignment {
  /** Matched pairs in order of a, each with its similarity. */
  pairs: Candidate[];
  aUnmatched: number[];
  bUnmatched: number[];
}

function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]!]!;
    x = parent[x]!;
  }
  return x;
}

/**
 * Matches a[0..nA) to b[0..nB) given the candidate pairs (pairs not listed have similarity 0).
 * Pairs whose similarity is not finite, not positive or below `threshold` cannot match.
 */
export function assignPairs(nA: number, nB: number, candidates: readonly Candidate[], threshold: number): Assignment {
  const limit = 1 - threshold;
  const edges = candidates.filter((c) => Number.isFinite(c.similarity) && 1 - c.similarity <= limit && 1 - c.similarity < 1);
  const parent = new Int32Array(nA + nB);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  for (const e of edges) {
    const ra = find(parent, e.a), rb = find(parent, nA + e.b);
    if (ra !== rb) parent[ra] = rb;
  }
  const groups = new Map<number, Candidate[]>();
  for (const e of edges) {
    const root = find(parent, e.a);
    let list = groups.get(root);
    if (!list) groups.set(root, (list = []));
    list.push(e);
  }
  const aMatched = new Uint8Array(nA), bMatched = new Uint8Array(nB);
  const pairs: Candidate[] = [];
  for (const list of groups.values()) {
    if (list.length === 1) {
      const e = list[0]!;
      pairs.push(e);
      aMatched[e.a] = 1;
      bMatched[e.b] = 1;
      continue;
    }
    const as = [...new Set(list.map((e) => e.a))], bs = [...new Set(list.map((e) => e.b))];
    const ai = new Map(as.map((a, i) => [a, i])), bi = new Map(bs.map((b, i) => [b, i]));
    const cost = new Float64Array(as.length * bs.length).fill(1);
    const sim = new Float64Array(as.length * bs.length);
    for (const e of list) {
      const k = ai.get(e.a)! * bs.length + bi.get(e.b)!;
      if (1 - e.similarity < cost[k]!) {
        cost[k] = 1 - e.similarity;
        sim[k] = e.similarity;
      }
    }
    const cols = minCostAssignment(cost, as.length, bs.length);
    cols.forEach((c, r) => {
      if (c < 0) return;
      const k = r * bs.length + c;
      if (cost[k]! >= 1) return;
      pairs.push({ a: as[r]!, b: bs[c]!, similarity: sim[k]! });
      aMatched[as[r]!] = 1;
      bMatched[bs[c]!] = 1;
    });
  }
  pairs.sort((x, y) => x.a - y.a);
  const aUnmatched: number[] = [], bUnmatched: number[] = [];
  for (let i = 0; i < nA; i++) if (!aMatched[i]) aUnmatched.push(i);
  for (let j = 0; j < nB; j++) if (!bMatched[j]) bUnmatched.push(j);
  return { pairs, aUnmatched, bUnmatched };
}

export interface ObjectPair<T> {
  a: T;
  b: T;
  similarity: number;
}

export interface ObjectMatch<T> {
  pairs: Array<ObjectPair<T>>;
  aUnmatched: T[];
  bUnmatched: T[];
  /** Each object's best similarity (negative read as 0) with any object it was compared with. */
  best: Map<T, number>;
}

/**
 * Matches objects by `similarity`, computed only for `candidates` (index pairs; every other
 * pair counts as 0), or for every pair when candidates is 'all'.
 */
export function matchObjects<T>(
  a: readonly T[],
  b: readonly T[],
  candidates: Iterable<readonly [number, number]> | 'all',
  similarity: (x: T, y: T) => number,
  threshold: number,
): ObjectMatch<T> {
  const computed: Candidate[] = [];
  const best = new Map<T, number>();
  const note = (o: T, s: number) => {
    const v = s > 0 ? s : 0;
    if (!(v <= (best.get(o) ?? -1))) best.set(o, v);
  };
  const visit = (i: number, j: number) => {
    const s = similarity(a[i]!, b[j]!);
    computed.push({ a: i, b: j, similarity: s });
    note(a[i]!, Number.isFinite(s) ? s : 0);
    note(b[j]!, Number.isFinite(s) ? s : 0);
  };
  if (candidates === 'all') {
    for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) visit(i, j);
  } else for (const [i, j] of candidates) visit(i, j);
  const r = assignPairs(a.length, b.length, computed, threshold);
  return {
    pairs: r.pairs.map((p) => ({ a: a[p.a]!, b: b[p.b]!, similarity: p.similarity })),
    aUnmatched: r.aUnmatched.map((i) => a[i]!),
    bUnmatched: r.bUnmatched.map((j) => b[j]!),
    best,
  };
}
