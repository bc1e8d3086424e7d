import { sql, type Insertable, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import type { DB, TaskRow, TasksTable } from '../db/schema.js';

export interface TaskJobCounts {
  count: number;
  completed: number;
  validation: number;
}

export class TaskRepository {
  constructor(private readonly db: Db) {}

  create(values: Insertable<TasksTable>, trx: Transaction<DB> | Db = this.db): Promise<TaskRow> {
    return trx.insertInto('tasks').values(values).returningAll().executeTakeFirstOrThrow();
  }

  findById(id: number, trx: Transaction<DB> | Db = this.db): Promise<TaskRow | undefined> {
    return trx.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Locks the task row for the rest of the transaction (one data attachment at a time). */
  lockById(trx: Transaction<DB>, id: number): Promise<TaskRow | undefined> {
    return trx.selectFrom('tasks').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  async update(id: number, values: Updateable<TasksTable>, trx: Transaction<DB> | Db = this.db): Promise<TaskRow | undefined> {
    return trx
      .updateTable('tasks')
      .set({ ...values, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('tasks').where('id', '=', id).execute();
  }

  async jobCounts(taskIds: number[]): Promise<Map<number, TaskJobCounts>> {
    const out = new Map<number, TaskJobCounts>();
    if (taskIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('jobs')
      .select([
        'task_id',
        sql<number>`count(*)::int`.as('count'),
        sql<number>`(count(*) filter (where state = 'completed'))::int`.as('completed'),
        sql<number>`(count(*) filter (where stage = 'validation'))::int`.as('validation'),
      ])
      .where('task_id', 'in', taskIds)
      .groupBy('task_id')
      .execute();
    for (const r of rows) out.set(r.task_id, { count: r.count, completed: r.completed, validation: r.validation });
    return out;
  }

  query() {
    return this.db.selectFrom('tasks');
  }

  /** Which of these task ids still exist. */
  async existing(ids: number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.selectFrom('tasks').select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((r) => r.id));
  }
}

/**
 * What the media endpoints (frames, chunks, previews, data/meta) need of a task. They are the
 * hottest path of the API (a browser streams frames), so they read these few columns without
 * the joins of `taskWithContext`.
 */
export const MEDIA_TASK_COLUMNS = [
  'id', 'size', 'data_state', 'media_type', 'image_quality', 'chunk_size', 'created_at', 'updated_at', 'cloud_storage_id', 'frame_filter',
  'validation_mode',
] as const;
export type MediaTask = Pick<TaskRow, (typeof MEDIA_TASK_COLUMNS)[number]>;

/** A task with the project and user fields its responses show. */
export function taskWithContext(db: Db) {
  return db
    .selectFrom('tasks as t')
    .leftJoin('projects as p', 'p.id', 't.project_id')
    .leftJoin('users as o', 'o.id', 't.owner_id')
    .leftJoin('users as a', 'a.id', 't.assignee_id')
    .selectAll('t')
    .select([
      'p.name as project_name',
      'p.owner_id as project_owner_id',
      'p.assignee_id as project_assignee_id',
      'o.username as owner_username',
      'o.first_name as owner_first_name',
      'o.last_name as owner_last_name',
      'a.username as assignee_username',
      'a.first_name as assignee_first_name',
      'a.last_name as assignee_last_name',
    ]);
}

export type TaskWithContext = NonNullable<Awaited<ReturnType<ReturnType<typeof taskWithContext>['executeTakeFirst']>>>;
