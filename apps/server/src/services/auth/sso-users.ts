/**
 * Local accounts for users who authenticate elsewhere (LDAP, OIDC): created at their first login
 * and brought up to date with the directory's or provider's attributes at every later one, admin
 * rights and organization roles included (see services/organizations/directory-roles.ts). They
 * carry no local password, so only their source can log them in.
 */
import type { GroupRule } from '../../config/env.js';
import type { AuthSource, UserRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { UserRepository } from '../../repositories/user.repository.js';
import type { DirectoryRoles } from '../organizations/directory-roles.js';
import { USERNAME } from '../user.service.js';

export interface ExternalProfile {
  source: Exclude<AuthSource, 'local'>;
  /** The provider's stable key: LDAP DN, or OIDC `issuer|subject`. */
  externalId: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  groups: string[];
}

/** DNs compare without case and without the spaces some directories put after commas. */
function normalizeGroup(group: string): string {
  return group.trim().toLowerCase().replace(/\s*([,=])\s*/g, '$1');
}

/** The grants that a user's groups earn under the configured rules. */
export function grantsFor(groups: string[], rules: GroupRule[]): GroupRule['grant'][] {
  const mine = new Set(groups.map(normalizeGroup));
  return rules.filter((r) => mine.has(normalizeGroup(r.group))).map((r) => r.grant);
}

export class ExternalUsers {
  constructor(
    private readonly users: UserRepository,
    private readonly roles: DirectoryRoles,
  ) {}

  /**
   * Creates or updates the local account for an authenticated external identity. Returns null
   * when the name belongs to an account of another source: a directory entry or an OIDC subject
   * must never take over a local account (an admin's, say) by sharing its name.
   */
  async sync(profile: ExternalProfile, rules: GroupRule[]): Promise<UserRow | null> {
    const granted = grantsFor(profile.groups, rules);
    const user = await this.syncAccount(profile, rules, granted);
    // Roles follow the groups only for the account this identity owns, never one it was refused.
    if (user) await this.roles.apply(user, profile.source, rules, granted);
    return user;
  }

  private async syncAccount(profile: ExternalProfile, rules: GroupRule[], granted: GroupRule['grant'][]): Promise<UserRow | null> {
    if (!USERNAME.test(profile.username)) {
      throw new AppError('FORBIDDEN', `username "${profile.username}" from ${profile.source} is not a valid Framewise username`);
    }
    // Admin rules decide admin rights only when some are configured; otherwise admins grant them here.
    const superuser = rules.some((r) => r.grant.kind === 'superuser') ? granted.some((g) => g.kind === 'superuser') : undefined;
    const attributes = {
      email: profile.email,
      first_name: profile.firstName,
      last_name: profile.lastName,
      external_id: profile.externalId,
      ...(superuser === undefined ? {} : { is_superuser: superuser, is_staff: superuser }),
    };

    const existing = await this.find(profile);
    if (existing) {
      const renamed = existing.username !== profile.username && !(await this.users.findByUsername(profile.username));
      return (await this.users.update(existing.id, { ...attributes, ...(renamed ? { username: profile.username } : {}) })) ?? null;
    }
    if (await this.users.findByUsername(profile.username)) return null;
    try {
      return await this.users.create({
        username: profile.username,
        password_hash: null,
        auth_source: profile.source,
        ...attributes,
        is_superuser: superuser ?? false,
        is_staff: superuser ?? false,
      });
    } catch (e) {
      // Two first logins at once: the unique indexes let one insert win; use its row.
      const winner = await this.find(profile);
      if (winner) return winner;
      throw e;
    }
  }

  /** LDAP users are known by name (a DN changes when an entry moves); OIDC users by subject. */
  private async find(profile: ExternalProfile): Promise<UserRow | undefined> {
    if (profile.source === 'oidc') return this.users.findByExternalId('oidc', profile.externalId);
    const byName = await this.users.findByUsername(profile.username);
    return byName?.auth_source === 'ldap' ? byName : undefined;
  }
}
