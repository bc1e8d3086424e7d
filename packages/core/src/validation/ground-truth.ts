/**
 * Which frames of a task a ground-truth job takes (validation mode "gt"), as CVAT chooses them:
 *
 * - random_uniform: `frame_count` frames (or `frame_share` of the task) drawn evenly from all;
 * - random_per_job: from each annotation job, `frames_per_job_count` frames (or a share of the
 *   segment size), never among the frames a job shares with the one before it (its overlap), and
 *   counting the frames already picked from that overlap, so every job is covered equally;
 * - manual: the frames named.
 *
 * Random picks come from the seed alone: the same seed and task give the same frames.
 */
import type { SegmentRange } from '../segments.js';
import {
  checkShare,
  checkUnique,
  listForMessage,
  requireOneOf,
  shareToCount,
  ValidationSetupError,
  type FrameSelectionMethod,
  type SelectionAmounts,
} from './params.js';
import { Rng, sample } from './random.js';

export interface GroundTruthSelection extends SelectionAmounts {
  method: FrameSelectionMethod;
  /** manual: the frame numbers. */
  frames?: readonly number[] | undefined;
  seed: number;
}

export interface TaskLayout {
  /** Frames 0..size-1. */
  size: number;
  /** The annotation jobs' segments, in frame order. */
  segments: readonly SegmentRange[];
  /** Frames each segment shares with the one before it. */
  overlap: number;
  /** The task's segment size (frames per job); 0 means one job of every frame. */
  segmentSize: number;
}

/**
 * Checks which fields the method takes (one count or share; frames only with manual), as CVAT's
 * JobWriteSerializer and ValidationParamsSerializer do.
 */
export function checkGroundTruthSelection(sel: Omit<GroundTruthSelection, 'seed'>): void {
  switch (sel.method) {
    case 'random_uniform':
      requireOneOf(sel, ['frameCount', 'frameShare']);
      break;
    case 'random_per_job':
      requireOneOf(sel, ['framesPerJobCount', 'framesPerJobShare']);
      break;
    case 'manual':
      if (sel.frames === undefined) throw new ValidationSetupError('frames', 'is required when frame_selection_method is "manual"');
      break;
  }
  if (sel.frames !== undefined && sel.method !== 'manual') {
    throw new ValidationSetupError('frames', 'can only be used when frame_selection_method is "manual"');
  }
  checkShare('frame_share', sel.frameShare);
  checkShare('frames_per_job_share', sel.framesPerJobShare);
}

function perJobCount(sel: GroundTruthSelection, task: TaskLayout): number {
  const segmentSize = task.segmentSize > 0 ? Math.min(task.segmentSize, task.size) : task.size;
  if (sel.framesPerJobCount !== undefined) {
    if (sel.framesPerJobCount > segmentSize) {
      throw new ValidationSetupError('frames_per_job_count', `asks for ${sel.framesPerJobCount} frames per job, more than the segment size (${segmentSize})`);
    }
    return sel.framesPerJobCount;
  }
  return Math.min(shareToCount(sel.framesPerJobShare!, segmentSize), task.size);
}

function perJob(rng: Rng, count: number, task: TaskLayout): number[] {
  const picked = new Set<number>();
  for (const seg of task.segments) {
    const length = seg.stop - seg.start + 1;
    let already = 0;
    for (let f = seg.start; f <= seg.stop; f++) if (picked.has(f)) already++;
    const missing = Math.min(length, count) - already;
    if (missing <= 0) continue;
    // The frames this job shares with the previous one belong to that job's pick.
    const from = seg.start === 0 ? seg.start : seg.start + task.overlap;
    const selectable: number[] = [];
    for (let f = from; f <= seg.stop; f++) if (!picked.has(f)) selectable.push(f);
    for (const f of sample(rng, selectable, Math.min(missing, selectable.length))) picked.add(f);
  }
  return [...picked];
}

/** The ground-truth frames, ascending. */
export function selectGroundTruthFrames(sel: GroundTruthSelection, task: TaskLayout): number[] {
  checkGroundTruthSelection(sel);
  if (task.size < 1) throw new ValidationSetupError('task_id', 'the task has no frames');
  const rng = new Rng(sel.seed);
  let frames: number[];
  switch (sel.method) {
    case 'random_uniform': {
      let count: number;
      if (sel.frameCount !== undefined) {
        if (sel.frameCount > task.size) {
          throw new ValidationSetupError('frame_count', `asks for ${sel.frameCount} frames, more than the task has (${task.size})`);
        }
        count = sel.frameCount;
      } else {
        count = shareToCount(sel.frameShare!, task.size);
      }
      frames = sample(rng, Array.from({ length: task.size }, (_, i) => i), count);
      break;
    }
    case 'random_per_job':
      frames = perJob(rng, perJobCount(sel, task), task);
      break;
    case 'manual': {
      const given = sel.frames!;
      if (given.length === 0) throw new ValidationSetupError('frames', 'the list of frames cannot be empty');
      checkUnique('frames', given);
      const unknown = given.filter((f) => !Number.isInteger(f) || f < 0 || f >= task.size);
      if (unknown.length) {
        throw new ValidationSetupError('frames', `these frames do not exist in the task (frames 0-${task.size - 1}): ${listForMessage([...unknown].sort((a, b) => a - b))}`);
      }
      frames = [...given];
      break;
    }
  }
  return frames.sort((a, b) => a - b);
}

/**
 * File names to frame numbers, for validation frames named at task creation; unknown names and
 * repeats are refused, naming them.
 */
export function framesOfNames(field: string, wanted: readonly string[], names: readonly string[]): number[] {
  checkUnique(field, wanted);
  const index = new Map<string, number>();
  names.forEach((n, i) => {
    if (!index.has(n)) index.set(n, i);
  });
  const unknown = wanted.filter((n) => !index.has(n));
  if (unknown.length) throw new ValidationSetupError(field, `unknown validation frames requested: ${listForMessage([...unknown].sort())}`);
  return wanted.map((n) => index.get(n)!);
}
