/**
 * What ground truth and honeypots store: a task's validation layout, its ground-truth job (a
 * segment of specific frames, or the pool's range), and honeypot frames (task_frames rows that
 * point at the validation frame whose image they show).
 */
import { sql, type Transaction } from 'kysely';
import type { HoneypotSlot, SegmentRange, TaskValidationMode } from '@framewise/core';
import type { Db } from '../db/database.js';
import type { DB, TaskValidationLayoutRow } from '../db/schema.js';
import { lockJob, logChange, setJobVersion } from './annotations/write.js';

type Trx = Transaction<DB> | Db;

/** An integer list as PostgreSQL's array literal (both drivers take it for int[] columns). */
export function intArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

/** A job with its segment. */
export interface JobSegment {
  jobId: number;
  taskId: number;
  /** The job's type: 'annotation', 'ground_truth', ... */
  type: string;
  start: number;
  stop: number;
  /** A ground-truth job's frames when it does not take its whole range. */
  frames: number[] | null;
}

export interface NewGroundTruthJob {
  start: number;
  stop: number;
  frames: number[] | null;
  assignee_id?: number | null;
  stage?: string;
  state?: string;
}

export class ValidationRepository {
  constructor(private readonly db: Db) {}

  layout(taskId: number, trx: Trx = this.db): Promise<TaskValidationLayoutRow | undefined> {
    return trx.selectFrom('task_validation_layouts').selectAll().where('task_id', '=', taskId).executeTakeFirst();
  }

  /** Records a task's layout (replacing any) and marks the task's validation mode. */
  async saveLayout(trx: Trx, taskId: number, layout: { mode: TaskValidationMode; frames: number[]; disabled?: number[]; framesPerJobCount: number | null }): Promise<void> {
    await trx.deleteFrom('task_validation_layouts').where('task_id', '=', taskId).execute();
    await trx
      .insertInto('task_validation_layouts')
      .values({
        task_id: taskId,
        mode: layout.mode,
        frames: intArray(layout.frames),
        disabled_frames: intArray(layout.disabled ?? []),
        frames_per_job_count: layout.framesPerJobCount,
      })
      .execute();
    await trx.updateTable('tasks').set({ validation_mode: layout.mode, updated_at: new Date() }).where('id', '=', taskId).execute();
  }

  async updateLayout(trx: Trx, taskId: number, change: { disabled?: number[]; bumpRevision?: boolean }): Promise<void> {
    await trx
      .updateTable('task_validation_layouts')
      .set({
        ...(change.disabled ? { disabled_frames: intArray(change.disabled) } : {}),
        ...(change.bumpRevision ? { revision: sql<number>`revision + 1` } : {}),
        updated_at: new Date(),
      })
      .where('task_id', '=', taskId)
      .execute();
    await trx.updateTable('tasks').set({ updated_at: new Date() }).where('id', '=', taskId).execute();
  }

  async deleteLayout(trx: Trx, taskId: number): Promise<void> {
    await trx.deleteFrom('task_validation_layouts').where('task_id', '=', taskId).execute();
    await trx.updateTable('tasks').set({ validation_mode: null, updated_at: new Date() }).where('id', '=', taskId).execute();
  }

  /** The task's honeypots (or those of frames start..stop), in frame order. */
  async honeypots(taskId: number, range?: SegmentRange, trx: Trx = this.db): Promise<HoneypotSlot[]> {
    const rows = await trx
      .selectFrom('task_frames')
      .select(['frame', 'real_frame'])
      .where('task_id', '=', taskId)
      .where('real_frame', 'is not', null)
      .$if(range !== undefined, (q) => q.where('frame', '>=', range!.start).where('frame', '<=', range!.stop))
      .orderBy('frame')
      .execute();
    return rows.map((r) => ({ frame: r.frame, real: r.real_frame! }));
  }

  /** Points honeypots at new validation frames: each row takes its new frame's file and size. */
  async setHoneypotReals(trx: Trx, taskId: number, changes: readonly HoneypotSlot[]): Promise<void> {
    if (changes.length === 0) return;
    await sql`
      update task_frames h set real_frame = c.real, name = r.name, source = r.source, key = r.key,
        width = r.width, height = r.height, orientation = r.orientation, bytes = r.bytes
      from unnest(${intArray(changes.map((c) => c.frame))}::int4[], ${intArray(changes.map((c) => c.real))}::int4[]) as c(frame, real)
      join task_frames r on r.task_id = ${taskId} and r.frame = c.real
      where h.task_id = ${taskId} and h.frame = c.frame`.execute(trx);
  }

