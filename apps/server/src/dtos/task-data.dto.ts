import { z } from 'zod';

const int = (min: number, max = 2147483647) => z.coerce.number().int().min(min).max(max);
const bool = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False', '1', '0']).transform((v) => v.toLowerCase() === 'true' || v === '1')]);

/** CVAT's DataRequest, less the files themselves (those arrive as uploads). */
export const dataRequestSchema = z.object({
  image_quality: int(1, 100).default(70),
  server_files: z.array(z.string().min(1).max(1024)).default([]),
  server_files_exclude: z.array(z.string().min(1).max(1024)).default([]),
  remote_files: z.array(z.string()).default([]),
  cloud_storage_id: z.coerce.number().int().nullable().optional(),
  sorting_method: z.enum(['lexicographical', 'natural', 'predefined', 'random']).default('lexicographical'),
  start_frame: int(0).default(0),
  stop_frame: int(0).optional(),
  frame_filter: z.string().max(256).default(''),
  chunk_size: int(1, 10_000).nullable().optional(),
  use_zip_chunks: bool.optional(),
  use_cache: bool.optional(),
  copy_data: bool.optional(),
  storage_method: z.enum(['cache', 'file_system']).optional(),
  storage: z.enum(['cloud_storage', 'local', 'share']).optional(),
  upload_file_order: z.array(z.string()).default([]),
  job_file_mapping: z.array(z.array(z.string().min(1).max(1024)).min(1)).default([]),
  filename_pattern: z.string().nullable().optional(),
  validation_params: z.unknown().nullable().optional(),
  random_seed: z.coerce.number().int().min(0).optional(),
});
export type DataRequest = z.infer<typeof dataRequestSchema>;

/**
 * Multipart forms spell arrays as `name[0]`, `name[]` or a repeated `name`; gather them so the
 * same schema validates JSON and form bodies.
 */
export function formFieldsToObject(fields: Array<[string, string]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const arrays = new Set(['server_files', 'server_files_exclude', 'remote_files', 'upload_file_order']);
  for (const [rawName, value] of fields) {
    const m = /^([a-z_]+)(\[(\d*)\])?$/.exec(rawName);
    if (!m) continue;
    const name = m[1]!;
    if (m[2] !== undefined || arrays.has(name)) {
      const list = (out[name] as string[] | undefined) ?? [];
      list.push(value);
      out[name] = list;
    } else if (name === 'job_file_mapping') {
      out[name] = JSON.parse(value);
    } else {
      out[name] = value;
    }
  }
  return out;
}
