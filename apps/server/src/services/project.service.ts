import type { StorageRef } from '../db/schema.js';
import type { ProjectCreate, ProjectPatch, StorageWrite } from '../dtos/project.dto.js';
import { AppError } from '../errors.js';
import type { ListPage } from '../http/list-query.js';
import type { ProjectDetails, ProjectRepository } from '../repositories/project.repository.js';
import { sql } from 'kysely';
import { creationOrg, orgScope, projectAccess, type AccessService } from './access.js';
import type { Assignable } from './assignable.js';
import { isAdmin, type Auth } from './auth/auth.js';
import type { LabelService } from './label.service.js';

/** Called after a project's deletion has committed, with the ids of the tasks that went with it. */
export type TasksDeletedHook = (taskIds: number[]) => Promise<void>;

export class ProjectService {
  constructor(
    private readonly projects: ProjectRepository,
    private readonly labels: LabelService,
    private readonly access: AccessService,
    private readonly people: Assignable,
    private readonly onTasksDeleted: TasksDeletedHook,
  ) {}

  list(auth: Auth, query: Record<string, unknown>): Promise<ListPage<ProjectDetails>> {
    return this.projects.list(sql<boolean>`(${projectAccess(auth, 'view')} and ${orgScope(auth, 'projects.organization_id')})`, query);
  }

  async get(auth: Auth, id: number): Promise<ProjectDetails> {
    await this.access.requireProject(auth, id, 'view');
    return this.details(id);
  }

  async create(auth: Auth, input: ProjectCreate): Promise<ProjectDetails> {
    // A project owned by someone else would vanish from its creator's view at once; only an
    // administrator creates projects on behalf of others.
    const ownerId = input.owner_id ?? auth.user.id;
    if (ownerId !== auth.user.id && !isAdmin(auth)) throw AppError.forbidden('only an administrator can create a project for another user');
    const organizationId = creationOrg(auth, 'projects');
    await this.people.require('owner_id', ownerId, organizationId);
    await this.people.require('assignee_id', input.assignee_id, organizationId);
    const source = storage('source_storage', input.source_storage, null);
    const target = storage('target_storage', input.target_storage, null);

    const id = await this.projects.transaction(async (trx) => {
      const project = await this.projects.on(trx).insert({
        name: input.name,
        owner_id: ownerId,
        organization_id: organizationId,
        assignee_id: input.assignee_id ?? null,
        assignee_updated_at: input.assignee_id != null ? new Date() : null,
        bug_tracker: input.bug_tracker ?? '',
        source_storage: source && JSON.stringify(source),
        target_storage: target && JSON.stringify(target),
      });
      await this.labels.createFor(trx, { projectId: project.id }, input.labels);
      return project.id;
    });
    return this.details(id);
  }

  async update(auth: Auth, id: number, input: ProjectPatch): Promise<ProjectDetails> {
    const project = await this.access.requireProject(auth, id, 'change');
    if (input.organization_id !== undefined && input.organization_id !== project.organization_id) {
      throw AppError.invalid('organization_id', 'moving a project to another organization is not supported; export and import it');
    }
    const values: Parameters<ProjectRepository['update']>[1] = {};
    if (input.name !== undefined) values.name = input.name;
    if (input.bug_tracker !== undefined) values.bug_tracker = input.bug_tracker;
    if (input.owner_id !== undefined && input.owner_id !== project.owner_id) {
      if (!isAdmin(auth) && project.owner_id !== auth.user.id) throw AppError.forbidden('only the owner can hand the project over');
      await this.people.require('owner_id', input.owner_id, project.organization_id);
      values.owner_id = input.owner_id;
    }
    if (input.assignee_id !== undefined && input.assignee_id !== project.assignee_id) {
      await this.people.require('assignee_id', input.assignee_id, project.organization_id);
      values.assignee_id = input.assignee_id;
      values.assignee_updated_at = new Date();
    }
    if (input.source_storage) values.source_storage = JSON.stringify(storage('source_storage', input.source_storage, project.source_storage));
    if (input.target_storage) values.target_storage = JSON.stringify(storage('target_storage', input.target_storage, project.target_storage));

    await this.projects.transaction(async (trx) => {
      if (Object.keys(values).length > 0 && !(await this.projects.on(trx).update(id, values))) throw AppError.notFound('project', id);
      await this.labels.patchFor(trx, { projectId: id }, input.labels);
    });
    return this.details(id);
  }

  async remove(auth: Auth, id: number): Promise<void> {
    await this.access.requireProject(auth, id, 'delete');
    const taskIds = await this.projects.transaction((trx) => this.projects.on(trx).delete(id));
    if (!taskIds) throw AppError.notFound('project', id);
    if (taskIds.length > 0) await this.onTasksDeleted(taskIds);
  }

  private async details(id: number): Promise<ProjectDetails> {
    const found = await this.projects.findDetails(id);
    if (!found) throw AppError.notFound('project', id);
    return found;
  }
}

/**
 * A storage setting merged onto the stored one, as CVAT's StorageSerializer validates it. There
 * are no cloud storages yet, so any cloud_storage_id names one that does not exist.
 */
function storage(field: string, given: StorageWrite | undefined, stored: StorageRef | null): StorageRef | null {
  if (!given) return stored;
  const location = given.location ?? stored?.location ?? 'local';
  const cloudId = given.cloud_storage_id ?? null;
  if (cloudId !== null) throw AppError.invalid(`${field}.cloud_storage_id`, `cloud storage ${cloudId} does not exist`);
  if (location === 'cloud_storage') throw AppError.invalid(`${field}.cloud_storage_id`, 'required when the location is cloud_storage');
  return { location, cloud_storage_id: null };
}
