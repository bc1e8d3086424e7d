/**
 * How a save makes sure the rows it inserts point at labels, users, jobs and parents that exist.
 *
 * Per-row foreign-key triggers cost three quarters of a large insert (1M shapes: PostgreSQL
 * 17.9 s with them, 4.4 s without; PGlite 100k: 5.6-6.0 s, 1.5-1.9 s). So where the session may
 * switch them off (PGlite, one session; PostgreSQL as a superuser or a role granted SET on
 * session_replication_role) a save checks the labels its rows use and the stamping user once,
 * taking the same FOR KEY SHARE row locks the triggers would take: a concurrent delete of one of
 * them waits for the save's commit and then cascades to its rows, and one deleted before makes
 * the check fail. The job is locked by the save and parents are written by it. The triggers are
 * back on before anything else runs in the transaction, since deletes rely on them to cascade.
 * Elsewhere (a plain PostgreSQL role) the foreign keys check every row.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
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
  /** `once`: checked once per save (see above); `per-row`: the foreign keys' own checks. */
  constructor(private readonly mode: 'once' | 'per-row') {}

  /** The mode a database allows: `once` where the session may turn per-row triggers off. */
  static async modeFor(db: Kysely<DB>, driver: 'pglite' | 'postgres'): Promise<'once' | 'per-row'> {
    if (driver === 'pglite') return 'once';
    const { rows } = await sql<{ allowed: boolean }>`
      select current_setting('is_superuser') = 'on'
        or (current_setting('server_version_num')::int >= 150000
            and has_parameter_privilege('session_replication_role', 'SET')) as allowed`.execute(db);
    return rows[0]?.allowed ? 'once' : 'per-row';
  }

  /** Runs `insert` (which writes `data` stamped by `userId`) with the references checked. */
  async inserting<T>(trx: Trx, data: WrittenObjects, userId: number, insert: () => Promise<T>): Promise<T> {
    if (this.mode === 'per-row' || data.tags.length + data.shapes.length + data.tracks.length === 0) return insert();
    const ids = labelIds(data);
    const found = ids.length ? await trx.selectFrom('labels').select('id').where('id', 'in', ids).forKeyShare().execute() : [];
    if (found.length !== ids.length) {
      const missing = ids.filter((id) => !found.some((f) => f.id === id));
      throw new AppError('CONFLICT', `label ${missing.join(', ')} no longer exists (deleted meanwhile); reload the labels and save again`);
    }
    if (!(await trx.selectFrom('users').select('id').where('id', '=', userId).forKeyShare().executeTakeFirst())) {
      throw new AppError('CONFLICT', `user ${userId} no longer exists`);
    }
    await sql`set local session_replication_role = replica`.execute(trx);
    const out = await insert();
    // Not in a finally: after a failed statement the transaction is aborted and rolls back anyway.
    await sql`set local session_replication_role = origin`.execute(trx);
    return out;
  }
}