  /** The task's annotation jobs and their segments, in frame order. */
  async annotationJobs(taskId: number, trx: Trx = this.db): Promise<Array<{ jobId: number; start: number; stop: number }>> {
    const rows = await trx
      .selectFrom('jobs as j')
      .innerJoin('segments as s', 's.id', 'j.segment_id')
      .select(['j.id', 's.start_frame', 's.stop_frame'])
      .where('j.task_id', '=', taskId)
      .where('j.type', '=', 'annotation')
      .orderBy('s.start_frame')
      .orderBy('j.id')
      .execute();
    return rows.map((r) => ({ jobId: r.id, start: r.start_frame, stop: r.stop_frame }));
  }

  async groundTruthJob(taskId: number, trx: Trx = this.db): Promise<JobSegment | undefined> {
    const row = await this.segmentQuery(trx).where('j.task_id', '=', taskId).where('j.type', '=', 'ground_truth').executeTakeFirst();
    return row && toJobSegment(row);
  }

  async jobSegment(jobId: number, trx: Trx = this.db): Promise<JobSegment | undefined> {
    const row = await this.segmentQuery(trx).where('j.id', '=', jobId).executeTakeFirst();
    return row && toJobSegment(row);
  }

  private segmentQuery(trx: Trx) {
    return trx
      .selectFrom('jobs as j')
      .innerJoin('segments as s', 's.id', 'j.segment_id')
      .select(['j.id', 'j.task_id', 'j.type', 's.start_frame', 's.stop_frame', 's.frames']);
  }

  /** Creates the task's ground-truth job; the unique index refuses a second one. */
  async createGroundTruthJob(trx: Trx, taskId: number, job: NewGroundTruthJob): Promise<number> {
    const segment = await trx
      .insertInto('segments')
      .values({
        task_id: taskId,
        start_frame: job.start,
        stop_frame: job.stop,
        type: job.frames ? 'specific_frames' : 'range',
        frames: job.frames ? intArray(job.frames) : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const now = new Date();
    const row = await trx
      .insertInto('jobs')
      .values({
        task_id: taskId,
        segment_id: segment.id,
        type: 'ground_truth',
        updated_at: now,
        ...(job.assignee_id != null ? { assignee_id: job.assignee_id, assignee_updated_at: now } : {}),
        ...(job.stage ? { stage: job.stage } : {}),
        ...(job.state ? { state: job.state } : {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Deletes a job with its segment (and, by cascade, its annotations). */
  async deleteJob(trx: Trx, jobId: number): Promise<void> {
    const row = await trx.deleteFrom('jobs').where('id', '=', jobId).returning('segment_id').executeTakeFirst();
    if (row) await trx.deleteFrom('segments').where('id', '=', row.segment_id).execute();
  }

  /**
   * Removes the shapes and tags on `frames` from the jobs holding them (a honeypot that shows a
   * new image has no annotations yet): each touched job gets a new version and a log entry.
   */
  async clearFrames(trx: Transaction<DB>, taskId: number, frames: readonly number[], userId: number): Promise<void> {
    if (frames.length === 0) return;
    const list = intArray(frames);
    const touched = await sql<{ job_id: number }>`
      select distinct job_id from (
        select job_id from labeled_shapes where frame = any(${list}::int4[]) and parent_id is null
        union all select job_id from labeled_tags where frame = any(${list}::int4[])
      ) o where job_id in (select id from jobs where task_id = ${taskId}) order by job_id`.execute(trx);
    for (const { job_id: jobId } of touched.rows) {
      const version = (await lockJob(trx, jobId)) + 1;
      const at = new Date();
      const shapes = await trx.deleteFrom('labeled_shapes').where('job_id', '=', jobId).where(sql<boolean>`frame = any(${list}::int4[])`).where('parent_id', 'is', null).returning('id').execute();
      const tags = await trx.deleteFrom('labeled_tags').where('job_id', '=', jobId).where(sql<boolean>`frame = any(${list}::int4[])`).returning('id').execute();
      await setJobVersion(trx, jobId, version, at);
      // Logged as any deletion: the job's history must not tell its annotator which frames were honeypots.
      const ids = { tags: tags.map((r) => Number(r.id)), shapes: shapes.map((r) => Number(r.id)), tracks: [] };
      await logChange(trx, { jobId, version, userId, at }, 'delete', { tags: ids.tags.length, shapes: ids.shapes.length, tracks: 0, ids });
    }
  }
}

function toJobSegment(r: { id: number; task_id: number; type: string; start_frame: number; stop_frame: number; frames: number[] | null }): JobSegment {
  return { jobId: r.id, taskId: r.task_id, type: r.type, start: r.start_frame, stop: r.stop_frame, frames: r.frames };
}
