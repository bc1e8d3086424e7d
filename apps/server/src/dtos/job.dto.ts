import { z } from 'zod';
import type { UrlBuilder } from '../http/urls.js';
import type { JobWithContext } from '../repositories/job.repository.js';
import { basicUser, basicUserSchema, iso, storageSchema } from './common.js';

export const JOB_STAGES = ['annotation', 'validation', 'acceptance'] as const;
export const JOB_STATES = ['new', 'in progress', 'completed', 'rejected'] as const;

export const jobReadSchema = z.object({
  id: z.number(),
  url: z.string(),
  task_id: z.number(),
  project_id: z.number().nullable(),
  project_name: z.string().nullable(),
  task_name: z.string(),
  assignee: basicUserSchema.nullable(),
  assignee_updated_date: z.string().nullable(),
  guide_id: z.number().nullable(),
  dimension: z.string(),
  bug_tracker: z.string().nullable(),
  status: z.string(),
  stage: z.enum(JOB_STAGES),
  state: z.enum(JOB_STATES),
  mode: z.string(),
  frame_count: z.number(),
  start_frame: z.number(),
  stop_frame: z.number(),
  data_chunk_size: z.number().nullable(),
  data_compressed_chunk_type: z.string(),
  data_original_chunk_type: z.string(),
  created_date: z.string(),
  updated_date: z.string(),
  issues: z.object({ count: z.number(), url: z.string() }),
  labels: z.object({ url: z.string() }),
  type: z.string(),
  organization: z.number().nullable(),
  source_storage: storageSchema,
  target_storage: storageSchema,
  parent_job_id: z.number().nullable(),
  consensus_replicas: z.number(),
  replicas_count: z.number(),
  media_type: z.string().nullable(),
});
export type JobRead = z.infer<typeof jobReadSchema>;

/** CVAT's job `status` is derived from its stage and state. */
export function jobStatus(stage: string, state: string): string {
  if (stage === 'acceptance' && state === 'completed') return 'completed';
  return stage === 'annotation' ? 'annotation' : 'validation';
}

export function toJobDto(j: JobWithContext, urls: UrlBuilder): JobRead {
  return {
    id: j.id,
    url: urls.api(`jobs/${j.id}`),
    task_id: j.task_id,
    project_id: j.project_id,
    project_name: j.project_name ?? null,
    task_name: j.task_name,
    assignee:
      j.assignee_id !== null && j.assignee_username
        ? basicUser({ id: j.assignee_id, username: j.assignee_username, first_name: j.assignee_first_name ?? '', last_name: j.assignee_last_name ?? '' }, urls)
        : null,
    assignee_updated_date: iso(j.assignee_updated_at),
    guide_id: null,
    dimension: j.dimension,
    bug_tracker: j.project_bug_tracker || j.task_bug_tracker || null,
    status: jobStatus(j.stage, j.state),
    stage: j.stage as JobRead['stage'],
    state: j.state as JobRead['state'],
    mode: j.mode,
    // A ground-truth job of some frames counts those (CVAT's segment frame_count).
    frame_count: j.segment_frames?.length ?? j.stop_frame - j.start_frame + 1,
    start_frame: j.start_frame,
    stop_frame: j.stop_frame,
    data_chunk_size: j.chunk_size,
    data_compressed_chunk_type: 'imageset',
    data_original_chunk_type: 'imageset',
    created_date: j.created_at.toISOString(),
    updated_date: j.updated_at.toISOString(),
    issues: { count: 0, url: urls.api(`issues?job_id=${j.id}`) },
    labels: { url: urls.api(`labels?job_id=${j.id}`) },
    type: j.type,
    organization: j.organization_id,
    source_storage: j.source_storage ? { id: j.task_id, ...j.source_storage } : null,
    target_storage: j.target_storage ? { id: j.task_id, ...j.target_storage } : null,
    parent_job_id: j.parent_job_id,
    // CVAT renamed consensus_replicas to replicas_count: both count the job's own replicas.
    consensus_replicas: j.replicas_count,
    replicas_count: j.replicas_count,
    media_type: j.media_type,
  };
}

export const jobPatchSchema = z.object({
  assignee: z.number().int().positive().nullable().optional(),
  stage: z.enum(JOB_STAGES).optional(),
  state: z.enum(JOB_STATES).optional(),
});
export type JobPatch = z.infer<typeof jobPatchSchema>;
