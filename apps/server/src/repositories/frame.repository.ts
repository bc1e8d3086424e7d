import type { Insertable } from 'kysely';
import type { Db } from '../db/database.js';
import type { FrameRow, TaskFramesTable, TaskVideoRow } from '../db/schema.js';

/** Rows per INSERT: large enough to amortize round trips, small enough to stay under bind limits. */
const BATCH = 2000;

export class FrameRepository {
  constructor(private readonly db: Db) {}

  async insertMany(rows: Insertable<TaskFramesTable>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      await this.db.insertInto('task_frames').values(rows.slice(i, i + BATCH)).execute();
    }
  }

  find(taskId: number, frame: number): Promise<FrameRow | undefined> {
    return this.db.selectFrom('task_frames').selectAll().where('task_id', '=', taskId).where('frame', '=', frame).executeTakeFirst();
  }

  range(taskId: number, start: number, stop: number): Promise<FrameRow[]> {
    return this.db
      .selectFrom('task_frames')
      .selectAll()
      .where('task_id', '=', taskId)
      .where('frame', '>=', start)
      .where('frame', '<=', stop)
      .orderBy('frame')
      .execute();
  }

  /** Name and size of every frame in a range, without the storage columns (for data/meta). */
  meta(taskId: number, start: number, stop: number) {
    return this.db
      .selectFrom('task_frames')
      .select(['frame', 'name', 'width', 'height'])
      .where('task_id', '=', taskId)
      .where('frame', '>=', start)
      .where('frame', '<=', stop)
      .orderBy('frame')
      .execute();
  }

  /** The video of a video task. */
  video(taskId: number): Promise<TaskVideoRow | undefined> {
    return this.db.selectFrom('task_videos').selectAll().where('task_id', '=', taskId).executeTakeFirst();
  }

  async deleteForTask(taskId: number): Promise<void> {
    await this.db.deleteFrom('task_frames').where('task_id', '=', taskId).execute();
  }
}
