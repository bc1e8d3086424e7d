/**
 * Rows of TUS uploads in progress (table tus_uploads). Every change of an upload's offset is one
 * conditional UPDATE on the offset the writer started from, so two PATCH requests racing for
 * the same bytes cannot both be counted: the loser updates nothing and answers 409.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { TusUploadRow } from '../db/schema.js';

export interface NewTusUpload {
  id: string;
  target: string;
  targetId: number | null;
  taskId: number | null;
  ownerId: number;
  filename: string;
  metadata: Record<string, string>;
  length: number;
  blobPrefix: string;
  expiresAt: Date;
}

export class TusRepository {
  constructor(private readonly db: Db) {}

  create(u: NewTusUpload): Promise<TusUploadRow> {
    return this.db
      .insertInto('tus_uploads')
      .values({
        id: u.id,
        target: u.target,
        target_id: u.targetId,
        task_id: u.taskId,
        owner_id: u.ownerId,
        filename: u.filename,
        metadata: JSON.stringify(u.metadata),
        length: u.length,
        blob_prefix: u.blobPrefix,
        expires_at: u.expiresAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  findById(id: string): Promise<TusUploadRow | undefined> {
    return this.db.selectFrom('tus_uploads').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Counts `bytes` more, stored in the blob `partKey`, if the upload is still at `fromOffset` and
   * has not expired. When this completes the upload, the caller also takes the assembly lease
   * (until `leaseUntil`). Returns the updated row, or undefined when another request got there
   * first (or the upload is gone).
   */
  advance(id: string, fromOffset: number, bytes: number, partKey: string, now: Date, expiresAt: Date, leaseUntil: Date): Promise<TusUploadRow | undefined> {
    return this.db
      .updateTable('tus_uploads')
      .set({
        offset: sql<number>`"offset" + ${bytes}`,
        parts: sql<number>`parts + 1`,
        part_keys: sql<string>`part_keys || ${JSON.stringify([partKey])}::jsonb`,
        expires_at: expiresAt,
        finalizing_until: sql<Date | null>`case when "offset" + ${bytes} = length then ${leaseUntil}::timestamptz else null end`,
      })
      .where('id', '=', id)
      .where('offset', '=', fromOffset)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * Takes the assembly lease of a complete upload whose lease is free or has lapsed (the request
   * that held it died). Returns the row when this caller now holds it.
   */
  claimAssembly(id: string, now: Date, leaseUntil: Date): Promise<TusUploadRow | undefined> {
    return this.db
      .updateTable('tus_uploads')
      .set({ finalizing_until: leaseUntil })
      .where('id', '=', id)
      .whereRef('offset', '=', 'length')
      .where((eb) => eb.or([eb('finalizing_until', 'is', null), eb('finalizing_until', '<', now)]))
      .returningAll()
      .executeTakeFirst();
  }

  async releaseAssembly(id: string): Promise<void> {
    await this.db.updateTable('tus_uploads').set({ finalizing_until: null }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('tus_uploads').where('id', '=', id).execute();
  }

  /** Removes up to `limit` uploads that expired before `now`; returns them so their blobs can go too. */
  async deleteExpired(now: Date, limit: number): Promise<Array<Pick<TusUploadRow, 'id' | 'blob_prefix'>>> {
    return this.db
      .deleteFrom('tus_uploads')
      .where('id', 'in', (eb) => eb.selectFrom('tus_uploads').select('id').where('expires_at', '<=', now).limit(limit))
      .returning(['id', 'blob_prefix'])
      .execute();
  }
}
