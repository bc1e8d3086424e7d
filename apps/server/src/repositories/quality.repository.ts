/**
 * Quality settings, reports, conflicts and immediate-feedback checks, as stored (migration 0014).
 * List queries are built here and filtered, sorted and paged by the service.
 */
import { sql, type Transaction } from 'kysely';
import type { AnnotationConflict } from '@framewise/core';
import type { Db } from '../db/database.js';
import type { DB, FeedbackStatus, QualityReportTarget } from '../db/schema.js';
import { intArray } from './validation.repository.js';

type Trx = Transaction<DB> | Db;

export interface NewReport {
  target: QualityReportTarget;
  jobId?: number | null;
  taskId?: number | null;
  projectId?: number | null;
  parentId?: number | null;
  assigneeId: number | null;
  targetLastUpdated: Date;
  gtLastUpdated: Date | null;
  summary: object;
  data: string;
}

export interface NewFeedback {
  jobId: number;
  assigneeId: number;
  status: FeedbackStatus;
  targetMetric: string;
  threshold: number;
  maxValidations: number;
  score?: number | null;
  failingFrames?: number[];
  requestId?: string | null;
}

const CONFLICT_BATCH = 1000;

export class QualityRepository {
  constructor(private readonly db: Db) {}

  // ---- settings

  /** Settings rows with their owner's task and project (aliases st, sp) for access checks. */
  settingsQuery() {
    return this.db
      .selectFrom('quality_settings as s')
      .leftJoin('tasks as st', 'st.id', 's.task_id')
      .leftJoin('projects as sp', 'sp.id', 's.project_id')
      .selectAll('s');
  }

