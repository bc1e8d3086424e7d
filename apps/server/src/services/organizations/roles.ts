/**
 * Who may hand out which organization role, as in CVAT: the owner manages everyone but
 * themself, a maintainer manages supervisors and workers, supervisors and workers manage
 * nobody. Nobody is ever made owner: an organization has one, its creator.
 */
import type { OrgRole } from '../../db/schema.js';
import { AppError } from '../../errors.js';

/** Who runs the organization: everything in it, its members, its cloud storages. */
export const MANAGERS: readonly OrgRole[] = ['owner', 'maintainer'];
/** Who sees everything in the organization and creates projects and tasks there. */
export const SUPERVISORS: readonly OrgRole[] = ['owner', 'maintainer', 'supervisor'];

const BY_OWNER: readonly OrgRole[] = ['maintainer', 'supervisor', 'worker'];
const BY_MAINTAINER: readonly OrgRole[] = ['supervisor', 'worker'];

/** The roles whose memberships `actor` may change or remove, which are also the roles they may give. */
export function manageableRoles(actor: OrgRole | null, admin: boolean): readonly OrgRole[] {
  if (admin || actor === 'owner') return BY_OWNER;
  if (actor === 'maintainer') return BY_MAINTAINER;
  return [];
}

export function isManager(role: OrgRole | null): boolean {
  return role !== null && MANAGERS.includes(role);
}

export function refuseOwnerRole(role: OrgRole): void {
  if (role === 'owner') {
    throw AppError.invalid('role', '"owner" cannot be given: an organization has one owner, the user who created it');
  }
}

/** Throws FORBIDDEN unless `actor` may move a membership from role `from` to role `to`. */
export function checkRoleChange(actor: OrgRole | null, admin: boolean, from: OrgRole, to: OrgRole): void {
  const allowed = manageableRoles(actor, admin);
  if (allowed.length === 0) throw AppError.forbidden('only the owner and maintainers of the organization may change roles');
  if (!allowed.includes(from)) throw AppError.forbidden(`a ${actor ?? 'non-member'} may not change the role of a ${from}`);
  if (!allowed.includes(to)) throw AppError.forbidden(`a ${actor ?? 'non-member'} may not make anyone ${to}; only ${allowed.join(' or ')}`);
}
