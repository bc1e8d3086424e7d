import { sql, type Kysely } from 'kysely';

/**
 * Instances that run background work announce themselves with a heartbeat, and a request
 * records which instance runs it and its queue job, so work cut off by a crashed instance is
 * found and queued again instead of waiting for the queue's expiry (an hour for task creation).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table worker_instances (
      id text primary key,
      hostname text not null default '',
      pid integer not null default 0,
      started_at timestamptz not null default now(),
      heartbeat_at timestamptz not null default now()
    );
    alter table requests add column worker_id text;
    alter table requests add column queue_name text;
    alter table requests add column queue_job_id text;
    create index requests_started_idx on requests (status) where status = 'started';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index if exists requests_started_idx;
    alter table requests drop column if exists queue_job_id;
    alter table requests drop column if exists queue_name;
    alter table requests drop column if exists worker_id;
    drop table if exists worker_instances;
  `.execute(db);
}
