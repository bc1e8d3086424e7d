import { AppError } from '../errors.js';
import { listPage, type ListSpec } from '../http/list-query.js';
import type { JobRepository, JobWithContext } from '../repositories/job.repository.js';
import type { UserRepository } from '../repositories/user.repository.js';
import type { JobPatch } from '../dtos/job.dto.js';
import type { Auth } from './auth/auth.js';
import { jobAccess, taskAccess } from './access.js';
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
  mode: { expr: 't.mode', kind: 'string', param: 'exact', choices: ['annotation', 'interpolation'] },
  dimension: { expr: 't.dimension', kind: 'string', param: 'exact', choices: ['2d', '3d'] },
  media_type: { expr: 't.media_type', kind: 'string', param: 'exact', choices: ['image', 'video', 'point_cloud', 'audio'] },
  start_frame: { expr: 's.start_frame', kind: 'number', sort: false },
  updated_date: { expr: 'j.updated_at', kind: 'date' },
};

export class JobService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly users: UserRepository,
  ) {}

  async require(auth: Auth, id: number): Promise<JobWithContext> {
    const job = await this.jobs.withContext().where('j.id', '=', id).where(jobAccess(auth, 'view', 'j')).executeTakeFirst();
    if (!job) throw AppError.notFound('job', id);
    return job;
  }

  list(auth: Auth, query: Record<string, unknown>) {
    return listPage(this.jobs.withContext().where(jobAccess(auth, 'view', 'j')), jobListSpec, query, { defaultSort: '-id' });
  }

  /**
   * Assignee and stage are the task manager's to set; the job's assignee may move its state
   * (start, finish) but not hand the job to someone else or promote it to review.
   */
  async update(auth: Auth, id: number, patch: JobPatch): Promise<void> {
    const job = await this.require(auth, id);
    const manages = await this.jobs.managedBy(id, taskAccess(auth, 'change', 't'));
    if (!manages) {
      if (patch.assignee !== undefined && patch.assignee !== job.assignee_id) throw AppError.forbidden('only the task owner or assignee can change the job assignee');
      if (patch.stage !== undefined && patch.stage !== job.stage) throw AppError.forbidden('only the task owner or assignee can change the job stage');
    }
    if (patch.assignee !== undefined && patch.assignee !== null && !(await this.users.findById(patch.assignee))) {
      throw AppError.invalid('assignee', `user ${patch.assignee} does not exist`);
    }
    await this.jobs.update(id, {
      ...(patch.stage !== undefined ? { stage: patch.stage } : {}),
      ...(patch.state !== undefined ? { state: patch.state } : {}),
      ...(patch.assignee !== undefined && patch.assignee !== job.assignee_id ? { assignee_id: patch.assignee, assignee_updated_at: new Date() } : {}),
    });
  }
}
