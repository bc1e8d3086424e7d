import { z } from 'zod';
import type { RequestRow } from '../db/schema.js';
import { iso } from './common.js';

export const requestReadSchema = z.object({
  id: z.string(),
  status: z.enum(['queued', 'started', 'failed', 'finished']),
  message: z.string(),
  progress: z.number().nullable(),
  created_date: z.string(),
  started_date: z.string().nullable(),
  finished_date: z.string().nullable(),
  expiry_date: z.string().nullable(),
  owner: z.object({ id: z.number(), username: z.string() }).nullable(),
  operation: z.object({
    type: z.string(),
    target: z.string(),
    project_id: z.number().nullable(),
    task_id: z.number().nullable(),
    job_id: z.number().nullable(),
    format: z.string().nullable(),
    function_id: z.string().nullable(),
    org_id: z.number().nullable(),
    lightweight: z.boolean().nullable(),
  }),
  result_url: z.string().nullable(),
  result_id: z.number().nullable(),
});
export type RequestRead = z.infer<typeof requestReadSchema>;

/** `base` makes a stored path ("/api/...") into the absolute result_url CVAT's clients follow. */
export function toRequestDto(r: RequestRow & { owner_username?: string | null }, base = ''): RequestRead {
  return {
    id: r.id,
    status: r.status,
    message: r.message,
    progress: r.progress,
    created_date: r.created_at.toISOString(),
    started_date: iso(r.started_at),
    finished_date: iso(r.finished_at),
    expiry_date: iso(r.expires_at),
    owner: r.owner_id !== null ? { id: r.owner_id, username: r.owner_username ?? '' } : null,
    operation: {
      // Creation is "create:task"; exports and imports carry their subresource ("export:dataset").
      type: r.operation_type.includes(':') ? r.operation_type : `${r.operation_type}:${r.target}`,
      target: r.target,
      project_id: r.project_id,
      task_id: r.task_id,
      job_id: r.job_id,
      format: r.format,
      function_id: null,
      org_id: null,
      // Backups say whether cloud-storage media was left out (the default, as CVAT's).
      lightweight: r.operation_type === 'export:backup' ? ((r.params as { lightweight?: boolean }).lightweight ?? true) : null,
    },
    result_url: r.result_url && r.result_url.startsWith('/') ? `${base}${r.result_url}` : r.result_url,
    result_id: r.result_id,
  };
}
