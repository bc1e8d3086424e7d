import type { Db } from '../db/database.js';
import type { OrgRole } from '../db/schema.js';

export interface FoundOrg {
  id: number;
  slug: string;
  /** The user's role if they are an active member, else null. */
  role: OrgRole | null;
}

/** The one lookup every request that names an organization makes (see services/organizations/org-context.ts). */
export class OrgScopeRepository {
  constructor(private readonly db: Db) {}

  async find(userId: number, by: { slug: string } | { id: number }): Promise<FoundOrg | undefined> {
    let q = this.db
      .selectFrom('organizations as o')
      .leftJoin('memberships as m', (j) => j.onRef('m.organization_id', '=', 'o.id').on('m.user_id', '=', userId).on('m.is_active', '=', true))
      .select(['o.id', 'o.slug', 'm.role']);
    q = 'slug' in by ? q.where((eb) => eb(eb.fn('lower', ['o.slug']), '=', by.slug.toLowerCase())) : q.where('o.id', '=', by.id);
    const row = await q.executeTakeFirst();
    return row ? { id: row.id, slug: row.slug, role: row.role ?? null } : undefined;
  }

  async isActiveMember(orgId: number, userId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('memberships')
      .select('id')
      .where('organization_id', '=', orgId)
      .where('user_id', '=', userId)
      .where('is_active', '=', true)
      .executeTakeFirst();
    return row !== undefined;
  }
}
