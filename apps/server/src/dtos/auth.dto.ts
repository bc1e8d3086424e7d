import { z } from 'zod';
import type { AuditEventRow } from '../db/schema.js';
import type { AccessTokenListRow } from '../repositories/token.repository.js';
import type { UrlBuilder } from '../http/urls.js';
import { basicUserSchema, iso } from './common.js';

/** CVAT's RegisterSerializerExRequest. */
export const registerBody = z.object({
  username: z.string().min(5).max(150),
  email: z.email().max(254).optional(),
  password1: z.string().min(8).max(256),
  password2: z.string().min(8).max(256),
  first_name: z.string().max(150).optional(),
  last_name: z.string().max(150).optional(),
  invitation: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe('Key of an organization invitation sent to `email`: registers even where registration is closed, and joins the organization'),
});

/** CVAT's RegisterSerializerEx: no key, the new user logs in as everyone else does. */
export const registerResponse = z.object({
  username: z.string(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  email_verification_required: z.boolean(),
  key: z.string().nullable(),
});

export const passwordChangeBody = z.object({
  old_password: z.string().min(1),
  new_password1: z.string().min(8).max(256),
  new_password2: z.string().min(8).max(256),
});

export const detailSchema = z.object({ detail: z.string() });

export const accessTokenWriteBody = z.object({
  name: z.string().trim().min(1).max(50),
  expiry_date: z.string().nullable().optional(),
  read_only: z.boolean().optional(),
});
export const accessTokenPatchBody = accessTokenWriteBody.partial();

export const accessTokenSchema = z.object({
  id: z.number(),
  name: z.string(),
  created_date: z.string(),
  updated_date: z.string(),
  expiry_date: z.string().nullable(),
  last_used_date: z.string().nullable(),
  read_only: z.boolean(),
  owner: basicUserSchema,
  value: z.string().optional().describe('The key; returned only once, when the token is created'),
});

export function toAccessTokenDto(t: AccessTokenListRow, urls: UrlBuilder, value?: string): z.infer<typeof accessTokenSchema> {
  return {
    id: t.id,
    name: t.name,
    created_date: t.created_at.toISOString(),
    updated_date: t.updated_at.toISOString(),
    expiry_date: iso(t.expires_at),
    last_used_date: iso(t.last_used_at),
    read_only: t.read_only,
    owner: { id: t.owner_id, username: t.owner_username, first_name: t.owner_first_name, last_name: t.owner_last_name, url: urls.api(`users/${t.owner_id}`) },
    ...(value !== undefined ? { value } : {}),
  };
}

export const auditEventSchema = z.object({
  id: z.number(),
  date: z.string(),
  action: z.string(),
  actor: z.object({ id: z.number().nullable(), username: z.string() }).nullable(),
  user: z.object({ id: z.number().nullable(), username: z.string() }).nullable(),
  address: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export function toAuditEventDto(e: AuditEventRow): z.infer<typeof auditEventSchema> {
  return {
    id: e.id,
    date: e.created_at.toISOString(),
    action: e.action,
    actor: e.actor_id === null && !e.actor_username ? null : { id: e.actor_id, username: e.actor_username },
    user: e.user_id === null && !e.username ? null : { id: e.user_id, username: e.username },
    address: e.address,
    details: e.details,
  };
}
