/**
 * What a quality check reads: a task's jobs and ground truth, its validation frames and their
 * sizes, and a job's annotations on a set of frames. Only the compared frames are read (tags and
 * shapes), with all of the job's tracks, since a track reaches a frame from its keyframes.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Annotations } from '@framewise/core';
import type { Db } from '../db/database.js';
import { readTracksJson } from './annotations/read.js';
import { intArray } from './validation.repository.js';

export interface QualityTask {
  id: number;
  project_id: number | null;
  dimension: string;
  assignee_id: number | null;
  organization_id: number | null;
  updated_at: Date;
  validation_mode: 'gt' | 'gt_pool' | null;
}

export interface QualityJob {
  id: number;
  start: number;
  stop: number;
  stage: string;
  state: string;
  assignee_id: number | null;
  updated_at: Date;
}

export interface GroundTruthJob extends QualityJob {
  /** Its frames when it takes some frames of its range (mode gt); null for the pool's range. */
  frames: number[] | null;
}

export interface FrameSize {
  frame: number;
  width: number;
  height: number;
}

const JOB_COLUMNS = ['j.id', 's.start_frame', 's.stop_frame', 'j.stage', 'j.state', 'j.assignee_id', 'j.updated_at', 's.frames'] as const;

type JobRowOut = { id: number; start_frame: number; stop_frame: number; stage: string; state: string; assignee_id: number | null; updated_at: Date; frames: number[] | null };

function toJob(r: JobRowOut): GroundTruthJob {
  return { id: r.id, start: r.start_frame, stop: r.stop_frame, stage: r.stage, state: r.state, assignee_id: r.assignee_id, updated_at: r.updated_at, frames: r.frames };
}

export class QualityDataRepository {
  constructor(private readonly db: Db) {}

  task(taskId: number): Promise<QualityTask | undefined> {
    return this.db
      .selectFrom('tasks')
      .select(['id', 'project_id', 'dimension', 'assignee_id', 'organization_id', 'updated_at', 'validation_mode'])
      .where('id', '=', taskId)
      .executeTakeFirst();
  }

  project(projectId: number) {
    return this.db.selectFrom('projects').select(['id', 'updated_at', 'organization_id']).where('id', '=', projectId).executeTakeFirst();
  }

  async projectTaskIds(projectId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('tasks').select('id').where('project_id', '=', projectId).orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  private jobs() {
    return this.db.selectFrom('jobs as j').innerJoin('segments as s', 's.id', 'j.segment_id').select(JOB_COLUMNS);
  }

  async groundTruthJob(taskId: number): Promise<GroundTruthJob | undefined> {
    const row = await this.jobs().where('j.task_id', '=', taskId).where('j.type', '=', 'ground_truth').executeTakeFirst();
    return row && toJob(row);
  }

  /** The task's annotation jobs in frame order (not its ground truth, not consensus replicas). */
  async annotationJobs(taskId: number): Promise<QualityJob[]> {
    const rows = await this.jobs().where('j.task_id', '=', taskId).where('j.type', '=', 'annotation').orderBy('s.start_frame').orderBy('j.id').execute();
    return rows.map(toJob);
  }

  async job(jobId: number): Promise<(QualityJob & { task_id: number; type: string }) | undefined> {
    const row = await this.jobs().select(['j.task_id', 'j.type']).where('j.id', '=', jobId).executeTakeFirst();
    return row && { ...toJob(row), task_id: row.task_id, type: row.type };
  }

  /**
   * Ids of the task's annotation jobs passing `filter`, a predicate over `jobs as j`, `tasks as
   * t` and `users as a` (the assignee): the settings' job_filter.
   */
  async filterJobs(taskId: number, filter: Expression<SqlBool>): Promise<Set<number>> {
    const rows = await this.db
      .selectFrom('jobs as j')
      .innerJoin('tasks as t', 't.id', 'j.task_id')
      .leftJoin('users as a', 'a.id', 'j.assignee_id')
      .select('j.id')
      .where('j.task_id', '=', taskId)
      .where('j.type', '=', 'annotation')
      .where(filter)
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  /** Tasks among `taskIds` whose ground-truth job is accepted and completed. */
  async tasksWithReadyGroundTruth(taskIds: readonly number[]): Promise<Set<number>> {
    if (taskIds.length === 0) return new Set();
    const rows = await this.db
      .selectFrom('jobs')
      .select('task_id')
      .where('task_id', 'in', [...taskIds])
      .where('type', '=', 'ground_truth')
      .where('stage', '=', 'acceptance')
      .where('state', '=', 'completed')
      .execute();
    return new Set(rows.map((r) => r.task_id));
  }

  async frameSizes(taskId: number, frames: readonly number[]): Promise<Map<number, FrameSize>> {
    if (frames.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('task_frames')
      .select(['frame', 'width', 'height'])
      .where('task_id', '=', taskId)
      .where(sql<SqlBool>`frame = any(${intArray(frames)}::int4[])`)
      .execute();
    return new Map(rows.map((r) => [r.frame, r]));
  }

  /** Objects on `frames` (tags, shapes, skeleton points) and the job's track keyframes: the size of a comparison. */
  async countObjects(jobId: number, frames: readonly number[]): Promise<number> {
    const list = intArray(frames);
    const res = await sql<{ n: string | number }>`
      select (select count(*) from labeled_tags where job_id = ${jobId} and frame = any(${list}::int4[]))
        + (select count(*) from labeled_shapes where job_id = ${jobId} and frame = any(${list}::int4[]))
        + (select count(*) from tracked_shapes k join labeled_tracks t on t.id = k.track_id where t.job_id = ${jobId}) as n`.execute(this.db);
    return Number(res.rows[0]?.n ?? 0);
  }

  /** The job's tags and shapes on `frames` and all its tracks, in CVAT's shapes. */
  async annotations(jobId: number, frames: readonly number[]): Promise<Annotations> {
    const list = intArray(frames);
    const tags = await sql<{ json: string }>`
      select coalesce(json_agg(r order by r.id), '[]'::json)::text as json from (
        select t.id, t.frame, t.label_id, t."group", t.source, t.attributes
        from labeled_tags t where t.job_id = ${jobId} and t.frame = any(${list}::int4[])) r`.execute(this.db);
    const shapes = await sql<{ json: string }>`
      with top as (
        select s.* from labeled_shapes s where s.job_id = ${jobId} and s.parent_id is null and s.frame = any(${list}::int4[])
      ), el as (
        select e.parent_id, json_agg(json_build_object('id', e.id, 'type', e.type, 'frame', e.frame, 'label_id', e.label_id,
          'group', e."group", 'source', e.source, 'occluded', e.occluded, 'outside', e.outside, 'z_order', e.z_order,
          'rotation', e.rotation, 'points', e.points, 'attributes', e.attributes, 'score', e.score) order by e.id) as elements
        from labeled_shapes e join top on top.id = e.parent_id group by e.parent_id
      )
      select coalesce(json_agg(r order by r.id), '[]'::json)::text as json from (
        select top.id, top.type, top.frame, top.label_id, top."group", top.source, top.occluded, top.outside, top.z_order,
          top.rotation, top.points, top.attributes, top.score, coalesce(el.elements, '[]'::json) as elements
        from top left join el on el.parent_id = top.id) r`.execute(this.db);
    const tracks = await readTracksJson(this.db, jobId);
    return {
      version: 0,
      tags: JSON.parse(tags.rows[0]?.json ?? '[]'),
      shapes: JSON.parse(shapes.rows[0]?.json ?? '[]'),
      tracks: JSON.parse(tracks),
    } as Annotations;
  }
}
