/**
 * /api/consensus: settings (CVAT's ConsensusSettings, with `quorum`, which CVAT 2.73's schema
 * has dropped but its merge still applies), merge requests (CVAT's ConsensusMergeCreateRequest),
 * and the merge reports with the annotators' agreement (a Framewise extension).
 */
import type { JobAgreement } from '@framewise/core';
import { z } from 'zod';
import type { MergeRow, SettingsRow } from '../repositories/consensus.repository.js';
import { iso } from './common.js';

export const consensusSettingsSchema = z.object({
  /** The task's id: a task has one set of settings. */
  id: z.number(),
  task_id: z.number(),
  quorum: z.number().describe('Share of the replicas that must agree on an object for the merge to keep it: ceil(quorum x replicas) votes'),
  iou_threshold: z.number().describe('Least similarity (IoU, OKS, ...) for two replicas\' annotations to be one object'),
});
export type ConsensusSettingsRead = z.infer<typeof consensusSettingsSchema>;

export function toConsensusSettingsDto(r: SettingsRow): ConsensusSettingsRead {
  return { id: r.id, task_id: r.task_id, quorum: Number(r.quorum), iou_threshold: Number(r.iou_threshold) };
}

/** Bounds are checked by the service (core's consensusSettingsProblems), naming the field. */
export const consensusSettingsPatchSchema = z.object({
  quorum: z.number().optional(),
  iou_threshold: z.number().optional(),
});
export type ConsensusSettingsPatch = z.infer<typeof consensusSettingsPatchSchema>;

export const mergeCreateSchema = z.object({
  task_id: z.number().int().positive().optional(),
  job_id: z.number().int().positive().optional(),
});
export type MergeCreate = z.infer<typeof mergeCreateSchema>;

export const rqIdSchema = z.object({ rq_id: z.string() });

const nullableShare = z.number().nullable();

const jobAgreementSchema = z.object({
  parent_job_id: z.number(),
  replica_count: z.number(),
  required_votes: z.number(),
  frame_count: z.number(),
  merged_count: z.number(),
  dropped_count: z.number(),
  mean_score: nullableShare,
  agreement: nullableShare,
  replicas: z.array(
    z.object({
      job_id: z.number(),
      annotation_count: z.number(),
      agreed_count: z.number(),
      precision: nullableShare,
      recall: nullableShare,
      mean_agreement: nullableShare,
    }),
  ),
  pairs: z.array(
    z.object({
      job_ids: z.array(z.number()),
      matched_count: z.number(),
      mismatched_count: z.number(),
      unmatched_count: z.number(),
      agreement: nullableShare,
      mean_similarity: nullableShare,
    }),
  ),
});

export const mergeReadSchema = z.object({
  id: z.number(),
  task_id: z.number(),
  /** The job the merge was asked for; null when the whole task was merged. */
  job_id: z.number().nullable(),
  rq_id: z.string().nullable(),
  created_date: z.string(),
  owner: z.object({ id: z.number(), username: z.string() }).nullable(),
  settings: z.object({ quorum: z.number(), iou_threshold: z.number() }),
  jobs: z.array(jobAgreementSchema),
});
export type MergeRead = z.infer<typeof mergeReadSchema>;

/** What a merge run stores in its report column. */
export interface MergeReport {
  settings: { quorum: number; iou_threshold: number };
  jobs: JobAgreement[];
}

export function toMergeDto(r: MergeRow): MergeRead {
  const report = r.report as unknown as MergeReport;
  return {
    id: r.id,
    task_id: r.task_id,
    job_id: r.job_id,
    rq_id: r.request_id,
    created_date: iso(r.created_at)!,
    owner: r.owner_id !== null && r.owner_username ? { id: r.owner_id, username: r.owner_username } : null,
    settings: report.settings,
    jobs: report.jobs,
  };
}
