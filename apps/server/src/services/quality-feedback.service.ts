/**
 * Immediate feedback (Framewise's; CVAT keeps it in its paid tier): when an annotator hands in
 * a job (PATCH state "completed") of a task whose ground truth is ready and whose settings allow
 * checks (max_validations_per_job > 0), the job is compared at once with the ground truth on its
 * validation frames (ground-truth frames or honeypots) and scored by the target metric:
 *
 *   at or above target_metric_threshold   accepted: the job is completed
 *   below, attempts left                  rejected: state "rejected", back to the annotator, with
 *                                         the frames that fell below the threshold named
 *   below, last attempt                   sent to review: stage "validation", state "new"
 *
 * Attempts count per assignee since they were given the job (CVAT resets them on reassignment).
 * Those who manage the task see the ground truth anyway and are never checked. The failing
 * frames are the only frames named: nothing tells which of the others are validation frames.
 *
 * A check runs within the PATCH when the frames compared hold at most `syncLimit` objects on
 * both sides (milliseconds of work); a larger one runs in the background ("validating", its
 * request owned by the annotator) and the job keeps its state until it ends.
 */
import { randomUUID } from 'node:crypto';
import type { ComparisonReport, QualitySettings, TargetMetric } from '@framewise/core';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { FeedbackStatus } from '../db/schema.js';
import { feedbackFields, type ValidationFeedback } from '../dtos/quality.dto.js';
import { AppError } from '../errors.js';
import type { JobHandler, JobQueue } from '../jobs/queue.js';
import type { JobRepository, JobWithContext } from '../repositories/job.repository.js';
import type { QualityDataRepository, QualityJob } from '../repositories/quality-data.repository.js';
import type { QualityRepository } from '../repositories/quality.repository.js';
import type { RequestRepository } from '../repositories/request.repository.js';
import { jobAccess, type AccessService } from './access.js';
import { isAdmin, type Auth } from './auth/auth.js';
import type { CompletionCheck, CompletionVerdict, JobState } from './job.service.js';
import type { QualityComputer, TaskValidation } from './quality-compute.js';
import type { QualityService } from './quality.service.js';
import { ExpectedFailure, runRequest } from './request-runner.js';

/** Objects (job and ground truth, on the compared frames) checked within the PATCH at most. */
export const FEEDBACK_SYNC_OBJECTS = 2000;

/** The count a metric divides by: a job with none of it cannot be scored and passes. */
const DIVISOR: Record<TargetMetric, 'total_count' | 'ds_count' | 'gt_count'> = { accuracy: 'total_count', precision: 'ds_count', recall: 'gt_count' };

interface Plan {
  v: TaskValidation;
  job: QualityJob;
  frames: Array<{ frame: number; gt_frame?: number }>;
  used: number;
  max: number;
}

export interface Outcome {
  status: Exclude<FeedbackStatus, 'validating' | 'failed'>;
  score: number | null;
  failingFrames: number[];
}

/** The verdict on a job's report: its score, and the frames below the threshold when it fails. */
export function judge(report: ComparisonReport, settings: Pick<QualitySettings, 'target_metric' | 'target_metric_threshold'>, attempt: number, max: number): Outcome {
  const metric = settings.target_metric, threshold = settings.target_metric_threshold, divisor = DIVISOR[metric];
  const summary = report.comparison_summary.annotations;
  if (summary[divisor] === 0) return { status: 'accepted', score: null, failingFrames: [] };
  const score = summary[metric];
  if (score >= threshold) return { status: 'accepted', score, failingFrames: [] };
  // Counts add up over frames, so a job below the threshold has at least one frame below it.
  const failingFrames = Object.entries(report.frame_results ?? {})
    .filter(([, r]) => r.annotations[divisor] > 0 && r.annotations[metric] < threshold)
    .map(([frame]) => Number(frame))
    .sort((a, b) => a - b);
  return { status: attempt < max ? 'rejected' : 'sent_to_review', score, failingFrames };
}

function verdictOf(status: Outcome['status']): CompletionVerdict {
  switch (status) {
    case 'accepted':
      return { state: 'completed', handedIn: true };
    case 'rejected':
      return { state: 'rejected', handedIn: false };
    case 'sent_to_review':
      return { state: 'new', stage: 'validation', handedIn: true };
  }
}

function qualityJob(job: JobWithContext): QualityJob {
  return { id: job.id, start: job.start_frame, stop: job.stop_frame, stage: job.stage, state: job.state, assignee_id: job.assignee_id, updated_at: job.updated_at };
}

