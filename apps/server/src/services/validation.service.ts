/**
 * Ground truth and honeypots, as CVAT's API has them: a ground-truth job per task (POST
 * /api/jobs with type ground_truth; DELETE), and the validation layout of tasks and jobs (GET and
 * PATCH .../validation_layout): which frames are validation frames, which are disabled, and which
 * validation frame each honeypot shows.
 *
 * Who may: creating and deleting a ground-truth job is for those who manage the task (its staff
 * and the organization's maintainers), as CVAT has it, but not for an organization's workers even
 * when they own the task; the layouts are for whoever may change the task. An annotator assigned
 * a job sees neither, so nothing tells them which of their frames are honeypots.
 */
import { randomInt } from 'node:crypto';
import {
  checkDisabledFrames,
  checkJobManual,
  reselectJobRandom,
  reselectTaskManual,
  reselectTaskRandom,
  Rng,
  selectGroundTruthFrames,
  ValidationSetupError,
  type HoneypotSlot,
} from '@framewise/core';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import type { JobCreate, JobLayoutPatch, JobLayoutRead, TaskLayoutPatch, TaskLayoutRead } from '../dtos/validation.dto.js';
import { AppError } from '../errors.js';
import type { JobRepository } from '../repositories/job.repository.js';
import type { JobSegment, ValidationRepository } from '../repositories/validation.repository.js';
import type { OrganizationRepository } from '../repositories/organization.repository.js';
import { jobAccess, type AccessService } from './access.js';
import type { Assignable } from './assignable.js';
import { isAdmin, type Auth } from './auth/auth.js';
import type { TaskService } from './task.service.js';

/** A seed for picks the caller left to chance (CVAT: "by default, a random value is used"). */
export function randomSeed(): number {
  return randomInt(0, 2 ** 31);
}

/** Core's refusals as the API's 400 naming the field. */
export function asAppError(e: unknown): unknown {
  return e instanceof ValidationSetupError ? AppError.invalid(e.field, e.message) : e;
}

function refusedByCore<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw asAppError(e);
  }
}

function gtExists(taskId: number, mode: string | null): AppError {
  return new AppError(
    'GROUND_TRUTH_JOB_EXISTS',
    mode === 'gt_pool'
      ? `task ${taskId} has honeypots (validation mode "gt_pool"): its ground-truth job is the validation pool and a task cannot have more than one`
      : `task ${taskId} already has a ground-truth job (validation mode "gt"); a task cannot have more than one`,
    [{ field: 'task_id', message: 'the task already has a ground-truth job' }],
  );
}

