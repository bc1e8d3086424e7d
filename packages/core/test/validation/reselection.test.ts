import { describe, expect, it } from 'vitest';
import { ValidationSetupError } from '../../src/validation/params.js';
import { Rng } from '../../src/validation/random.js';
import {
  checkDisabledFrames,
  checkJobManual,
  reselectJobRandom,
  reselectTaskManual,
  reselectTaskRandom,
  type HoneypotSlot,
} from '../../src/validation/reselection.js';

function refusal(run: () => unknown): { field: string; message: string } {
  try {
    run();
  } catch (e) {
    if (e instanceof ValidationSetupError) return { field: e.field, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

/** Three jobs of frames 0-9, 10-19, 20-29 with 2 honeypots each; the pool is frames 30-35. */
const jobs: HoneypotSlot[][] = [
  [
    { frame: 2, real: 30 },
    { frame: 7, real: 31 },
  ],
  [
    { frame: 11, real: 32 },
    { frame: 15, real: 33 },
  ],
  [
    { frame: 20, real: 34 },
    { frame: 29, real: 35 },
  ],
];
const validationFrames = [30, 31, 32, 33, 34, 35];

describe('reselectTaskRandom', () => {
  it('gives each job as many frames as it has honeypots, none disabled, none twice in a job, evenly used', () => {
    for (let seed = 0; seed < 300; seed++) {
      const picked = reselectTaskRandom(jobs, { validationFrames, disabled: [31, 34] }, new Rng(seed));
      expect(picked.map((p) => p.length)).toEqual([2, 2, 2]);
      const uses = new Map([30, 32, 33, 35].map((f) => [f, 0]));
      for (const p of picked) {
        expect(new Set(p).size).toBe(2);
        for (const f of p) {
          expect(uses.has(f)).toBe(true);
          uses.set(f, uses.get(f)! + 1);
        }
      }
      // 6 honeypots over 4 active frames: two used twice, two once.
      expect([...uses.values()].sort()).toEqual([1, 1, 2, 2]);
    }
  });

  it('refuses when fewer frames are active than a job has honeypots', () => {
    expect(refusal(() => reselectTaskRandom(jobs, { validationFrames, disabled: [30, 31, 32, 33, 34] }, new Rng(0)))).toMatchObject({
      field: 'frame_selection_method',
      message: expect.stringContaining('the remaining number of validation frames (1) is less than the number of honeypots in a job (2)'),
    });
  });
});

describe('reselectJobRandom', () => {
  it('prefers the validation frames the task uses least', () => {
    // Frames 30-35 each show once now; disabling 30-33 leaves 34 and 35, used once each
    // (both by job 3 itself), so job 1 gets exactly those two.
    const all = jobs.flat();
    for (let seed = 0; seed < 50; seed++) {
      expect(reselectJobRandom(jobs[0]!, all, { validationFrames, disabled: [30, 31, 32, 33] }, new Rng(seed)).sort()).toEqual([34, 35]);
    }
    // With a pool of 8 and frames 36, 37 unused, a job of two gets exactly those.
    const bigger = { validationFrames: [...validationFrames, 36, 37], disabled: [] };
    expect(reselectJobRandom(jobs[1]!, all, bigger, new Rng(4)).sort()).toEqual([36, 37]);
  });
});

describe('manual reselection', () => {
  it('checks a job\'s list: from the pool, not disabled, one per honeypot, none twice', () => {
    const pool = { validationFrames, disabled: [35] };
    expect(checkJobManual(jobs[0]!, [33, 30], pool)).toEqual([33, 30]);
    expect(refusal(() => checkJobManual(jobs[0]!, [12, 30], pool)).message).toBe('could not update honeypot frames: frames 12 are not from the validation pool');
    expect(refusal(() => checkJobManual(jobs[0]!, [35, 30], pool)).message).toBe(
      'could not update honeypot frames: frames 35 are disabled; restore them in the validation pool first',
    );
    expect(refusal(() => checkJobManual(jobs[0]!, [30], pool)).message).toBe(
      'could not update honeypot frames: the number of honeypots must remain the same; requested 1, current 2',
    );
    expect(refusal(() => checkJobManual(jobs[0]!, [30, 30], pool)).message).toBe('could not update honeypot frames: frame 30 would be shown twice in one job');
  });

  it('splits a task\'s list among jobs in honeypot frame order', () => {
    const picked = reselectTaskManual(jobs, [35, 34, 33, 32, 31, 30], { validationFrames, disabled: [] });
    expect(picked).toEqual([
      [35, 34],
      [33, 32],
      [31, 30],
    ]);
    expect(refusal(() => reselectTaskManual(jobs, [30, 31], { validationFrames, disabled: [] }))).toEqual({
      field: 'honeypot_real_frames',
      message: 'has 2 frames; the task has 6 honeypots, one value each is expected',
    });
  });
});

describe('checkDisabledFrames', () => {
  it('takes validation frames only, none twice, and sorts them', () => {
    expect(checkDisabledFrames([33, 30], validationFrames)).toEqual([30, 33]);
    expect(checkDisabledFrames([], validationFrames)).toEqual([]);
    expect(refusal(() => checkDisabledFrames([30, 3, 1], validationFrames)).message).toBe(
      'unknown frames requested for exclusion from the validation set: 1, 3',
    );
    expect(refusal(() => checkDisabledFrames([30, 30], validationFrames)).field).toBe('disabled_frames');
  });
});
