/**
 * Recovers background work whose instance died (SIGKILL, OOM, a lost machine). Each worker
 * instance beats every few seconds; every instance looks for started requests whose instance has
 * been silent longer than `lostAfterSeconds` and hands their queue job back to pg-boss as failed,
 * which queues it again while retries remain (the handlers start over cleanly). When none remain,
 * the operation's own give-up path runs so the request ends `failed` and nothing is left half done.
 *
 * On the embedded database the data directory is locked to one process, so at start every
 * started request of an earlier instance is known to be lost and is recovered at once.
 */
import os from 'node:os';
import type { Logger } from 'pino';
import type { JobQueue } from '../jobs/queue.js';
import type { RequestRepository } from '../repositories/request.repository.js';
import type { LostRequest, WorkerRepository } from '../repositories/worker.repository.js';

export interface SupervisorOptions {
  instanceId: string;
  lostAfterSeconds: number;
  /** True when no other instance can share the database (PGlite). */
  exclusive: boolean;
}

export type GiveUp = (request: LostRequest, reason: string) => Promise<void>;

export class WorkerSupervisor {
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly workers: WorkerRepository,
    private readonly requests: RequestRepository,
    private readonly queue: JobQueue,
    private readonly options: SupervisorOptions,
    private readonly giveUp: GiveUp,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.workers.register(this.options.instanceId, os.hostname(), process.pid);
    if (this.options.exclusive) await this.sweep(0);
    const beatMs = Math.max(1000, (this.options.lostAfterSeconds * 1000) / 4);
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => fn().catch((err) => this.log.warn({ err }, 'worker supervision failed')), ms);
      t.unref();
      this.timers.push(t);
    };
    every(beatMs, () => this.workers.heartbeat(this.options.instanceId));
    every(beatMs * 2, async () => void (await this.sweep(this.options.lostAfterSeconds)));
    every(3600_000, () => this.workers.prune(24 * 3600));
  }

  async sweep(staleSeconds: number): Promise<number> {
    const lost = await this.workers.lostRequests(this.options.instanceId, staleSeconds);
    for (const r of lost) {
      const retried = r.queue_name && r.queue_job_id ? await this.queue.failLost(r.queue_name, r.queue_job_id) : false;
      if (retried) {
        await this.requests.update(r.id, { status: 'queued', worker_id: null, message: 'Queued again: the worker running it stopped' });
        this.log.warn({ requestId: r.id }, 'requeued work of a lost worker');
      } else {
        await this.giveUp(r, 'the server running this request stopped too many times');
        this.log.error({ requestId: r.id }, 'gave up work of a lost worker');
      }
    }
    return lost.length;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.workers.remove(this.options.instanceId).catch(() => undefined);
  }
}
