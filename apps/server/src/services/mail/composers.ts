/**
 * What each 'mail.send' job sends, built when the job runs. Links point at the web app under
 * FRAMEWISE_PUBLIC_URL (config requires it with mail), never at a request's Host header:
 *   password reset        <public url>/auth/password/reset/confirm?uid=<uid>&token=<token>
 *   invitation, account   <public url>/invitations?key=<key>
 *   invitation, no account <public url>/auth/register?invitation=<key>&email=<address>
 */
import type { OrganizationRepository } from '../../repositories/organization.repository.js';
import type { UserRepository } from '../../repositories/user.repository.js';
import { resettable, ResetTokens } from '../auth/password-reset.service.js';
import { invitationExpiresAt, isPlaceholderAccount } from '../organizations/invitation.service.js';
import type { MailComposer } from './mail.service.js';
import { invitationMail, passwordResetMail, personName } from './messages.js';

export interface ComposerDeps {
  users: UserRepository;
  orgs: OrganizationRepository;
  resetTokens: ResetTokens;
  publicUrl: string;
  invitationTtlDays: number;
}

export function mailComposer(deps: ComposerDeps): MailComposer {
  const { users, orgs, resetTokens, publicUrl } = deps;
  return async (job) => {
    if (job.kind === 'password-reset') {
      const user = await users.findById(job.userId);
      // Deactivated, or moved to a directory, since the request: no link any more.
      if (!user || !resettable(user)) return null;
      const query = new URLSearchParams({ uid: ResetTokens.uid(user.id), token: resetTokens.make(user, job.issuedAt) });
      return passwordResetMail({
        to: user.email,
        username: user.username,
        link: `${publicUrl}/auth/password/reset/confirm?${query}`,
        ttlHours: resetTokens.ttlHours,
        site: publicUrl,
      });
    }
    const invitation = await orgs.findInvitation(job.key);
    if (!invitation || invitation.accepted_at) return null;
    const expiresAt = invitationExpiresAt(invitation, deps.invitationTtlDays);
    if (expiresAt.getTime() <= Date.now()) return null;
    const invitee = await users.findById(invitation.user.id);
    if (!invitee?.email) return null;
    const registering = isPlaceholderAccount(invitee);
    const link = registering
      ? `${publicUrl}/auth/register?${new URLSearchParams({ invitation: invitation.key, email: invitee.email })}`
      : `${publicUrl}/invitations?${new URLSearchParams({ key: invitation.key })}`;
    return invitationMail({
      to: invitee.email,
      organization: invitation.organization_name || invitation.organization_slug,
      inviter: invitation.owner ? personName(invitation.owner) : null,
      role: invitation.role,
      link,
      registering,
      expiresAt,
    });
  };
}
