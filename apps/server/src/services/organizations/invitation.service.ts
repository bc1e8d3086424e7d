/**
 * Invitations, CVAT's way: the owner or a maintainer of the organization a request names invites
 * an email address with a role; that makes an inactive membership and an invitation with a
 * secret key; the invited user accepts (the membership becomes active) or declines (both go).
 *
 * An address with no account gets a placeholder user (inactive, no password, unable to log in)
 * so that the membership has someone to name; registering with the invitation key turns the
 * placeholder into the real account, even where open registration is closed, and accepts the
 * invitation. Invitations expire FRAMEWISE_INVITATION_TTL_DAYS after they were last sent;
 * resending starts the period again. With mail configured, creating and resending mail the
 * invitee a link (services/mail/); either way the inviter gets the key and may pass it on.
 */
import { isUniqueViolation } from '../../db/errors.js';
import { randomBytes } from 'node:crypto';
import type { OrgRole, UserRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { ListPage } from '../../http/list-query.js';
import type { InvitationDetails, OrganizationRepository } from '../../repositories/organization.repository.js';
import type { UserRepository } from '../../repositories/user.repository.js';
import type { Registration } from '../account.service.js';
import type { AuditService } from '../audit.service.js';
import { isAdmin, type Auth } from '../auth/auth.js';
import { hashPassword, passwordProblem } from '../auth/password.js';
import { USERNAME, type UserService } from '../user.service.js';
import type { OrgContext } from './org-context.js';
import { checkRoleChange, isManager, manageableRoles, MANAGERS, refuseOwnerRole } from './roles.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** 48 random bytes are 64 URL-safe characters, the length of CVAT's keys. */
export function newInvitationKey(): string {
  return randomBytes(48).toString('base64url');
}

/** A username for an address's placeholder: its local part, kept to what usernames allow. */
export function usernameBase(email: string): string {
  const local = email.slice(0, Math.max(0, email.lastIndexOf('@'))) || email;
  const cleaned = local.replace(/[^\w.+-]/g, '_').slice(0, 120);
  return cleaned || 'user';
}

export interface InvitationView extends InvitationDetails {
  expired: boolean;
}

/** Queues the invitation mail (services/mail/mail.service.ts); does nothing while mail is off. */
export interface InvitationMailer {
  enqueue(job: { kind: 'invitation'; key: string }): Promise<void>;
}

export class InvitationService {
  constructor(
    private readonly orgs: OrganizationRepository,
    private readonly users: UserRepository,
    private readonly userService: UserService,
    private readonly context: OrgContext,
    private readonly audit: AuditService,
    private readonly ttlDays: number,
    private readonly mail: InvitationMailer | null = null,
  ) {}

  async create(auth: Auth, input: { role: OrgRole; email: string }, address: string): Promise<InvitationView> {
    const org = auth.org;
    if (!org) {
      throw new AppError(
        'BAD_REQUEST',
        'say which organization to invite to: send the X-Organization header with its slug (or ?org=<slug>)',
        [{ field: 'org', message: 'required' }],
      );
    }
    refuseOwnerRole(input.role);
    const allowed = manageableRoles(org.role, isAdmin(auth));
    if (allowed.length === 0) throw AppError.forbidden('only the owner and maintainers of the organization may invite people');
    if (!allowed.includes(input.role)) throw AppError.forbidden(`a ${org.role ?? 'non-member'} may invite only as ${allowed.join(' or ')}`);

    const email = input.email.trim();
    const existing = await this.users.findByEmail(email);
    const placeholderName = existing ? null : await this.freeUsername(usernameBase(email));
    const key = newInvitationKey();
    let invitee: { id: number; username: string };
    try {
      invitee = await this.orgs.transaction(async (repo) => {
        const user = existing ?? (await repo.insertPlaceholderUser(placeholderName!, email));
        const membership = existing ? await repo.findMembershipOf(org.id, user.id) : undefined;
        if (membership?.is_active) throw AppError.invalid('email', 'this user is already a member of the organization');
        let membershipId: number;
        if (membership) {
          // Invited before and not accepted: the new invitation replaces the old one.
          await repo.updateMembership(membership.id, { role: input.role });
          await repo.deleteInvitationOf(membership.id);
          membershipId = membership.id;
        } else {
          membershipId = (await repo.insertMembership({ organization_id: org.id, user_id: user.id, role: input.role, is_active: false })).id;
        }
        await repo.insertInvitation({ key, membership_id: membershipId, owner_id: auth.user.id });
        return user;
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new AppError('CONFLICT', 'this address was invited or registered at the same moment; try again');
      throw e;
    }
    await this.audit.record({
      action: 'invitation.created',
      actor: auth.user,
      user: invitee,
      address,
      details: { organization: { id: org.id, slug: org.slug }, role: input.role, key_prefix: key.slice(0, 8), placeholder: existing === undefined },
    });
    await this.mail?.enqueue({ kind: 'invitation', key });
    return this.view(key);
  }

  /**
   * Invitations addressed to the caller, sent by them, or of organizations they own or maintain;
   * of the organization the request names, if any; in the personal workspace only those
   * addressed to or sent by the caller (where an invited user finds theirs before joining).
   */
  async list(auth: Auth, query: Record<string, unknown>): Promise<ListPage<InvitationView>> {
    const scope = auth.org === undefined ? undefined : auth.org === null ? 'personal' : auth.org.id;
    const page = await this.orgs.listInvitations({ userId: auth.user.id, admin: isAdmin(auth) }, MANAGERS, scope, query);
    return { ...page, rows: page.rows.map((r) => this.withExpiry(r)) };
  }

  async get(auth: Auth, key: string): Promise<InvitationView> {
    return this.withExpiry((await this.visible(auth, key)).invitation);
  }

  /** Changes the role the invited user will have; after acceptance, change the membership instead. */
  async update(auth: Auth, key: string, input: { role?: OrgRole | undefined }, address: string): Promise<InvitationView> {
    const { invitation, role } = await this.visible(auth, key);
    if (input.role === undefined) return this.withExpiry(invitation);
    refuseOwnerRole(input.role);
    checkRoleChange(role, isAdmin(auth), invitation.role, input.role);
    if (invitation.accepted_at) throw AppError.invalid('role', "this invitation has been accepted; change the membership's role instead");
    if (input.role === invitation.role) return this.withExpiry(invitation);
    await this.orgs.updateMembership(invitation.membership_id, { role: input.role });
    await this.audit.record({
      action: 'invitation.updated',
      actor: auth.user,
      user: invitation.user,
      address,
      details: { organization: orgRef(invitation), old_role: invitation.role, role: input.role },
    });
    return this.view(key);
  }

  /** Withdraws an invitation; the membership goes too unless it was accepted (then it stays). */
  async delete(auth: Auth, key: string, address: string): Promise<void> {
    const { invitation, role } = await this.visible(auth, key);
    this.checkManage(auth, invitation, role, 'withdraw');
    if (invitation.membership_active) await this.orgs.deleteInvitation(key);
    else await this.orgs.deleteMembership(invitation.membership_id);
    this.context.forget();
    await this.audit.record({
      action: 'invitation.deleted',
      actor: auth.user,
      user: invitation.user,
      address,
      details: { organization: orgRef(invitation), role: invitation.role, accepted: invitation.accepted_at !== null },
    });
  }

  async accept(auth: Auth, key: string, address: string): Promise<{ organization_slug: string }> {
    const invitation = await this.forInvitee(auth, key, 'accept');
    if (invitation.accepted_at) throw alreadyAccepted();
    if (this.isExpired(invitation)) throw expiredError();
    const accepted = await this.orgs.transaction((repo) => repo.accept(key, invitation.membership_id));
    if (!accepted) throw alreadyAccepted();
    this.context.forget();
    await this.audit.record({
      action: 'invitation.accepted',
      actor: auth.user,
      user: auth.user,
      address,
      details: { organization: orgRef(invitation), role: invitation.role },
    });
    return { organization_slug: invitation.organization_slug };
  }

  async decline(auth: Auth, key: string, address: string): Promise<void> {
    const invitation = await this.forInvitee(auth, key, 'decline');
    if (invitation.accepted_at) throw alreadyAccepted('; leave the organization instead');
    await this.orgs.deleteMembership(invitation.membership_id);
    await this.audit.record({
      action: 'invitation.declined',
      actor: auth.user,
      user: auth.user,
      address,
      details: { organization: orgRef(invitation), role: invitation.role },
    });
  }

  /** Sends it again (mails it, when mail is configured): the expiry period starts over. */
  async resend(auth: Auth, key: string, address: string): Promise<void> {
    const { invitation, role } = await this.visible(auth, key);
    this.checkManage(auth, invitation, role, 'resend');
    if (invitation.accepted_at) throw alreadyAccepted();
    await this.orgs.touchInvitation(key);
    await this.mail?.enqueue({ kind: 'invitation', key });
    await this.audit.record({
      action: 'invitation.resent',
      actor: auth.user,
      user: invitation.user,
      address,
      details: { organization: orgRef(invitation), role: invitation.role },
    });
  }

  /**
   * POST /api/auth/register with `invitation`: the placeholder the invitation was made for
   * becomes the account, which is then an active member. Refused (400 naming `invitation`) unless
   * the key is live and was sent to the email being registered.
   */
  async register(input: Registration & { invitation: string }, address: string): Promise<UserRow> {
    const refuse = (message: string) => AppError.invalid('invitation', message);
    const invitation = await this.orgs.findInvitation(input.invitation);
    if (!invitation) throw refuse('no such invitation');
    if (invitation.accepted_at) throw refuse('this invitation has already been accepted; log in instead');
    if (this.isExpired(invitation)) throw refuse('this invitation has expired; ask the organization to resend it');
    const placeholder = await this.users.findById(invitation.user.id);
    if (!placeholder || !isPlaceholderAccount(placeholder)) {
      throw refuse('this invitation is for an existing account: log in and accept it');
    }
    const email = (input.email ?? '').trim();
    if (email.toLowerCase() !== placeholder.email.toLowerCase()) throw refuse('this invitation was sent to another email address');

    if (input.password1 !== input.password2) throw AppError.invalid('password2', "the two password fields didn't match");
    if (!USERNAME.test(input.username)) throw AppError.invalid('username', 'use 1-150 letters, digits and @/./+/-/_ only');
    const problem = passwordProblem(input.password1);
    if (problem) throw AppError.invalid('password1', problem);
    await this.userService.checkUnique({ username: input.username, email }, placeholder.id);
    const passwordHash = await hashPassword(input.password1);

    const user = await this.orgs.transaction(async (repo) => {
      const claimed = await repo.claimPlaceholder(placeholder.id, {
        username: input.username,
        email,
        password_hash: passwordHash,
        first_name: input.first_name ?? '',
        last_name: input.last_name ?? '',
      });
      if (!claimed || !(await repo.accept(invitation.key, invitation.membership_id))) throw refuse('this invitation has already been used');
      return claimed;
    });
    this.context.forget();
    await this.audit.record({
      action: 'invitation.accepted',
      actor: user,
      user,
      address,
      details: { organization: orgRef(invitation), role: invitation.role, registered: true },
    });
    return user;
  }

  private async view(key: string): Promise<InvitationView> {
    const invitation = await this.orgs.findInvitation(key);
    if (!invitation) throw AppError.notFound('invitation');
    return this.withExpiry(invitation);
  }

  private isExpired(invitation: InvitationDetails): boolean {
    return invitationExpiresAt(invitation, this.ttlDays).getTime() <= Date.now();
  }

  private withExpiry(invitation: InvitationDetails): InvitationView {
    return { ...invitation, expired: this.isExpired(invitation) };
  }

  /**
   * Visible to the invited user, the inviter, the owner and maintainers of its organization, and
   * admins; 404 for everyone else. Keys are secrets: a wrong one says no more than a missing one.
   */
  private async visible(auth: Auth, key: string): Promise<{ invitation: InvitationDetails; role: OrgRole | null }> {
    const invitation = await this.orgs.findInvitation(key);
    if (!invitation) throw AppError.notFound('invitation');
    const role = await this.orgs.activeRole(invitation.organization_id, auth.user.id);
    const mine = invitation.user.id === auth.user.id || invitation.owner_id === auth.user.id;
    if (!mine && !isManager(role) && !isAdmin(auth)) throw AppError.notFound('invitation');
    return { invitation, role };
  }

  /** Only the invited user accepts or declines; others who may see the invitation get 403. */
  private async forInvitee(auth: Auth, key: string, what: string): Promise<InvitationDetails> {
    const { invitation } = await this.visible(auth, key);
    if (invitation.user.id !== auth.user.id) throw AppError.forbidden(`only the invited user may ${what} an invitation`);
    return invitation;
  }

  /** Admins, whoever may manage the invited role, and the inviter while still a member. */
  private checkManage(auth: Auth, invitation: InvitationDetails, role: OrgRole | null, what: string): void {
    if (isAdmin(auth)) return;
    if (manageableRoles(role, false).includes(invitation.role)) return;
    if (invitation.owner_id === auth.user.id && role !== null) return;
    throw AppError.forbidden(`you may not ${what} this invitation: only its inviter, the owner, and maintainers (for workers and supervisors) may`);
  }

  /** `base`, or `base-2`, `base-3`, ... whichever is free; a random suffix past a hundred tries. */
  private async freeUsername(base: string): Promise<string> {
    for (let n = 1; n <= 100; n++) {
      const name = n === 1 ? base : `${base}-${n}`;
      if (!(await this.users.findByUsername(name))) return name;
    }
    return `${base}-${randomBytes(4).toString('hex')}`;
  }
}

function orgRef(invitation: InvitationDetails) {
  return { id: invitation.organization_id, slug: invitation.organization_slug };
}

/** When an invitation stops working: its TTL counts from the last time it was (re)sent. */
export function invitationExpiresAt(invitation: { sent_at: Date }, ttlDays: number): Date {
  return new Date(invitation.sent_at.getTime() + ttlDays * DAY_MS);
}

/** The account an invitation of an unknown email creates: inactive, local, no password yet. */
export function isPlaceholderAccount(user: UserRow): boolean {
  return !user.is_active && user.password_hash === null && user.auth_source === 'local';
}

function alreadyAccepted(suffix = ''): AppError {
  return new AppError('BAD_REQUEST', `this invitation has already been accepted${suffix}`);
}

function expiredError(): AppError {
  return new AppError('BAD_REQUEST', 'this invitation has expired; ask the organization to resend it');
}
