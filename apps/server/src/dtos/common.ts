import { z } from 'zod';
import type { UrlBuilder } from '../http/urls.js';

export const idParams = z.object({ id: z.coerce.number().int().positive() });

export function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}

export const basicUserSchema = z.object({
  id: z.number(),
  username: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  url: z.string(),
});
export type BasicUser = z.infer<typeof basicUserSchema>;

export interface UserRef {
  id: number;
  username: string;
  first_name: string;
  last_name: string;
}

export function basicUser(u: UserRef | null | undefined, urls: UrlBuilder): BasicUser | null {
  if (!u) return null;
  return { id: u.id, username: u.username, first_name: u.first_name, last_name: u.last_name, url: urls.api(`users/${u.id}`) };
}

export const storageSchema = z
  .object({
    id: z.number().optional(),
    location: z.enum(['local', 'cloud_storage']),
    cloud_storage_id: z.number().nullable(),
  })
  .nullable();

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ count: z.number(), next: z.string().nullable(), previous: z.string().nullable(), results: z.array(item) });

export const errorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ field: z.string().optional(), file: z.string().optional(), line: z.number().optional(), message: z.string() })),
});

/** CVAT's boolean query parameters arrive as "true"/"false" (also "True", "1"). */
export const queryBool = z
  .union([z.boolean(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === 'boolean') return v;
    const s = v.toLowerCase();
    if (s === 'true' || s === '1') return true;
    if (s === 'false' || s === '0' || s === '') return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });
