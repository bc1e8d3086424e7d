/**
 * The background half of a consensus merge: for each parent job to merge, read its started
 * replicas, merge them (core's mergeReplicas, CVAT's algorithm) and check the result as any
 * save is checked; then, in one transaction, replace each parent's annotations with its merge
 * (a save like any other: new version, logged), set the parent completed as CVAT does, and
 * record the run with the agreement it measured. Nothing is written when anything fails.
 */
import { mergeReplicas, type JobAgreement } from '@framewise/core';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { MergeReport } from '../dtos/consensus.dto.js';
import type { JobHandler } from '../jobs/queue.js';
import type { ConsensusRepository } from '../repositories/consensus.repository.js';
import type { LabelRepository } from '../repositories/label.repository.js';
import type { RequestRepository } from '../repositories/request.repository.js';
import type { UserRepository } from '../repositories/user.repository.js';
import type { AccessService } from './access.js';
import type { AnnotationService } from './annotations/annotation.service.js';
import { checkAnnotations, labelSchema } from './annotations/validation.js';
import { mergeableJobs, nothingToMerge } from './consensus-eligibility.js';
import type { MergeParams } from './consensus.service.js';
import { ExpectedFailure, requesterAuth, runRequest } from './request-runner.js';

export interface ConsensusMergeDeps {
  db: Db;
  repo: ConsensusRepository;
  requests: RequestRepository;
  users: UserRepository;
  access: AccessService;
  labels: LabelRepository;
  annotations: AnnotationService;
  log: Logger;
}

export class ConsensusMergeHandler {
  constructor(private readonly d: ConsensusMergeDeps) {}

  readonly handle: JobHandler<'consensus.merge'> = async ({ requestId }, ctx) => {
    const { d } = this;
    await runRequest(d.requests, d.log, requestId, ctx, async (progress, request) => {
      const { taskId, jobId } = request.params as unknown as MergeParams;
      const auth = await requesterAuth(d.users, request.owner_id!, 'consensus merge');
      // Rights are checked again: they may have changed while the request waited.
      await d.access.requireTask(auth, taskId, 'change');
      const task = await d.repo.task(taskId);
      if (!task) throw new ExpectedFailure(`task ${taskId} no longer exists`);
      const replicas = await d.repo.replicas(taskId);
      const jobs = mergeableJobs(replicas, jobId);
      if (jobs.length === 0) throw nothingToMerge(replicas, jobId, jobId === null ? 'task_id' : 'job_id');
      const settings = await d.repo.settings(taskId);
      const schema = labelSchema(await d.labels.listForTask(taskId));

      const merged: Array<{ jobId: number; data: ReturnType<typeof checkAnnotations>; agreement: JobAgreement }> = [];
      for (const job of jobs) {
        const inputs = [];
        for (const id of job.replicas) inputs.push({ job_id: id, annotations: await d.repo.annotations(id) });
        const frames = await d.repo.frames(taskId, task.media_type, job.start, job.stop);
        const result = mergeReplicas({ parent_job_id: job.id, labels: schema, replicas: inputs, frames, settings });
        const data = checkAnnotations(result.annotations, await d.annotations.jobContext(job.id), 'create');
        merged.push({ jobId: job.id, data, agreement: result.agreement });
        await progress.report((0.9 * merged.length) / jobs.length, `Merged ${merged.length} of ${jobs.length} jobs`);
      }

      const report: MergeReport = { settings, jobs: merged.map((m) => m.agreement) };
      const mergeId = await d.db.transaction().execute(async (trx) => {
        for (const m of merged) {
          await d.annotations.apply(trx, auth, m.jobId, 'put', m.data, undefined);
          await d.repo.complete(trx, m.jobId);
        }
        return d.repo.insertMerge(trx, { task_id: taskId, job_id: jobId, request_id: requestId, owner_id: auth.user.id, report: report as unknown as Record<string, unknown> });
      });
      const objects = merged.reduce((n, m) => n + m.agreement.merged_count, 0);
      return {
        message: `Merged the replicas of ${merged.length} job${merged.length === 1 ? '' : 's'} (${objects} object${objects === 1 ? '' : 's'} kept)`,
        resultUrl: `/api/consensus/merges?id=${mergeId}`,
        resultId: mergeId,
      };
    });
  };
}
