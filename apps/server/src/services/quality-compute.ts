/**
 * Computing quality reports as CVAT does: every annotation job of a task that the settings' job
 * filter keeps is compared with the ground truth on its active validation frames (core's
 * compareJob), the task report adds up its jobs' reports, and a project report adds up the
 * reports of its tasks that have a ground truth ready (the ground-truth job accepted and
 * completed, CVAT's condition), computed afresh so that it never reflects older annotations.
 *
 * Validation frames: in a task with a ground-truth job (mode "gt") a job's validation frames are
 * the enabled ground-truth frames within its range; with honeypots (mode "gt_pool") they are the
 * job's honeypots whose validation frame is enabled, each compared with the ground truth of the
 * validation frame it shows. Disabled validation frames take no part anywhere.
 */
import {
  compareJob,
  effectiveQualitySettings,
  projectReport,
  qualityReportSummary,
  reportConflicts,
  taskReport,
  type ComparisonReport,
  type LabelSchema,
  type QualitySettings,
  type ValidationFrame,
} from '@framewise/core';
import type { Expression, SqlBool } from 'kysely';
import type { Db } from '../db/database.js';
import { storedSettings } from '../dtos/quality.dto.js';
import { AppError, isAppError } from '../errors.js';
import { jsonLogicFilter, type SqlField } from '../http/json-logic.js';
import type { LabelRepository } from '../repositories/label.repository.js';
import type { GroundTruthJob, QualityDataRepository, QualityJob, QualityTask } from '../repositories/quality-data.repository.js';
import type { QualityRepository } from '../repositories/quality.repository.js';
import type { ValidationRepository } from '../repositories/validation.repository.js';
import { labelSchema } from './annotations/validation.js';
import { ExpectedFailure } from './request-runner.js';

/** The fields job_filter may name (CVAT's JOB_FILTER_LOOKUPS), over jobs j, tasks t and the assignee a. */
const JOB_FILTER_FIELDS: Readonly<Record<string, SqlField>> = {
  id: { expr: 'j.id', kind: 'number' },
  type: { expr: 'j.type', kind: 'string' },
  state: { expr: 'j.state', kind: 'string' },
  stage: { expr: 'j.stage', kind: 'string' },
  assignee: { expr: 'a.username', kind: 'string' },
  task_id: { expr: 'j.task_id', kind: 'number' },
  task_name: { expr: 't.name', kind: 'string' },
};

/** job_filter as SQL, null for none; a bad filter is refused naming the field. */
export function jobFilterSql(text: string): Expression<SqlBool> | null {
  const t = text.trim();
  if (t === '' || t === '[]' || t === '{}') return null;
  try {
    return jsonLogicFilter(t, JOB_FILTER_FIELDS);
  } catch (e) {
    if (isAppError(e)) throw AppError.invalid('job_filter', e.details[0]?.message ?? e.message);
    throw e;
  }
}

/** Ground truth is ready for comparison once its job is accepted and completed (CVAT's rule). */
export function groundTruthReady(gt: { stage: string; state: string } | undefined): boolean {
  return gt !== undefined && gt.stage === 'acceptance' && gt.state === 'completed';
}

/** Everything a task's comparisons share. */
export interface TaskValidation {
  task: QualityTask;
  gt: GroundTruthJob;
  settings: QualitySettings;
  inherited: boolean;
  labels: LabelSchema;
  /** The ground truth's annotations on the active validation frames. */
  gtAnnotations: Awaited<ReturnType<QualityDataRepository['annotations']>>;
  /** A job's validation frames: job frame, and the ground truth's frame when another (honeypots). */
  framesOf(job: { start: number; stop: number }): Array<{ frame: number; gt_frame?: number }>;
  activeFrames: number[];
}

export type Progress = (fraction: number, message: string) => Promise<void>;

export interface ComputedTask {
  reportId: number;
  report: ComparisonReport;
}

export class QualityComputer {
  constructor(
    private readonly db: Db,
    private readonly data: QualityDataRepository,
    private readonly repo: QualityRepository,
    private readonly validation: ValidationRepository,
    private readonly labels: LabelRepository,
  ) {}

  /** The settings a task's comparisons use, and whether they are its project's. */
  async taskSettings(task: Pick<QualityTask, 'id' | 'project_id'>): Promise<{ settings: QualitySettings; inherited: boolean }> {
    const own = storedSettings(await this.repo.settingsOf({ taskId: task.id }));
    if (task.project_id === null || !own.inherit) return { settings: own, inherited: false };
    const project = storedSettings(await this.repo.settingsOf({ projectId: task.project_id }));
    return { settings: effectiveQualitySettings(own, project), inherited: true };
  }

