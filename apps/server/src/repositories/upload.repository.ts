import type { Db } from '../db/database.js';

export interface TaskUpload {
  name: string;
  blob_key: string;
  bytes: number;
}

/** Files a client has uploaded for a task that has not been created from them yet. */
export class UploadRepository {
  constructor(private readonly db: Db) {}

  async record(taskId: number, upload: TaskUpload): Promise<void> {
    await this.db
      .insertInto('task_uploads')
      .values({ task_id: taskId, ...upload })
      .onConflict((oc) => oc.columns(['task_id', 'name']).doUpdateSet({ blob_key: upload.blob_key, bytes: upload.bytes }))
      .execute();
  }

  /** In upload order. */
  list(taskId: number): Promise<TaskUpload[]> {
    return this.db
      .selectFrom('task_uploads')
      .select(['name', 'blob_key', 'bytes'])
      .where('task_id', '=', taskId)
      .orderBy('id')
      .execute();
  }

  async count(taskId: number): Promise<number> {
    const r = await this.db
      .selectFrom('task_uploads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('task_id', '=', taskId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async remove(taskId: number, name: string): Promise<void> {
    await this.db.deleteFrom('task_uploads').where('task_id', '=', taskId).where('name', '=', name).execute();
  }

  async clear(taskId: number): Promise<void> {
    await this.db.deleteFrom('task_uploads').where('task_id', '=', taskId).execute();
  }
}
