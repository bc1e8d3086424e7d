import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export interface LostRequest {
  id: string;
  operation_type: string;
  target: string;
  task_id: number | null;
  queue_name: string | null;
  queue_job_id: string | null;
}

/** Instances that run background work, and the requests they hold. */
export class WorkerRepository {
  constructor(private readonly db: Db) {}

  async register(id: string, hostname: string, pid: number): Promise<void> {
    await this.db.insertInto('worker_instances').values({ id, hostname, pid }).execute();
  }

  async heartbeat(id: string): Promise<void> {
    await this.db
      .insertInto('worker_instances')
      .values({ id })
      .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: sql`now()` }))
      .execute();
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('worker_instances').where('id', '=', id).execute();
  }

  /**
   * Started requests whose instance has not beaten for `staleSeconds` (or is gone). With 0, every
   * started request of another instance counts: used when this process is known to be the only one.
   */
  lostRequests(selfId: string, staleSeconds: number): Promise<LostRequest[]> {
    return this.db
      .selectFrom('requests as r')
      .leftJoin('worker_instances as w', 'w.id', 'r.worker_id')
      .select(['r.id', 'r.operation_type', 'r.target', 'r.task_id', 'r.queue_name', 'r.queue_job_id'])
      .where('r.status', '=', 'started')
      .where('r.worker_id', 'is not', null)
      .where('r.worker_id', '<>', selfId)
      .where((eb) =>
        staleSeconds <= 0
          ? sql<boolean>`true`
          : eb.or([eb('w.id', 'is', null), eb('w.heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${staleSeconds})`)]),
      )
      .execute();
  }

  /** Forgets instances silent for long; their requests were recovered long before. */
  async prune(olderThanSeconds: number): Promise<void> {
    await this.db
      .deleteFrom('worker_instances')
      .where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
      .execute();
  }
}
