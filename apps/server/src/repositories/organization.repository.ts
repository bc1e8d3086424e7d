/**
 * Organizations, their memberships and invitations (migrations 0011, 0012). Services decide who may do
 * what; this file only reads and writes rows, and builds the visibility predicates the services
 * ask for by the viewer's id.
 */
import { sql, type Insertable, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import type {
  DB,
  InvitationRow,
  InvitationsTable,
  MembershipRow,
  MembershipsTable,
  OrgRole,
  OrganizationRow,
  OrganizationsTable,
  UserRow,
} from '../db/schema.js';
import { listPage, type ListPage, type ListSpec } from '../http/list-query.js';
import type { PersonRef } from './project.repository.js';

export const ORG_ROLES = ['worker', 'supervisor', 'maintainer', 'owner'] as const satisfies readonly OrgRole[];

export interface OrganizationDetails extends OrganizationRow {
  owner: PersonRef | null;
}

export interface MembershipDetails extends MembershipRow {
  user: PersonRef;
  /** The key of the invitation that made it, while that invitation exists. */
  invitation: string | null;
}

export interface InvitationDetails extends InvitationRow {
  owner: PersonRef | null;
  user: PersonRef;
  role: OrgRole;
  organization_id: number;
  organization_slug: string;
  organization_name: string;
  membership_active: boolean;
}

/** What the organization still holds: it cannot be deleted while any of these is above zero. */
export interface OrgHoldings {
  projects: number;
  tasks: number;
  cloud_storages: number;
}

/** An organization a request names, and the caller's role in it (null: not an active member). */
export interface FoundOrg {
  id: number;
  slug: string;
  role: OrgRole | null;
}

/** Who lists: admins see everything, others what their memberships show them. */
export interface Viewer {
  userId: number;
  admin: boolean;
}

// CVAT's OrganizationViewSet: filter and sort over id, name, owner (username), slug; search over
// name, owner and slug; exact parameters name, owner, slug.
const ORGANIZATION_FIELDS: ListSpec = {
  id: { expr: 'o.id', kind: 'number' },
  name: { expr: 'o.name', kind: 'string', search: true, param: 'exact' },
  slug: { expr: 'o.slug', kind: 'string', search: true, param: 'exact' },
  owner: { expr: 'owner.username', kind: 'string', search: true, param: 'exact' },
};

// CVAT's MembershipViewSet: filter over id, role, user (username); search over user; sort over
// id, role, user; exact parameters role and user.
const MEMBERSHIP_FIELDS: ListSpec = {
  id: { expr: 'm.id', kind: 'number' },
  role: { expr: 'm.role', kind: 'string', param: 'exact', choices: ORG_ROLES },
  user: { expr: 'u.username', kind: 'string', search: true, param: 'exact' },
};

// CVAT's InvitationViewSet: filter over accepted, owner (username), user_id; search over owner;
// sort over accepted, created_date, owner, user_id; exact parameters accepted, owner, user_id.
// The key is unique, so it breaks ties between invitations sent at the same moment.
const INVITATION_FIELDS: ListSpec = {
  key: { expr: 'i.key', kind: 'string', sort: false },
  accepted: { expr: sql`(i.accepted_at is not null)`, kind: 'boolean', param: 'exact' },
  created_date: { expr: 'i.created_at', kind: 'date', filter: false },
  owner: { expr: 'owner.username', kind: 'string', search: true, param: 'exact' },
  user_id: { expr: 'm.user_id', kind: 'number', param: 'exact' },
};

function person(id: number | null, username: string | null, first: string | null, last: string | null): PersonRef | null {
  return id !== null && username !== null ? { id, username, first_name: first ?? '', last_name: last ?? '' } : null;
}

export class OrganizationRepository {
  constructor(private readonly db: Db | Transaction<DB>) {}

  /** The same repository running on `db`, typically a transaction. */
  on(db: Db | Transaction<DB>): OrganizationRepository {
    return db === this.db ? this : new OrganizationRepository(db);
  }

  transaction<T>(fn: (repo: OrganizationRepository) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(this.on(trx)));
  }

  // -------------------------------------------------------------------------------------------
  // Organizations

  /** The one lookup of every request that names an organization (services/organizations/org-context.ts). */
  async findScope(userId: number, by: { slug: string } | { id: number }): Promise<FoundOrg | undefined> {
    let q = this.db
      .selectFrom('organizations as o')
      .leftJoin('memberships as m', (j) => j.onRef('m.organization_id', '=', 'o.id').on('m.user_id', '=', userId).on('m.is_active', '=', true))
      .select(['o.id', 'o.slug', 'm.role']);
    q = 'slug' in by ? q.where((eb) => eb(eb.fn('lower', ['o.slug']), '=', by.slug.toLowerCase())) : q.where('o.id', '=', by.id);
    const row = await q.executeTakeFirst();
    return row ? { id: row.id, slug: row.slug, role: row.role ?? null } : undefined;
  }

  findBySlug(slug: string): Promise<OrganizationRow | undefined> {
    return this.db
      .selectFrom('organizations')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['slug']), '=', slug.toLowerCase()))
      .executeTakeFirst();
  }

  insertOrganization(values: Insertable<OrganizationsTable>): Promise<OrganizationRow> {
    return this.db.insertInto('organizations').values(values).returningAll().executeTakeFirstOrThrow();
  }

  async updateOrganization(id: number, values: Updateable<OrganizationsTable>): Promise<void> {
    await this.db.updateTable('organizations').set({ ...values, updated_at: sql`now()` }).where('id', '=', id).execute();
  }

  /** Memberships and invitations go with it (foreign keys cascade). */
  async deleteOrganization(id: number): Promise<boolean> {
    const row = await this.db.deleteFrom('organizations').where('id', '=', id).returning('id').executeTakeFirst();
    return row !== undefined;
  }

  async findOrganization(id: number): Promise<OrganizationDetails | undefined> {
    const row = await this.organizations().where('o.id', '=', id).executeTakeFirst();
    return row && toOrganization(row);
  }

  async listOrganizations(viewer: Viewer, query: Record<string, unknown>): Promise<ListPage<OrganizationDetails>> {
    let q = this.organizations();
    if (!viewer.admin) q = q.where('o.id', 'in', this.activeOrgIds(viewer.userId));
    const page = await listPage(q, ORGANIZATION_FIELDS, query, { defaultSort: '-id' });
    return { ...page, rows: page.rows.map(toOrganization) };
  }

  async holdings(orgId: number): Promise<OrgHoldings> {
    const count = (table: 'projects' | 'tasks' | 'cloud_storages') =>
      this.db
        .selectFrom(table)
        .select(sql<number>`count(*)::int`.as('n'))
        .where('organization_id', '=', orgId)
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    const [projects, tasks, cloud_storages] = await Promise.all([count('projects'), count('tasks'), count('cloud_storages')]);
    return { projects, tasks, cloud_storages };
  }

  private organizations() {
    return this.db
      .selectFrom('organizations as o')
      .leftJoin('users as owner', 'owner.id', 'o.owner_id')
      .selectAll('o')
      .select(['owner.username as owner_username', 'owner.first_name as owner_first_name', 'owner.last_name as owner_last_name']);
  }

  // -------------------------------------------------------------------------------------------
  // Memberships

  /** The user's role in the organization if they are an active member, else null. */
  async activeRole(orgId: number, userId: number): Promise<OrgRole | null> {
    const row = await this.db
      .selectFrom('memberships')
      .select('role')
      .where('organization_id', '=', orgId)
      .where('user_id', '=', userId)
      .where('is_active', '=', true)
      .executeTakeFirst();
    return row?.role ?? null;
  }

  findMembershipOf(orgId: number, userId: number): Promise<MembershipRow | undefined> {
    return this.db.selectFrom('memberships').selectAll().where('organization_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
  }

  insertMembership(values: Insertable<MembershipsTable>): Promise<MembershipRow> {
    return this.db.insertInto('memberships').values(values).returningAll().executeTakeFirstOrThrow();
  }

  async updateMembership(id: number, values: Updateable<MembershipsTable>): Promise<void> {
    await this.db.updateTable('memberships').set(values).where('id', '=', id).execute();
  }

  /** Its invitation goes with it (foreign key cascades). */
  async deleteMembership(id: number): Promise<boolean> {
    const row = await this.db.deleteFrom('memberships').where('id', '=', id).returning('id').executeTakeFirst();
    return row !== undefined;
  }

  async findMembership(id: number): Promise<MembershipDetails | undefined> {
    const row = await this.memberships().where('m.id', '=', id).executeTakeFirst();
    return row && toMembership(row);
  }

  /**
   * Memberships of the organizations the viewer is an active member of (all for an admin),
   * invited ones included; `orgId` narrows to one organization, null to none at all.
   */
  async listMemberships(viewer: Viewer, orgId: number | null | undefined, query: Record<string, unknown>): Promise<ListPage<MembershipDetails>> {
    let q = this.memberships();
    if (!viewer.admin) q = q.where('m.organization_id', 'in', this.activeOrgIds(viewer.userId));
    if (orgId === null) q = q.where(sql<boolean>`false`);
    else if (orgId !== undefined) q = q.where('m.organization_id', '=', orgId);
    const page = await listPage(q, MEMBERSHIP_FIELDS, query, { defaultSort: '-id' });
    return { ...page, rows: page.rows.map(toMembership) };
  }

  private memberships() {
    return this.db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .leftJoin('invitations as i', 'i.membership_id', 'm.id')
      .selectAll('m')
      .select(['u.username as user_username', 'u.first_name as user_first_name', 'u.last_name as user_last_name', 'i.key as invitation']);
  }

  private activeOrgIds(userId: number, roles?: readonly OrgRole[]) {
    let q = this.db.selectFrom('memberships as mm').select('mm.organization_id').where('mm.user_id', '=', userId).where('mm.is_active', '=', true);
    if (roles) q = q.where('mm.role', 'in', roles);
    return q;
  }

  // -------------------------------------------------------------------------------------------
  // Memberships granted by directory groups (services/organizations/directory-roles.ts). The
  // writes are conditional on what was read, so a change made meanwhile by hand is not undone.

  /** Organizations by slug, regardless of case; a slug that names none is simply absent. */
  findOrganizationsBySlugs(slugs: string[]): Promise<Pick<OrganizationRow, 'id' | 'slug'>[]> {
    if (slugs.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('organizations')
      .select(['id', 'slug'])
      .where((eb) => eb(eb.fn('lower', ['slug']), 'in', slugs.map((x) => x.toLowerCase())))
      .execute();
  }

  /** The user's memberships, pending ones included, in these organizations. */
  membershipsOfIn(userId: number, orgIds: number[]): Promise<MembershipRow[]> {
    if (orgIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('memberships').selectAll().where('user_id', '=', userId).where('organization_id', 'in', orgIds).execute();
  }

  /** Sets the role while it is still `from` and not the owner's; false when it was not. */
  async changeRoleIf(id: number, from: OrgRole, to: OrgRole): Promise<boolean> {
    const row = await this.db
      .updateTable('memberships')
      .set({ role: to })
      .where('id', '=', id)
      .where('role', '=', from)
      .where('role', '!=', 'owner')
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Deletes the membership while it is still the one `source` made, with `role`. */
  async deleteMembershipIf(id: number, source: MembershipRow['source'], role: OrgRole): Promise<boolean> {
    const row = await this.db
      .deleteFrom('memberships')
      .where('id', '=', id)
      .where('source', '=', source)
      .where('role', '=', role)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Makes a pending (invited) membership active and marks its invitation accepted; false when
   * it was active already or is gone. Run it in a transaction.
   */
  async activateMembership(id: number): Promise<boolean> {
    const row = await this.db
      .updateTable('memberships')
      .set({ is_active: true, joined_at: sql`now()` })
      .where('id', '=', id)
      .where('is_active', '=', false)
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    await this.db.updateTable('invitations').set({ accepted_at: sql`now()` }).where('membership_id', '=', id).where('accepted_at', 'is', null).execute();
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Invitations

  insertInvitation(values: Insertable<InvitationsTable>): Promise<InvitationRow> {
    return this.db.insertInto('invitations').values(values).returningAll().executeTakeFirstOrThrow();
  }

  async deleteInvitationOf(membershipId: number): Promise<void> {
    await this.db.deleteFrom('invitations').where('membership_id', '=', membershipId).execute();
  }

  async deleteInvitation(key: string): Promise<boolean> {
    const row = await this.db.deleteFrom('invitations').where('key', '=', key).returning('key').executeTakeFirst();
    return row !== undefined;
  }

  async touchInvitation(key: string): Promise<void> {
    await this.db.updateTable('invitations').set({ sent_at: sql`now()` }).where('key', '=', key).execute();
  }

  /**
   * Marks the invitation accepted and its membership active, once: false when it was accepted
   * meanwhile (two clicks, two tabs). Run it in a transaction.
   */
  async accept(key: string, membershipId: number): Promise<boolean> {
    const done = await this.db
      .updateTable('invitations')
      .set({ accepted_at: sql`now()` })
      .where('key', '=', key)
      .where('accepted_at', 'is', null)
      .returning('key')
      .executeTakeFirst();
    if (!done) return false;
    await this.db.updateTable('memberships').set({ is_active: true, joined_at: sql`now()` }).where('id', '=', membershipId).execute();
    return true;
  }

  async findInvitation(key: string): Promise<InvitationDetails | undefined> {
    const row = await this.invitations().where('i.key', '=', key).executeTakeFirst();
    return row && toInvitation(row);
  }

  /**
   * Invitations the viewer may see: addressed to them, sent by them, or of an organization where
   * they hold one of `managers` (all for an admin). `scope` narrows: an organization id, or 'personal' for
   * only those addressed to or sent by the viewer.
   */
  async listInvitations(
    viewer: Viewer,
    managers: readonly OrgRole[],
    scope: number | 'personal' | undefined,
    query: Record<string, unknown>,
  ): Promise<ListPage<InvitationDetails>> {
    let q = this.invitations();
    const uid = viewer.userId;
    if (scope === 'personal') q = q.where((eb) => eb.or([eb('m.user_id', '=', uid), eb('i.owner_id', '=', uid)]));
    else if (!viewer.admin) {
      q = q.where((eb) =>
        eb.or([eb('m.user_id', '=', uid), eb('i.owner_id', '=', uid), eb('m.organization_id', 'in', this.activeOrgIds(uid, managers))]),
      );
    }
    if (typeof scope === 'number') q = q.where('m.organization_id', '=', scope);
    const page = await listPage(q, INVITATION_FIELDS, query, { defaultSort: '-created_date', tieBreaker: 'key' });
    return { ...page, rows: page.rows.map(toInvitation) };
  }

  private invitations() {
    return this.db
      .selectFrom('invitations as i')
      .innerJoin('memberships as m', 'm.id', 'i.membership_id')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .innerJoin('organizations as o', 'o.id', 'm.organization_id')
      .leftJoin('users as owner', 'owner.id', 'i.owner_id')
      .selectAll('i')
      .select([
        'm.role', 'm.organization_id', 'm.is_active as membership_active', 'm.user_id', 'o.slug as organization_slug', 'o.name as organization_name',
        'u.username as user_username', 'u.first_name as user_first_name', 'u.last_name as user_last_name',
        'owner.username as owner_username', 'owner.first_name as owner_first_name', 'owner.last_name as owner_last_name',
      ]);
  }

  // -------------------------------------------------------------------------------------------
  // Placeholder users (invited by an email address that has no account yet)

  /** An account that cannot log in (inactive, no password) until someone registers with its invitation. */
  insertPlaceholderUser(username: string, email: string): Promise<UserRow> {
    return this.db
      .insertInto('users')
      .values({ username, email, password_hash: null, is_active: false, auth_source: 'local' })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /**
   * Turns a placeholder into a real account, only while it still is one (inactive, no password,
   * local): undefined when it is not, e.g. when a concurrent registration got there first.
   */
  claimPlaceholder(
    userId: number,
    values: { username: string; email: string; password_hash: string; first_name: string; last_name: string },
  ): Promise<UserRow | undefined> {
    return this.db
      .updateTable('users')
      .set({ ...values, is_active: true, date_joined: sql`now()` })
      .where('id', '=', userId)
      .where('is_active', '=', false)
      .where('password_hash', 'is', null)
      .where('auth_source', '=', 'local')
      .returningAll()
      .executeTakeFirst();
  }
}

type OrganizationSelect = OrganizationRow & { owner_username: string | null; owner_first_name: string | null; owner_last_name: string | null };

function toOrganization(r: OrganizationSelect): OrganizationDetails {
  const { owner_username, owner_first_name, owner_last_name, ...row } = r;
  return { ...row, owner: person(row.owner_id, owner_username, owner_first_name, owner_last_name) };
}

type MembershipSelect = MembershipRow & { user_username: string; user_first_name: string; user_last_name: string; invitation: string | null };

function toMembership(r: MembershipSelect): MembershipDetails {
  const { user_username, user_first_name, user_last_name, ...row } = r;
  return { ...row, user: { id: row.user_id, username: user_username, first_name: user_first_name, last_name: user_last_name } };
}

type InvitationSelect = InvitationRow & {
  role: OrgRole;
  organization_id: number;
  membership_active: boolean;
  user_id: number;
  organization_slug: string;
  organization_name: string;
  user_username: string;
  user_first_name: string;
  user_last_name: string;
  owner_username: string | null;
  owner_first_name: string | null;
  owner_last_name: string | null;
};

function toInvitation(r: InvitationSelect): InvitationDetails {
  const { user_id, user_username, user_first_name, user_last_name, owner_username, owner_first_name, owner_last_name, ...row } = r;
  return {
    ...row,
    user: { id: user_id, username: user_username, first_name: user_first_name, last_name: user_last_name },
    owner: person(row.owner_id, owner_username, owner_first_name, owner_last_name),
  };
}
