import { AppError } from '../errors.js';
import type { OrganizationRepository } from '../repositories/organization.repository.js';
import type { UserRepository } from '../repositories/user.repository.js';

/**
 * Who may be made owner or assignee of an object: any existing user in the personal workspace;
 * in an organization only its active members (and administrators), or the work would go to
 * someone who cannot see it.
 */
export class Assignable {
  constructor(
    private readonly users: UserRepository,
    private readonly orgs: OrganizationRepository,
  ) {}

  async require(field: string, userId: number | null | undefined, orgId: number | null): Promise<void> {
    if (userId === null || userId === undefined) return;
    const user = await this.users.findById(userId);
    if (!user) throw AppError.invalid(field, `user ${userId} does not exist`);
    // An administrator sees everything anyway, member or not.
    if (orgId !== null && !user.is_superuser && (await this.orgs.activeRole(orgId, userId)) === null) {
      throw AppError.invalid(field, `user ${userId} is not a member of the organization`);
    }
  }
}
