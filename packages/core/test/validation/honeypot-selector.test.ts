import { describe, expect, it } from 'vitest';
import { HoneypotSelector } from '../../src/validation/honeypot-selector.js';
import { Rng } from '../../src/validation/random.js';

const fresh = (frames: number[], seed: number) => new HoneypotSelector(frames.map((f) => [f, 0] as const), new Rng(seed));

describe('HoneypotSelector', () => {
  it('never repeats a frame within one pick, and keeps uses within one of each other', () => {
    for (let seed = 0; seed < 300; seed++) {
      const pool = [3, 8, 13, 21, 34, 55, 89];
      const s = fresh(pool, seed);
      const uses = new Map(pool.map((f) => [f, 0]));
      for (let job = 0; job < 25; job++) {
        const k = 1 + (job % 4);
        const pick = s.next(k);
        expect(pick).toHaveLength(k);
        expect(new Set(pick).size).toBe(k);
        for (const f of pick) uses.set(f, uses.get(f)! + 1);
        const counts = [...uses.values()];
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('uses every frame once before any twice', () => {
    const s = fresh([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 11);
    const first = [...s.next(3), ...s.next(3), ...s.next(3), ...s.next(1)];
    expect([...first].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('takes the least used frames first', () => {
    // Frames 1 and 3 are unused, 2 shows in five honeypots already, 4 in one.
    const s = new HoneypotSelector(
      [
        [1, 0],
        [2, 5],
        [3, 0],
        [4, 1],
      ],
      new Rng(0),
    );
    expect(s.next(2).sort()).toEqual([1, 3]);
    // Now 1, 3 and 4 are used once each; 2 still last.
    expect(s.next(3).sort()).toEqual([1, 3, 4]);
    expect(s.next(4).sort()).toEqual([1, 2, 3, 4]);
  });

  it('gives the same picks for the same seed, and randomizes them across seeds', () => {
    const run = (seed: number) => {
      const s = fresh([0, 1, 2, 3, 4, 5, 6, 7], seed);
      return [s.next(3), s.next(3), s.next(3)];
    };
    expect(run(5)).toEqual(run(5));
    const firsts = new Set(Array.from({ length: 50 }, (_, seed) => run(seed)[0]!.join(',')));
    expect(firsts.size).toBeGreaterThan(30);
  });

  it('refuses to pick more distinct frames than it holds', () => {
    expect(() => fresh([1, 2], 0).next(3)).toThrow(RangeError);
  });
});
