import { sql, type Kysely } from 'kysely';

/**
 * Ground truth and honeypots (CVAT's validation layout).
 *
 * - tasks.validation_mode: 'gt' (a ground-truth job over some of the task's frames) or
 *   'gt_pool' (honeypots), null without validation; kept on the task so its responses and the
 *   frame endpoints know it without a join.
 * - task_validation_layouts: the validation frames, those disabled, honeypots per job, and a
 *   revision that goes up whenever a honeypot changes the image it shows (frame caches and ETags
 *   of honeypot tasks carry it).
 * - segments.frames: a ground-truth job's frames, when it takes some frames of its range
 *   (type 'specific_frames'); null for a range.
 * - task_frames.real_frame: set on a honeypot, the validation frame whose image it shows (its row
 *   copies that frame's file, so it reads like any frame).
 * - at most one ground-truth job per task, enforced by the database.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table tasks add column validation_mode text check (validation_mode in ('gt', 'gt_pool'));

    create table task_validation_layouts (
      task_id integer primary key references tasks(id) on delete cascade,
      mode text not null check (mode in ('gt', 'gt_pool')),
      frames integer[] not null,
      disabled_frames integer[] not null default '{}',
      frames_per_job_count integer,
      revision integer not null default 0,
      updated_at timestamptz not null default now()
    );

    alter table segments add column frames integer[];
    alter table task_frames add column real_frame integer;
    create index task_frames_honeypots_idx on task_frames (task_id, frame) where real_frame is not null;

    create unique index jobs_one_ground_truth_idx on jobs (task_id) where type = 'ground_truth';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index if exists jobs_one_ground_truth_idx;
    drop index if exists task_frames_honeypots_idx;
    alter table task_frames drop column if exists real_frame;
    alter table segments drop column if exists frames;
    drop table if exists task_validation_layouts;
    alter table tasks drop column if exists validation_mode;
  `.execute(db);
}
