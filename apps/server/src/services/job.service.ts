import { AppError } from '../errors.js';
import { listPage, type ListSpec } from '../http/list-query.js';
import type { JobRepository, JobWithContext } from '../repositories/job.repository.js';
import type { JobPatch } from '../dtos/job.dto.js';
import type { Auth } from './auth/auth.js';
import { jobAccess, orgScope } from './access.js';
import type { Assignable } from './assignable.js';
import { JOB_STAGES, JOB_STATES } from '../dtos/job.dto.js';

export const jobListSpec: ListSpec = {
  id: { expr: 'j.id', kind: 'number', param: 'exact' },
  task_id: { expr: 'j.task_id', kind: 'number', param: 'exact' },
  project_id: { expr: 't.project_id', kind: 'number', param: 'exact' },
  task_name: { expr: 't.name', kind: 'string', search: true, param: 'exact' },
  project_name: { expr: 'p.name', kind: 'string', search: true, param: 'exact' },
  assignee: { expr: 'a.username', kind: 'string', search: true, param: 'exact' },
  stage: { expr: 'j.stage', kind: 'string', param: 'exact', choices: JOB_STAGES },
  state: { expr: 'j.state', kind: 'string', param: 'exact', choices: JOB_STATES },
  type: { expr: 'j.type', kind: 'string', param: 'exact', choices: ['annotation', 'ground_truth', 'consensus_replica'] },
  parent_job_id: { expr: 'j.parent_job_id', kind: 'number', param: 'exact' },
  mode: { expr: 't.mode', kind: 'string', param: 'exact', choices: ['annotation', 'interpolation'] },
  dimension: { expr: 't.dimension', kind: 'string', param: 'exact', choices: ['2d', '3d'] },
  media_type: { expr: 't.media_type', kind: 'string', param: 'exact', choices: ['image', 'video', 'point_cloud', 'audio'] },
  start_frame: { expr: 's.start_frame', kind: 'number', sort: false },
  updated_date: { expr: 'j.updated_at', kind: 'date' },
};

export type JobState = (typeof JOB_STATES)[number];
export type JobStage = (typeof JOB_STAGES)[number];

/** What a job takes instead of plain "completed", and whether its work counts as handed in. */
export interface CompletionVerdict {
  state: JobState;
  stage?: JobStage;
  handedIn: boolean;
}

/** Quality checks when a job is handed in (state becomes "completed"); see quality-feedback.service.ts. */
export interface CompletionCheck {
  /** Before the change is saved: a verdict replaces it; null completes the job as asked. */
  check(auth: Auth, job: JobWithContext): Promise<CompletionVerdict | null>;
  /** After it is saved, when the work was handed in. Never throws. */
  handedIn(job: JobWithContext): Promise<void>;
}

export class JobService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly people: Assignable,
    private readonly completion?: CompletionCheck,
  ) {}

  async require(auth: Auth, id: number): Promise<JobWithContext> {
    const job = await this.jobs.withContext().where('j.id', '=', id).where(jobAccess(auth, 'view', 'j')).executeTakeFirst();
    if (!job) throw AppError.notFound('job', id);
    return job;
  }

  list(auth: Auth, query: Record<string, unknown>) {
    return listPage(this.jobs.withContext().where(jobAccess(auth, 'view', 'j')).where(orgScope(auth, 't.organization_id')), jobListSpec, query, { defaultSort: '-id' });
  }

  /**
   * Assignee and stage are the task manager's (and an organization supervisor's) to set; the job's
   * assignee may move its state (start, finish) but not hand the job to someone else or promote
   * it to review.
   */
  async update(auth: Auth, id: number, patch: JobPatch): Promise<void> {
    const job = await this.require(auth, id);
    const reassigns = patch.assignee !== undefined && patch.assignee !== job.assignee_id;
    const restages = patch.stage !== undefined && patch.stage !== job.stage;
    if ((reassigns || restages) && !(await this.jobs.passes(id, jobAccess(auth, 'manage', 'j')))) {
      throw AppError.forbidden(`only the task's manager or the organization's supervisors can change the job ${reassigns ? 'assignee' : 'stage'}`);
    }
    if (patch.state !== undefined && patch.state !== job.state && !(await this.jobs.passes(id, jobAccess(auth, 'annotate', 'j')))) {
      throw AppError.forbidden(`you may not change the state of job ${id}`);
    }
    if (reassigns) await this.people.require('assignee', patch.assignee, job.organization_id);
    let { state, stage } = patch;
    let handedIn = false;
    if (state === 'completed' && job.state !== 'completed' && this.completion) {
      const verdict = await this.completion.check(auth, job);
      handedIn = verdict?.handedIn ?? true;
      if (verdict) {
        state = verdict.state;
        if (verdict.stage) stage = verdict.stage;
      }
    }
    await this.jobs.update(id, {
      ...(stage !== undefined ? { stage } : {}),
      ...(state !== undefined ? { state } : {}),
      ...(reassigns ? { assignee_id: patch.assignee, assignee_updated_at: new Date() } : {}),
    });
    if (handedIn) await this.completion!.handedIn(job);
  }
}
