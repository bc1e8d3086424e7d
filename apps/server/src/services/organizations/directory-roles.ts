/**
 * Organization roles granted by directory groups (FRAMEWISE_LDAP_ORG_ROLES,
 * FRAMEWISE_OIDC_ORG_ROLES), applied at every LDAP or OIDC login once the account is synced.
 *
 * The organizations some rule names are the governed ones. In each, the role the user should
 * have is the highest one their groups grant there (maintainer > supervisor > worker), or none.
 * Then, for the user's membership there:
 *  - none yet: a role is granted -> an active membership with that role, made by the directory;
 *  - made by this directory (source 'ldap' or 'oidc'): it follows the groups exactly, up, down,
 *    and away when no group grants a role any more;
 *  - made by hand (owner, invitation) or by the other directory: raised to the granted role when
 *    that is higher, never lowered, never removed; a pending invitation is accepted by the grant;
 *  - the owner's membership is never touched.
 * A rule naming an organization that does not exist grants nothing and is logged once; it is
 * never created. Memberships in organizations no rule names are left alone.
 *
 * Every change is audited like the same change made through the API (with `source` in the
 * details and no actor: nobody in Framewise made it) and clears the cached request scopes, so
 * the user's next request already sees the new role.
 */
import type { Logger } from 'pino';
import type { GrantableOrgRole, GroupRule } from '../../config/env.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { MembershipRow, MembershipSource, OrgRole, UserRow } from '../../db/schema.js';
import type { OrganizationRepository } from '../../repositories/organization.repository.js';
import type { AuditService } from '../audit.service.js';
import type { OrgContext } from './org-context.js';

export type DirectorySource = Exclude<MembershipSource, 'manual'>;

const RACED = new Error('membership changed meanwhile');

const RANK: Record<OrgRole, number> = { worker: 1, supervisor: 2, maintainer: 3, owner: 4 };

/** What to do with one membership; the pure half of apply(), so the rules read in one place. */
export type MembershipStep =
  | { kind: 'create'; role: GrantableOrgRole }
  | { kind: 'set-role'; from: OrgRole; to: OrgRole }
  | { kind: 'activate'; from: OrgRole; to: OrgRole }
  | { kind: 'remove' }
  | null;

/**
 * For every organization the rules name (lower-case slug), the highest role `granted` gives
 * there, or null where it gives none.
 */
export function desiredOrgRoles(rules: GroupRule[], granted: GroupRule['grant'][]): Map<string, GrantableOrgRole | null> {
  const desired = new Map<string, GrantableOrgRole | null>();
  for (const r of rules) if (r.grant.kind === 'org-role') desired.set(r.grant.org.toLowerCase(), null);
  for (const g of granted) {
    if (g.kind !== 'org-role') continue;
    const key = g.org.toLowerCase();
    const current = desired.get(key) ?? null;
    if (current === null || RANK[g.role] > RANK[current]) desired.set(key, g.role);
  }
  return desired;
}

export function planMembership(
  existing: Pick<MembershipRow, 'role' | 'source' | 'is_active'> | undefined,
  desired: GrantableOrgRole | null,
  source: DirectorySource,
): MembershipStep {
  if (!existing) return desired ? { kind: 'create', role: desired } : null;
  if (existing.role === 'owner') return null;
  if (existing.source === source) {
    if (!desired) return { kind: 'remove' };
    if (!existing.is_active) return { kind: 'activate', from: existing.role, to: desired };
    return existing.role === desired ? null : { kind: 'set-role', from: existing.role, to: desired };
  }
  if (!desired) return null;
  const to = RANK[desired] > RANK[existing.role] ? desired : existing.role;
  if (!existing.is_active) return { kind: 'activate', from: existing.role, to };
  return to === existing.role ? null : { kind: 'set-role', from: existing.role, to };
}

export class DirectoryRoles {
  /** Missing organizations already logged, so a login per request (HTTP Basic) does not flood the log. */
  private readonly warned = new Set<string>();

  constructor(
    private readonly orgs: OrganizationRepository,
    private readonly context: OrgContext,
    private readonly audit: AuditService,
    private readonly log: Logger,
  ) {}

  /** Brings the user's memberships in the governed organizations in line with `granted`. */
  async apply(user: Pick<UserRow, 'id' | 'username'>, source: DirectorySource, rules: GroupRule[], granted: GroupRule['grant'][]): Promise<void> {
    const desired = desiredOrgRoles(rules, granted);
    if (desired.size === 0) return;
    const found = await this.orgs.findOrganizationsBySlugs([...desired.keys()]);
    const bySlug = new Map(found.map((o) => [o.slug.toLowerCase(), o]));
    for (const slug of desired.keys()) {
      if (bySlug.has(slug)) this.warned.delete(slug);
      else if (!this.warned.has(slug)) {
        this.warned.add(slug);
        this.log.warn({ organization: slug, source }, `${source} group rules name organization "${slug}", which does not exist; its rules grant nothing`);
      }
    }
    const memberships = await this.orgs.membershipsOfIn(user.id, found.map((o) => o.id));
    const byOrg = new Map(memberships.map((m) => [m.organization_id, m]));

    let changed = false;
    for (const org of found) {
      const existing = byOrg.get(org.id);
      const step = planMembership(existing, desired.get(org.slug.toLowerCase()) ?? null, source);
      if (step && (await this.carryOut(step, user, { id: org.id, slug: org.slug }, existing, source))) changed = true;
    }
    if (changed) this.context.forget();
  }

  /** False when the membership changed meanwhile (a concurrent login or a manager): theirs stands. */
  private async carryOut(
    step: NonNullable<MembershipStep>,
    user: Pick<UserRow, 'id' | 'username'>,
    org: { id: number; slug: string },
    existing: MembershipRow | undefined,
    source: DirectorySource,
  ): Promise<boolean> {
    const who = { id: user.id, username: user.username };
    const record = (action: string, details: Record<string, unknown>) =>
      this.audit.record({ action, actor: null, user: who, details: { ...details, source } });

    if (step.kind === 'create') {
      let created: MembershipRow;
      try {
        created = await this.orgs.insertMembership({
          user_id: user.id, organization_id: org.id, role: step.role, is_active: true, joined_at: new Date(), source,
        });
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
      await record('membership.created', { organization: org.id, membership_id: created.id, role: step.role });
      return true;
    }
    if (!existing) return false;
    if (step.kind === 'remove') {
      if (!(await this.orgs.deleteMembershipIf(existing.id, source, existing.role))) return false;
      await record('membership.removed', { organization: org.id, membership_id: existing.id, role: existing.role, was_active: existing.is_active });
      return true;
    }
    if (step.kind === 'activate') {
      const done = await this.orgs
        .transaction(async (repo) => {
          if (!(await repo.activateMembership(existing.id))) return false;
          // The invitation's role was changed meanwhile: roll the acceptance back too.
          if (step.to !== step.from && !(await repo.changeRoleIf(existing.id, step.from, step.to))) throw RACED;
          return true;
        })
        .catch((e: unknown) => {
          if (e === RACED) return false;
          throw e;
        });
      if (!done) return false;
      await record('invitation.accepted', { organization: org, role: step.from });
    } else if (!(await this.orgs.changeRoleIf(existing.id, step.from, step.to))) {
      return false;
    }
    if (step.to !== step.from) {
      await record('membership.role_changed', { organization: org.id, membership_id: existing.id, old_role: step.from, role: step.to });
    }
    return true;
  }
}
