/**
 * What the organization pages offer to whom, mirroring the server's rules
 * (docs/organizations.md): only to hide controls that would be refused. The server decides;
 * a refusal it still sends is shown as its message.
 */
import type { OrgRole } from '../../api/types';

/** Who I am in the organization: my role, or 'admin' for a server administrator who is not a member. */
export type Actor = OrgRole | 'admin' | null;

export function canManageMembers(actor: Actor): boolean {
  return actor === 'owner' || actor === 'maintainer' || actor === 'admin';
}

/** Roles `actor` may give, by invitation or by changing a role. Nobody is ever made owner. */
export function grantableRoles(actor: Actor): OrgRole[] {
  if (actor === 'owner' || actor === 'admin') return ['maintainer', 'supervisor', 'worker'];
  if (actor === 'maintainer') return ['supervisor', 'worker'];
  return [];
}

/** Whether `actor` may change the role of, or remove, a member with role `target` (not themself). */
export function canChangeMember(actor: Actor, target: OrgRole, self: boolean): boolean {
  if (self || target === 'owner') return false;
  return grantableRoles(actor).includes(target);
}

export const ROLE_HELP: Record<OrgRole, string> = {
  owner: 'created the organization; manages everything',
  maintainer: 'manages the organization, its members and all its data',
  supervisor: 'sees everything, assigns jobs',
  worker: 'sees and works only on what they are assigned',
};
