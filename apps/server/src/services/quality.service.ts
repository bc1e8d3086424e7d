/**
 * CVAT's /api/quality: settings of projects and tasks (list, read, PATCH), reports (list, read,
 * data as JSON or CSV, create in the background), and the conflicts of reports (list).
 *
 * Who may (CVAT's quality rules): the quality data of a task or project is seen by those who may
 * change it (its staff, the organization's maintainers and owner) and by the organization's
 * supervisors; settings are changed and reports requested by those who may change it. An
 * annotator who is only assigned a job sees none of it. A task or project the caller cannot see
 * at all answers 404; one they can see but not this, 403.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/database.js';
import type { QualitySettingsRow } from '../db/schema.js';
import { storedSettings, type QualityReportCreate, type QualitySettingsPatch, type ReportListRow } from '../dtos/quality.dto.js';
import { AppError } from '../errors.js';
import type { JobQueue } from '../jobs/queue.js';
import { listPage, type ListSpec } from '../http/list-query.js';
import type { QualityRepository } from '../repositories/quality.repository.js';
import type { RequestRepository } from '../repositories/request.repository.js';
import type { ComparisonReport } from '@framewise/core';
import { projectQualityAccess, taskQualityAccess, type AccessService } from './access.js';
import type { Auth } from './auth/auth.js';
import { jobFilterSql } from './quality-compute.js';
import { confusionCsv, reportJson } from './quality-export.js';
import { enqueueRequest } from './request-runner.js';

const settingsSpec: ListSpec = {
  id: { expr: 's.id', kind: 'number' },
  task_id: { expr: 's.task_id', kind: 'number', param: 'exact' },
  project_id: { expr: 's.project_id', kind: 'number' },
  inherit: { expr: 's.inherit', kind: 'boolean', param: 'exact' },
  created_date: { expr: 's.created_at', kind: 'date' },
  updated_date: { expr: 's.updated_at', kind: 'date' },
};

const reportSpec: ListSpec = {
  id: { expr: 'r.id', kind: 'number' },
  job_id: { expr: 'r.job_id', kind: 'number', param: 'exact' },
  task_id: { expr: 'r.task_id', kind: 'number' },
  project_id: { expr: sql`coalesce(r.project_id, rt.project_id)`, kind: 'number' },
  created_date: { expr: 'r.created_at', kind: 'date' },
  gt_last_updated: { expr: 'r.gt_last_updated', kind: 'date' },
  target_last_updated: { expr: 'r.target_last_updated', kind: 'date' },
};

const conflictSpec: ListSpec = {
  id: { expr: 'c.id', kind: 'number' },
  frame: { expr: 'c.frame', kind: 'number', param: 'exact' },
  type: {
    expr: 'c.type', kind: 'string', param: 'exact',
    choices: ['missing_annotation', 'extra_annotation', 'mismatching_label', 'low_overlap', 'mismatching_direction', 'mismatching_attributes', 'mismatching_groups', 'covered_annotation'],
  },
  severity: { expr: 'c.severity', kind: 'string', param: 'exact', choices: ['warning', 'error'] },
  job_id: { expr: 'c.job_id', kind: 'number', param: 'exact' },
  task_id: { expr: 'c.task_id', kind: 'number', param: 'exact' },
  project_id: { expr: 'ct.project_id', kind: 'number', param: 'exact' },
};

/** The organization a request names, applied to an expression (orgScope takes a column). */
function orgScopeOf(auth: Auth, org: Expression<unknown>): Expression<SqlBool> {
  if (auth.org === undefined) return sql<SqlBool>`true`;
  if (auth.org === null) return sql<SqlBool>`${org} is null`;
  return sql<SqlBool>`${org} = ${auth.org.id}`;
}

