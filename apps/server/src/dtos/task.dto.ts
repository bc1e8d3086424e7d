import { z } from 'zod';
import type { TaskJobCounts, TaskWithContext } from '../repositories/task.repository.js';
import type { UrlBuilder } from '../http/urls.js';
import { basicUser, basicUserSchema, iso, storageSchema } from './common.js';
import { labelWriteSchema } from './label.dto.js';

export const taskReadSchema = z.object({
  id: z.number(),
  url: z.string(),
  name: z.string(),
  project_id: z.number().nullable(),
  project_name: z.string().nullable(),
  mode: z.string(),
  owner: basicUserSchema.nullable(),
  assignee: basicUserSchema.nullable(),
  assignee_updated_date: z.string().nullable(),
  bug_tracker: z.string(),
  created_date: z.string(),
  updated_date: z.string(),
  overlap: z.number().nullable(),
  segment_size: z.number(),
  status: z.string(),
  data_chunk_size: z.number().nullable(),
  data_compressed_chunk_type: z.string(),
  data_original_chunk_type: z.string(),
  data_cloud_storage_id: z.number().nullable(),
  guide_id: z.number().nullable(),
  image_quality: z.number(),
  data: z.number().nullable(),
  dimension: z.string(),
  subset: z.string(),
  organization: z.number().nullable(),
  organization_id: z.number().nullable(),
  source_storage: storageSchema,
  target_storage: storageSchema,
  consensus_enabled: z.boolean(),
  validation_mode: z.string().nullable(),
  media_type: z.string().nullable(),
  size: z.number(),
  jobs: z.object({ count: z.number(), completed: z.number(), validation: z.number(), url: z.string() }),
  labels: z.object({ url: z.string() }),
});
export type TaskRead = z.infer<typeof taskReadSchema>;

function user(id: number | null, username: string | null, first: string | null, last: string | null, urls: UrlBuilder) {
  return id !== null && username !== null ? basicUser({ id, username, first_name: first ?? '', last_name: last ?? '' }, urls) : null;
}

export function toTaskDto(t: TaskWithContext, jobs: TaskJobCounts | undefined, urls: UrlBuilder): TaskRead {
  const hasData = t.data_state === 'ready';
  return {
    id: t.id,
    url: urls.api(`tasks/${t.id}`),
    name: t.name,
    project_id: t.project_id,
    project_name: t.project_name ?? null,
    mode: t.mode,
    owner: user(t.owner_id, t.owner_username, t.owner_first_name, t.owner_last_name, urls),
    assignee: user(t.assignee_id, t.assignee_username, t.assignee_first_name, t.assignee_last_name, urls),
    assignee_updated_date: iso(t.assignee_updated_at),
    bug_tracker: t.bug_tracker,
    created_date: t.created_at.toISOString(),
    updated_date: t.updated_at.toISOString(),
    overlap: t.overlap,
    segment_size: t.segment_size,
    status: t.status,
    data_chunk_size: hasData ? t.chunk_size : null,
    data_compressed_chunk_type: 'imageset',
    data_original_chunk_type: 'imageset',
    data_cloud_storage_id: t.cloud_storage_id,
    guide_id: null,
    image_quality: t.image_quality,
    // CVAT's Data object is one-to-one with its task here, so the task id names it.
    data: hasData ? t.id : null,
    dimension: t.dimension,
    subset: t.subset,
    organization: t.organization_id,
    organization_id: t.organization_id,
    source_storage: t.source_storage ? { id: t.id, ...t.source_storage } : null,
    target_storage: t.target_storage ? { id: t.id, ...t.target_storage } : null,
    consensus_enabled: t.consensus_replicas > 0,
    validation_mode: t.validation_mode ?? null,
    media_type: t.media_type,
    size: t.size,
    jobs: { count: jobs?.count ?? 0, completed: jobs?.completed ?? 0, validation: jobs?.validation ?? 0, url: urls.api(`jobs?task_id=${t.id}`) },
    labels: { url: urls.api(`labels?task_id=${t.id}`) },
  };
}

const storageRequest = z
  .object({ location: z.enum(['local', 'cloud_storage']), cloud_storage_id: z.number().int().nullable().optional() })
  .nullable()
  .optional();

export const taskWriteSchema = z.object({
  name: z.string().trim().min(1).max(256),
  project_id: z.number().int().positive().nullable().optional(),
  labels: z.array(labelWriteSchema).optional(),
  segment_size: z.number().int().min(0).max(2147483647).optional(),
  overlap: z.number().int().min(0).max(2147483647).nullable().optional(),
  bug_tracker: z.string().max(2000).optional(),
  subset: z.string().max(64).optional(),
  assignee_id: z.number().int().positive().nullable().optional(),
  owner_id: z.number().int().positive().nullable().optional(),
  source_storage: storageRequest,
  target_storage: storageRequest,
  /** Replica jobs per annotation job: 0, or 2 to 11 (CVAT's limits, checked by the service). */
  consensus_replicas: z.number().int().min(0).optional(),
});
export type TaskWrite = z.infer<typeof taskWriteSchema>;

export const taskPatchSchema = taskWriteSchema.partial();
export type TaskPatch = z.infer<typeof taskPatchSchema>;
