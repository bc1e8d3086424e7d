/** CVAT's project payloads: ProjectWriteRequest / PatchedProjectWriteRequest in, ProjectRead out. */
import { z } from 'zod';
import type { StorageRef } from '../db/schema.js';
import type { UrlBuilder } from '../http/urls.js';
import type { ProjectDetails } from '../repositories/project.repository.js';
import { basicUser, basicUserSchema, iso, storageSchema } from './common.js';
import { labelWriteSchema } from './label.dto.js';

export const storageWriteSchema = z.object({
  location: z.enum(['local', 'cloud_storage']).optional(),
  cloud_storage_id: z.number().int().nullable().optional(),
});
export type StorageWrite = z.infer<typeof storageWriteSchema>;

export const projectCreateSchema = z.object({
  name: z.string().min(1).max(256),
  labels: z.array(labelWriteSchema).default([]),
  owner_id: z.number().int().nullable().optional(),
  assignee_id: z.number().int().nullable().optional(),
  bug_tracker: z.string().max(2000).optional(),
  source_storage: storageWriteSchema.optional(),
  target_storage: storageWriteSchema.optional(),
});
export type ProjectCreate = z.infer<typeof projectCreateSchema>;

export const projectPatchSchema = z.object({
  name: z.string().min(1).max(256).optional(),
  labels: z
    .array(labelWriteSchema)
    .default([])
    .describe('An entry with id updates that label, with deleted: true removes it; one without id adds a label'),
  owner_id: z.number().int().nullable().optional(),
  assignee_id: z.number().int().nullable().optional(),
  bug_tracker: z.string().max(2000).optional(),
  source_storage: storageWriteSchema.optional(),
  target_storage: storageWriteSchema.optional(),
  organization_id: z.number().int().nullable().optional().describe('Only its current organization: moving a project between organizations is not supported'),
});
export type ProjectPatch = z.infer<typeof projectPatchSchema>;

export const projectReadSchema = z.object({
  url: z.string(),
  id: z.number(),
  name: z.string(),
  owner: basicUserSchema.nullable(),
  assignee: basicUserSchema.nullable(),
  guide_id: z.number().nullable(),
  bug_tracker: z.string(),
  task_subsets: z.array(z.string()),
  created_date: z.string(),
  updated_date: z.string(),
  status: z.string(),
  dimension: z.string().nullable(),
  organization: z.number().nullable(),
  organization_id: z.number().nullable(),
  target_storage: storageSchema,
  source_storage: storageSchema,
  tasks: z.object({ count: z.number(), url: z.string() }),
  labels: z.object({ url: z.string() }),
  assignee_updated_date: z.string().nullable(),
});
export type ProjectDto = z.infer<typeof projectReadSchema>;

/**
 * CVAT keeps storages in their own table and shows that row's id; Framewise keeps the two
 * settings inline on the project, so the id is derived (odd: source, even: target) to stay
 * stable and distinct across projects. Nothing in the API addresses a storage by id.
 */
function storageDto(ref: StorageRef | null, id: number): z.infer<typeof storageSchema> {
  return ref ? { id, location: ref.location, cloud_storage_id: ref.cloud_storage_id ?? null } : null;
}

export function toProjectDto(p: ProjectDetails, urls: UrlBuilder): ProjectDto {
  return {
    url: urls.api(`projects/${p.id}`),
    id: p.id,
    name: p.name,
    owner: basicUser(p.owner, urls),
    assignee: basicUser(p.assignee, urls),
    guide_id: null,
    bug_tracker: p.bug_tracker,
    task_subsets: p.task_subsets,
    created_date: p.created_at.toISOString(),
    updated_date: p.updated_at.toISOString(),
    status: p.status,
    dimension: p.dimension,
    organization: p.organization_id,
    organization_id: p.organization_id,
    target_storage: storageDto(p.target_storage, p.id * 2),
    source_storage: storageDto(p.source_storage, p.id * 2 - 1),
    tasks: { count: p.tasks_count, url: urls.api(`tasks?project_id=${p.id}`) },
    labels: { url: urls.api(`labels?project_id=${p.id}`) },
    assignee_updated_date: iso(p.assignee_updated_at),
  };
}
