/**
 * Consensus through CVAT's API: a task's merge settings (/api/consensus/settings), starting a
 * merge of a task's or a job's replicas (/api/consensus/merges, 202 and a request id; the work
 * is consensus-merge.handler.ts), and the merge runs with the agreement they measured (GET
 * /api/consensus/merges, a Framewise extension).
 *
 * Rights are CVAT's: settings are seen by who sees the task and changed by who may change it;
 * merging, and reading merge reports, is for the task's staff and the organization's
 * maintainers and owner (those who may change the task).
 */
import { consensusSettings, consensusSettingsProblems } from '@framewise/core';
import type { Db } from '../db/database.js';
import type { ConsensusSettingsPatch, MergeCreate } from '../dtos/consensus.dto.js';
import { AppError } from '../errors.js';
import { listPage, type ListSpec } from '../http/list-query.js';
import type { JobQueue } from '../jobs/queue.js';
import type { ConsensusRepository } from '../repositories/consensus.repository.js';
import type { JobRepository } from '../repositories/job.repository.js';
import type { RequestRepository } from '../repositories/request.repository.js';
import { jobAccess, orgScope, taskAccess, type AccessService } from './access.js';
import type { Auth } from './auth/auth.js';
import { mergeableJobs, nothingToMerge } from './consensus-eligibility.js';
import { enqueueRequest } from './request-runner.js';
import type { TaskService } from './task.service.js';

export const consensusSettingsListSpec: ListSpec = {
  id: { expr: 't.id', kind: 'number', param: 'exact' },
  task_id: { expr: 't.id', kind: 'number', param: 'exact' },
};

export const consensusMergeListSpec: ListSpec = {
  id: { expr: 'm.id', kind: 'number', param: 'exact' },
  task_id: { expr: 'm.task_id', kind: 'number', param: 'exact' },
  job_id: { expr: 'm.job_id', kind: 'number', param: 'exact' },
  created_date: { expr: 'm.created_at', kind: 'date', filter: false },
};

/** What the merge job needs, kept in the request row. */
export interface MergeParams {
  taskId: number;
  /** The parent job to merge; null: all of the task's. */
  jobId: number | null;
}

export function mergeRequestId(target: 'task' | 'job', id: number): string {
  return `action=merge&target=${target}&id=${id}`;
}

export class ConsensusService {
  constructor(
    private readonly db: Db,
    private readonly repo: ConsensusRepository,
    private readonly tasks: TaskService,
    private readonly access: AccessService,
    private readonly jobs: JobRepository,
    private readonly requests: RequestRepository,
    private readonly queue: JobQueue,
  ) {}

  listSettings(auth: Auth, query: Record<string, unknown>) {
    const base = this.repo.settingsQuery().where(taskAccess(auth, 'view', 't')).where(orgScope(auth, 't.organization_id'));
    return listPage(base, consensusSettingsListSpec, query, { defaultSort: 'id' });
  }

  async getSettings(auth: Auth, id: number) {
    await this.tasks.require(auth, id, 'view');
    return (await this.repo.settingsQuery().where('t.id', '=', id).executeTakeFirst())!;
  }

  async patchSettings(auth: Auth, id: number, patch: ConsensusSettingsPatch) {
    await this.tasks.require(auth, id, 'change');
    const problems = consensusSettingsProblems(patch);
    if (problems.length) {
      throw new AppError('VALIDATION', `${problems[0]!.path}: ${problems[0]!.message}`, problems.map((p) => ({ field: p.path, message: p.message })));
    }
    const current = await this.repo.settings(id);
    await this.repo.saveSettings(id, consensusSettings({ ...current, ...definedOnly(patch) }));
    return this.getSettings(auth, id);
  }

  /** Checks that there is something to merge (400s in CVAT's sense otherwise) and queues the merge. */
  async startMerge(auth: Auth, body: MergeCreate): Promise<string> {
    if ((body.task_id === undefined) === (body.job_id === undefined)) {
      throw AppError.invalid(body.task_id === undefined ? 'task_id' : 'job_id', 'give either task_id (merge every job of the task) or job_id (one job), not both');
    }
    const field = body.task_id !== undefined ? 'task_id' : 'job_id';
    let taskId: number;
    let jobId: number | null = null;
    if (body.task_id !== undefined) {
      taskId = (await this.tasks.require(auth, body.task_id, 'change')).id;
    } else {
      jobId = body.job_id!;
      taskId = (await this.access.requireJob(auth, jobId, 'view')).task_id;
      if (!(await this.jobs.passes(jobId, jobAccess(auth, 'delete', 'j')))) {
        throw AppError.forbidden(`you may not merge job ${jobId}: merging is for those who manage its task`);
      }
    }
    const task = (await this.repo.task(taskId))!;
    if (task.consensus_replicas === 0) {
      throw AppError.invalid(field, `consensus is not enabled in task ${taskId}: it was created with consensus_replicas 0, so it has no replicas to merge`);
    }
    if (task.dimension !== '2d') throw AppError.invalid(field, 'consensus merging is only supported in 2d tasks');
    if (jobId !== null) {
      const job = (await this.repo.job(jobId))!;
      if (job.type === 'ground_truth') throw AppError.invalid('job_id', `job ${jobId} is a ground-truth job; only annotation jobs have consensus replicas`);
      if (job.type === 'consensus_replica') throw AppError.invalid('job_id', `job ${jobId} is a consensus replica; merge its parent job ${job.parent_job_id}`);
    }
    const replicas = await this.repo.replicas(taskId);
    if (mergeableJobs(replicas, jobId).length === 0) throw nothingToMerge(replicas, jobId, field);

    const requestId = mergeRequestId(jobId === null ? 'task' : 'job', jobId ?? taskId);
    const existing = await this.requests.findById(requestId);
    if (existing && (existing.status === 'queued' || existing.status === 'started')) {
      throw new AppError('CONFLICT', `this merge is already in progress (request ${requestId})`, [], { rq_id: requestId });
    }
    const params: MergeParams = { taskId, jobId };
    return enqueueRequest(this.db, this.requests, this.queue, 'consensus.merge', {
      id: requestId,
      operationType: 'merge',
      target: jobId === null ? 'task' : 'job',
      ownerId: auth.user.id,
      projectId: task.project_id,
      taskId,
      jobId,
      params: params as unknown as Record<string, unknown>,
    });
  }

  listMerges(auth: Auth, query: Record<string, unknown>) {
    const base = this.repo.mergesQuery().where(taskAccess(auth, 'change', 't')).where(orgScope(auth, 't.organization_id'));
    return listPage(base, consensusMergeListSpec, query, { defaultSort: '-id' });
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
