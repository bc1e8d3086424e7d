import { z } from 'zod';
import type { UserRow } from '../db/schema.js';
import type { UrlBuilder } from '../http/urls.js';
import { iso } from './common.js';

export const userSchema = z.object({
  id: z.number(),
  url: z.string(),
  username: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  email: z.string(),
  groups: z.array(z.string()),
  is_staff: z.boolean(),
  is_superuser: z.boolean(),
  is_active: z.boolean(),
  last_login: z.string().nullable(),
  date_joined: z.string(),
  has_analytics_access: z.boolean(),
});

/** CVAT's `groups` are its global roles; Framewise has admin and user until organizations land. */
export function toUserDto(u: UserRow, urls: UrlBuilder): z.infer<typeof userSchema> {
  return {
    id: u.id,
    url: urls.api(`users/${u.id}`),
    username: u.username,
    first_name: u.first_name,
    last_name: u.last_name,
    email: u.email,
    groups: u.is_superuser ? ['admin'] : ['user'],
    is_staff: u.is_staff,
    is_superuser: u.is_superuser,
    is_active: u.is_active,
    last_login: iso(u.last_login),
    date_joined: u.date_joined.toISOString(),
    has_analytics_access: u.is_superuser,
  };
}

const usernameField = z.string().min(1).max(150).regex(/^[\w.@+-]+$/, { error: 'use letters, digits and @/./+/-/_ only' });

/** POST /api/users (an extension: CVAT has no endpoint for administrators to create users). */
export const userCreateBody = z.object({
  username: usernameField,
  email: z.email().max(254).optional(),
  password: z.string().min(8).max(1024),
  first_name: z.string().max(150).optional(),
  last_name: z.string().max(150).optional(),
  is_superuser: z.boolean().optional(),
  is_staff: z.boolean().optional(),
});

/** CVAT's PatchedUserRequest (its `groups` are global roles, managed elsewhere, and ignored here). */
export const userPatchBody = z.object({
  username: usernameField.optional(),
  email: z.union([z.email().max(254), z.literal('')]).optional(),
  first_name: z.string().max(150).optional(),
  last_name: z.string().max(150).optional(),
  is_active: z.boolean().optional(),
  is_superuser: z.boolean().optional(),
  is_staff: z.boolean().optional(),
});
