import { describe, expect, it } from 'vitest';
import { assignPairs, type Candidate } from '../../src/quality/assign.js';
import { minCostAssignment } from '../../src/assignment.js';

let seed = 2024;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

/** Least total cost over every way to give min(rows, cols) rows distinct columns, by enumeration. */
function bruteForce(cost: number[], rows: number, cols: number): number {
  let best = Infinity;
  const used = new Array<boolean>(cols).fill(false);
  const k = Math.min(rows, cols);
  // Choose which rows are assigned when rows > cols, then permute columns.
  const walk = (r: number, assigned: number, sum: number) => {
    if (assigned === k) {
      best = Math.min(best, sum);
      return;
    }
    if (r === rows) return;
    if (rows - r > k - assigned) walk(r + 1, assigned, sum); // row r left out
    for (let c = 0; c < cols; c++) {
      if (used[c]) continue;
      used[c] = true;
      walk(r + 1, assigned + 1, sum + cost[r * cols + c]!);
      used[c] = false;
    }
  };
  walk(0, 0, 0);
  return best;
}

function total(cost: number[], cols: number, assignment: Int32Array): number {
  let s = 0;
  assignment.forEach((c, r) => {
    if (c >= 0) s += cost[r * cols + c]!;
  });
  return s;
}

describe('minCostAssignment', () => {
  it('solves a textbook 3x3 case', () => {
    // Rows [4 1 3], [2 0 5], [3 2 2]. Columns per row and totals of the 6 permutations:
    // (0,1,2) 4+0+2=6  (0,2,1) 4+5+2=11  (1,0,2) 1+2+2=5  (1,2,0) 1+5+3=9  (2,0,1) 3+2+2=7  (2,1,0) 3+0+3=6
    const cost = [4, 1, 3, 2, 0, 5, 3, 2, 2];
    const a = minCostAssignment(cost, 3, 3);
    expect([...a]).toEqual([1, 0, 2]);
    expect(total(cost, 3, a)).toBe(5);
  });

  it('gives every row a distinct column, or -1 when rows outnumber columns', () => {
    // Rows [0.5 0.1], [0.9 0.2], [0.3 0.3]: the best two-row choice is row 0 -> column 1 (0.1)
    // and row 2 -> column 0 (0.3), total 0.4; row 1 is left out.
    const a = minCostAssignment([0.5, 0.1, 0.9, 0.2, 0.3, 0.3], 3, 2);
    expect([...a]).toEqual([1, -1, 0]);
  });

  it('matches brute force on 600 random matrices up to 6x6, square and rectangular', () => {
    for (let t = 0; t < 600; t++) {
      const rows = 1 + Math.floor(rnd() * 6), cols = 1 + Math.floor(rnd() * 6);
      // Integer costs make ties common, which is where a wrong step would show.
      const cost = Array.from({ length: rows * cols }, () => (t % 2 ? Math.floor(rnd() * 4) : rnd()));
      const a = minCostAssignment(cost, rows, cols);
      expect(a).toHaveLength(rows);
      const used = [...a].filter((c) => c >= 0);
      expect(used).toHaveLength(Math.min(rows, cols));
      expect(new Set(used).size).toBe(used.length);
      expect(total(cost, cols, a)).toBeCloseTo(bruteForce(cost, rows, cols), 9);
    }
  });
});

/** Largest total similarity over matchings that use only pairs within the threshold, by enumeration. */
function bestMatching(edges: Candidate[], threshold: number): number {
  const ok = edges.filter((e) => e.similarity > 0 && e.similarity >= threshold);
  let best = 0;
  const usedA = new Set<number>(), usedB = new Set<number>();
  const walk = (k: number, sum: number) => {
    best = Math.max(best, sum);
    for (let i = k; i < ok.length; i++) {
      const e = ok[i]!;
      if (usedA.has(e.a) || usedB.has(e.b)) continue;
      usedA.add(e.a);
      usedB.add(e.b);
      walk(i + 1, sum + e.similarity);
      usedA.delete(e.a);
      usedB.delete(e.b);
    }
  };
  walk(0, 0);
  return best;
}

describe('assignPairs (CVAT _match_segments on sparse similarities)', () => {
  it('leaves pairs under the threshold unmatched', () => {
    // a0-b0 0.39 is under 0.4; a1-b1 0.4 is exactly at it and matches (cost 0.6 is not above 1 - 0.4).
    const r = assignPairs(2, 2, [{ a: 0, b: 0, similarity: 0.39 }, { a: 1, b: 1, similarity: 0.4 }], 0.4);
    expect(r.pairs).toEqual([{ a: 1, b: 1, similarity: 0.4 }]);
    expect(r.aUnmatched).toEqual([0]);
    expect(r.bUnmatched).toEqual([0]);
  });

  it('prefers the assignment with the larger total similarity, not the greedy best pair', () => {
    // Greedy would take a0-b0 (0.9) and leave a1 alone; the optimum is a0-b1 + a1-b0 = 0.8 + 0.85.
    const r = assignPairs(2, 2, [
      { a: 0, b: 0, similarity: 0.9 },
      { a: 0, b: 1, similarity: 0.8 },
      { a: 1, b: 0, similarity: 0.85 },
    ], 0.4);
    expect(r.pairs.map((p) => [p.a, p.b])).toEqual([[0, 1], [1, 0]]);
  });

  it('finds the same total as exhaustive matching on random sparse graphs', () => {
    for (let t = 0; t < 300; t++) {
      const nA = 1 + Math.floor(rnd() * 6), nB = 1 + Math.floor(rnd() * 6);
      const edges: Candidate[] = [];
      for (let i = 0; i < nA; i++) for (let j = 0; j < nB; j++) if (rnd() < 0.4) edges.push({ a: i, b: j, similarity: rnd() });
      const threshold = [0, 0.4, 0.7][t % 3]!;
      const r = assignPairs(nA, nB, edges, threshold);
      const sum = r.pairs.reduce((s, p) => s + p.similarity, 0);
      expect(sum).toBeCloseTo(bestMatching(edges, threshold), 9);
      expect(r.pairs.length + r.aUnmatched.length).toBe(nA);
      expect(r.pairs.length + r.bUnmatched.length).toBe(nB);
    }
  });
});
