import { sql, type Kysely } from 'kysely';

/**
 * A video task's source: where the file is, what the probe found (exact frame count, size,
 * keyframe index for seeking), and which of its frames the task takes (start, step).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table task_videos (
      task_id integer primary key references tasks(id) on delete cascade,
      name text not null,
      source text not null,
      key text not null,
      width integer not null,
      height integer not null,
      frame_count integer not null,
      fps float8 not null,
      first_index integer not null default 0,
      step integer not null default 1,
      keyframes integer[] not null,
      keyframe_times float8[] not null
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists task_videos`.execute(db);
}
