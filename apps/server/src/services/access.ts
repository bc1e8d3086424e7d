/**
 * Who may see and change projects, tasks, jobs and labels: the interim rules until organizations
 * and roles arrive. A superuser may do everything. Otherwise:
 *   project  view: owner, assignee, owner or assignee of one of its tasks, assignee of a job in one
 *            change: owner, assignee          delete: owner
 *   task     view: owner, assignee, project owner or assignee, assignee of one of its jobs
 *            change: owner, assignee, project owner or assignee    delete: owner, project owner
 *   job      view: assignee, or who may change its task     change: assignee, or who may change its task
 *            delete: who may change its task
 *   label    as its project or task; deleting a label is changing its owner
 *   cloud storage  view, change, delete: owner (organizations will widen this)
 *
 * The rules are SQL predicates, so a list query filters by them and a single-row check reads the
 * same rule: there is one definition of each. Something a caller may not view answers 404, the
 * same as something that does not exist, so ids cannot be probed; something it may view but not
 * change answers 403, as CVAT does.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { ProjectRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { JobRef, LabelRepository, Scoped, TaskRef } from '../repositories/label.repository.js';
import type { ProjectRepository } from '../repositories/project.repository.js';
import { isAdmin, type Auth } from './auth/auth.js';

export type Action = 'view' | 'change' | 'delete';

const ALL = sql<SqlBool>`true`;

function col(table: string, column: string) {
  return sql.ref(`${table}.${column}`);
}

/** Restricts rows of `projects` (or the alias `table`) to those `auth` may act on. */
export function projectAccess(auth: Auth, action: Action, table = 'projects'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  const uid = auth.user.id;
  if (action === 'delete') return sql<SqlBool>`(${col(table, 'owner_id')} = ${uid})`;
  const manages = sql<SqlBool>`(${col(table, 'owner_id')} = ${uid} or ${col(table, 'assignee_id')} = ${uid})`;
  if (action === 'change') return manages;
  return sql<SqlBool>`(${manages}
    or exists (select 1 from tasks acc_pt where acc_pt.project_id = ${col(table, 'id')}
               and (acc_pt.owner_id = ${uid} or acc_pt.assignee_id = ${uid}))
    or exists (select 1 from jobs acc_pj join tasks acc_pjt on acc_pjt.id = acc_pj.task_id
               where acc_pjt.project_id = ${col(table, 'id')} and acc_pj.assignee_id = ${uid}))`;
}

/** Restricts rows of `tasks` (or the alias `table`) to those `auth` may act on. */
export function taskAccess(auth: Auth, action: Action, table = 'tasks'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  const uid = auth.user.id;
  if (action === 'delete') {
    return sql<SqlBool>`(${col(table, 'owner_id')} = ${uid}
      or exists (select 1 from projects acc_tp where acc_tp.id = ${col(table, 'project_id')} and acc_tp.owner_id = ${uid}))`;
  }
  const manages = sql<SqlBool>`(${col(table, 'owner_id')} = ${uid} or ${col(table, 'assignee_id')} = ${uid}
    or exists (select 1 from projects acc_tp where acc_tp.id = ${col(table, 'project_id')}
               and (acc_tp.owner_id = ${uid} or acc_tp.assignee_id = ${uid})))`;
  if (action === 'change') return manages;
  return sql<SqlBool>`(${manages}
    or exists (select 1 from jobs acc_tj where acc_tj.task_id = ${col(table, 'id')} and acc_tj.assignee_id = ${uid}))`;
}

/** Restricts rows of `jobs` (or the alias `table`) to those `auth` may act on. */
export function jobAccess(auth: Auth, action: Action, table = 'jobs'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  const uid = auth.user.id;
  // Viewing a task includes being assigned any job in it; viewing a job does not extend to the
  // other jobs of that task: an annotator sees only the jobs assigned to them.
  const task = sql<SqlBool>`exists (select 1 from tasks acc_jt where acc_jt.id = ${col(table, 'task_id')}
    and ${taskAccess(auth, 'change', 'acc_jt')})`;
  if (action === 'delete') return task;
  return sql<SqlBool>`(${col(table, 'assignee_id')} = ${uid} or ${task})`;
}

/** Restricts rows of `labels` (or the alias `table`) to those whose project or task `auth` may view or change. */
export function labelAccess(auth: Auth, action: Exclude<Action, 'delete'>, table = 'labels'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  return sql<SqlBool>`(
    exists (select 1 from projects acc_lp where acc_lp.id = ${col(table, 'project_id')} and ${projectAccess(auth, action, 'acc_lp')})
    or exists (select 1 from tasks acc_lt where acc_lt.id = ${col(table, 'task_id')} and ${taskAccess(auth, action, 'acc_lt')}))`;
}

/** Restricts rows of `cloud_storages` (or the alias `table`) to those `auth` may see, change and delete. */
export function cloudStorageAccess(auth: Auth, table = 'cloud_storages'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  return sql<SqlBool>`(${col(table, 'owner_id')} = ${auth.user.id})`;
}

function granted<T>(found: Scoped<T> | undefined, what: string, id: number): T {
  if (!found) throw AppError.notFound(what, id);
  if (!found.allowed) throw AppError.forbidden();
  return found.row;
}

/**
 * Single-object checks. Each runs on the main connection, so call it before opening a
 * transaction (on PGlite a query outside the transaction would wait for it to end).
 */
export class AccessService {
  constructor(
    private readonly projects: ProjectRepository,
    private readonly labels: LabelRepository,
  ) {}

  async requireProject(auth: Auth, id: number, action: Action): Promise<ProjectRow> {
    return granted(await this.projects.findScoped(id, projectAccess(auth, 'view'), projectAccess(auth, action)), 'project', id);
  }

  async requireTask(auth: Auth, id: number, action: Action): Promise<TaskRef> {
    return granted(await this.labels.findTask(id, taskAccess(auth, 'view'), taskAccess(auth, action)), 'task', id);
  }

  async requireJob(auth: Auth, id: number, action: Action): Promise<JobRef> {
    return granted(await this.labels.findJob(id, jobAccess(auth, 'view'), jobAccess(auth, action)), 'job', id);
  }

  /** The project or task owning a label; changing one of its labels is changing it. */
  async requireLabelOwner(auth: Auth, owner: { project_id: number | null; task_id: number | null }, action: 'view' | 'change'): Promise<void> {
    if (owner.project_id !== null) await this.requireProject(auth, owner.project_id, action);
    else if (owner.task_id !== null) await this.requireTask(auth, owner.task_id, action);
  }
}