  findSettings(id: number) {
    return this.db.selectFrom('quality_settings').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * The settings of a task or project. Rows are made by a trigger when the task or project is
   * inserted; made here too, should one be missing, so no reader has to care.
   */
  async settingsOf(owner: { taskId: number } | { projectId: number }) {
    const column = 'taskId' in owner ? 'task_id' : 'project_id';
    const id = 'taskId' in owner ? owner.taskId : owner.projectId;
    const found = await this.db.selectFrom('quality_settings').selectAll().where(column, '=', id).executeTakeFirst();
    if (found) return found;
    await this.db
      .insertInto('quality_settings')
      .values('taskId' in owner ? { task_id: id } : { project_id: id })
      .onConflict((oc) => oc.doNothing())
      .execute();
    return this.db.selectFrom('quality_settings').selectAll().where(column, '=', id).executeTakeFirstOrThrow();
  }

  async updateSettings(id: number, settings: Record<string, unknown>, inherit: boolean): Promise<void> {
    await this.db.updateTable('quality_settings').set({ settings: JSON.stringify(settings), inherit, updated_at: new Date() }).where('id', '=', id).execute();
  }

  // ---- reports

  /** Reports without their data, with the task (rt) or project (rp) they belong to. */
  reportQuery() {
    return this.db
      .selectFrom('quality_reports as r')
      .leftJoin('tasks as rt', 'rt.id', 'r.task_id')
      .leftJoin('projects as rp', 'rp.id', 'r.project_id')
      .leftJoin('users as ra', 'ra.id', 'r.assignee_id')
      .select([
        'r.id', 'r.target', 'r.job_id', 'r.task_id', 'r.parent_id', 'r.assignee_id', 'r.created_at', 'r.target_last_updated',
        'r.gt_last_updated', 'r.summary',
        sql<number | null>`coalesce(r.project_id, rt.project_id)`.as('project_id'),
        'ra.username as assignee_username', 'ra.first_name as assignee_first_name', 'ra.last_name as assignee_last_name',
      ]);
  }

  reportData(id: number) {
    return this.db.selectFrom('quality_reports').select(['id', 'data']).where('id', '=', id).executeTakeFirst();
  }

  async insertReport(trx: Trx, r: NewReport): Promise<number> {
    const row = await trx
      .insertInto('quality_reports')
      .values({
        target: r.target,
        job_id: r.jobId ?? null,
        task_id: r.taskId ?? null,
        project_id: r.projectId ?? null,
        parent_id: r.parentId ?? null,
        assignee_id: r.assigneeId,
        target_last_updated: r.targetLastUpdated,
        gt_last_updated: r.gtLastUpdated,
        summary: JSON.stringify(r.summary),
        data: r.data,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async setParent(trx: Trx, ids: readonly number[], parentId: number): Promise<void> {
    if (ids.length === 0) return;
    await trx.updateTable('quality_reports').set({ parent_id: parentId }).where('id', 'in', [...ids]).execute();
  }

  async insertConflicts(trx: Trx, reportId: number, job: { jobId: number; taskId: number }, conflicts: readonly AnnotationConflict[]): Promise<void> {
    for (let i = 0; i < conflicts.length; i += CONFLICT_BATCH) {
      await trx
        .insertInto('quality_conflicts')
        .values(
          conflicts.slice(i, i + CONFLICT_BATCH).map((c) => ({
            report_id: reportId,
            job_id: job.jobId,
            task_id: job.taskId,
            frame: c.frame,
            type: c.type,
            severity: c.severity,
            annotation_ids: JSON.stringify(c.annotation_ids),
          })),
        )
        .execute();
    }
  }

  /** Conflicts with the task of their report (ct) for access checks. */
  conflictQuery() {
    return this.db
      .selectFrom('quality_conflicts as c')
      .innerJoin('tasks as ct', 'ct.id', 'c.task_id')
      .select(['c.id', 'c.report_id', 'c.job_id', 'c.frame', 'c.type', 'c.severity', 'c.annotation_ids']);
  }

  /** The job reports under a report: itself, its children and grandchildren (conflicts hang on job reports only). */
  async reportTree(id: number): Promise<number[]> {
    const rows = await sql<{ id: number }>`
      select id from quality_reports where id = ${id} or parent_id = ${id}
        or parent_id in (select id from quality_reports where parent_id = ${id})`.execute(this.db);
    return rows.rows.map((r) => r.id);
  }

  // ---- immediate feedback

  latestFeedback(jobId: number) {
    return this.db.selectFrom('quality_job_feedback').selectAll().where('job_id', '=', jobId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  }

  /** Checks that counted against `assigneeId` since they were given the job. */
  async attempts(jobId: number, assigneeId: number, since: Date | null): Promise<number> {
    const row = await this.db
      .selectFrom('quality_job_feedback')
      .select((eb) => eb.fn.countAll<string | number | bigint>().as('n'))
      .where('job_id', '=', jobId)
      .where('assignee_id', '=', assigneeId)
      .where('status', 'in', ['accepted', 'rejected', 'sent_to_review'])
      .$if(since !== null, (q) => q.where('created_at', '>=', since!))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async insertFeedback(trx: Trx, f: NewFeedback): Promise<number> {
    const row = await trx
      .insertInto('quality_job_feedback')
      .values({
        job_id: f.jobId,
        assignee_id: f.assigneeId,
        status: f.status,
        target_metric: f.targetMetric,
        target_metric_threshold: f.threshold,
        max_validations: f.maxValidations,
        score: f.score ?? null,
        failing_frames: intArray(f.failingFrames ?? []),
        request_id: f.requestId ?? null,
        ...(f.status !== 'validating' ? { finished_at: new Date() } : {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async finishFeedback(trx: Trx, id: number, result: { status: FeedbackStatus; score: number | null; failingFrames: number[] }): Promise<void> {
    await trx
      .updateTable('quality_job_feedback')
      .set({ status: result.status, score: result.score, failing_frames: intArray(result.failingFrames), finished_at: new Date() })
      .where('id', '=', id)
      .execute();
  }

  findFeedbackByRequest(requestId: string) {
    return this.db.selectFrom('quality_job_feedback').selectAll().where('request_id', '=', requestId).executeTakeFirst();
  }

  /** Moves a job on after a check: the state (and stage) feedback decided. */
  async setJobState(trx: Trx, jobId: number, change: { state: string; stage?: string }): Promise<void> {
    await trx
      .updateTable('jobs')
      .set({ state: change.state, ...(change.stage ? { stage: change.stage } : {}), updated_at: new Date() })
      .where('id', '=', jobId)
      .execute();
  }

  /** The request row of an automatic task report: nobody's, so it is in no one's list. */
  async insertAutoRequest(trx: Trx, r: { id: string; taskId: number; projectId: number | null }): Promise<void> {
    await trx
      .insertInto('requests')
      .values({
        id: r.id,
        operation_type: 'calculate:quality',
        target: 'task',
        owner_id: null,
        project_id: r.projectId,
        task_id: r.taskId,
        job_id: null,
        format: null,
        params: JSON.stringify({ auto: true }),
        result_url: null,
        result_id: null,
      })
      .execute();
  }

  /** An automatic report of the task already waiting to run. */
  async queuedAutoReport(taskId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('requests')
      .select('id')
      .where('operation_type', '=', 'calculate:quality')
      .where('target', '=', 'task')
      .where('task_id', '=', taskId)
      .where('owner_id', 'is', null)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Marks a queued report request started unless another report of the same target is running:
   * one computation per task or project at a time. Run under a transaction-scoped advisory lock
   * so two workers cannot both see the other idle.
   */
  async claim(requestId: string, target: { column: 'task_id' | 'project_id'; id: number }, worker: { instanceId: string; queue: string; jobId: string }): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${QUALITY_LOCK}, ${target.id})`.execute(trx);
      const busy = await trx
        .selectFrom('requests')
        .select('id')
        .where('operation_type', '=', 'calculate:quality')
        .where(target.column, '=', target.id)
        .where('target', '=', target.column === 'task_id' ? 'task' : 'project')
        .where('status', '=', 'started')
        .where('id', '<>', requestId)
        .executeTakeFirst();
      if (busy) return false;
      await trx
        .updateTable('requests')
        .set({ status: 'started', started_at: new Date(), worker_id: worker.instanceId, queue_name: worker.queue, queue_job_id: worker.jobId })
        .where('id', '=', requestId)
        .execute();
      return true;
    });
  }
}

/** Advisory lock class of report computations (any constant no other lock uses). */
const QUALITY_LOCK = 7_212_300_452 % 2 ** 31;
