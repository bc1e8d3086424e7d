/**
 * How a save makes sure the rows it inserts point at labels, users, jobs and parents that exist.
 *
 * On PostgreSQL the foreign keys check every row, as they must with concurrent sessions. PGlite
 * is one session: nothing can delete a label or a user between a check made inside the save's
 * transaction and its commit. There the labels the rows use and the stamping user are checked
 * once, and per-row foreign-key triggers are off while the rows go in: in WASM they cost three
 * quarters of an insert (measured 100k shapes: 5.6-6.0 s with them, 1.5-1.9 s without). Jobs are
 * locked by the save and parents are written by it. The triggers are back on before anything
 * else runs in the transaction, since deletes rely on them to cascade.
 */
import { sql, type Transaction } from 'kysely';
import type { LabeledShape, LabeledTag, LabeledTrack } from '@framewise/core';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../errors.js';

type Trx = Transaction<DB>;

export interface WrittenObjects {
  tags: readonly LabeledTag[];
  shapes: readonly LabeledShape[];
  tracks: readonly LabeledTrack[];
}

function labelIds(data: WrittenObjects): number[] {
  const ids = new Set<number>();
  for (const t of data.tags) ids.add(t.label_id);
  for (const s of data.shapes) {
    ids.add(s.label_id);
    for (const e of s.elements) ids.add(e.label_id);
  }
  for (const t of data.tracks) {
    ids.add(t.label_id);
    for (const e of t.elements) ids.add(e.label_id);
  }
  return [...ids];
}

export class ReferenceChecks {
  /** `once`: PGlite (see above); `per-row`: PostgreSQL's own foreign-key checks. */
  constructor(private readonly mode: 'once' | 'per-row') {}

  /** Runs `insert` (which writes `data` stamped by `userId`) with the references checked. */
  async inserting<T>(trx: Trx, data: WrittenObjects, userId: number, insert: () => Promise<T>): Promise<T> {
    if (this.mode === 'per-row' || data.tags.length + data.shapes.length + data.tracks.length === 0) return insert();
    const ids = labelIds(data);
    const found = ids.length ? await trx.selectFrom('labels').select('id').where('id', 'in', ids).execute() : [];
    if (found.length !== ids.length) {
      const missing = ids.filter((id) => !found.some((f) => f.id === id));
      throw new AppError('CONFLICT', `label ${missing.join(', ')} no longer exists (deleted meanwhile); reload the labels and save again`);
    }
    if (!(await trx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst())) {
      throw new AppError('CONFLICT', `user ${userId} no longer exists`);
    }
    await sql`set local session_replication_role = replica`.execute(trx);
    const out = await insert();
    // Not in a finally: after a failed statement the transaction is aborted and rolls back anyway.
    await sql`set local session_replication_role = origin`.execute(trx);
    return out;
  }
}
