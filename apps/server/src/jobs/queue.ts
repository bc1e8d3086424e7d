/**
 * Background work on pg-boss. On PostgreSQL pg-boss connects natively with its own pool; on
 * PGlite it is handed `executeSql` backed by our Kysely instance, so its polling is serialized
 * with every other statement on the single embedded session (see db/pglite-dialect.ts).
 *
 * Jobs are enqueued inside the caller's transaction when one is given: the request row and its
 * job commit together or not at all.
 */
import { CompiledQuery, sql, type Transaction } from 'kysely';
import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database, Db } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { jobNames, jobPolicies, type JobName, type JobPayloads } from './names.js';

export interface JobContext {
  jobId: string;
  queue: JobName;
  /** This process's worker instance (see services/worker-supervisor.ts). */
  instanceId: string;
  retryLimit: number;
  /** Attempts so far, from 0. */
  retryCount: number;
}

/** Advisory lock key under which queues are created (any constant no other lock uses). */
const QUEUE_SETUP_LOCK = 7_212_300_451;

export type JobHandler<N extends JobName> = (payload: JobPayloads[N], ctx: JobContext) => Promise<void>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

function kyselyExecutor(db: Db | Transaction<DB>): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const res = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: res.rows as unknown[] };
    },
  };
}

export class JobQueue {
  /** Names this process in the requests it runs, so a crash can be told from slow work. */
  readonly instanceId = randomUUID();
  /** This process's pg-boss workers per queue, to wake them when it queues work itself. */
  private readonly workers = new Map<JobName, string[]>();

  private constructor(
    private readonly boss: PgBoss,
    private readonly log: Logger,
  ) {}

  static async start(database: Database, log: Logger): Promise<JobQueue> {
    const common = {
      schema: 'pgboss',
      // pg-boss polls; half a second keeps task creation feeling immediate without busy-looping.
      pollingIntervalSeconds: 0.5,
      monitorStateIntervalSeconds: 60,
      maintenanceIntervalSeconds: 120,
      archiveCompletedAfterSeconds: 60 * 60 * 12,
      deleteAfterDays: 7,
    } satisfies PgBoss.ConstructorOptions;
    const boss =
      database.connectionString !== undefined
        ? new PgBoss({ ...common, connectionString: database.connectionString, max: 4 })
        : new PgBoss({ ...common, db: kyselyExecutor(database.db) });
    boss.on('error', (err) => log.error({ err }, 'job queue error'));
    await boss.start();
    const createQueues = async () => {
      for (const name of jobNames) {
        const { pollingIntervalSeconds: _, ...p } = jobPolicies[name];
        await boss.createQueue(name, { name, ...p });
      }
    };
    if (database.connectionString !== undefined) {
      // pg-boss's create_queue (an INSERT plus partition DDL) deadlocks when instances booting at
      // once on a new database race on it; an advisory lock held meanwhile makes them take turns.
      await database.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${QUEUE_SETUP_LOCK})`.execute(trx);
        await createQueues();
      });
    } else {
      await createQueues();
    }
    return new JobQueue(boss, log);
  }

  /**
   * Queues a job. Sent inside a transaction, it becomes visible at commit: call `wake(name)` after
   * the commit so a worker in this process takes it at once instead of at its next poll.
   */
  async send<N extends JobName>(name: N, payload: JobPayloads[N], trx?: Transaction<DB>): Promise<string> {
    const id = await this.boss.send(name, payload, trx ? { db: kyselyExecutor(trx) } : {});
    if (!id) throw new Error(`job ${name} was not queued`);
    if (!trx) this.wake(name);
    return id;
  }

  /**
   * Makes this process's idle workers of the queue poll now. Workers of other instances still
   * wait for their poll (up to pollingIntervalSeconds): pg-boss has no cross-process signal.
   */
  wake(name: JobName): void {
    for (const id of this.workers.get(name) ?? []) this.boss.notifyWorker(id);
  }

  /**
   * Fails a job whose worker died; pg-boss queues it again while retries remain. Returns whether
   * it will run again.
   */
  async failLost(name: string, id: string): Promise<boolean> {
    await this.boss.fail(name, id, { message: 'the worker running this job stopped' });
    const job = await this.boss.getJobById(name, id);
    return job?.state === 'retry' || job?.state === 'created';
  }

  async cancel(name: JobName, id: string): Promise<void> {
    await this.boss.cancel(name, id);
  }

  /** Starts consuming every queue; throws when a job name has no handler. */
  async work(handlers: Partial<JobHandlers>, concurrency: number): Promise<void> {
    const missing = jobNames.filter((n) => typeof handlers[n] !== 'function');
    if (missing.length) throw new Error(`no handler for job(s): ${missing.join(', ')}`);
    for (const name of jobNames) {
      const handler = handlers[name] as JobHandler<typeof name>;
      const ids: string[] = [];
      this.workers.set(name, ids);
      for (let i = 0; i < concurrency; i++) {
        const id = await this.boss.work<JobPayloads[typeof name]>(
          name,
          { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: jobPolicies[name].pollingIntervalSeconds },
          async ([job]) => {
            if (!job) return;
            const started = Date.now();
            try {
              await handler(job.data, { jobId: job.id, queue: name, instanceId: this.instanceId, retryCount: job.retryCount, retryLimit: job.retryLimit });
              this.log.info({ job: name, jobId: job.id, ms: Date.now() - started }, 'job done');
            } catch (err) {
              this.log.error({ err, job: name, jobId: job.id }, 'job failed');
              throw err;
            }
          },
        );
        ids.push(id);
      }
    }
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000, close: true });
  }
}
