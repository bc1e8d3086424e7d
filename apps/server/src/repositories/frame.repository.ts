import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/database.js';
import type { FrameRow, TaskFramesTable, TaskVideoRow } from '../db/schema.js';

/**
 * Rows per INSERT. Each column travels as one array parameter (INSERT ... SELECT FROM unnest), so
 * the batch is bounded by memory, not bind limits; batches are kept modest because on embedded
 * PGlite a statement runs on the event loop, and between batches other requests get their turn.
 */
const BATCH = 5000;

export class FrameRepository {
  constructor(private readonly db: Db) {}

  async insertMany(rows: Insertable<TaskFramesTable>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += BATCH) {
      const b = rows.slice(i, i + BATCH);
      await sql`
        insert into task_frames (task_id, frame, name, source, key, width, height, orientation, bytes)
        select * from unnest(
          ${b.map((r) => r.task_id)}::int4[], ${b.map((r) => r.frame)}::int4[], ${b.map((r) => r.name)}::text[],
          ${b.map((r) => r.source)}::text[], ${b.map((r) => r.key)}::text[], ${b.map((r) => r.width)}::int4[],
          ${b.map((r) => r.height)}::int4[], ${b.map((r) => r.orientation ?? 1)}::int4[], ${b.map((r) => r.bytes ?? 0)}::int8[]
        )`.execute(this.db);
      // Let requests waiting on the event loop run between batches (PGlite executes in-thread).
      await new Promise((resolve) => setImmediate(resolve));
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
