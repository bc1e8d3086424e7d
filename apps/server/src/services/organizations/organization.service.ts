/**
 * Organizations, CVAT's way: anyone signed in may create one and becomes its owner; its active
 * members see it; the owner and maintainers edit it; only the owner deletes it. Plus per
 * organization settings for workers (a Framewise extension; see docs/organizations.md).
 *
 * A non-member gets 404 for an organization, as for one that does not exist, so slugs and ids
 * cannot be probed. Deleting never takes data with it: an organization still holding projects,
 * tasks or cloud storages answers 409 saying what is left.
 */
import { isForeignKeyViolation, isUniqueViolation } from '../../db/errors.js';
import type { OrgRole, OrganizationRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { ListPage } from '../../http/list-query.js';
import type { OrganizationDetails, OrganizationRepository } from '../../repositories/organization.repository.js';
import type { AuditService } from '../audit.service.js';
import { isAdmin, type Auth } from '../auth/auth.js';
import type { OrgContext } from './org-context.js';
import { isManager } from './roles.js';

export interface OrganizationInput {
  slug?: string | undefined;
  name?: string | undefined;
  description?: string | undefined;
  contact?: Record<string, string> | undefined;
}

export interface OrganizationSettings {
  workers_can_export: boolean;
  workers_see_task: boolean;
  workers_change_completed_jobs: boolean;
}

const SETTINGS = ['workers_can_export', 'workers_see_task', 'workers_change_completed_jobs'] as const;

function slugTaken(): AppError {
  return AppError.invalid('slug', 'an organization with this slug already exists');
}

function orgRef(o: Pick<OrganizationRow, 'id' | 'slug'>) {
  return { id: o.id, slug: o.slug };
}

export class OrganizationService {
  constructor(
    private readonly orgs: OrganizationRepository,
    private readonly context: OrgContext,
    private readonly audit: AuditService,
  ) {}

  async create(auth: Auth, input: OrganizationInput & { slug: string }, address: string): Promise<OrganizationDetails> {
    if (await this.orgs.findBySlug(input.slug)) throw slugTaken();
    let org: OrganizationRow;
    try {
      org = await this.orgs.transaction(async (repo) => {
        const created = await repo.insertOrganization({
          slug: input.slug,
          name: input.name ?? '',
          description: input.description ?? '',
          contact: JSON.stringify(input.contact ?? {}),
          owner_id: auth.user.id,
        });
        await repo.insertMembership({ organization_id: created.id, user_id: auth.user.id, role: 'owner', is_active: true, joined_at: new Date() });
        return created;
      });
    } catch (e) {
      // Another request took the slug between the check and the insert.
      if (isUniqueViolation(e)) throw slugTaken();
      throw e;
    }
    await this.audit.record({ action: 'organization.created', actor: auth.user, user: auth.user, address, details: { organization: orgRef(org), role: 'owner' } });
    return this.details(org.id);
  }

  list(auth: Auth, query: Record<string, unknown>): Promise<ListPage<OrganizationDetails>> {
    return this.orgs.listOrganizations({ userId: auth.user.id, admin: isAdmin(auth) }, query);
  }

  async get(auth: Auth, id: number): Promise<OrganizationDetails> {
    return (await this.visible(auth, id)).org;
  }

  async update(auth: Auth, id: number, input: OrganizationInput, address: string): Promise<OrganizationDetails> {
    const { org, role } = await this.visible(auth, id);
    if (!isAdmin(auth) && !isManager(role)) throw AppError.forbidden('only the owner and maintainers may change the organization');
    const changes: { slug?: string; name?: string; description?: string; contact?: string } = {};
    if (input.slug !== undefined && input.slug !== org.slug) {
      const other = await this.orgs.findBySlug(input.slug);
      if (other && other.id !== id) throw slugTaken();
      changes.slug = input.slug;
    }
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    if (input.contact !== undefined) changes.contact = JSON.stringify(input.contact);
    if (Object.keys(changes).length === 0) return org;
    try {
      await this.orgs.updateOrganization(id, changes);
    } catch (e) {
      if (isUniqueViolation(e)) throw slugTaken();
      throw e;
    }
    // Scopes are cached by slug: the old one must stop resolving at once.
    if (changes.slug !== undefined) this.context.forget();
    await this.audit.record({
      action: 'organization.updated',
      actor: auth.user,
      address,
      details: { organization: orgRef(org), fields: Object.keys(changes), ...(changes.slug !== undefined ? { new_slug: changes.slug } : {}) },
    });
    return this.details(id);
  }

  async delete(auth: Auth, id: number, address: string): Promise<void> {
    const { org, role } = await this.visible(auth, id);
    if (!isAdmin(auth) && role !== 'owner') throw AppError.forbidden('only the owner may delete the organization');
    const left = await this.orgs.holdings(id);
    if (left.projects + left.tasks + left.cloud_storages > 0) throw stillHolds(org.slug, left);
    try {
      await this.orgs.deleteOrganization(id);
    } catch (e) {
      // Something was created in it after the count; the foreign keys refuse the delete.
      if (isForeignKeyViolation(e)) throw stillHolds(org.slug, await this.orgs.holdings(id));
      throw e;
    }
    this.context.forget();
    await this.audit.record({ action: 'organization.deleted', actor: auth.user, address, details: { organization: orgRef(org) } });
  }

  async settings(auth: Auth, id: number): Promise<OrganizationSettings> {
    return settingsOf((await this.visible(auth, id)).org);
  }

  async updateSettings(auth: Auth, id: number, input: Partial<OrganizationSettings>, address: string): Promise<OrganizationSettings> {
    const { org, role } = await this.visible(auth, id);
    if (!isAdmin(auth) && !isManager(role)) throw AppError.forbidden("only the owner and maintainers may change the organization's settings");
    const changes: Partial<OrganizationSettings> = {};
    for (const name of SETTINGS) {
      const value = input[name];
      if (value !== undefined && value !== org[name]) changes[name] = value;
    }
    if (Object.keys(changes).length === 0) return settingsOf(org);
    await this.orgs.updateOrganization(id, changes);
    await this.audit.record({ action: 'organization.settings_updated', actor: auth.user, address, details: { organization: orgRef(org), ...changes } });
    return settingsOf(await this.details(id));
  }

  /** The organization and the caller's active role in it; 404 for a non-member who is not an admin. */
  private async visible(auth: Auth, id: number): Promise<{ org: OrganizationDetails; role: OrgRole | null }> {
    const [org, role] = await Promise.all([this.orgs.findOrganization(id), this.orgs.activeRole(id, auth.user.id)]);
    if (!org || (role === null && !isAdmin(auth))) throw AppError.notFound('organization', id);
    return { org, role };
  }

  private async details(id: number): Promise<OrganizationDetails> {
    const org = await this.orgs.findOrganization(id);
    if (!org) throw AppError.notFound('organization', id);
    return org;
  }
}

function settingsOf(org: OrganizationRow): OrganizationSettings {
  return {
    workers_can_export: org.workers_can_export,
    workers_see_task: org.workers_see_task,
    workers_change_completed_jobs: org.workers_change_completed_jobs,
  };
}

function stillHolds(slug: string, left: { projects: number; tasks: number; cloud_storages: number }): AppError {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const parts = [
    plural(left.projects, 'project', 'projects'),
    plural(left.tasks, 'task', 'tasks'),
    plural(left.cloud_storages, 'cloud storage', 'cloud storages'),
  ];
  return new AppError(
    'CONFLICT',
    `organization "${slug}" still holds ${parts.join(', ')}; delete or move them before deleting the organization`,
    [],
    { remaining: left },
  );
}
