import { sql, type Kysely } from 'kysely';

/**
 * An index of derived blobs (compressed frames, chunks, previews): their size and when they were
 * last read, so the cache can be held under a size cap by evicting the least recently used.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table derived_blobs (
      key text primary key,
      task_id integer references tasks(id) on delete cascade,
      bytes bigint not null,
      last_access timestamptz not null default now()
    );
    create index derived_blobs_access_idx on derived_blobs (last_access);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists derived_blobs`.execute(db);
}
