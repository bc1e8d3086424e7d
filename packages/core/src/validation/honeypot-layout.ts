/**
 * The frame layout of a task with honeypots (validation mode "gt_pool"), as CVAT builds it:
 *
 * 1. the images are put in natural order, and a pool of validation frames is chosen from them
 *    (`frame_count` or `frame_share` at random, or named files);
 * 2. the other images are shuffled and cut into jobs of `segment_size`;
 * 3. each job gets `frames_per_job_count` honeypots (or that share of the segment size): copies
 *    of pool frames, least used first and never twice in one job, shuffled in among its frames;
 * 4. the pool frames follow all jobs, in natural order: they are the ground-truth job.
 *
 * A honeypot is a frame of its own in the task, showing a pool frame's image. Everything random
 * comes from the seed: the same images and seed give the same layout.
 */
import type { SegmentRange } from '../segments.js';
import { sortFileNames } from '../sorting.js';
import { framesOfNames } from './ground-truth.js';
import { HoneypotSelector } from './honeypot-selector.js';
import { checkShare, requireOneOf, shareToCount, ValidationSetupError, type SelectionAmounts } from './params.js';
import { Rng, sample, shuffleInPlace } from './random.js';

export interface HoneypotPlanInput extends SelectionAmounts {
  /** The task's image names, in any order (each names one image). */
  names: readonly string[];
  /** How the pool is chosen: at random, or the files `frames` names. */
  method: 'random_uniform' | 'manual';
  frames?: readonly string[] | undefined;
  /** Regular frames per job; 0 puts them all in one job. */
  segmentSize: number;
  seed: number;
}

export interface PlannedFrame {
  /** The image this frame shows: an index into the input's `names`. */
  source: number;
  /** For a honeypot: the task frame (in the pool) whose image and ground truth it takes. */
  honeypotOf?: number;
}

export interface HoneypotPlan {
  /** The task's frames in order: the jobs' frames, then the pool. */
  frames: PlannedFrame[];
  /** The annotation jobs' segments. */
  jobs: SegmentRange[];
  /** The pool's task frames, ascending (a contiguous range at the end). */
  validationFrames: number[];
  framesPerJobCount: number;
}

/** Checks which fields gt_pool takes: a pool size (random) or names (manual), and a per-job amount. */
export function checkHoneypotParams(input: SelectionAmounts & { method: string; frames?: readonly string[] | undefined }): void {
  if (input.method === 'random_per_job') {
    throw new ValidationSetupError('frame_selection_method', 'validation mode "gt_pool" takes "random_uniform" or "manual"');
  }
  if (input.method === 'random_uniform') requireOneOf(input, ['frameCount', 'frameShare']);
  else if (input.frames === undefined) throw new ValidationSetupError('frames', 'is required when frame_selection_method is "manual"');
  else if (input.frames.length === 0) throw new ValidationSetupError('frames', 'the list of validation frames cannot be empty');
  if (input.frames !== undefined && input.method !== 'manual') {
    throw new ValidationSetupError('frames', 'can only be used when frame_selection_method is "manual"');
  }
  if (input.method === 'manual' && (input.frameCount !== undefined || input.frameShare !== undefined)) {
    throw new ValidationSetupError(input.frameCount !== undefined ? 'frame_count' : 'frame_share', 'applies only to frame_selection_method "random_uniform"');
  }
  requireOneOf(input, ['framesPerJobCount', 'framesPerJobShare']);
  checkShare('frame_share', input.frameShare);
  checkShare('frames_per_job_share', input.framesPerJobShare);
}

export function planHoneypotTask(input: HoneypotPlanInput): HoneypotPlan {
  checkHoneypotParams(input);
  const total = input.names.length;
  // Work in natural order: position i is the i-th image by name, `sorted[i]` its input index.
  const byName = new Map<string, number>();
  input.names.forEach((n, i) => byName.set(n, i));
  if (byName.size !== total) throw new ValidationSetupError('client_files', 'two images have the same name');
  const sortedNames = sortFileNames(input.names, 'natural');
  const sorted = sortedNames.map((n) => byName.get(n)!);
  const rng = new Rng(input.seed);

  let pool: number[];
  if (input.method === 'random_uniform') {
    let count: number;
    if (input.frameCount !== undefined) {
      if (input.frameCount >= total) {
        throw new ValidationSetupError('frame_count', `asks for ${input.frameCount} validation frames; it must be less than the number of task frames (${total})`);
      }
      count = input.frameCount;
    } else {
      count = shareToCount(input.frameShare!, total);
    }
    pool = sample(rng, Array.from({ length: total }, (_, i) => i), count);
  } else {
    pool = framesOfNames('frames', input.frames!, sortedNames);
  }
  if (total - pool.length < 1) {
    throw new ValidationSetupError('validation_params', 'too few non-honeypot frames left after selecting validation frames: at least one frame must remain for the annotation jobs');
  }
  // Random overall, but the ground-truth job is easier to move through in name order.
  pool.sort((a, b) => a - b);

  const inPool = new Set(pool);
  const regular = Array.from({ length: total }, (_, i) => i).filter((i) => !inPool.has(i));
  const jobSize = input.segmentSize > 0 ? input.segmentSize : regular.length;

  let perJob: number;
  if (input.framesPerJobCount !== undefined) {
    if (input.framesPerJobCount > pool.length && input.frameCount !== undefined) {
      throw new ValidationSetupError('frames_per_job_count', `asks for ${input.framesPerJobCount} validation frames per job, more than the pool holds (${pool.length})`);
    }
    perJob = input.framesPerJobCount;
  } else {
    perJob = shareToCount(input.framesPerJobShare!, jobSize);
  }
  perJob = Math.min(perJob, pool.length);

  shuffleInPlace(rng, regular);
  const selector = new HoneypotSelector(pool.map((f) => [f, 0] as const), rng);
  // A second stream orders each job's frames, so choosing and placing stay independent.
  const orderRng = new Rng(input.seed, 1);

  const frames: Array<{ position: number; honeypot: boolean }> = [];
  const jobs: SegmentRange[] = [];
  for (let start = 0; start < regular.length; start += jobSize) {
    const chunk = regular.slice(start, start + jobSize);
    const honeypots = new Set(selector.next(perJob));
    const jobFrames = shuffleInPlace(orderRng, [...chunk, ...honeypots]);
    jobs.push({ start: frames.length, stop: frames.length + jobFrames.length - 1 });
    for (const position of jobFrames) frames.push({ position, honeypot: honeypots.has(position) });
  }
  const poolFrame = new Map<number, number>();
  for (const position of pool) {
    poolFrame.set(position, frames.length);
    frames.push({ position, honeypot: false });
  }
  return {
    frames: frames.map((f) => (f.honeypot ? { source: sorted[f.position]!, honeypotOf: poolFrame.get(f.position)! } : { source: sorted[f.position]! })),
    jobs,
    validationFrames: pool.map((p) => poolFrame.get(p)!),
    framesPerJobCount: perJob,
  };
}
