/**
 * Who may see and change tasks and jobs, until organizations and roles arrive: a superuser
 * everything; another user what they own or are assigned (the task, its project, or a job in it).
 * Missing and forbidden answer alike (404), so ids cannot be probed.
 */
import { sql, type RawBuilder } from 'kysely';
import { AppError } from '../errors.js';
import type { Auth } from './auth/auth.js';

export type TaskAction = 'view' | 'change' | 'delete';

/** SQL predicate: `auth` owns or is assigned the task aliased `alias`, or its project. */
function taskManagedSql(auth: Auth, alias: string): RawBuilder<boolean> {
  const uid = auth.user.id;
  const ref = (c: string) => sql.ref(`${alias}.${c}`);
  return sql<boolean>`(${ref('owner_id')} = ${uid} or ${ref('assignee_id')} = ${uid}
    or exists (select 1 from projects vp where vp.id = ${ref('project_id')} and (vp.owner_id = ${uid} or vp.assignee_id = ${uid})))`;
}

/** SQL predicate: the task aliased `alias` is visible to `auth` (managed, or a job in it assigned). */
export function taskVisibleSql(auth: Auth, alias = 't'): RawBuilder<boolean> {
  if (auth.user.isSuperuser) return sql<boolean>`true`;
  return sql<boolean>`(${taskManagedSql(auth, alias)}
    or exists (select 1 from jobs vj where vj.task_id = ${sql.ref(`${alias}.id`)} and vj.assignee_id = ${auth.user.id}))`;
}

/**
 * SQL predicate: the job aliased `job` (of task `task`) is visible to `auth`. An annotator sees
 * only the jobs assigned to them, not the other jobs of the same task.
 */
export function jobVisibleSql(auth: Auth, job = 'j', task = 't'): RawBuilder<boolean> {
  if (auth.user.isSuperuser) return sql<boolean>`true`;
  return sql<boolean>`(${sql.ref(`${job}.assignee_id`)} = ${auth.user.id} or ${taskManagedSql(auth, task)})`;
}

export interface TaskOwnership {
  id: number;
  owner_id: number | null;
  assignee_id: number | null;
  project_owner_id: number | null;
  project_assignee_id: number | null;
}

/** Throws 404 unless `auth` may do `action` on a task it can already see. */
export function requireTaskAction(auth: Auth, task: TaskOwnership, action: TaskAction): void {
  if (auth.user.isSuperuser) return;
  const uid = auth.user.id;
  const owner = task.owner_id === uid || task.project_owner_id === uid;
  const assignee = task.assignee_id === uid || task.project_assignee_id === uid;
  const allowed = action === 'delete' ? owner : owner || assignee;
  if (!allowed) {
    // The caller could see it (it got this far), so say what is wrong rather than pretend it is missing.
    throw AppError.forbidden(`you may not ${action} task ${task.id}`);
  }
}
