import type { Transaction, Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import type { DB, RequestRow, RequestsTable } from '../db/schema.js';

export interface NewRequest {
  id: string;
  operationType: string;
  target: string;
  ownerId: number;
  projectId?: number | null;
  taskId?: number | null;
  jobId?: number | null;
  format?: string | null;
  params?: Record<string, unknown>;
}

export class RequestRepository {
  constructor(private readonly db: Db) {}

  /** Inserts, or replaces a finished/failed request with the same id (a retried operation). */
  async create(r: NewRequest, trx: Transaction<DB> | Db = this.db): Promise<RequestRow> {
    await trx.deleteFrom('requests').where('id', '=', r.id).where('status', 'in', ['finished', 'failed']).execute();
    return trx
      .insertInto('requests')
      .values({
        id: r.id,
        operation_type: r.operationType,
        target: r.target,
        owner_id: r.ownerId,
        project_id: r.projectId ?? null,
        task_id: r.taskId ?? null,
        job_id: r.jobId ?? null,
        format: r.format ?? null,
        params: JSON.stringify(r.params ?? {}),
        result_url: null,
        result_id: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  findById(id: string): Promise<RequestRow | undefined> {
    return this.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  latestForTask(taskId: number, operationType: string): Promise<RequestRow | undefined> {
    return this.db
      .selectFrom('requests')
      .selectAll()
      .where('task_id', '=', taskId)
      .where('operation_type', '=', operationType)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async update(id: string, values: Updateable<RequestsTable>): Promise<void> {
    await this.db.updateTable('requests').set(values).where('id', '=', id).execute();
  }

  /** Marks a queued or running request for cancellation; false when it had already ended. */
  async requestCancel(id: string): Promise<boolean> {
    const res = await this.db
      .updateTable('requests')
      .set({ cancel_requested: true })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'started'])
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async isCancelRequested(id: string): Promise<boolean> {
    const row = await this.db.selectFrom('requests').select('cancel_requested').where('id', '=', id).executeTakeFirst();
    return row?.cancel_requested ?? true;
  }

  query() {
    return this.db.selectFrom('requests');
  }
}
