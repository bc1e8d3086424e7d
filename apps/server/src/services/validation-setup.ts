/**
 * validation_params at task creation (CVAT's ValidationParamsRequest in the data request): checked
 * when the data are attached, applied when the task's frames are made.
 *
 * - mode "gt": a ground-truth job over frames chosen from the task (random_uniform,
 *   random_per_job or manual by file name), created with the annotation jobs.
 * - mode "gt_pool": honeypots. Image tasks only, with "random" sorting and neither overlap nor
 *   job_file_mapping (CVAT's rules: the frames are reordered, so nothing may rely on their order).
 */
import path from 'node:path';
import {
  checkGroundTruthSelection,
  checkHoneypotParams,
  framesOfNames,
  planHoneypotTask,
  selectGroundTruthFrames,
  type HoneypotPlan,
  type SegmentRange,
} from '@framewise/core';
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { DataRequest } from '../dtos/task-data.dto.js';
import { validationParamsSchema, type ValidationParams } from '../dtos/validation.dto.js';
import { AppError } from '../errors.js';
import { mimeOf } from '../repositories/share.repository.js';
import type { ValidationRepository } from '../repositories/validation.repository.js';
import { asAppError, randomSeed } from './validation.service.js';

function core<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw asAppError(e);
  }
}

function field(name: string): string {
  return `validation_params.${name}`;
}

/**
 * Parses and checks a data request's validation_params; returns them with the seed fixed (so a
 * retried creation picks the same frames), or null. `files`: the names known now (uploads,
 * server_files, remote_files) to refuse honeypots on a video early.
 */
export function checkValidationParams(
  raw: unknown,
  data: Pick<DataRequest, 'sorting_method' | 'job_file_mapping'>,
  task: { overlap: number | null; segment_size: number },
  files: readonly string[],
): ValidationParams | null {
  if (raw == null) return null;
  const parsed = validationParamsSchema.safeParse(typeof raw === 'string' ? parseJson(raw) : raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw AppError.invalid(field(issue.path.join('.') || 'mode'), issue.message);
  }
  const params = { ...parsed.data, random_seed: parsed.data.random_seed ?? randomSeed() };
  const amounts = {
    frameCount: params.frame_count,
    frameShare: params.frame_share,
    framesPerJobCount: params.frames_per_job_count,
    framesPerJobShare: params.frames_per_job_share,
  };
  if (params.mode === 'gt') {
    core(() => checkGroundTruthSelection({ method: params.frame_selection_method, ...amounts, frames: params.frames?.map(() => 0) }));
    return params;
  }
  core(() => checkHoneypotParams({ method: params.frame_selection_method, ...amounts, frames: params.frames }));
  const video = files.find((f) => mimeOf(path.basename(f)) === 'video');
  if (video) throw honeypotsNeedImages(video);
  if (data.sorting_method !== 'random') {
    throw AppError.invalid('sorting_method', 'validation mode "gt_pool" can only be used with "random" sorting (the frames are shuffled into jobs)');
  }
  if (data.job_file_mapping.length) throw AppError.invalid('job_file_mapping', 'validation mode "gt_pool" cannot be used with job_file_mapping');
  if (task.overlap) throw AppError.invalid('overlap', 'validation mode "gt_pool" cannot be used with overlapping jobs');
  return params;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw AppError.invalid('validation_params', 'must be an object (in a multipart form: its JSON)');
  }
}

export function honeypotsNeedImages(name: string): AppError {
  return AppError.invalid('validation_params', `honeypots (mode "gt_pool") need an image task; ${name} is a video. Use mode "gt" for a ground-truth job over video frames`);
}

/** The honeypot layout of an image task's frames (`names` in the task's order). */
export function planHoneypots(params: ValidationParams, names: readonly string[], segmentSize: number): HoneypotPlan {
  return core(() =>
    planHoneypotTask({
      names,
      method: params.frame_selection_method as 'random_uniform' | 'manual',
      frames: params.frames,
      frameCount: params.frame_count,
      frameShare: params.frame_share,
      framesPerJobCount: params.frames_per_job_count,
      framesPerJobShare: params.frames_per_job_share,
      segmentSize,
      seed: params.random_seed!,
    }),
  );
}

/** Mode "gt" with manual frames: every file named is one of the task's. */
export function checkFrameNames(params: ValidationParams, names: readonly string[]): void {
  if (params.frame_selection_method === 'manual' && params.frames) core(() => framesOfNames('frames', params.frames!, names));
}

/**
 * Creates the ground-truth job and the layout in the creation's transaction: for "gt", over the
 * frames chosen now; for "gt_pool", over the pool the plan put at the end.
 */
export async function applyValidation(
  trx: Transaction<DB>,
  repo: ValidationRepository,
  taskId: number,
  params: ValidationParams,
  task: { size: number; segments: readonly SegmentRange[]; overlap: number; segmentSize: number; names: readonly string[] | null },
  plan: HoneypotPlan | null,
): Promise<void> {
  if (plan) {
    const frames = plan.validationFrames;
    await repo.createGroundTruthJob(trx, taskId, { start: frames[0]!, stop: frames[frames.length - 1]!, frames: null });
    await repo.saveLayout(trx, taskId, { mode: 'gt_pool', frames, framesPerJobCount: plan.framesPerJobCount });
    return;
  }
  if (params.frame_selection_method === 'manual' && !task.names) {
    throw AppError.invalid(field('frame_selection_method'), '"manual" selection at task creation names image files; for a video, create the ground-truth job after the task');
  }
  const frames = core(() =>
    selectGroundTruthFrames(
      {
        method: params.frame_selection_method,
        frameCount: params.frame_count,
        frameShare: params.frame_share,
        framesPerJobCount: params.frames_per_job_count,
        framesPerJobShare: params.frames_per_job_share,
        frames: params.frames ? framesOfNames('frames', params.frames, task.names!) : undefined,
        seed: params.random_seed!,
      },
      task,
    ),
  );
  await repo.createGroundTruthJob(trx, taskId, { start: 0, stop: task.size - 1, frames });
  await repo.saveLayout(trx, taskId, { mode: 'gt', frames, framesPerJobCount: null });
}