function intParam(query: Record<string, unknown>, name: string): number | undefined {
  const raw = Array.isArray(query[name]) ? (query[name] as unknown[]).at(-1) : query[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw AppError.invalid(name, 'must be a positive integer');
  return n;
}

function choiceParam<T extends string>(query: Record<string, unknown>, name: string, choices: readonly T[]): T | undefined {
  const raw = Array.isArray(query[name]) ? (query[name] as unknown[]).at(-1) : query[name];
  if (raw === undefined || raw === '') return undefined;
  if (!choices.includes(raw as T)) throw AppError.invalid(name, `must be one of ${choices.join(', ')}; got ${JSON.stringify(raw)}`);
  return raw as T;
}

export function reportRequestId(target: 'task' | 'project', id: number, userId: number): string {
  return `action=calculate&target=${target}&target_id=${id}&subresource=quality&user_id=${userId}`;
}

export class QualityService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly repo: QualityRepository,
    private readonly requests: RequestRepository,
    private readonly queue: JobQueue,
  ) {}

  // ---- who may

  /** Checks the caller may `action` the quality data of a task: 404 unseen, 403 seen but not allowed. */
  async requireTask(auth: Auth, taskId: number, action: 'view' | 'change'): Promise<void> {
    await this.access.requireTask(auth, taskId, 'view');
    const ok = await this.db.selectFrom('tasks').select('id').where('id', '=', taskId).where(taskQualityAccess(auth, action, 'tasks')).executeTakeFirst();
    if (!ok) throw AppError.forbidden(`you may not ${action === 'view' ? 'see' : 'change'} the quality ${action === 'view' ? 'data' : 'settings or reports'} of task ${taskId}`);
  }

  async requireProject(auth: Auth, projectId: number, action: 'view' | 'change'): Promise<void> {
    await this.access.requireProject(auth, projectId, 'view');
    const ok = await this.db.selectFrom('projects').select('id').where('id', '=', projectId).where(projectQualityAccess(auth, action, 'projects')).executeTakeFirst();
    if (!ok) throw AppError.forbidden(`you may not ${action === 'view' ? 'see' : 'change'} the quality ${action === 'view' ? 'data' : 'settings or reports'} of project ${projectId}`);
  }

  private requireOwner(auth: Auth, owner: { task_id: number | null; project_id: number | null }, action: 'view' | 'change'): Promise<void> {
    return owner.task_id !== null ? this.requireTask(auth, owner.task_id, action) : this.requireProject(auth, owner.project_id!, action);
  }

  // ---- settings

  async listSettings(auth: Auth, query: Record<string, unknown>) {
    let q = this.repo
      .settingsQuery()
      .where((eb) =>
        eb.or([
          eb.and([eb('st.id', 'is not', null), taskQualityAccess(auth, 'view', 'st')]),
          eb.and([eb('sp.id', 'is not', null), projectQualityAccess(auth, 'view', 'sp')]),
        ]),
      )
      .where(orgScopeOf(auth, sql`coalesce(st.organization_id, sp.organization_id)`));
    const taskId = intParam(query, 'task_id');
    const projectId = intParam(query, 'project_id');
    if (taskId !== undefined) await this.access.requireTask(auth, taskId, 'view');
    else if (projectId !== undefined) {
      await this.access.requireProject(auth, projectId, 'view');
      // The project's settings and those of its tasks, as CVAT lists them.
      q = q.where((eb) => eb.or([eb('s.project_id', '=', projectId), eb('st.project_id', '=', projectId)]));
    }
    const parentType = choiceParam(query, 'parent_type', ['task', 'project'] as const);
    if (parentType) q = q.where(parentType === 'task' ? 's.task_id' : 's.project_id', 'is not', null);
    return listPage(q, settingsSpec, query, { defaultSort: 'id' });
  }

  async getSettings(auth: Auth, id: number): Promise<QualitySettingsRow> {
    const row = await this.repo.findSettings(id);
    if (!row) throw AppError.notFound('quality settings', id);
    await this.requireOwner(auth, row, 'view').catch((e) => {
      throw e instanceof AppError && e.code === 'NOT_FOUND' ? AppError.notFound('quality settings', id) : e;
    });
    return row;
  }

  async patchSettings(auth: Auth, id: number, patch: QualitySettingsPatch): Promise<QualitySettingsRow> {
    const row = await this.getSettings(auth, id);
    await this.requireOwner(auth, row, 'change');
    if (patch.job_filter !== undefined) jobFilterSql(patch.job_filter);
    const { inherit, ...rest } = { ...storedSettings(row), ...patch };
    await this.repo.updateSettings(id, rest, inherit);
    return (await this.repo.findSettings(id))!;
  }

  // ---- reports

  private visibleReports(auth: Auth) {
    return this.repo
      .reportQuery()
      .where((eb) =>
        eb.or([
          eb.and([eb('rt.id', 'is not', null), taskQualityAccess(auth, 'view', 'rt')]),
          eb.and([eb('rp.id', 'is not', null), projectQualityAccess(auth, 'view', 'rp')]),
        ]),
      )
      .where(orgScopeOf(auth, sql`coalesce(rt.organization_id, rp.organization_id)`));
  }

  async listReports(auth: Auth, query: Record<string, unknown>) {
    let q = this.visibleReports(auth);
    const parentId = intParam(query, 'parent_id');
    if (parentId !== undefined) {
      await this.getReport(auth, parentId);
      const tree = (await this.repo.reportTree(parentId)).filter((id) => id !== parentId);
      q = q.where('r.id', 'in', tree.length ? tree : [0]);
    }
    const jobId = intParam(query, 'job_id');
    if (jobId !== undefined) await this.access.requireJob(auth, jobId, 'view');
    const taskId = intParam(query, 'task_id');
    if (taskId !== undefined) {
      await this.access.requireTask(auth, taskId, 'view');
      q = q.where('r.task_id', '=', taskId);
    }
    const projectId = intParam(query, 'project_id');
    if (projectId !== undefined) {
      await this.access.requireProject(auth, projectId, 'view');
      q = q.where(sql<SqlBool>`coalesce(r.project_id, rt.project_id) = ${projectId}`);
    }
    const target = choiceParam(query, 'target', ['job', 'task', 'project'] as const);
    if (target) q = q.where('r.target', '=', target);
    return listPage(q, reportSpec, query, { defaultSort: '-id' });
  }

  async getReport(auth: Auth, id: number): Promise<ReportListRow> {
    const row = (await this.repo.reportQuery().where('r.id', '=', id).executeTakeFirst()) as ReportListRow | undefined;
    if (!row) throw AppError.notFound('quality report', id);
    const owner = row.target === 'project' ? { task_id: null, project_id: row.project_id } : { task_id: row.task_id, project_id: null };
    await this.requireOwner(auth, owner, 'view').catch((e) => {
      throw e instanceof AppError && e.code === 'NOT_FOUND' ? AppError.notFound('quality report', id) : e;
    });
    return row;
  }

  /** The report's data: CVAT's JSON (links to the web app at `host`), or its confusion matrix as CSV. */
  async reportData(auth: Auth, id: number, format: 'json' | 'csv', host: string): Promise<{ body: string; type: string; filename: string }> {
    const row = await this.getReport(auth, id);
    const stored = await this.repo.reportData(id);
    const report = JSON.parse(stored!.data) as ComparisonReport;
    if (format === 'csv') return { body: confusionCsv(report), type: 'text/csv; charset=utf-8', filename: `quality-report-${id}.csv` };
    const jobs = await this.jobTasks(row);
    const body = reportJson(
      {
        id: row.id,
        target: row.target,
        job_id: row.job_id,
        task_id: row.task_id,
        project_id: row.project_id,
        parent_id: row.parent_id,
        created_date: row.created_at.toISOString(),
        target_last_updated: row.target_last_updated.toISOString(),
        gt_last_updated: row.gt_last_updated?.toISOString() ?? null,
        assignee:
          row.assignee_id !== null && row.assignee_username
            ? { id: row.assignee_id, username: row.assignee_username, first_name: row.assignee_first_name ?? '', last_name: row.assignee_last_name ?? '' }
            : null,
      },
      report,
      host,
      (jobId) => jobs.get(jobId),
    );
    return { body, type: 'application/json', filename: `quality-report-${id}.json` };
  }

  private async jobTasks(row: ReportListRow): Promise<Map<number, number>> {
    const q = this.db.selectFrom('jobs as j').innerJoin('tasks as t', 't.id', 'j.task_id').select(['j.id', 'j.task_id']);
    const rows = row.target === 'project' ? [] : await q.where('j.task_id', '=', row.task_id!).execute();
    return new Map(rows.map((r) => [r.id, r.task_id]));
  }

  /**
   * Starts computing a task or project report: 202 with the request id, followed at
   * /api/requests/{rq_id}, whose result_id is the report. Asking again while it is queued or
   * running answers the same request.
   */
  async createReport(auth: Auth, body: QualityReportCreate): Promise<string> {
    if ((body.task_id === undefined) === (body.project_id === undefined)) {
      throw AppError.invalid(body.task_id === undefined ? 'task_id' : 'project_id', 'give exactly one of task_id and project_id');
    }
    const target = body.task_id !== undefined ? 'task' : 'project';
    const id = (body.task_id ?? body.project_id)!;
    let projectId: number | null = null;
    if (target === 'task') {
      await this.requireTask(auth, id, 'change');
      const task = await this.db.selectFrom('tasks').select(['dimension', 'project_id']).where('id', '=', id).executeTakeFirstOrThrow();
      if (task.dimension !== '2d') throw AppError.invalid('task_id', 'quality reports are only supported in 2d tasks');
      const gt = await this.db.selectFrom('jobs').select(['stage', 'state']).where('task_id', '=', id).where('type', '=', 'ground_truth').executeTakeFirst();
      if (!gt || gt.stage !== 'acceptance' || gt.state !== 'completed') {
        throw AppError.invalid('task_id', 'quality reports require a ground-truth job in the task at the acceptance stage and in the completed state');
      }
      projectId = task.project_id;
    } else {
      await this.requireProject(auth, id, 'change');
      projectId = id;
    }
    const requestId = reportRequestId(target, id, auth.user.id);
    const existing = await this.requests.findById(requestId);
    if (existing && (existing.status === 'queued' || existing.status === 'started')) return requestId;
    return enqueueRequest(this.db, this.requests, this.queue, 'quality.report', {
      id: requestId,
      operationType: 'calculate:quality',
      target,
      ownerId: auth.user.id,
      projectId,
      taskId: target === 'task' ? id : null,
    });
  }

  /**
   * Queues a report of the task after one of its jobs was handed in, unless one is already
   * waiting (it will read the job as it is when it runs): one computation per task at a time.
   * Owned by nobody, so it shows in no one's request list.
   */
  async scheduleTaskReport(taskId: number): Promise<void> {
    const gt = await this.db.selectFrom('jobs').select(['stage', 'state']).where('task_id', '=', taskId).where('type', '=', 'ground_truth').executeTakeFirst();
    if (!gt || gt.stage !== 'acceptance' || gt.state !== 'completed') return;
    if (await this.repo.queuedAutoReport(taskId)) return;
    const task = await this.db.selectFrom('tasks').select(['project_id', 'dimension']).where('id', '=', taskId).executeTakeFirst();
    if (!task || task.dimension !== '2d') return;
    const id = `action=calculate&target=task&target_id=${taskId}&subresource=quality&auto=${randomUUID()}`;
    await this.db.transaction().execute(async (trx) => {
      await this.repo.insertAutoRequest(trx, { id, taskId, projectId: task.project_id });
      await this.queue.send('quality.report', { requestId: id }, trx);
    });
    this.queue.wake('quality.report');
  }

  // ---- conflicts

  async listConflicts(auth: Auth, query: Record<string, unknown>) {
    let q = this.repo.conflictQuery().where(taskQualityAccess(auth, 'view', 'ct')).where(orgScopeOf(auth, sql.ref('ct.organization_id')));
    const reportId = intParam(query, 'report_id');
    if (reportId !== undefined) {
      await this.getReport(auth, reportId);
      q = q.where('c.report_id', 'in', await this.repo.reportTree(reportId));
    }
    return listPage(q, conflictSpec, query, { defaultSort: '-id' });
  }
}
