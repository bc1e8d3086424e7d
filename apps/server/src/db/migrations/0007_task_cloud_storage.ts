import { sql, type Kysely } from 'kysely';

/** A task whose originals stay in a cloud storage names it; its frame keys are bucket keys. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tasks add column cloud_storage_id integer references cloud_storages(id) on delete set null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tasks drop column if exists cloud_storage_id`.execute(db);
}
