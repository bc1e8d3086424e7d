/**
 * Memberships, CVAT's way: active members see everyone in their organizations, invited (not yet
 * active) people included; the owner and maintainers change roles and remove people within
 * the limits of services/organizations/roles.ts; anyone but the owner may leave.
 */
import type { OrgRole } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { ListPage } from '../../http/list-query.js';
import type { MembershipDetails, OrganizationRepository } from '../../repositories/organization.repository.js';
import type { AuditService } from '../audit.service.js';
import { isAdmin, type Auth } from '../auth/auth.js';
import type { OrgContext } from './org-context.js';
import { checkRoleChange, manageableRoles, refuseOwnerRole } from './roles.js';

export class MembershipService {
  constructor(
    private readonly orgs: OrganizationRepository,
    private readonly context: OrgContext,
    private readonly audit: AuditService,
  ) {}

  /**
   * Memberships of the caller's organizations; of the organization the request names, if any;
   * none in the personal workspace, which has no members.
   */
  list(auth: Auth, query: Record<string, unknown>): Promise<ListPage<MembershipDetails>> {
    const orgId = auth.org === undefined ? undefined : auth.org === null ? null : auth.org.id;
    return this.orgs.listMemberships({ userId: auth.user.id, admin: isAdmin(auth) }, orgId, query);
  }

  async get(auth: Auth, id: number): Promise<MembershipDetails> {
    return (await this.visible(auth, id)).membership;
  }

  async update(auth: Auth, id: number, input: { role?: OrgRole | undefined }, address: string): Promise<MembershipDetails> {
    const { membership, role: mine } = await this.visible(auth, id);
    if (input.role === undefined) return membership;
    refuseOwnerRole(input.role);
    if (membership.user_id === auth.user.id) throw AppError.forbidden('you cannot change your own role; ask the owner or a maintainer');
    if (membership.role === 'owner') throw AppError.forbidden("the owner's role cannot be changed");
    checkRoleChange(mine, isAdmin(auth), membership.role, input.role);
    if (input.role === membership.role) return membership;
    await this.orgs.updateMembership(id, { role: input.role });
    this.context.forget();
    await this.audit.record({
      action: 'membership.role_changed',
      actor: auth.user,
      user: membership.user,
      address,
      details: { organization: membership.organization_id, membership_id: id, old_role: membership.role, role: input.role },
    });
    return this.get(auth, id);
  }

  /** Removing someone, or leaving (deleting one's own membership); the owner can do neither. */
  async delete(auth: Auth, id: number, address: string): Promise<void> {
    const { membership, role: mine } = await this.visible(auth, id);
    if (membership.role === 'owner') {
      throw AppError.forbidden('the owner cannot leave or be removed from the organization; delete the organization instead');
    }
    const leaving = membership.user_id === auth.user.id;
    if (!leaving) {
      const allowed = manageableRoles(mine, isAdmin(auth));
      if (allowed.length === 0) throw AppError.forbidden('only the owner and maintainers may remove members');
      if (!allowed.includes(membership.role)) throw AppError.forbidden(`a ${mine ?? 'non-member'} may not remove a ${membership.role}`);
    }
    await this.orgs.deleteMembership(id);
    this.context.forget();
    await this.audit.record({
      action: leaving ? 'membership.left' : 'membership.removed',
      actor: auth.user,
      user: membership.user,
      address,
      details: { organization: membership.organization_id, membership_id: id, role: membership.role, was_active: membership.is_active },
    });
  }

  /** Visible to active members of its organization and to admins; 404 for everyone else. */
  private async visible(auth: Auth, id: number): Promise<{ membership: MembershipDetails; role: OrgRole | null }> {
    const membership = await this.orgs.findMembership(id);
    if (!membership) throw AppError.notFound('membership', id);
    const role = await this.orgs.activeRole(membership.organization_id, auth.user.id);
    if (role === null && !isAdmin(auth)) throw AppError.notFound('membership', id);
    return { membership, role };
  }
}
