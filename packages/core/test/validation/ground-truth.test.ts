import { describe, expect, it } from 'vitest';
import { splitIntoSegments } from '../../src/segments.js';
import { framesOfNames, selectGroundTruthFrames, type GroundTruthSelection, type TaskLayout } from '../../src/validation/ground-truth.js';
import { ValidationSetupError } from '../../src/validation/params.js';

function task(size: number, segmentSize: number, overlap = 0): TaskLayout {
  return { size, segments: splitIntoSegments(size, segmentSize, overlap), overlap, segmentSize };
}

function refusal(run: () => unknown): { field: string; message: string } {
  try {
    run();
  } catch (e) {
    if (e instanceof ValidationSetupError) return { field: e.field, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

const SEEDS = Array.from({ length: 300 }, (_, i) => i * 7919);

describe('random_uniform', () => {
  it('takes exactly frame_count distinct frames of the task, ascending, for every seed', () => {
    const t = task(37, 10);
    for (const seed of SEEDS) {
      const frames = selectGroundTruthFrames({ method: 'random_uniform', frameCount: 9, seed }, t);
      expect(frames).toHaveLength(9);
      expect(new Set(frames).size).toBe(9);
      expect(frames.every((f) => f >= 0 && f < 37)).toBe(true);
      expect(frames).toEqual([...frames].sort((a, b) => a - b));
    }
  });

  it('turns a share into a count rounded down, at least one frame', () => {
    const t = task(10, 0);
    // 10 x 0.25 = 2.5 -> 2; 10 x 0.01 = 0.1 -> 1 (never an empty ground truth); 10 x 1 = all.
    expect(selectGroundTruthFrames({ method: 'random_uniform', frameShare: 0.25, seed: 1 }, t)).toHaveLength(2);
    expect(selectGroundTruthFrames({ method: 'random_uniform', frameShare: 0.01, seed: 1 }, t)).toHaveLength(1);
    expect(selectGroundTruthFrames({ method: 'random_uniform', frameShare: 1, seed: 1 }, t)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('is reproducible by seed, and seeds differ', () => {
    const t = task(1000, 100);
    const pick = (seed: number) => selectGroundTruthFrames({ method: 'random_uniform', frameCount: 20, seed }, t);
    expect(pick(123)).toEqual(pick(123));
    expect(pick(123)).not.toEqual(pick(124));
  });

  it('reaches every frame over many seeds (no frame is out of reach)', () => {
    const t = task(12, 0);
    const seen = new Set<number>();
    for (const seed of SEEDS) for (const f of selectGroundTruthFrames({ method: 'random_uniform', frameCount: 2, seed }, t)) seen.add(f);
    expect(seen.size).toBe(12);
  });

  it('refuses more frames than the task has, and unclear amounts', () => {
    expect(refusal(() => selectGroundTruthFrames({ method: 'random_uniform', frameCount: 11, seed: 0 }, task(10, 0)))).toMatchObject({ field: 'frame_count' });
    expect(refusal(() => selectGroundTruthFrames({ method: 'random_uniform', seed: 0 }, task(10, 0)))).toEqual({
      field: 'frame_count',
      message: 'one of the fields "frame_count", "frame_share" is required',
    });
    expect(refusal(() => selectGroundTruthFrames({ method: 'random_uniform', frameCount: 2, frameShare: 0.5, seed: 0 }, task(10, 0)))).toEqual({
      field: 'frame_share',
      message: 'only one of the fields "frame_count", "frame_share" can be used',
    });
    expect(refusal(() => selectGroundTruthFrames({ method: 'random_uniform', frameShare: 1.5, seed: 0 }, task(10, 0))).field).toBe('frame_share');
    expect(refusal(() => selectGroundTruthFrames({ method: 'random_uniform', frameCount: 2, frames: [1], seed: 0 }, task(10, 0))).field).toBe('frames');
  });
});

describe('random_per_job', () => {
  it('takes frames_per_job_count frames from every job when jobs do not overlap', () => {
    // 10 frames in jobs of 4: [0-3] [4-7] [8-9]; 3 per job, the short last job gives both of its frames.
    const t = task(10, 4);
    for (const seed of SEEDS) {
      const frames = selectGroundTruthFrames({ method: 'random_per_job', framesPerJobCount: 3, seed }, t);
      const inJob = t.segments.map((s) => frames.filter((f) => f >= s.start && f <= s.stop).length);
      expect(inJob).toEqual([3, 3, 2]);
    }
  });

  it('never picks a job\'s own frames from its overlap with the job before, yet covers every job', () => {
    // 20 frames, jobs of 6 overlapping by 2: [0-5] [4-9] [8-13] [12-17] [16-19].
    const t = task(20, 6, 2);
    expect(t.segments).toEqual([
      { start: 0, stop: 5 },
      { start: 4, stop: 9 },
      { start: 8, stop: 13 },
      { start: 12, stop: 17 },
      { start: 16, stop: 19 },
    ]);
    for (const seed of SEEDS) {
      const frames = selectGroundTruthFrames({ method: 'random_per_job', framesPerJobCount: 2, seed }, t);
      for (const [i, s] of t.segments.entries()) {
        expect(frames.filter((f) => f >= s.start && f <= s.stop).length).toBeGreaterThanOrEqual(2);
        if (i === 0) continue;
        // A frame in this job's overlap was chosen by the previous job, or not at all.
        const own = frames.filter((f) => f >= s.start && f < s.start + 2);
        const previous = t.segments[i - 1]!;
        expect(own.every((f) => f >= previous.start && f <= previous.stop)).toBe(true);
      }
      // The last job (4 frames, 2 of them overlap) can only add from 18-19 when the overlap holds fewer than 2.
      expect(new Set(frames).size).toBe(frames.length);
    }
  });

  it('turns a share of the segment size into a count', () => {
    // 0.5 of a segment size of 4 = 2 per job.
    const t = task(12, 4);
    const frames = selectGroundTruthFrames({ method: 'random_per_job', framesPerJobShare: 0.5, seed: 5 }, t);
    expect(t.segments.map((s) => frames.filter((f) => f >= s.start && f <= s.stop).length)).toEqual([2, 2, 2]);
  });

  it('refuses more frames per job than a job holds', () => {
    expect(refusal(() => selectGroundTruthFrames({ method: 'random_per_job', framesPerJobCount: 5, seed: 0 }, task(12, 4)))).toMatchObject({
      field: 'frames_per_job_count',
    });
    expect(refusal(() => selectGroundTruthFrames({ method: 'random_per_job', frameCount: 5, seed: 0 }, task(12, 4))).field).toBe('frames_per_job_count');
  });
});

describe('manual', () => {
  const t = task(8, 4);
  const manual = (frames: number[]): GroundTruthSelection => ({ method: 'manual', frames, seed: 0 });

  it('takes the frames named, ascending', () => {
    expect(selectGroundTruthFrames(manual([6, 1, 3]), t)).toEqual([1, 3, 6]);
  });

  it('refuses repeats, frames outside the task and an empty list, naming them', () => {
    expect(refusal(() => selectGroundTruthFrames(manual([1, 1]), t))).toEqual({ field: 'frames', message: 'frames must not repeat (1 is given twice)' });
    expect(refusal(() => selectGroundTruthFrames(manual([2, 9, 8]), t))).toEqual({ field: 'frames', message: 'these frames do not exist in the task (frames 0-7): 8, 9' });
    expect(refusal(() => selectGroundTruthFrames(manual([]), t)).field).toBe('frames');
    expect(refusal(() => selectGroundTruthFrames({ method: 'manual', seed: 0 }, t)).field).toBe('frames');
  });
});

describe('framesOfNames', () => {
  it('maps file names to frames and names the unknown ones', () => {
    expect(framesOfNames('frames', ['c.png', 'a.png'], ['a.png', 'b.png', 'c.png'])).toEqual([2, 0]);
    expect(refusal(() => framesOfNames('frames', ['z.png', 'a.png', 'y.png'], ['a.png']))).toEqual({
      field: 'frames',
      message: 'unknown validation frames requested: y.png, z.png',
    });
  });
});
