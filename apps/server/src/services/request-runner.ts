/**
 * The life of a background request around its work: marked started with the worker that runs
 * it, finished with a message and result, or failed. Expected failures (bad input, a cancel)
 * fail the request with their message; faults are rethrown so the queue retries, and on the
 * last attempt the request fails naming itself, so the log can be searched for it.
 */
import type { Logger } from 'pino';
import { isAppError } from '../errors.js';
import type { JobContext as QueueContext } from '../jobs/queue.js';
import type { RequestRow } from '../db/schema.js';
import type { RequestRepository } from '../repositories/request.repository.js';
import { CancelledError, ProgressReporter } from './progress.js';

export interface RequestOutcome {
  message: string;
  resultUrl?: string;
  resultId?: number;
  /** How long the result stays downloadable. */
  keepSeconds?: number;
}

export class ExpectedFailure extends Error {}

export async function runRequest(
  requests: RequestRepository,
  log: Logger,
  requestId: string,
  ctx: QueueContext,
  work: (progress: ProgressReporter, request: RequestRow) => Promise<RequestOutcome>,
  onFailure?: () => Promise<void>,
  startMessage = '',
): Promise<void> {
  const request = await requests.findById(requestId);
  if (!request || request.status === 'finished' || request.status === 'failed') return;
  await requests.update(requestId, {
    status: 'started',
    started_at: new Date(),
    progress: 0,
    message: startMessage,
    worker_id: ctx.instanceId,
    queue_name: ctx.queue,
    queue_job_id: ctx.jobId,
  });
  const progress = new ProgressReporter(requests, requestId);
  try {
    if (request.cancel_requested) throw new CancelledError();
    const out = await work(progress, request);
    await requests.update(requestId, {
      status: 'finished',
      progress: 1,
      message: out.message,
      finished_at: new Date(),
      result_url: out.resultUrl ?? null,
      result_id: out.resultId ?? null,
      worker_id: null,
      expires_at: new Date(Date.now() + (out.keepSeconds ?? 7 * 24 * 3600) * 1000),
    });
  } catch (e) {
    const expected = isAppError(e) || e instanceof CancelledError || e instanceof ExpectedFailure;
    if (!expected && ctx.retryCount < ctx.retryLimit) throw e;
    if (expected) log.info({ requestId, reason: (e as Error).message }, 'background request refused');
    else log.error({ err: e, requestId }, 'background request failed on its last attempt');
    await onFailure?.().catch((err) => log.warn({ err, requestId }, 'cleanup after a failed request failed'));
    const message = expected ? (e as Error).message : `internal error (request ${requestId}); see the server log`;
    await requests.update(requestId, { status: 'failed', message, finished_at: new Date(), worker_id: null });
  }
}
