import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** The index of derived blobs: size and last read, for the cache's size cap. */
export class DerivedBlobRepository {
  constructor(private readonly db: Db) {}

  /**
   * Records many entries in one statement. Entries of tasks deleted meanwhile are not recorded:
   * their keys come back, so the caller can delete the blobs it wrote for them.
   */
  async recordMany(entries: ReadonlyArray<{ key: string; taskId: number | null; bytes: number }>): Promise<string[]> {
    if (entries.length === 0) return [];
    const rows = await sql<{ key: string }>`
      insert into derived_blobs (key, task_id, bytes)
      select u.key, u.task_id, u.bytes
      from unnest(${entries.map((e) => e.key)}::text[], ${entries.map((e) => e.taskId)}::int4[], ${entries.map((e) => e.bytes)}::int8[])
        as u(key, task_id, bytes)
      where u.task_id is null or exists (select 1 from tasks t where t.id = u.task_id)
      on conflict (key) do update set bytes = excluded.bytes, last_access = now()
      returning key`.execute(this.db);
    const recorded = new Set(rows.rows.map((r) => r.key));
    return entries.filter((e) => !recorded.has(e.key)).map((e) => e.key);
  }

  /** Marks keys as read now; keys read within the last `graceSeconds` are left alone (no write). */
  async touch(keys: string[], graceSeconds: number): Promise<void> {
    if (keys.length === 0) return;
    await this.db
      .updateTable('derived_blobs')
      .set({ last_access: sql`now()` })
      .where('key', 'in', keys)
      .where('last_access', '<', sql<Date>`now() - make_interval(secs => ${graceSeconds})`)
      .execute();
  }

  async totalBytes(): Promise<number> {
    const r = await this.db.selectFrom('derived_blobs').select(sql<number>`coalesce(sum(bytes), 0)::int8`.as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The least recently read entries, oldest first. */
  oldest(limit: number): Promise<Array<{ key: string; bytes: number }>> {
    return this.db.selectFrom('derived_blobs').select(['key', 'bytes']).orderBy('last_access').orderBy('key').limit(limit).execute();
  }

  async remove(keys: string[]): Promise<void> {
    if (keys.length) await this.db.deleteFrom('derived_blobs').where('key', 'in', keys).execute();
  }
}
