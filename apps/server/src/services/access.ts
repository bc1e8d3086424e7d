/**
 * Who may see and change projects, tasks, jobs, labels and cloud storages. One definition of each
 * rule, as an SQL predicate: a list query filters by it and a single-object check reads the same
 * rule. Something a caller may not view answers 404, the same as something that does not exist,
 * so ids cannot be probed; something it may view but not act on answers 403, as CVAT does.
 *
 * The global admin may do everything. Otherwise an object's own organization decides (whatever
 * organization the request names; that only scopes lists and where new objects go):
 *
 * - In the personal workspace (organization null) the staff of an object act on it: a project's
 *   owner and assignee; a task's owner and assignee and its project's staff; a job's assignee.
 * - In an organization, only its active members count, by role (CVAT's meaning):
 *     owner, maintainer  view, change and delete everything in it
 *     supervisor         views everything, assigns jobs (stage, assignee), otherwise acts as staff
 *     worker             acts only as staff: sees the projects, tasks and jobs they own or are
 *                        assigned to; annotates and moves the state of their jobs
 *   Someone removed from an organization loses what they owned in it.
 * - A job's assignee who is not staff of its task may annotate it and change its state, never its
 *   stage or assignee, and sees its task and project unless the organization turned off
 *   `workers_see_task`; `workers_change_completed_jobs` off freezes a completed job for them.
 * - Export is viewing plus: in an organization, a supervisor, the staff, or any worker where
 *   `workers_can_export` is on (off by default: a contractor should not walk off with the data).
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { OrgRole, ProjectRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { JobRef, LabelRepository, Scoped, TaskRef } from '../repositories/label.repository.js';
import type { ProjectRepository } from '../repositories/project.repository.js';
import { isAdmin, type Auth } from './auth/auth.js';
import { MANAGERS, SUPERVISORS } from './organizations/roles.js';

export type Action = 'view' | 'change' | 'delete' | 'export';
/** `annotate`: annotations and state; `manage`: stage and assignee (the task manager's). */
export type JobAction = 'view' | 'annotate' | 'manage' | 'delete' | 'export';

type OrgSetting = 'workers_can_export' | 'workers_see_task' | 'workers_change_completed_jobs';


const ALL = sql<SqlBool>`true`;

function col(table: string, column: string) {
  return sql.ref(`${table}.${column}`);
}

