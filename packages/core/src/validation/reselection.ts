/**
 * Changing which validation frames honeypots show, after the task is made (CVAT's PATCH
 * validation_layout): disabling validation frames takes them out of use, and a reselection gives
 * honeypots new validation frames, at random (least used first, as at creation) or as listed.
 * A job keeps its number of honeypots and its honeypot frames; only what they show changes.
 */
import { HoneypotSelector } from './honeypot-selector.js';
import { checkUnique, listForMessage, ValidationSetupError } from './params.js';
import type { Rng } from './random.js';

/** A honeypot: its own task frame, and the validation frame it shows. */
export interface HoneypotSlot {
  frame: number;
  real: number;
}

export interface ValidationPool {
  /** Every validation frame of the task. */
  validationFrames: readonly number[];
  /** Validation frames taken out of use. */
  disabled: readonly number[];
}

function activeOf(pool: ValidationPool): number[] {
  const off = new Set(pool.disabled);
  return pool.validationFrames.filter((f) => !off.has(f));
}

/** The disabled frames a request names, checked: validation frames, none twice. Returns them ascending. */
export function checkDisabledFrames(requested: readonly number[], validationFrames: readonly number[]): number[] {
  checkUnique('disabled_frames', requested);
  const known = new Set(validationFrames);
  const unknown = requested.filter((f) => !known.has(f));
  if (unknown.length) {
    throw new ValidationSetupError('disabled_frames', `unknown frames requested for exclusion from the validation set: ${listForMessage([...unknown].sort((a, b) => a - b))}`);
  }
  return [...requested].sort((a, b) => a - b);
}

function checkEnough(active: number, job: number): void {
  if (active < job) {
    throw new ValidationSetupError(
      'frame_selection_method',
      `can't select validation frames: the remaining number of validation frames (${active}) is less than the number of honeypots in a job (${job}); restore some validation frames`,
    );
  }
}

/**
 * New validation frames for every job's honeypots at random: usage starts from zero, jobs in the
 * order given (by their first frame). Returns each job's new frames, aligned with its slots.
 */
export function reselectTaskRandom(jobs: ReadonlyArray<readonly HoneypotSlot[]>, pool: ValidationPool, rng: Rng): number[][] {
  const active = activeOf(pool);
  for (const job of jobs) checkEnough(active.length, job.length);
  const selector = new HoneypotSelector(active.map((f) => [f, 0] as const), rng);
  return jobs.map((job) => selector.next(job.length));
}

/**
 * New validation frames for one job's honeypots at random, least used across the task first
 * (the job's own honeypots count as uses, so it tends to get frames it did not have).
 */
export function reselectJobRandom(job: readonly HoneypotSlot[], all: readonly HoneypotSlot[], pool: ValidationPool, rng: Rng): number[] {
  const active = activeOf(pool);
  checkEnough(active.length, job.length);
  const uses = new Map<number, number>(active.map((f) => [f, 0]));
  for (const slot of all) if (uses.has(slot.real)) uses.set(slot.real, uses.get(slot.real)! + 1);
  return new HoneypotSelector(uses, rng).next(job.length);
}

/** Checks one job's listed validation frames: from the pool, not disabled, one per honeypot, none twice. */
export function checkJobManual(job: readonly HoneypotSlot[], requested: readonly number[], pool: ValidationPool, field = 'honeypot_real_frames'): number[] {
  const all = new Set(pool.validationFrames);
  const off = new Set(pool.disabled);
  const foreign = requested.filter((f) => !all.has(f));
  if (foreign.length) {
    throw new ValidationSetupError(field, `could not update honeypot frames: frames ${listForMessage([...new Set(foreign)].sort((a, b) => a - b))} are not from the validation pool`);
  }
  const disabled = requested.filter((f) => off.has(f));
  if (disabled.length) {
    throw new ValidationSetupError(field, `could not update honeypot frames: frames ${listForMessage([...new Set(disabled)].sort((a, b) => a - b))} are disabled; restore them in the validation pool first`);
  }
  if (requested.length !== job.length) {
    throw new ValidationSetupError(field, `could not update honeypot frames: the number of honeypots must remain the same; requested ${requested.length}, current ${job.length}`);
  }
  // A frame shown twice in one job would tell the annotator which frames are honeypots.
  const seen = new Set<number>();
  for (const f of requested) {
    if (seen.has(f)) throw new ValidationSetupError(field, `could not update honeypot frames: frame ${f} would be shown twice in one job`);
    seen.add(f);
  }
  return [...requested];
}

/**
 * The task's listed validation frames, one per honeypot in frame order across the task, split
 * among the jobs and checked job by job.
 */
export function reselectTaskManual(jobs: ReadonlyArray<readonly HoneypotSlot[]>, requested: readonly number[], pool: ValidationPool): number[][] {
  const slots = jobs.flat().map((s) => s.frame).sort((a, b) => a - b);
  if (requested.length !== slots.length) {
    throw new ValidationSetupError('honeypot_real_frames', `has ${requested.length} frames; the task has ${slots.length} honeypots, one value each is expected`);
  }
  const wanted = new Map(slots.map((frame, i) => [frame, requested[i]!]));
  return jobs.map((job) => checkJobManual(job, job.map((s) => wanted.get(s.frame)!), pool));
}
