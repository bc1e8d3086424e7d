/**
 * CVAT's validation shapes: JobWriteRequest for a ground-truth job, ValidationParamsRequest of a
 * task's data, and the task and job validation layouts (read and PATCH).
 */
import { FRAME_SELECTION_METHODS, TASK_VALIDATION_MODES } from '@framewise/core';
import { z } from 'zod';
import { JOB_STAGES, JOB_STATES } from './job.dto.js';

const frame = z.number().int().min(0);
const count = z.number().int().min(1).max(2147483647);
const share = z.number();
const seed = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** POST /api/jobs (CVAT's JobWriteRequest). Only ground-truth jobs are created this way. */
export const jobCreateSchema = z.object({
  task_id: z.number().int().positive(),
  type: z.string(),
  assignee: z.number().int().positive().nullable().optional(),
  stage: z.enum(JOB_STAGES).optional(),
  state: z.enum(JOB_STATES).optional(),
  frame_selection_method: z.enum(FRAME_SELECTION_METHODS).optional(),
  frame_count: count.optional(),
  frame_share: share.optional(),
  frames_per_job_count: count.optional(),
  frames_per_job_share: share.optional(),
  random_seed: seed.optional(),
  /** CVAT's older name for random_seed. */
  seed: seed.optional(),
  frames: z.array(frame).optional(),
});
export type JobCreate = z.infer<typeof jobCreateSchema>;

/** A task's validation_params (CVAT's ValidationParamsRequest): frames are file names here. */
export const validationParamsSchema = z.object({
  mode: z.enum(TASK_VALIDATION_MODES),
  frame_selection_method: z.enum(FRAME_SELECTION_METHODS),
  random_seed: seed.optional(),
  frames: z.array(z.string().min(1).max(1024)).optional(),
  frame_count: count.optional(),
  frame_share: share.optional(),
  frames_per_job_count: count.optional(),
  frames_per_job_share: share.optional(),
});
export type ValidationParams = z.infer<typeof validationParamsSchema>;

export const taskLayoutPatchSchema = z.object({
  disabled_frames: z.array(frame).optional(),
  frame_selection_method: z.enum(FRAME_SELECTION_METHODS).optional(),
  honeypot_real_frames: z.array(frame).optional(),
});
export type TaskLayoutPatch = z.infer<typeof taskLayoutPatchSchema>;

export const jobLayoutPatchSchema = z.object({
  frame_selection_method: z.enum(FRAME_SELECTION_METHODS),
  honeypot_real_frames: z.array(frame).min(1).optional(),
});
export type JobLayoutPatch = z.infer<typeof jobLayoutPatchSchema>;

export const taskLayoutReadSchema = z.object({
  mode: z.enum(TASK_VALIDATION_MODES).nullable(),
  frames_per_job_count: z.number().nullable().optional(),
  validation_frames: z.array(z.number()).optional(),
  disabled_frames: z.array(z.number()).optional(),
  honeypot_count: z.number().optional(),
  honeypot_frames: z.array(z.number()).optional(),
  honeypot_real_frames: z.array(z.number()).optional(),
});
export type TaskLayoutRead = z.infer<typeof taskLayoutReadSchema>;

export const jobLayoutReadSchema = z.object({
  honeypot_count: z.number().optional(),
  honeypot_frames: z.array(z.number()).optional(),
  honeypot_real_frames: z.array(z.number()).optional(),
});
export type JobLayoutRead = z.infer<typeof jobLayoutReadSchema>;
