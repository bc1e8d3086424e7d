/**
 * Account management: self-registration (closed unless configured), administrators creating,
 * changing, deactivating and deleting users, and password changes. Every change is audited.
 *
 * Deactivating a user ends their login tokens and sessions at once and makes every credential
 * (password, personal access token) fail while inactive. A password change ends the user's other
 * sessions and login tokens but keeps personal access tokens: those are separate credentials for
 * scripts, named and listed at /api/auth/access_tokens, revoked one by one (as GitHub and GitLab do).
 */
import { AppError } from '../errors.js';
import type { UserRow } from '../db/schema.js';
import type { TokenRepository } from '../repositories/token.repository.js';
import type { UserRepository } from '../repositories/user.repository.js';
import type { AuditService } from './audit.service.js';
import { isAdmin, type Auth } from './auth/auth.js';
import type { AuthService } from './auth/auth.service.js';
import { hashPassword, passwordProblem } from './auth/password.js';
import { USERNAME, type UserService } from './user.service.js';

export interface Registration {
  username: string;
  email?: string | undefined;
  password1: string;
  password2: string;
  first_name?: string | undefined;
  last_name?: string | undefined;
  /** An organization invitation's key: registers the placeholder it was sent to (see invitation.service.ts). */
  invitation?: string | undefined;
}

/** Registration through an invitation, which works even where open registration is closed. */
export interface InvitedRegistration {
  register(input: Registration & { invitation: string }, address: string): Promise<UserRow>;
}

export interface UserCreation {
  username: string;
  password: string;
  email?: string | undefined;
  first_name?: string | undefined;
  last_name?: string | undefined;
  is_superuser?: boolean | undefined;
  is_staff?: boolean | undefined;
}

export interface UserPatch {
  username?: string | undefined;
  email?: string | undefined;
  first_name?: string | undefined;
  last_name?: string | undefined;
  is_active?: boolean | undefined;
  is_superuser?: boolean | undefined;
  is_staff?: boolean | undefined;
}

export interface PasswordChange {
  old_password: string;
  new_password1: string;
  new_password2: string;
}

/** Fields only an administrator may change. */
const ADMIN_FIELDS = ['username', 'is_active', 'is_superuser', 'is_staff'] as const;

export class AccountService {
  constructor(
    private readonly users: UserRepository,
    private readonly userService: UserService,
    private readonly tokens: TokenRepository,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly registration: 'open' | 'closed',
    private readonly invitations: InvitedRegistration | null = null,
  ) {}

  /** Refuses before the body is even read, so a closed server says only "closed". */
  checkRegistrationOpen(): void {
    if (this.registration !== 'open') {
      throw new AppError('REGISTRATION_CLOSED', 'registration is closed on this server; ask an administrator for an account');
    }
  }

  async register(input: Registration, address: string): Promise<UserRow> {
    if (input.invitation !== undefined) {
      if (!this.invitations) throw AppError.invalid('invitation', 'this server does not take invitations');
      const user = await this.invitations.register({ ...input, invitation: input.invitation }, address);
      await this.audit.record({ action: 'user.registered', actor: null, user, address, details: { invitation: true } });
      return user;
    }
    this.checkRegistrationOpen();
    if (input.password1 !== input.password2) throw AppError.invalid('password2', "the two password fields didn't match");
    const user = await this.userService.create(
      { username: input.username, password: input.password1, email: input.email ?? '', firstName: input.first_name ?? '', lastName: input.last_name ?? '' },
      'password1',
    );
    await this.audit.record({ action: 'user.registered', actor: null, user, address });
    return user;
  }

  async createUser(auth: Auth, input: UserCreation, address: string): Promise<UserRow> {
    if (!isAdmin(auth)) throw AppError.forbidden('only administrators may create users');
    const user = await this.userService.create({
      username: input.username,
      password: input.password,
      email: input.email ?? '',
      firstName: input.first_name ?? '',
      lastName: input.last_name ?? '',
      superuser: input.is_superuser ?? false,
      staff: input.is_staff ?? input.is_superuser ?? false,
    });
    await this.audit.record({
      action: 'user.created',
      actor: auth.user,
      user,
      address,
      details: { is_superuser: user.is_superuser, is_staff: user.is_staff },
    });
    return user;
  }

