import { AppError } from '../errors.js';
import type { OrgScopeRepository } from '../repositories/org-scope.repository.js';
import type { UserRepository } from '../repositories/user.repository.js';

/**
 * Who may be made owner or assignee of an object: any existing user in the personal workspace;
 * in an organization only its active members (and administrators), or the work would go to
 * someone who cannot see it.
 */
export class Assignable {
  constructor(
    private readonly users: UserRepository,
    private readonly orgs: OrgScopeRepository,
  ) {}

  async require(field: string, userId: number | null | undefined, orgId: number | null): Promise<void> {
    if (userId === null || userId === undefined) return;
    const user = await this.users.findById(userId);
    if (!user) throw AppError.invalid(field, `user ${userId} does not exist`);
    // An administrator sees everything anyway, member or not.
    if (orgId !== null && !user.is_superuser && !(await this.orgs.isActiveMember(orgId, userId))) {
      throw AppError.invalid(field, `user ${userId} is not a member of the organization`);
    }
  }
}
