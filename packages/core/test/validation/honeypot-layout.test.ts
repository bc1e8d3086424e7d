import { describe, expect, it } from 'vitest';
import { planHoneypotTask, type HoneypotPlan, type HoneypotPlanInput } from '../../src/validation/honeypot-layout.js';
import { ValidationSetupError } from '../../src/validation/params.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `img${i}.jpg`);

function refusal(run: () => unknown): { field: string; message: string } {
  try {
    run();
  } catch (e) {
    if (e instanceof ValidationSetupError) return { field: e.field, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

/** Every structural promise of a plan, checked against its input. */
function checkPlan(input: HoneypotPlanInput, plan: HoneypotPlan, poolSize: number, perJob: number): void {
  const n = input.names.length;
  const regular = n - poolSize;
  const jobSize = input.segmentSize > 0 ? input.segmentSize : regular;
  const jobCount = Math.ceil(regular / jobSize);
  expect(plan.jobs).toHaveLength(jobCount);
  expect(plan.framesPerJobCount).toBe(perJob);
  expect(plan.frames).toHaveLength(n + jobCount * perJob);

  // The pool is the tail, in natural name order, and each pool image appears there once.
  const first = n + jobCount * perJob - poolSize;
  expect(plan.validationFrames).toEqual(Array.from({ length: poolSize }, (_, i) => first + i));
  const tail = plan.frames.slice(first);
  expect(tail.every((f) => f.honeypotOf === undefined)).toBe(true);
  const tailNames = tail.map((f) => input.names[f.source]!);
  expect(tailNames).toEqual([...tailNames].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));

  // Every image outside the pool is in exactly one job, once.
  const poolSources = new Set(tail.map((f) => f.source));
  const jobFrames = plan.frames.slice(0, first);
  const regularSources = jobFrames.filter((f) => f.honeypotOf === undefined).map((f) => f.source);
  expect(regularSources).toHaveLength(regular);
  expect(new Set(regularSources).size).toBe(regular);
  expect(regularSources.some((s) => poolSources.has(s))).toBe(false);

  // Jobs tile the frames before the pool; each has its regular frames and exactly perJob honeypots.
  let next = 0;
  for (const [i, job] of plan.jobs.entries()) {
    expect(job.start).toBe(next);
    next = job.stop + 1;
    const frames = plan.frames.slice(job.start, job.stop + 1);
    const honeypots = frames.filter((f) => f.honeypotOf !== undefined);
    expect(honeypots).toHaveLength(perJob);
    expect(frames.length - perJob).toBe(Math.min(jobSize, regular - i * jobSize));
    // Never the same validation frame twice in one job; a honeypot shows its pool frame's image.
    expect(new Set(honeypots.map((h) => h.honeypotOf)).size).toBe(perJob);
    for (const h of honeypots) {
      expect(plan.validationFrames).toContain(h.honeypotOf);
      expect(h.source).toBe(plan.frames[h.honeypotOf!]!.source);
    }
  }
  expect(next).toBe(first);

  // Balanced use of the pool: no validation frame shows in more than one honeypot more than another.
  const uses = new Map(plan.validationFrames.map((f) => [f, 0]));
  for (const f of jobFrames) if (f.honeypotOf !== undefined) uses.set(f.honeypotOf, uses.get(f.honeypotOf)! + 1);
  const counts = [...uses.values()];
  expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
}

describe('planHoneypotTask', () => {
  it('lays out 23 images, a pool of 5, jobs of 4 and 2 honeypots a job, for 300 seeds', () => {
    // 18 regular images make 5 jobs (4+4+4+4+2); 5 x 2 = 10 honeypots; 23 + 10 = 33 frames, pool at 28-32.
    for (let seed = 0; seed < 300; seed++) {
      const input: HoneypotPlanInput = { names: names(23), method: 'random_uniform', frameCount: 5, framesPerJobCount: 2, segmentSize: 4, seed };
      const plan = planHoneypotTask(input);
      expect(plan.frames).toHaveLength(33);
      expect(plan.validationFrames).toEqual([28, 29, 30, 31, 32]);
      checkPlan(input, plan, 5, 2);
    }
  });

  it('keeps its promises across sizes, shares and segment sizes', () => {
    for (let seed = 0; seed < 200; seed++) {
      const n = 6 + (seed % 40);
      const segmentSize = [0, 1, 3, 7, 50][seed % 5]!;
      const share = [0.1, 0.3, 0.5][seed % 3]!;
      const input: HoneypotPlanInput = { names: names(n), method: 'random_uniform', frameShare: share, framesPerJobShare: 0.5, segmentSize, seed };
      const plan = planHoneypotTask(input);
      const poolSize = Math.max(1, Math.floor(n * share));
      const jobSize = segmentSize > 0 ? segmentSize : n - poolSize;
      const perJob = Math.min(poolSize, Math.max(1, Math.floor(0.5 * jobSize)));
      checkPlan(input, plan, poolSize, perJob);
    }
  });

  it('is reproducible by seed, and seeds give different layouts', () => {
    const input = (seed: number): HoneypotPlanInput => ({ names: names(40), method: 'random_uniform', frameCount: 6, framesPerJobCount: 3, segmentSize: 5, seed });
    expect(planHoneypotTask(input(77))).toEqual(planHoneypotTask(input(77)));
    expect(planHoneypotTask(input(77))).not.toEqual(planHoneypotTask(input(78)));
    // The input order of the names does not matter: the images are put in name order first.
    const shuffled = { ...input(77), names: [...names(40)].reverse() };
    const a = planHoneypotTask(input(77)).frames.map((f) => names(40)[f.source]);
    const b = planHoneypotTask(shuffled).frames.map((f) => shuffled.names[f.source]);
    expect(b).toEqual(a);
  });

  it('hides honeypots at shuffled positions, not always at the end of a job', () => {
    const positions = new Set<number>();
    for (let seed = 0; seed < 100; seed++) {
      const plan = planHoneypotTask({ names: names(30), method: 'random_uniform', frameCount: 5, framesPerJobCount: 1, segmentSize: 5, seed });
      for (const job of plan.jobs) {
        const at = plan.frames.slice(job.start, job.stop + 1).findIndex((f) => f.honeypotOf !== undefined);
        positions.add(at);
      }
    }
    // A job of 5 regular frames and 1 honeypot: the honeypot takes each of the 6 places.
    expect([...positions].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('takes a manual pool by file name, in natural order at the end', () => {
    const files = ['b10.png', 'b2.png', 'b1.png', 'a.png', 'c.png', 'd.png'];
    const plan = planHoneypotTask({ names: files, method: 'manual', frames: ['b10.png', 'b2.png'], framesPerJobCount: 1, segmentSize: 2, seed: 3 });
    // 4 regular frames in 2 jobs of 2 + 1 honeypot each = 6 frames, then the pool: b2 before b10.
    expect(plan.jobs).toEqual([
      { start: 0, stop: 2 },
      { start: 3, stop: 5 },
    ]);
    expect(plan.validationFrames).toEqual([6, 7]);
    expect(plan.frames.slice(6).map((f) => files[f.source])).toEqual(['b2.png', 'b10.png']);
    const honeypots = plan.frames.filter((f) => f.honeypotOf !== undefined);
    // Two jobs of one honeypot each use both pool frames once.
    expect(honeypots.map((h) => h.honeypotOf).sort()).toEqual([6, 7]);
  });

  it('puts every regular frame in one job when the segment size is 0', () => {
    const plan = planHoneypotTask({ names: names(10), method: 'random_uniform', frameCount: 2, framesPerJobCount: 2, segmentSize: 0, seed: 1 });
    expect(plan.jobs).toEqual([{ start: 0, stop: 9 }]);
    expect(plan.validationFrames).toEqual([10, 11]);
  });

  it('caps honeypots per job at the pool size, unless the pool size was asked for explicitly', () => {
    // A share of 0.2 of 10 images = a pool of 2; 5 per job cannot be met and becomes 2.
    const plan = planHoneypotTask({ names: names(10), method: 'random_uniform', frameShare: 0.2, framesPerJobCount: 5, segmentSize: 4, seed: 1 });
    expect(plan.framesPerJobCount).toBe(2);
    expect(refusal(() => planHoneypotTask({ names: names(10), method: 'random_uniform', frameCount: 2, framesPerJobCount: 5, segmentSize: 4, seed: 1 }))).toEqual({
      field: 'frames_per_job_count',
      message: 'asks for 5 validation frames per job, more than the pool holds (2)',
    });
  });

  it('refuses a pool that leaves no frame to annotate, unknown names and missing amounts', () => {
    expect(refusal(() => planHoneypotTask({ names: names(4), method: 'random_uniform', frameCount: 4, framesPerJobCount: 1, segmentSize: 2, seed: 0 })).field).toBe('frame_count');
    expect(refusal(() => planHoneypotTask({ names: names(2), method: 'manual', frames: ['img0.jpg', 'img1.jpg'], framesPerJobCount: 1, segmentSize: 2, seed: 0 })).field).toBe(
      'validation_params',
    );
    expect(refusal(() => planHoneypotTask({ names: names(4), method: 'manual', frames: ['nope.jpg'], framesPerJobCount: 1, segmentSize: 2, seed: 0 }))).toEqual({
      field: 'frames',
      message: 'unknown validation frames requested: nope.jpg',
    });
    expect(refusal(() => planHoneypotTask({ names: names(4), method: 'random_uniform', frameCount: 1, segmentSize: 2, seed: 0 })).field).toBe('frames_per_job_count');
    expect(refusal(() => planHoneypotTask({ names: names(4), method: 'random_per_job' as 'manual', framesPerJobCount: 1, segmentSize: 2, seed: 0 })).field).toBe(
      'frame_selection_method',
    );
  });
});
