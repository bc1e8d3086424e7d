/**
 * The background half of a quality report: one computation per task or project at a time (a
 * second request for the same one waits until the first ends), progress per compared job, and
 * the report's id as the request's result_id, where CVAT's clients look for it.
 */
import type { Logger } from 'pino';
import type { JobHandler } from '../jobs/queue.js';
import type { QualityRepository } from '../repositories/quality.repository.js';
import type { RequestRepository } from '../repositories/request.repository.js';
import type { UserRepository } from '../repositories/user.repository.js';
import type { QualityComputer } from './quality-compute.js';
import { ExpectedFailure, requesterAuth, runRequest } from './request-runner.js';

const WAIT_MS = 500;
/** How long a request waits for another computation of the same target before giving up. */
const MAX_WAIT_MS = 60 * 60 * 1000;

export class QualityReportHandler {
  constructor(
    private readonly requests: RequestRepository,
    private readonly repo: QualityRepository,
    private readonly users: UserRepository,
    private readonly computer: QualityComputer,
    private readonly log: Logger,
  ) {}

  handle: JobHandler<'quality.report'> = async ({ requestId }, ctx) => {
    const request = await this.requests.findById(requestId);
    if (!request || request.status === 'finished' || request.status === 'failed') return;
    const target = request.target === 'project' ? { column: 'project_id' as const, id: request.project_id } : { column: 'task_id' as const, id: request.task_id };
    if (target.id !== null) {
      const worker = { instanceId: ctx.instanceId, queue: ctx.queue, jobId: ctx.jobId };
      const until = Date.now() + MAX_WAIT_MS;
      while (!(await this.repo.claim(requestId, { column: target.column, id: target.id }, worker))) {
        if (Date.now() > until) throw new Error(`request ${requestId} waited too long for another report of the same ${request.target}`);
        await new Promise((r) => setTimeout(r, WAIT_MS));
      }
    }
    await runRequest(this.requests, this.log, requestId, ctx, async (progress, row) => {
      if (row.owner_id !== null) await requesterAuth(this.users, row.owner_id, 'quality report');
      const report = (fraction: number, message: string) => progress.report(0.95 * fraction, message);
      let id: number;
      if (row.target === 'project') {
        if (row.project_id === null) throw new ExpectedFailure('the project no longer exists');
        id = await this.computer.computeProject(row.project_id, report);
      } else {
        if (row.task_id === null) throw new ExpectedFailure('the task no longer exists');
        id = (await this.computer.computeTask(row.task_id, report)).reportId;
      }
      return { message: `Quality report ${id} is ready`, resultId: id };
    });
  };
}