function any(...parts: Expression<SqlBool>[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

function all(...parts: Expression<SqlBool>[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

/** The caller is an active member of the organization in `org` (with one of `roles`, if given). */
function member(org: Expression<unknown>, uid: number, roles?: readonly OrgRole[]): RawBuilder<SqlBool> {
  const role = roles ? sql` and acc_m.role in (${sql.join(roles)})` : sql``;
  return sql<SqlBool>`exists (select 1 from memberships acc_m
    where acc_m.organization_id = ${org} and acc_m.user_id = ${uid} and acc_m.is_active${role})`;
}

/** The object lives where the caller belongs: the personal workspace, or an organization they are in. */
function home(org: Expression<unknown>, uid: number): RawBuilder<SqlBool> {
  return any(sql<SqlBool>`${org} is null`, member(org, uid));
}

/** Members of the object's organization with one of `roles`, or those `staff` names where the caller belongs. */
function roleOr(org: Expression<unknown>, uid: number, roles: readonly OrgRole[], staff: Expression<SqlBool>): RawBuilder<SqlBool> {
  return any(member(org, uid, roles), all(home(org, uid), staff));
}

/** A worker setting of the organization in `org` is on (always, in the personal workspace). */
function allows(org: Expression<unknown>, setting: OrgSetting): RawBuilder<SqlBool> {
  return any(sql<SqlBool>`${org} is null`, sql<SqlBool>`exists (select 1 from organizations acc_o where acc_o.id = ${org} and acc_o.${sql.ref(setting)})`);
}

/** Restricts rows of `projects` (or the alias `table`) to those `auth` may act on. */
export function projectAccess(auth: Auth, action: Action, table = 'projects'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  const uid = auth.user.id;
  const org = col(table, 'organization_id');
  const owner = sql<SqlBool>`${col(table, 'owner_id')} = ${uid}`;
  const staff = any(owner, sql<SqlBool>`${col(table, 'assignee_id')} = ${uid}`);
  switch (action) {
    case 'delete':
      return roleOr(org, uid, MANAGERS, owner);
    case 'change':
      return roleOr(org, uid, MANAGERS, staff);
    case 'view':
      return any(
        member(org, uid, SUPERVISORS),
        all(
          home(org, uid),
          any(
            staff,
            sql<SqlBool>`exists (select 1 from tasks acc_pt where acc_pt.project_id = ${col(table, 'id')}
              and (acc_pt.owner_id = ${uid} or acc_pt.assignee_id = ${uid}))`,
            all(
              allows(org, 'workers_see_task'),
              sql<SqlBool>`exists (select 1 from jobs acc_pj join tasks acc_pjt on acc_pjt.id = acc_pj.task_id
                where acc_pjt.project_id = ${col(table, 'id')} and acc_pj.assignee_id = ${uid})`,
            ),
          ),
        ),
      );
    case 'export':
      return all(projectAccess(auth, 'view', table), any(member(org, uid, SUPERVISORS), staff, allows(org, 'workers_can_export')));
  }
}

/** Who may add tasks to a project: who may change it, and the organization's supervisors. */
export function projectTaskCreation(auth: Auth, table = 'projects'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  return any(projectAccess(auth, 'change', table), member(col(table, 'organization_id'), auth.user.id, SUPERVISORS));
}

/** A task's own staff: its owner and assignee, and its project's. */
function taskStaff(table: string, uid: number, ownersOnly: boolean): RawBuilder<SqlBool> {
  const who = (t: string) =>
    ownersOnly ? sql<SqlBool>`${col(t, 'owner_id')} = ${uid}` : sql<SqlBool>`(${col(t, 'owner_id')} = ${uid} or ${col(t, 'assignee_id')} = ${uid})`;
  return any(who(table), sql<SqlBool>`exists (select 1 from projects acc_tp where acc_tp.id = ${col(table, 'project_id')} and ${who('acc_tp')})`);
}

/** Restricts rows of `tasks` (or the alias `table`) to those `auth` may act on. */
export function taskAccess(auth: Auth, action: Action, table = 'tasks'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  const uid = auth.user.id;
  const org = col(table, 'organization_id');
  switch (action) {
    case 'delete':
      return roleOr(org, uid, MANAGERS, taskStaff(table, uid, true));
    case 'change':
      return roleOr(org, uid, MANAGERS, taskStaff(table, uid, false));
    case 'view':
      return any(
        member(org, uid, SUPERVISORS),
        all(
          home(org, uid),
          any(
            taskStaff(table, uid, false),
            all(allows(org, 'workers_see_task'), sql<SqlBool>`exists (select 1 from jobs acc_tj where acc_tj.task_id = ${col(table, 'id')} and acc_tj.assignee_id = ${uid})`),
          ),
        ),
      );
    case 'export':
      return all(
        taskAccess(auth, 'view', table),
        any(member(org, uid, SUPERVISORS), taskStaff(table, uid, false), allows(org, 'workers_can_export')),
      );
  }
}

/** Restricts rows of `jobs` (or the alias `table`) to those `auth` may act on. */
export function jobAccess(auth: Auth, action: JobAction, table = 'jobs'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  const uid = auth.user.id;
  const org = col('acc_jt', 'organization_id');
  // Every rule reads the job's task once: its organization and its staff.
  const ofTask = (rule: Expression<SqlBool>) =>
    sql<SqlBool>`exists (select 1 from tasks acc_jt where acc_jt.id = ${col(table, 'task_id')} and ${rule})`;
  const manager = roleOr(org, uid, MANAGERS, taskStaff('acc_jt', uid, false));
  const assignee = sql<SqlBool>`${col(table, 'assignee_id')} = ${uid}`;
  switch (action) {
    case 'delete':
      return ofTask(manager);
    case 'manage':
      return ofTask(any(manager, member(org, uid, SUPERVISORS)));
    case 'view':
      // Viewing a job does not extend to the other jobs of its task: an annotator sees only theirs.
      return ofTask(any(manager, member(org, uid, SUPERVISORS), all(assignee, home(org, uid))));
    case 'export':
      return ofTask(any(manager, member(org, uid, SUPERVISORS), all(assignee, home(org, uid), allows(org, 'workers_can_export'))));
    case 'annotate':
      return ofTask(
        any(
          manager,
          all(assignee, home(org, uid), any(sql<SqlBool>`${col(table, 'state')} <> 'completed'`, allows(org, 'workers_change_completed_jobs'))),
        ),
      );
  }
}

/**
 * Quality data (settings, reports, conflicts) of rows of `tasks` (or the alias `table`): changed
 * by who may change the task, seen also by the organization's supervisors. An annotator who is
 * only assigned a job sees none of it: it would tell them which frames are checked.
 */
export function taskQualityAccess(auth: Auth, action: 'view' | 'change', table = 'tasks'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  const change = taskAccess(auth, 'change', table);
  return action === 'change' ? change : any(member(col(table, 'organization_id'), auth.user.id, SUPERVISORS), change);
}

/** The same for rows of `projects` (or the alias `table`). */
export function projectQualityAccess(auth: Auth, action: 'view' | 'change', table = 'projects'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  const change = projectAccess(auth, 'change', table);
  return action === 'change' ? change : any(member(col(table, 'organization_id'), auth.user.id, SUPERVISORS), change);
}

/** Restricts rows of `labels` (or the alias `table`) to those whose project or task `auth` may view or change. */
export function labelAccess(auth: Auth, action: 'view' | 'change', table = 'labels'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  return any(
    sql<SqlBool>`exists (select 1 from projects acc_lp where acc_lp.id = ${col(table, 'project_id')} and ${projectAccess(auth, action, 'acc_lp')})`,
    sql<SqlBool>`exists (select 1 from tasks acc_lt where acc_lt.id = ${col(table, 'task_id')} and ${taskAccess(auth, action, 'acc_lt')})`,
  );
}

/**
 * Restricts rows of `cloud_storages` (or the alias `table`): its owner (while a member where it
 * lives) uses and changes it; in an organization supervisors may use it (to create tasks from
 * it) and maintainers change it.
 */
export function cloudStorageAccess(auth: Auth, action: 'view' | 'change' = 'view', table = 'cloud_storages'): Expression<SqlBool> {
  if (isAdmin(auth)) return ALL;
  return roleOr(col(table, 'organization_id'), auth.user.id, action === 'view' ? SUPERVISORS : MANAGERS, sql<SqlBool>`${col(table, 'owner_id')} = ${auth.user.id}`);
}

/**
 * Restricts a list to the organization the request names: that organization's objects, only
 * personal ones for the personal workspace, everything visible when it names none.
 */
export function orgScope(auth: Auth, orgColumn: string): Expression<SqlBool> {
  if (auth.org === undefined) return ALL;
  if (auth.org === null) return sql<SqlBool>`${sql.ref(orgColumn)} is null`;
  return sql<SqlBool>`${sql.ref(orgColumn)} = ${auth.org.id}`;
}

/**
 * The organization new projects and tasks go to (the one the request names; null is the personal
 * workspace), if the caller may create there: supervisors and up, or `roles`.
 */
export function creationOrg(auth: Auth, what: string, roles: readonly OrgRole[] = SUPERVISORS): number | null {
  const org = auth.org ?? null;
  if (org === null || isAdmin(auth)) return org?.id ?? null;
  if (!org.role || !roles.includes(org.role)) {
    throw AppError.forbidden(`a ${org.role ?? 'non-member'} of organization "${org.slug}" may not create ${what} there`);
  }
  return org.id;
}

function granted<T>(found: Scoped<T> | undefined, what: string, id: number, action: string): T {
  if (!found) throw AppError.notFound(what, id);
  if (!found.allowed) throw AppError.forbidden(`you may not ${action} ${what} ${id}`);
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
    return granted(await this.projects.findScoped(id, projectAccess(auth, 'view'), projectAccess(auth, action)), 'project', id, action);
  }

  async requireTask(auth: Auth, id: number, action: Action): Promise<TaskRef> {
    return granted(await this.labels.findTask(id, taskAccess(auth, 'view'), taskAccess(auth, action)), 'task', id, action);
  }

  async requireJob(auth: Auth, id: number, action: JobAction): Promise<JobRef> {
    return granted(await this.labels.findJob(id, jobAccess(auth, 'view'), jobAccess(auth, action)), 'job', id, action);
  }

  /** The project or task owning a label; changing one of its labels is changing it. */
  async requireLabelOwner(auth: Auth, owner: { project_id: number | null; task_id: number | null }, action: 'view' | 'change'): Promise<void> {
    if (owner.project_id !== null) await this.requireProject(auth, owner.project_id, action);
    else if (owner.task_id !== null) await this.requireTask(auth, owner.task_id, action);
  }
}
