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
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/queue.js';
import type { JobName, JobPayloads } from '../jobs/names.js';
import type { NewRequest, RequestRepository } from '../repositories/request.repository.js';
import type { OrganizationRepository } from '../repositories/organization.repository.js';
import type { UserRepository } from '../repositories/user.repository.js';
import type { Auth } from './auth/auth.js';
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

/** Jobs whose payload is just the request they run. */
type RequestJob = { [N in JobName]: JobPayloads[N] extends { requestId: string } ? (keyof JobPayloads[N] extends 'requestId' ? N : never) : never }[JobName];

/**
 * Records a background request and queues the job that runs it in one transaction (neither
 * exists without the other), then wakes this process's workers. Returns the request id.
 */
export async function enqueueRequest(db: Db, requests: RequestRepository, queue: JobQueue, job: RequestJob, request: NewRequest): Promise<string> {
  await db.transaction().execute(async (trx) => {
    await requests.create(request, trx);
    await queue.send(job, { requestId: request.id }, trx);
  });
  queue.wake(job);
  return request.id;
}

/**
 * Background work acts as the user who asked for it, checked again when it runs: an account
 * disabled or deleted meanwhile fails the request (`what` names the work in that message).
 */
/**
 * The caller of a background request, as of now: a user deactivated or removed from the
 * organization the request was made in since then no longer acts there.
 */
export async function requesterAuth(
  users: UserRepository,
  ownerId: number,
  what: string,
  org?: { orgs: OrganizationRepository; id: number | null | undefined },
): Promise<Auth> {
  const owner = await users.findById(ownerId);
  if (!owner?.is_active) throw new ExpectedFailure(`the user who started this ${what} no longer exists`);
  const auth: Auth = { user: { id: owner.id, username: owner.username, isSuperuser: owner.is_superuser, isStaff: owner.is_staff }, tokenId: null, via: 'token' };
  if (org && org.id !== undefined) {
    if (org.id === null) return { ...auth, org: null };
    const found = await org.orgs.findScope(owner.id, { id: org.id });
    if (!found || (found.role === null && !owner.is_superuser)) {
      throw new ExpectedFailure(`the user who started this ${what} is no longer a member of its organization`);
    }
    return { ...auth, org: found };
  }
  return auth;
}

/** Problems for a request's message: the first ten, and how many more there are. */
export function problemList(problems: readonly string[], listed = 10): string {
  const more = problems.length > listed ? ` (and ${problems.length - listed} more)` : '';
  return problems.slice(0, listed).join('; ') + more;
}