  async updateUser(auth: Auth, id: number, patch: UserPatch, address: string): Promise<UserRow> {
    const user = await this.userService.get(auth, id);
    const admin = isAdmin(auth);
    if (!admin && id !== auth.user.id) throw AppError.forbidden('you may only change your own account');
    if (!admin) {
      const field = ADMIN_FIELDS.find((f) => patch[f] !== undefined && patch[f] !== user[f]);
      if (field) throw new AppError('FORBIDDEN', `${field}: only administrators may change this`, [{ field, message: 'only administrators may change this' }]);
    }
    if (id === auth.user.id && (patch.is_active === false || patch.is_superuser === false)) {
      // The last administrator locking themselves out would leave only the CLI to recover.
      throw AppError.forbidden('administrators cannot deactivate or demote themselves; ask another administrator');
    }
    if (patch.username !== undefined && !USERNAME.test(patch.username)) {
      throw AppError.invalid('username', 'use 1-150 letters, digits and @/./+/-/_ only');
    }
    await this.userService.checkUnique({ username: patch.username, email: patch.email }, id);

    const changes: UserPatch = {};
    for (const key of Object.keys(patch) as Array<keyof UserPatch>) {
      const value = patch[key];
      if (value !== undefined && value !== user[key]) Object.assign(changes, { [key]: value });
    }
    if (Object.keys(changes).length === 0) return user;
    const updated = (await this.users.update(id, changes)) ?? user;

    const deactivated = changes.is_active === false;
    if (deactivated) await this.tokens.deleteLoginTokens(id);
    this.auth.forgetTokens();
    await this.audit.record({
      action: deactivated ? 'user.deactivated' : 'user.updated',
      actor: auth.user,
      user: updated,
      address,
      // Names of changed fields, and the new values of the flags: what an auditor looks for.
      details: {
        fields: Object.keys(changes),
        ...Object.fromEntries(Object.entries(changes).filter(([, v]) => typeof v === 'boolean')),
      },
    });
    return updated;
  }

  async deleteUser(auth: Auth, id: number, address: string): Promise<void> {
    if (!isAdmin(auth)) throw AppError.forbidden('only administrators may delete users');
    if (id === auth.user.id) throw AppError.forbidden('administrators cannot delete themselves; ask another administrator');
    const user = await this.userService.get(auth, id);
    await this.users.delete(id);
    this.auth.forgetTokens();
    await this.audit.record({ action: 'user.deleted', actor: auth.user, user, address });
  }

  async changePassword(auth: Auth, input: PasswordChange, address: string): Promise<{ revokedSessions: number }> {
    // As in CVAT: a script's access token cannot take over the account it acts for.
    if (auth.accessToken) throw AppError.forbidden('a password cannot be changed with an access token; log in');
    // A directory or provider account has no local password: its own says whether it may log in.
    const source = (await this.users.findById(auth.user.id))?.auth_source ?? 'local';
    if (source !== 'local') {
      throw AppError.forbidden(`this account signs in through ${source === 'ldap' ? 'LDAP' : 'single sign-on'}; change its password there`);
    }
    if (!(await this.auth.checkOwnPassword(auth.user.username, auth.user.id, input.old_password, address))) {
      throw AppError.invalid('old_password', 'your old password was entered incorrectly');
    }
    if (input.new_password1 !== input.new_password2) throw AppError.invalid('new_password2', "the two password fields didn't match");
    const problem = passwordProblem(input.new_password1);
    if (problem) throw AppError.invalid('new_password1', problem);
    await this.users.update(auth.user.id, { password_hash: await hashPassword(input.new_password1) });
    const revokedSessions = await this.tokens.deleteLoginTokens(auth.user.id, auth.tokenId);
    this.auth.forgetTokens();
    await this.audit.record({ action: 'password.changed', actor: auth.user, user: auth.user, address, details: { revoked_sessions: revokedSessions } });
    return { revokedSessions };
  }
}
