import { sql, type Kysely } from 'kysely';

/**
 * TUS uploads for any target, not only task data: `target` names what the file is for
 * ('task-data'; later annotation and dataset imports, backups) and `target_id` the object it goes
 * to (null for targets without one, such as a backup being restored). `task_id` stays as the
 * cascade link for targets that belong to a task. Each PATCH body is its own blob under
 * `blob_prefix`; `part_keys` lists them in offset order for the final concatenation.
 * `finalizing_until` is the lease of the request assembling a completed upload.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table tus_uploads alter column task_id drop not null;
    alter table tus_uploads add column target text not null default 'task-data';
    alter table tus_uploads alter column target drop default;
    alter table tus_uploads add column target_id integer;
    update tus_uploads set target_id = task_id;
    alter table tus_uploads add column metadata jsonb not null default '{}'::jsonb;
    alter table tus_uploads add column blob_prefix text not null default '';
    alter table tus_uploads add column part_keys jsonb not null default '[]'::jsonb;
    alter table tus_uploads add column finalizing_until timestamptz;
    create index tus_uploads_expires_idx on tus_uploads (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop index if exists tus_uploads_expires_idx;
    delete from tus_uploads where task_id is null;
    alter table tus_uploads
      drop column finalizing_until,
      drop column part_keys,
      drop column blob_prefix,
      drop column metadata,
      drop column target_id,
      drop column target;
    alter table tus_uploads alter column task_id set not null;
  `.execute(db);
}