export class QualityFeedbackService implements CompletionCheck {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly jobs: JobRepository,
    private readonly data: QualityDataRepository,
    private readonly repo: QualityRepository,
    private readonly computer: QualityComputer,
    private readonly quality: QualityService,
    private readonly requests: RequestRepository,
    private readonly queue: JobQueue,
    private readonly log: Logger,
    private readonly syncLimit = FEEDBACK_SYNC_OBJECTS,
  ) {}

  /** What a check of `job` would compare, or null when it is not checked. */
  private async plan(job: JobWithContext): Promise<Plan | null> {
    if (job.type !== 'annotation' || job.assignee_id === null) return null;
    const v = await this.computer.taskValidation(job.task_id, false);
    if ('unavailable' in v) return null;
    const max = v.settings.max_validations_per_job;
    if (max <= 0) return null;
    const q = qualityJob(job);
    const frames = v.framesOf(q);
    if (frames.length === 0) return null;
    const used = await this.repo.attempts(job.id, job.assignee_id, job.assignee_updated_at);
    if (used >= max) return null;
    return { v, job: q, frames, used, max };
  }

  private async run(plan: Plan): Promise<Outcome> {
    const gtFrames = [...new Set(plan.frames.map((f) => f.gt_frame ?? f.frame))];
    const v = { ...plan.v, gtAnnotations: await this.data.annotations(plan.v.gt.id, gtFrames) };
    return judge(await this.computer.compare(v, plan.job), plan.v.settings, plan.used + 1, plan.max);
  }

  // ---- CompletionCheck (job.service.ts)

  async check(auth: Auth, job: JobWithContext): Promise<CompletionVerdict | null> {
    if (job.assignee_id !== auth.user.id || isAdmin(auth)) return null;
    if (await this.jobs.passes(job.id, jobAccess(auth, 'delete', 'j'))) return null;
    const latest = await this.repo.latestFeedback(job.id);
    if (latest?.status === 'validating') {
      throw new AppError('CONFLICT', `job ${job.id} is being checked against the ground truth (request ${latest.request_id}); GET /api/jobs/${job.id}/validation_feedback tells when it is done`);
    }
    const plan = await this.plan(job);
    if (!plan) return null;
    const feedback = { jobId: job.id, assigneeId: job.assignee_id!, targetMetric: plan.v.settings.target_metric, threshold: plan.v.settings.target_metric_threshold, maxValidations: plan.max };
    const gtFrames = [...new Set(plan.frames.map((f) => f.gt_frame ?? f.frame))];
    const size = (await this.data.countObjects(job.id, plan.frames.map((f) => f.frame))) + (await this.data.countObjects(plan.v.gt.id, gtFrames));
    if (size > this.syncLimit) {
      const requestId = `action=check&target=job&target_id=${job.id}&subresource=quality&attempt=${randomUUID()}`;
      await this.db.transaction().execute(async (trx) => {
        await this.requests.create(
          { id: requestId, operationType: 'check:quality', target: 'job', ownerId: auth.user.id, projectId: job.project_id, taskId: job.task_id, jobId: job.id },
          trx,
        );
        await this.repo.insertFeedback(trx, { ...feedback, status: 'validating', requestId });
        await this.queue.send('quality.feedback', { requestId }, trx);
      });
      this.queue.wake('quality.feedback');
      // The job keeps its state until the check ends.
      return { state: job.state as JobState, handedIn: false };
    }
    const outcome = await this.run(plan);
    await this.repo.insertFeedback(this.db, { ...feedback, status: outcome.status, score: outcome.score, failingFrames: outcome.failingFrames });
    return verdictOf(outcome.status);
  }

  /** A regular job handed in: its task's report is brought up to date (not for a ground-truth job being accepted). */
  async handedIn(job: JobWithContext): Promise<void> {
    if (job.type !== 'annotation') return;
    await this.quality.scheduleTaskReport(job.task_id).catch((err) => this.log.warn({ err, taskId: job.task_id }, 'quality: could not schedule the task report'));
  }

  // ---- the background check

  handle: JobHandler<'quality.feedback'> = async ({ requestId }, ctx) => {
    const fb = await this.repo.findFeedbackByRequest(requestId);
    await runRequest(
      this.requests,
      this.log,
      requestId,
      ctx,
      async () => {
        if (!fb) throw new ExpectedFailure('the check was withdrawn');
        const job = await this.jobs.findWithContext(fb.job_id);
        if (!job) throw new ExpectedFailure(`job ${fb.job_id} no longer exists`);
        const plan = await this.plan(job);
        if (!plan || plan.job.assignee_id !== fb.assignee_id) {
          throw new ExpectedFailure(`job ${job.id} is no longer checked (its settings, ground truth or assignee changed); hand it in again`);
        }
        const outcome = await this.run(plan);
        const verdict = verdictOf(outcome.status);
        await this.db.transaction().execute(async (trx) => {
          await this.repo.finishFeedback(trx, fb.id, outcome);
          await this.repo.setJobState(trx, job.id, verdict);
        });
        if (verdict.handedIn) await this.handedIn(job);
        return { message: `job ${job.id}: ${outcome.status.replace(/_/g, ' ')}` };
      },
      async () => {
        if (fb) await this.repo.finishFeedback(this.db, fb.id, { status: 'failed', score: null, failingFrames: [] });
      },
    );
  };

  // ---- GET /api/jobs/{id}/validation_feedback

  async feedback(auth: Auth, jobId: number): Promise<ValidationFeedback> {
    await this.access.requireJob(auth, jobId, 'view');
    const job = (await this.jobs.findWithContext(jobId))!;
    const v = await this.computer.taskValidation(job.task_id, false);
    const settings = 'unavailable' in v ? (await this.computer.taskSettings({ id: job.task_id, project_id: job.project_id })).settings : v.settings;
    const max = settings.max_validations_per_job;
    const since = job.assignee_updated_at;
    const attempts = job.assignee_id !== null ? await this.repo.attempts(jobId, job.assignee_id, since) : 0;
    let latest = await this.repo.latestFeedback(jobId);
    // Checks of an earlier assignee are theirs.
    if (latest && (latest.assignee_id !== job.assignee_id || (since !== null && latest.created_at < since))) latest = undefined;
    return {
      job_id: jobId,
      enabled: !('unavailable' in v) && job.type === 'annotation' && max > 0,
      ...feedbackFields(latest),
      attempts,
      max_attempts: max,
      remaining_attempts: Math.max(0, max - attempts),
      target_metric: settings.target_metric,
      target_metric_threshold: settings.target_metric_threshold,
    };
  }
}
