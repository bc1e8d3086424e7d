import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** The index of derived blobs: size and last read, for the cache's size cap. */
export class DerivedBlobRepository {
  constructor(private readonly db: Db) {}

  async record(key: string, taskId: number | null, bytes: number): Promise<void> {
    await this.db
      .insertInto('derived_blobs')
      .values({ key, task_id: taskId, bytes })
      .onConflict((oc) => oc.column('key').doUpdateSet({ bytes, last_access: sql`now()` }))
      .execute();
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