  /** The task's validation set-up, or why it cannot be compared (null `why` never: throws). */
  async taskValidation(taskId: number, readGroundTruth = true): Promise<TaskValidation | { unavailable: string }> {
    const task = await this.data.task(taskId);
    if (!task) return { unavailable: `task ${taskId} no longer exists` };
    if (task.dimension !== '2d') return { unavailable: 'quality reports are only supported in 2d tasks' };
    const gt = await this.data.groundTruthJob(taskId);
    if (!gt || !groundTruthReady(gt)) {
      return { unavailable: 'quality reports require a ground-truth job in the task at the acceptance stage and in the completed state' };
    }
    const layout = await this.validation.layout(taskId);
    const disabled = new Set(layout?.disabled_frames ?? []);
    const activeFrames = (layout?.frames ?? gt.frames ?? []).filter((f) => !disabled.has(f));
    const active = new Set(activeFrames);
    let framesOf: TaskValidation['framesOf'];
    if (layout?.mode === 'gt_pool') {
      const honeypots = (await this.validation.honeypots(taskId)).filter((h) => active.has(h.real));
      framesOf = (job) => honeypots.filter((h) => h.frame >= job.start && h.frame <= job.stop).map((h) => ({ frame: h.frame, gt_frame: h.real }));
    } else {
      framesOf = (job) => activeFrames.filter((f) => f >= job.start && f <= job.stop).map((frame) => ({ frame }));
    }
    const { settings, inherited } = await this.taskSettings(task);
    return {
      task,
      gt,
      settings,
      inherited,
      labels: labelSchema(await this.labels.listForTask(taskId)),
      gtAnnotations: readGroundTruth ? await this.data.annotations(gt.id, activeFrames) : { version: 0, tags: [], shapes: [], tracks: [] },
      framesOf,
      activeFrames,
    };
  }

  /** One job against the ground truth, on its validation frames. */
  async compare(v: TaskValidation, job: QualityJob): Promise<ComparisonReport> {
    const wanted = v.framesOf(job);
    const sizes = await this.data.frameSizes(v.task.id, wanted.map((f) => f.frame));
    const frames: ValidationFrame[] = wanted.map((f) => {
      const size = sizes.get(f.frame);
      return { ...f, width: size?.width ?? 0, height: size?.height ?? 0 };
    });
    return compareJob({
      labels: v.labels,
      settings: v.settings,
      inherited: v.inherited,
      gt: { job_id: v.gt.id, annotations: v.gtAnnotations },
      job: { job_id: job.id, annotations: await this.data.annotations(job.id, frames.map((f) => f.frame)), frame_count: job.stop - job.start + 1 },
      frames,
    });
  }

  /** Computes and stores a task report with its jobs' reports (and their conflicts). */
  async computeTask(taskId: number, progress?: Progress): Promise<ComputedTask> {
    const v = await this.taskValidation(taskId);
    if ('unavailable' in v) throw new ExpectedFailure(v.unavailable);
    const jobs = await this.data.annotationJobs(taskId);
    const filter = jobFilterSql(v.settings.job_filter);
    const kept = filter ? await this.data.filterJobs(taskId, filter) : new Set(jobs.map((j) => j.id));
    const compared = jobs.filter((j) => kept.has(j.id));
    const jobReports = new Map<number, ComparisonReport>();
    for (const [i, job] of compared.entries()) {
      await progress?.(i / Math.max(1, compared.length), `Comparing job ${i + 1} of ${compared.length} with the ground truth`);
      jobReports.set(job.id, await this.compare(v, job));
    }
    const report = taskReport({ settings: v.settings, inherited: v.inherited, allJobIds: jobs.map((j) => j.id), jobReports });
    const reportId = await this.db.transaction().execute(async (trx) => {
      const id = await this.repo.insertReport(trx, {
        target: 'task',
        taskId,
        assigneeId: v.task.assignee_id,
        targetLastUpdated: v.task.updated_at,
        gtLastUpdated: v.gt.updated_at,
        summary: qualityReportSummary(report),
        data: JSON.stringify(report),
      });
      for (const job of compared) {
        const r = jobReports.get(job.id)!;
        const jobReportId = await this.repo.insertReport(trx, {
          target: 'job',
          jobId: job.id,
          taskId,
          parentId: id,
          assigneeId: job.assignee_id,
          targetLastUpdated: job.updated_at,
          gtLastUpdated: v.gt.updated_at,
          summary: qualityReportSummary(r),
          data: JSON.stringify(r),
        });
        await this.repo.insertConflicts(trx, jobReportId, { jobId: job.id, taskId }, reportConflicts(r));
      }
      return id;
    });
    return { reportId, report };
  }

  /** Computes and stores a project report over fresh reports of its tasks with a ground truth ready. */
  async computeProject(projectId: number, progress?: Progress): Promise<number> {
    const project = await this.data.project(projectId);
    if (!project) throw new ExpectedFailure(`project ${projectId} no longer exists`);
    const settings = storedSettings(await this.repo.settingsOf({ projectId }));
    const allTaskIds = await this.data.projectTaskIds(projectId);
    const ready = [...(await this.data.tasksWithReadyGroundTruth(allTaskIds))].sort((a, b) => a - b);
    const taskReports = new Map<number, ComparisonReport>();
    const childIds: number[] = [];
    for (const [i, taskId] of ready.entries()) {
      await progress?.(i / Math.max(1, ready.length), `Computing the report of task ${taskId} (${i + 1} of ${ready.length})`);
      const v = await this.taskValidation(taskId, false);
      // A task deleted, moved or reset meanwhile is left out, as CVAT leaves it.
      if ('unavailable' in v || v.task.project_id !== projectId) continue;
      const computed = await this.computeTask(taskId);
      taskReports.set(taskId, computed.report);
      childIds.push(computed.reportId);
    }
    const report = projectReport({ settings: { ...settings, inherit: false }, allTaskIds, taskReports });
    return this.db.transaction().execute(async (trx) => {
      const id = await this.repo.insertReport(trx, {
        target: 'project',
        projectId,
        assigneeId: null,
        targetLastUpdated: project.updated_at,
        gtLastUpdated: null,
        summary: qualityReportSummary(report),
        data: JSON.stringify(report),
      });
      await this.repo.setParent(trx, childIds, id);
      return id;
    });
  }
}
