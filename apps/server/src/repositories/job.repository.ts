import { sql, type Expression, type Insertable, type SqlBool, type Transaction, type Updateable } from 'kysely';
import type { SegmentRange } from '@framewise/core';
import type { Db } from '../db/database.js';
import type { DB, JobsTable } from '../db/schema.js';

export class JobRepository {
  constructor(private readonly db: Db) {}

  /**
   * Creates one segment and one annotation job per range, and `replicas` consensus replica jobs
   * of each annotation job on the same segment (CVAT's layout: a replica shows its parent's frames).
   */
  async createForSegments(trx: Transaction<DB>, taskId: number, ranges: SegmentRange[], replicas = 0): Promise<void> {
    const BATCH = 1000;
    for (let i = 0; i < ranges.length; i += BATCH) {
      const slice = ranges.slice(i, i + BATCH);
      const segments = await trx
        .insertInto('segments')
        .values(slice.map((r) => ({ task_id: taskId, start_frame: r.start, stop_frame: r.stop })))
        .returning(['id', 'start_frame'])
        .execute();
      segments.sort((a, b) => a.start_frame - b.start_frame);
      const now = new Date();
      const parents = await trx
        .insertInto('jobs')
        .values(segments.map((s) => ({ task_id: taskId, segment_id: s.id, updated_at: now }) satisfies Insertable<JobsTable>))
        .returning(['id', 'segment_id'])
        .execute();
      if (replicas > 0) {
        parents.sort((a, b) => a.id - b.id);
        await trx
          .insertInto('jobs')
          .values(
            parents.flatMap((p) =>
              Array.from({ length: replicas }, () => ({ task_id: taskId, segment_id: p.segment_id, type: 'consensus_replica', parent_job_id: p.id, updated_at: now }) satisfies Insertable<JobsTable>),
            ),
          )
          .execute();
      }
    }
  }

  async deleteForTask(trx: Transaction<DB> | Db, taskId: number): Promise<void> {
    await trx.deleteFrom('jobs').where('task_id', '=', taskId).execute();
    await trx.deleteFrom('segments').where('task_id', '=', taskId).execute();
  }

  /** A job with what its responses show of its segment, task and project. */
  withContext() {
    return this.db
      .selectFrom('jobs as j')
      .innerJoin('segments as s', 's.id', 'j.segment_id')
      .innerJoin('tasks as t', 't.id', 'j.task_id')
      .leftJoin('projects as p', 'p.id', 't.project_id')
      .leftJoin('users as a', 'a.id', 'j.assignee_id')
      .selectAll('j')
      .select(sql<number>`(select count(*)::int from jobs r where r.parent_job_id = j.id)`.as('replicas_count'))
      .select([
        's.start_frame',
        's.stop_frame',
        's.frames as segment_frames',
        't.name as task_name',
        't.project_id',
        't.mode',
        't.dimension',
        't.media_type',
        't.chunk_size',
        't.bug_tracker as task_bug_tracker',
        't.owner_id as task_owner_id',
        't.assignee_id as task_assignee_id',
        't.organization_id',
        't.source_storage',
        't.target_storage',
        'p.name as project_name',
        'p.owner_id as project_owner_id',
        'p.assignee_id as project_assignee_id',
        'p.bug_tracker as project_bug_tracker',
        'a.username as assignee_username',
        'a.first_name as assignee_first_name',
        'a.last_name as assignee_last_name',
      ]);
  }

  findWithContext(id: number) {
    return this.withContext().where('j.id', '=', id).executeTakeFirst();
  }

  /** Whether the job's task satisfies `predicate` (an access rule over tasks aliased 't'). */
  /** Whether job `id` passes an access predicate on `jobs as j`. */
  async passes(id: number, predicate: Expression<SqlBool>): Promise<boolean> {
    const row = await this.db
      .selectFrom('jobs as j')
      .select('j.id')
      .where('j.id', '=', id)
      .where(predicate)
      .executeTakeFirst();
    return row !== undefined;
  }

  async update(id: number, values: Updateable<JobsTable>): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ ...values, updated_at: new Date() })
      .where('id', '=', id)
      .execute();
  }

}

export type JobWithContext = NonNullable<Awaited<ReturnType<JobRepository['findWithContext']>>>;
