import { describe, expect, it } from 'vitest';
import { Rng, sample, shuffleInPlace } from '../../src/validation/random.js';

const draws = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.nextUint32());

describe('Rng', () => {
  it('repeats its sequence for a seed, and differs between seeds and streams', () => {
    expect(draws(new Rng(42), 20)).toEqual(draws(new Rng(42), 20));
    expect(draws(new Rng(42), 20)).not.toEqual(draws(new Rng(43), 20));
    expect(draws(new Rng(42), 20)).not.toEqual(draws(new Rng(42, 1), 20));
    // Seeds beyond 32 bits count too: their high half is not dropped.
    expect(draws(new Rng(2 ** 32 + 5), 20)).not.toEqual(draws(new Rng(5), 20));
    expect(draws(new Rng(0), 5).every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true);
  });

  it('refuses seeds CVAT would refuse: negative or not an integer', () => {
    expect(() => new Rng(-1)).toThrow(RangeError);
    expect(() => new Rng(1.5)).toThrow(RangeError);
  });

  it('draws integers below n evenly', () => {
    const rng = new Rng(7);
    const counts = new Array(6).fill(0);
    const n = 60_000;
    for (let i = 0; i < n; i++) counts[rng.below(6)]++;
    // 10,000 expected each; a fair die stays within 5% at this size.
    for (const c of counts) expect(Math.abs(c - n / 6)).toBeLessThan(500);
    expect(() => rng.below(0)).toThrow(RangeError);
  });
});

describe('sample and shuffle', () => {
  it('sample draws k distinct items of the list', () => {
    for (let seed = 0; seed < 200; seed++) {
      const items = [10, 11, 12, 13, 14, 15, 16];
      const got = sample(new Rng(seed), items, 4);
      expect(got).toHaveLength(4);
      expect(new Set(got).size).toBe(4);
      expect(got.every((x) => items.includes(x))).toBe(true);
    }
    expect(sample(new Rng(1), [1, 2, 3], 3).sort()).toEqual([1, 2, 3]);
    expect(() => sample(new Rng(1), [1, 2], 3)).toThrow(RangeError);
  });

  it('sample gives every item the same chance', () => {
    const rng = new Rng(3);
    const hits = new Array(5).fill(0);
    for (let i = 0; i < 20_000; i++) for (const x of sample(rng, [0, 1, 2, 3, 4], 2)) hits[x]++;
    // Each item is in 2 of 5 draws: 8,000 expected.
    for (const h of hits) expect(Math.abs(h - 8000)).toBeLessThan(400);
  });

  it('shuffle keeps the items and is reproducible by seed', () => {
    const a = shuffleInPlace(new Rng(9), Array.from({ length: 50 }, (_, i) => i));
    const b = shuffleInPlace(new Rng(9), Array.from({ length: 50 }, (_, i) => i));
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
