/**
 * Consensus rows: a task's merge settings (the defaults until changed), its replica jobs with
 * their parents, the frames a merge measures, and the merge runs with their agreement reports.
 */
import { DEFAULT_CONSENSUS_SETTINGS, type Annotations, type ConsensusFrame, type ConsensusSettings } from '@framewise/core';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { readJobJson } from './annotations/read.js';

type Trx = Transaction<DB> | Db;

/** A replica job with what deciding on its merge needs of its parent. */
export interface ReplicaRow {
  id: number;
  parent_job_id: number;
  stage: string;
  state: string;
  parent_stage: string;
  parent_type: string;
  start_frame: number;
  stop_frame: number;
}

export interface NewMerge {
  task_id: number;
  job_id: number | null;
  request_id: string;
  owner_id: number;
  report: Record<string, unknown>;
}

export class ConsensusRepository {
  constructor(private readonly db: Db) {}

  /** Every task with its settings (defaults where none were saved), as `t` for access rules. */
  settingsQuery() {
    return this.db
      .selectFrom('tasks as t')
      .leftJoin('consensus_settings as cs', 'cs.task_id', 't.id')
      .select([
        't.id as id',
        't.id as task_id',
        sql<number>`coalesce(cs.quorum, ${DEFAULT_CONSENSUS_SETTINGS.quorum})`.as('quorum'),
        sql<number>`coalesce(cs.iou_threshold, ${DEFAULT_CONSENSUS_SETTINGS.iou_threshold})`.as('iou_threshold'),
      ]);
  }

  async settings(taskId: number): Promise<ConsensusSettings> {
    const row = await this.db.selectFrom('consensus_settings').select(['quorum', 'iou_threshold']).where('task_id', '=', taskId).executeTakeFirst();
    return row ? { quorum: Number(row.quorum), iou_threshold: Number(row.iou_threshold) } : { ...DEFAULT_CONSENSUS_SETTINGS };
  }

  async saveSettings(taskId: number, s: ConsensusSettings): Promise<void> {
    await this.db
      .insertInto('consensus_settings')
      .values({ task_id: taskId, quorum: s.quorum, iou_threshold: s.iou_threshold })
      .onConflict((oc) => oc.column('task_id').doUpdateSet({ quorum: s.quorum, iou_threshold: s.iou_threshold, updated_at: new Date() }))
      .execute();
  }

  task(taskId: number) {
    return this.db
      .selectFrom('tasks')
      .select(['id', 'project_id', 'consensus_replicas', 'dimension', 'media_type', 'data_state'])
      .where('id', '=', taskId)
      .executeTakeFirst();
  }

  job(jobId: number) {
    return this.db.selectFrom('jobs').select(['id', 'task_id', 'type', 'stage', 'parent_job_id']).where('id', '=', jobId).executeTakeFirst();
  }

  /** The task's replica jobs, by id, each with its parent's stage and type and its frames. */
  replicas(taskId: number): Promise<ReplicaRow[]> {
    return this.db
      .selectFrom('jobs as r')
      .innerJoin('jobs as p', 'p.id', 'r.parent_job_id')
      .innerJoin('segments as s', 's.id', 'p.segment_id')
      .select(['r.id', 'p.id as parent_job_id', 'r.stage', 'r.state', 'p.stage as parent_stage', 'p.type as parent_type', 's.start_frame', 's.stop_frame'])
      .where('r.task_id', '=', taskId)
      .where('r.type', '=', 'consensus_replica')
      .orderBy('r.id')
      .execute();
  }

  /** A job's annotations, read from one snapshot. */
  async annotations(jobId: number): Promise<Annotations> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const row = await trx.selectFrom('jobs').select('version').where('id', '=', jobId).executeTakeFirstOrThrow();
        return JSON.parse(await readJobJson(trx, jobId, Number(row.version))) as Annotations;
      });
  }

  /** Frames start..stop of the task with their sizes (a video's frames share the video's). */
  async frames(taskId: number, mediaType: string | null, start: number, stop: number): Promise<ConsensusFrame[]> {
    if (mediaType === 'video') {
      const v = await this.db.selectFrom('task_videos').select(['width', 'height']).where('task_id', '=', taskId).executeTakeFirst();
      if (!v) return [];
      return Array.from({ length: stop - start + 1 }, (_, i) => ({ frame: start + i, width: v.width, height: v.height }));
    }
    return this.db
      .selectFrom('task_frames')
      .select(['frame', 'width', 'height'])
      .where('task_id', '=', taskId)
      .where('frame', '>=', start)
      .where('frame', '<=', stop)
      .orderBy('frame')
      .execute();
  }

  /** CVAT sets a parent job completed once merged. */
  async complete(trx: Trx, jobId: number): Promise<void> {
    await trx.updateTable('jobs').set({ state: 'completed', updated_at: new Date() }).where('id', '=', jobId).execute();
  }

  async insertMerge(trx: Trx, m: NewMerge): Promise<number> {
    const row = await trx
      .insertInto('consensus_merges')
      .values({ task_id: m.task_id, job_id: m.job_id, request_id: m.request_id, owner_id: m.owner_id, report: JSON.stringify(m.report) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Merge runs with their task (as `t`, for access rules) and who started them. */
  mergesQuery() {
    return this.db
      .selectFrom('consensus_merges as m')
      .innerJoin('tasks as t', 't.id', 'm.task_id')
      .leftJoin('users as u', 'u.id', 'm.owner_id')
      .selectAll('m')
      .select('u.username as owner_username');
  }
}

export type MergeRow = NonNullable<Awaited<ReturnType<ReturnType<ConsensusRepository['mergesQuery']>['executeTakeFirst']>>>;
export type SettingsRow = NonNullable<Awaited<ReturnType<ReturnType<ConsensusRepository['settingsQuery']>['executeTakeFirst']>>>;
