import {
  acceptInvitationSchema,
  invitationKeyParams,
  invitationPatchBody,
  invitationSchema,
  invitationWriteBody,
  membershipPatchBody,
  membershipSchema,
  organizationPatchBody,
  organizationSchema,
  organizationSettingsPatch,
  organizationSettingsSchema,
  organizationWriteBody,
  toInvitationDto,
  toMembershipDto,
  toOrganizationDto,
  toSettingsDto,
} from '../dtos/organization.dto.js';
import { idParams, pageSchema } from '../dtos/common.js';
import { authOf } from '../http/auth-hook.js';
import { listQuerySchema, paginated } from '../http/list-query.js';
import type { App } from '../http/types.js';
import { requestUrl } from '../http/urls.js';
import type { InvitationService } from '../services/organizations/invitation.service.js';
import type { MembershipService } from '../services/organizations/membership.service.js';
import type { OrganizationService } from '../services/organizations/organization.service.js';

export interface OrganizationServices {
  organizations: OrganizationService;
  memberships: MembershipService;
  invitations: InvitationService;
}

/** CVAT's /api/organizations, /api/memberships and /api/invitations, plus organization settings. */
export function registerOrganizationRoutes(app: App, s: OrganizationServices): void {
  registerOrganizations(app, s.organizations);
  registerMemberships(app, s.memberships);
  registerInvitations(app, s.invitations);
}

