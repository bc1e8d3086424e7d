/**
 * CVAT's organization payloads: OrganizationWriteRequest / PatchedOrganizationWriteRequest in,
 * OrganizationRead out; MembershipRead and PatchedMembershipWriteRequest; InvitationWriteRequest,
 * InvitationRead and AcceptInvitationRead. The settings object is a Framewise extension.
 */
import { z } from 'zod';
import type { UrlBuilder } from '../http/urls.js';
import { ORG_ROLES, type MembershipDetails, type OrganizationDetails } from '../repositories/organization.repository.js';
import type { InvitationView } from '../services/organizations/invitation.service.js';
import type { OrganizationSettings } from '../services/organizations/organization.service.js';
import { basicUser, basicUserSchema, iso, type BasicUser } from './common.js';

export const orgRoleSchema = z.enum(ORG_ROLES);

const slug = z
  .string()
  .min(1)
  .max(16)
  .regex(/^[-a-zA-Z0-9_]+$/, { error: 'use only letters, digits, "-" and "_"' })
  .describe('Unique regardless of case; what clients send as X-Organization');

const contact = z
  .record(z.string().max(64), z.string().max(1024))
  .refine((c) => Object.keys(c).length <= 32, { error: 'at most 32 entries' })
  .describe('Free-form contact details, e.g. {"email": "...", "phone": "..."}');

const writeFields = {
  slug,
  name: z.string().max(64).optional(),
  description: z.string().max(10_000).optional(),
  contact: contact.optional(),
};

export const organizationWriteBody = z.object(writeFields);
export const organizationPatchBody = z.object({ ...writeFields, slug: slug.optional() });

export const organizationSchema = z.object({
  id: z.number(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  created_date: z.string(),
  updated_date: z.string(),
  contact: z.record(z.string(), z.unknown()),
  owner: basicUserSchema.nullable(),
});

export function toOrganizationDto(o: OrganizationDetails, urls: UrlBuilder): z.infer<typeof organizationSchema> {
  return {
    id: o.id,
    slug: o.slug,
    name: o.name,
    description: o.description,
    created_date: o.created_at.toISOString(),
    updated_date: o.updated_at.toISOString(),
    contact: o.contact ?? {},
    owner: basicUser(o.owner, urls),
  };
}

export const organizationSettingsSchema = z.object({
  workers_can_export: z.boolean().describe('Workers may export datasets and annotations of what they can see (default false)'),
  workers_see_task: z.boolean().describe("A worker assigned a job sees that job's task and project (default true)"),
  workers_change_completed_jobs: z.boolean().describe('A worker may keep changing a job whose state is completed (default true)'),
});
export const organizationSettingsPatch = organizationSettingsSchema.partial();

export function toSettingsDto(s: OrganizationSettings): z.infer<typeof organizationSettingsSchema> {
  return {
    workers_can_export: s.workers_can_export,
    workers_see_task: s.workers_see_task,
    workers_change_completed_jobs: s.workers_change_completed_jobs,
  };
}

export const membershipSchema = z.object({
  id: z.number(),
  user: basicUserSchema,
  organization: z.number(),
  is_active: z.boolean().describe('False until the invited user accepts'),
  joined_date: z.string().nullable(),
  role: orgRoleSchema,
  invitation: z.string().nullable(),
});

export const membershipPatchBody = z.object({ role: orgRoleSchema.optional() });

export function toMembershipDto(m: MembershipDetails, urls: UrlBuilder): z.infer<typeof membershipSchema> {
  return {
    id: m.id,
    user: basicUser(m.user, urls) as BasicUser,
    organization: m.organization_id,
    is_active: m.is_active,
    joined_date: iso(m.joined_at),
    role: m.role,
    invitation: m.invitation,
  };
}

export const invitationKeyParams = z.object({ key: z.string().min(1).max(128) });

export const invitationWriteBody = z.object({
  role: orgRoleSchema,
  email: z.email().max(254),
});

export const invitationPatchBody = z.object({ role: orgRoleSchema.optional() });

export const invitationSchema = z.object({
  key: z.string(),
  created_date: z.string(),
  owner: basicUserSchema.nullable(),
  role: orgRoleSchema,
  user: basicUserSchema,
  organization: z.number(),
  expired: z.boolean(),
  accepted: z.boolean(),
  organization_info: z.object({ id: z.number(), slug: z.string() }),
});

export function toInvitationDto(i: InvitationView, urls: UrlBuilder): z.infer<typeof invitationSchema> {
  return {
    key: i.key,
    created_date: i.created_at.toISOString(),
    owner: basicUser(i.owner, urls),
    role: i.role,
    user: basicUser(i.user, urls) as BasicUser,
    organization: i.organization_id,
    expired: i.expired,
    accepted: i.accepted_at !== null,
    organization_info: { id: i.organization_id, slug: i.organization_slug },
  };
}

export const acceptInvitationSchema = z.object({ organization_slug: z.string() });