export class ValidationService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly tasks: TaskService,
    private readonly jobs: JobRepository,
    private readonly repo: ValidationRepository,
    private readonly people: Assignable,
    /** Frame serving, told when honeypots change their images. */
    private readonly frames: { forgetTask(taskId: number): void },
    private readonly organizations: Pick<OrganizationRepository, 'activeRole'>,
  ) {}

  /** CVAT lets an organization's workers annotate, never set up ground truth, even on a task they own. */
  private async refuseWorkers(auth: Auth, organizationId: number | null, what: string): Promise<void> {
    if (organizationId === null || isAdmin(auth)) return;
    if ((await this.organizations.activeRole(organizationId, auth.user.id)) === 'worker') {
      throw AppError.forbidden(`a worker of the organization may not ${what}`);
    }
  }

  async createGroundTruthJob(auth: Auth, body: JobCreate): Promise<number> {
    if (body.type !== 'ground_truth') {
      throw AppError.invalid('type', `only ground-truth jobs are created this way (got "${body.type}"); annotation jobs are made from the task's segments`);
    }
    const task = await this.tasks.require(auth, body.task_id, 'change');
    await this.refuseWorkers(auth, task.organization_id, 'create ground-truth jobs');
    if (task.data_state !== 'ready') throw AppError.invalid('task_id', `task ${task.id} has no data attached yet; attach its data and try again`);
    if (task.dimension !== '2d') throw AppError.invalid('task_id', 'ground-truth jobs can only be added to 2d tasks');
    if (task.validation_mode !== null) throw gtExists(task.id, task.validation_mode);
    if (!body.frame_selection_method) throw AppError.invalid('frame_selection_method', 'is required for a ground-truth job: random_uniform, random_per_job or manual');
    await this.people.require('assignee', body.assignee, task.organization_id);

    const segments = (await this.repo.annotationJobs(task.id)).map((j) => ({ start: j.start, stop: j.stop }));
    const frames = refusedByCore(() =>
      selectGroundTruthFrames(
        {
          method: body.frame_selection_method!,
          frameCount: body.frame_count,
          frameShare: body.frame_share,
          framesPerJobCount: body.frames_per_job_count,
          framesPerJobShare: body.frames_per_job_share,
          frames: body.frames,
          seed: body.random_seed ?? body.seed ?? randomSeed(),
        },
        { size: task.size, segments, overlap: task.overlap ?? 0, segmentSize: task.segment_size },
      ),
    );
    try {
      return await this.db.transaction().execute(async (trx) => {
        const id = await this.repo.createGroundTruthJob(trx, task.id, {
          start: 0,
          stop: task.size - 1,
          frames,
          assignee_id: body.assignee ?? null,
          ...(body.stage ? { stage: body.stage } : {}),
          ...(body.state ? { state: body.state } : {}),
        });
        await this.repo.saveLayout(trx, task.id, { mode: 'gt', frames, framesPerJobCount: null });
        return id;
      });
    } catch (e) {
      // Two requests at once: the database's one-per-task index decides.
      if (isUniqueViolation(e)) throw gtExists(task.id, 'gt');
      throw e;
    }
  }

  async deleteJob(auth: Auth, jobId: number): Promise<void> {
    const ref = await this.access.requireJob(auth, jobId, 'delete');
    await this.refuseWorkers(auth, await this.organizationOf(ref.task_id), 'delete ground-truth jobs');
    const job = (await this.repo.jobSegment(jobId))!;
    if (job.type !== 'ground_truth') {
      throw AppError.invalid('id', `job ${jobId} is a${job.type === 'consensus_replica' ? ' consensus replica' : 'n annotation job'}; only ground-truth jobs can be deleted (the others go with their task)`);
    }
    const layout = await this.repo.layout(ref.task_id);
    if (layout?.mode === 'gt_pool') {
      throw AppError.invalid('id', 'the ground-truth job of a task with honeypots (validation mode "gt_pool") holds the validation pool and cannot be deleted');
    }
    await this.db.transaction().execute(async (trx) => {
      await this.repo.deleteJob(trx, jobId);
      await this.repo.deleteLayout(trx, ref.task_id);
    });
  }

  private async organizationOf(taskId: number): Promise<number | null> {
    const row = await this.db.selectFrom('tasks').select('organization_id').where('id', '=', taskId).executeTakeFirst();
    return row?.organization_id ?? null;
  }

  // ---- task layout

  async taskLayout(auth: Auth, taskId: number): Promise<TaskLayoutRead> {
    await this.tasks.require(auth, taskId, 'change');
    return this.readTaskLayout(taskId);
  }

  private async readTaskLayout(taskId: number): Promise<TaskLayoutRead> {
    const layout = await this.repo.layout(taskId);
    if (!layout) return { mode: null };
    const out: TaskLayoutRead = {
      mode: layout.mode,
      frames_per_job_count: layout.frames_per_job_count,
      validation_frames: layout.frames,
      disabled_frames: layout.disabled_frames,
    };
    if (layout.mode === 'gt_pool') {
      const honeypots = await this.repo.honeypots(taskId);
      out.honeypot_count = honeypots.length;
      out.honeypot_frames = honeypots.map((h) => h.frame);
      out.honeypot_real_frames = honeypots.map((h) => h.real);
    }
    return out;
  }

  async patchTaskLayout(auth: Auth, taskId: number, patch: TaskLayoutPatch): Promise<TaskLayoutRead> {
    await this.tasks.require(auth, taskId, 'change');
    const layout = await this.repo.layout(taskId);
    if (!layout) {
      throw AppError.invalid('id', 'the task has no validation set up; it is set up with validation_params when its data are attached, or by creating a ground-truth job');
    }
    checkMethodFields(patch.frame_selection_method, patch.honeypot_real_frames);
    const disabled = patch.disabled_frames !== undefined ? refusedByCore(() => checkDisabledFrames(patch.disabled_frames!, layout.frames)) : layout.disabled_frames;
    let changes: HoneypotSlot[] = [];
    if (patch.frame_selection_method) {
      if (layout.mode !== 'gt_pool') throw notHoneypots();
      const jobs = await this.jobSlots(taskId);
      const pool = { validationFrames: layout.frames, disabled };
      const picked = refusedByCore(() =>
        patch.frame_selection_method === 'manual'
          ? reselectTaskManual(jobs, patch.honeypot_real_frames!, pool)
          : reselectTaskRandom(jobs, pool, new Rng(randomSeed())),
      );
      changes = changed(jobs, picked);
    }
    await this.save(auth, taskId, patch.disabled_frames !== undefined ? disabled : undefined, changes);
    return this.readTaskLayout(taskId);
  }

  // ---- job layout

  /** The job, if `auth` may see it and manages its task (else 404 or 403). */
  private async requireManagedJob(auth: Auth, jobId: number): Promise<JobSegment> {
    await this.access.requireJob(auth, jobId, 'view');
    if (!(await this.jobs.passes(jobId, jobAccess(auth, 'delete', 'j')))) {
      throw AppError.forbidden(`you may not see or change the validation layout of job ${jobId}: it is for those who manage its task`);
    }
    return (await this.repo.jobSegment(jobId))!;
  }

  async jobLayout(auth: Auth, jobId: number): Promise<JobLayoutRead> {
    const job = await this.requireManagedJob(auth, jobId);
    return this.readJobLayout(job);
  }

  private async readJobLayout(job: JobSegment): Promise<JobLayoutRead> {
    const layout = await this.repo.layout(job.taskId);
    if (layout?.mode !== 'gt_pool' || job.type !== 'annotation') return {};
    const honeypots = await this.repo.honeypots(job.taskId, job);
    return { honeypot_count: honeypots.length, honeypot_frames: honeypots.map((h) => h.frame), honeypot_real_frames: honeypots.map((h) => h.real) };
  }

  async patchJobLayout(auth: Auth, jobId: number, patch: JobLayoutPatch): Promise<JobLayoutRead> {
    const job = await this.requireManagedJob(auth, jobId);
    const layout = await this.repo.layout(job.taskId);
    if (layout?.mode !== 'gt_pool') throw notHoneypots();
    if (job.type === 'ground_truth') throw AppError.invalid('id', 'honeypots cannot exist in ground_truth jobs');
    checkMethodFields(patch.frame_selection_method, patch.honeypot_real_frames);
    const all = await this.repo.honeypots(job.taskId);
    const slots = all.filter((h) => h.frame >= job.start && h.frame <= job.stop);
    const pool = { validationFrames: layout.frames, disabled: layout.disabled_frames };
    const picked = refusedByCore(() =>
      patch.frame_selection_method === 'manual'
        ? checkJobManual(slots, patch.honeypot_real_frames!, pool)
        : reselectJobRandom(slots, all, pool, new Rng(randomSeed())),
    );
    await this.save(auth, job.taskId, undefined, changed([slots], [picked]));
    return this.readJobLayout(job);
  }

  /** The honeypots of each annotation job, jobs in frame order. */
  private async jobSlots(taskId: number): Promise<HoneypotSlot[][]> {
    const all = await this.repo.honeypots(taskId);
    return (await this.repo.annotationJobs(taskId)).map((j) => all.filter((h) => h.frame >= j.start && h.frame <= j.stop));
  }

  /**
   * One transaction: the disabled frames, honeypots pointed at their new validation frames, the
   * annotations on those honeypots removed (they were made on another image), and a new revision
   * so no cached frame or chunk shows the old image.
   */
  private async save(auth: Auth, taskId: number, disabled: number[] | undefined, changes: HoneypotSlot[]): Promise<void> {
    if (disabled === undefined && changes.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await this.repo.setHoneypotReals(trx, taskId, changes);
      await this.repo.clearFrames(trx, taskId, changes.map((c) => c.frame), auth.user.id);
      await this.repo.updateLayout(trx, taskId, { ...(disabled ? { disabled } : {}), bumpRevision: changes.length > 0 });
    });
    if (changes.length) this.frames.forgetTask(taskId);
  }
}

function notHoneypots(): AppError {
  return AppError.invalid('frame_selection_method', 'honeypots can only be changed when the task validation mode is "gt_pool"');
}

function checkMethodFields(method: string | undefined, realFrames: number[] | undefined): void {
  if (method === 'random_per_job') throw AppError.invalid('frame_selection_method', 'honeypots take "random_uniform" or "manual"');
  if (method === 'manual' && realFrames === undefined) throw AppError.invalid('honeypot_real_frames', 'is required when frame_selection_method is "manual"');
  if (realFrames !== undefined && method !== 'manual') throw AppError.invalid('honeypot_real_frames', 'can only be used when frame_selection_method is "manual"');
}

/** The honeypots whose validation frame changes. */
function changed(jobs: ReadonlyArray<readonly HoneypotSlot[]>, picked: number[][]): HoneypotSlot[] {
  const out: HoneypotSlot[] = [];
  jobs.forEach((job, i) => job.forEach((slot, k) => picked[i]![k] !== slot.real && out.push({ frame: slot.frame, real: picked[i]![k]! })));
  return out;
}