function registerOrganizations(app: App, orgs: OrganizationService): void {
  const tags = ['organizations'];
  app.get(
    '/api/organizations',
    { schema: { tags, summary: 'Organizations the caller is an active member of (all, for an admin)', querystring: listQuerySchema, response: { 200: pageSchema(organizationSchema) } } },
    async (request) => {
      const page = await orgs.list(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map((o) => toOrganizationDto(o, request.urls)));
    },
  );

  app.post(
    '/api/organizations',
    { schema: { tags, summary: 'Create an organization; the caller becomes its owner', body: organizationWriteBody, response: { 201: organizationSchema } } },
    async (request, reply) => {
      const org = await orgs.create(authOf(request), request.body, request.ip);
      reply.status(201);
      return toOrganizationDto(org, request.urls);
    },
  );

  app.get(
    '/api/organizations/:id',
    { schema: { tags, params: idParams, response: { 200: organizationSchema } } },
    async (request) => toOrganizationDto(await orgs.get(authOf(request), request.params.id), request.urls),
  );

  app.patch(
    '/api/organizations/:id',
    { schema: { tags, summary: 'Change an organization (owner and maintainers)', params: idParams, body: organizationPatchBody, response: { 200: organizationSchema } } },
    async (request) => toOrganizationDto(await orgs.update(authOf(request), request.params.id, request.body, request.ip), request.urls),
  );

  app.delete(
    '/api/organizations/:id',
    {
      schema: {
        tags,
        summary: 'Delete an organization (owner only), with its memberships and invitations',
        description: 'Refused with 409 CONFLICT while the organization still holds projects, tasks or cloud storages.',
        params: idParams,
      },
    },
    async (request, reply) => {
      await orgs.delete(authOf(request), request.params.id, request.ip);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/organizations/:id/settings',
    { schema: { tags, summary: "The organization's settings for its workers (Framewise extension)", params: idParams, response: { 200: organizationSettingsSchema } } },
    async (request) => toSettingsDto(await orgs.settings(authOf(request), request.params.id)),
  );

  app.patch(
    '/api/organizations/:id/settings',
    {
      schema: {
        tags,
        summary: "Change the organization's settings for its workers (owner and maintainers; Framewise extension)",
        params: idParams,
        body: organizationSettingsPatch,
        response: { 200: organizationSettingsSchema },
      },
    },
    async (request) => toSettingsDto(await orgs.updateSettings(authOf(request), request.params.id, request.body, request.ip)),
  );
}

function registerMemberships(app: App, memberships: MembershipService): void {
  const tags = ['memberships'];
  app.get(
    '/api/memberships',
    {
      schema: {
        tags,
        summary: "Memberships of the caller's organizations, invited people included",
        description: 'Narrowed to the organization the request names (X-Organization, org, org_id); empty in the personal workspace.',
        querystring: listQuerySchema,
        response: { 200: pageSchema(membershipSchema) },
      },
    },
    async (request) => {
      const page = await memberships.list(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map((m) => toMembershipDto(m, request.urls)));
    },
  );

  app.get(
    '/api/memberships/:id',
    { schema: { tags, params: idParams, response: { 200: membershipSchema } } },
    async (request) => toMembershipDto(await memberships.get(authOf(request), request.params.id), request.urls),
  );

  app.patch(
    '/api/memberships/:id',
    { schema: { tags, summary: "Change a member's role", params: idParams, body: membershipPatchBody, response: { 200: membershipSchema } } },
    async (request) => toMembershipDto(await memberships.update(authOf(request), request.params.id, request.body, request.ip), request.urls),
  );

  app.delete(
    '/api/memberships/:id',
    { schema: { tags, summary: 'Remove a member, or leave (delete your own membership)', params: idParams } },
    async (request, reply) => {
      await memberships.delete(authOf(request), request.params.id, request.ip);
      return reply.status(204).send();
    },
  );
}

function registerInvitations(app: App, invitations: InvitationService): void {
  const tags = ['invitations'];
  app.get(
    '/api/invitations',
    {
      schema: {
        tags,
        summary: 'Invitations addressed to or sent by the caller, and those of organizations they own or maintain',
        querystring: listQuerySchema,
        response: { 200: pageSchema(invitationSchema) },
      },
    },
    async (request) => {
      const page = await invitations.list(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map((i) => toInvitationDto(i, request.urls)));
    },
  );

  app.post(
    '/api/invitations',
    {
      schema: {
        tags,
        summary: 'Invite an email address to the organization the request names (X-Organization)',
        description: 'An address without an account gets a placeholder user, who registers with the invitation key.',
        body: invitationWriteBody,
        response: { 201: invitationSchema },
      },
    },
    async (request, reply) => {
      const invitation = await invitations.create(authOf(request), request.body, request.ip);
      reply.status(201);
      return toInvitationDto(invitation, request.urls);
    },
  );

  app.get(
    '/api/invitations/:key',
    { schema: { tags, params: invitationKeyParams, response: { 200: invitationSchema } } },
    async (request) => toInvitationDto(await invitations.get(authOf(request), request.params.key), request.urls),
  );

  app.patch(
    '/api/invitations/:key',
    {
      schema: { tags, summary: 'Change the role of a pending invitation (Framewise extension)', params: invitationKeyParams, body: invitationPatchBody, response: { 200: invitationSchema } },
    },
    async (request) => toInvitationDto(await invitations.update(authOf(request), request.params.key, request.body, request.ip), request.urls),
  );

  app.delete(
    '/api/invitations/:key',
    { schema: { tags, summary: 'Withdraw an invitation (a pending membership goes with it)', params: invitationKeyParams } },
    async (request, reply) => {
      await invitations.delete(authOf(request), request.params.key, request.ip);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/invitations/:key/accept',
    { schema: { tags, summary: 'Accept an invitation (the invited user only)', params: invitationKeyParams, response: { 200: acceptInvitationSchema } } },
    async (request) => invitations.accept(authOf(request), request.params.key, request.ip),
  );

  app.post(
    '/api/invitations/:key/decline',
    { schema: { tags, summary: 'Decline an invitation (the invited user only)', params: invitationKeyParams } },
    async (request, reply) => {
      await invitations.decline(authOf(request), request.params.key, request.ip);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/invitations/:key/resend',
    { schema: { tags, summary: 'Resend an invitation: its expiry starts over', params: invitationKeyParams } },
    async (request, reply) => {
      await invitations.resend(authOf(request), request.params.key, request.ip);
      return reply.status(204).send();
    },
  );
}
