import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { AuthTokenRow, UserRow } from '../db/schema.js';

export interface FoundToken {
  token: Pick<AuthTokenRow, 'id' | 'kind' | 'read_only' | 'expires_at' | 'last_used_at'>;
  user: UserRow;
}

export interface NewAccessToken {
  userId: number;
  keyHash: string;
  name: string;
  expiresAt: Date | null;
  readOnly: boolean;
}

export class TokenRepository {
  constructor(private readonly db: Db) {}

  async create(userId: number, keyHash: string, kind: 'login' | 'session'): Promise<number> {
    const row = await this.db
      .insertInto('auth_tokens')
      .values({ user_id: userId, key_hash: keyHash, kind })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** The active user a token belongs to, or undefined for unknown, expired or inactive. */
  async findUser(keyHash: string): Promise<FoundToken | undefined> {
    const row = await this.db
      .selectFrom('auth_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .selectAll('u')
      .select(['t.id as token_id', 't.kind as token_kind', 't.read_only as token_read_only', 't.expires_at as token_expires_at', 't.last_used_at as token_last_used_at'])
      .where('t.key_hash', '=', keyHash)
      .where('u.is_active', '=', true)
      .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', new Date())]))
      .executeTakeFirst();
    if (!row) return undefined;
    const { token_id, token_kind, token_read_only, token_expires_at, token_last_used_at, ...user } = row;
    return {
      token: { id: token_id, kind: token_kind, read_only: token_read_only, expires_at: token_expires_at, last_used_at: token_last_used_at },
      user,
    };
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('auth_tokens').where('id', '=', id).execute();
  }

  /** Ends every login token and session of a user except `keepId` (the one making the request). */
  async deleteLoginTokens(userId: number, keepId: number | null = null): Promise<number> {
    let q = this.db.deleteFrom('auth_tokens').where('user_id', '=', userId).where('kind', 'in', ['login', 'session']);
    if (keepId !== null) q = q.where('id', '<>', keepId);
    const res = await q.executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /**
   * Records a use; the condition makes concurrent instances write at most once per interval,
   * so a busy token costs one write a minute, not one per request.
   */
  async touch(id: number, intervalSeconds: number): Promise<void> {
    await this.db
      .updateTable('auth_tokens')
      .set({ last_used_at: sql`now()` })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - make_interval(secs => ${intervalSeconds})`)]),
      )
      .execute();
  }

  createAccess(t: NewAccessToken): Promise<AuthTokenRow> {
    return this.db
      .insertInto('auth_tokens')
      .values({ user_id: t.userId, key_hash: t.keyHash, kind: 'access', name: t.name, expires_at: t.expiresAt, read_only: t.readOnly })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** A user's personal access tokens with their owner, as a base query for list pages. */
  accessQuery(userId: number) {
    return this.db
      .selectFrom('auth_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select([
        't.id', 't.name', 't.created_at', 't.updated_at', 't.expires_at', 't.last_used_at', 't.read_only',
        'u.id as owner_id', 'u.username as owner_username', 'u.first_name as owner_first_name', 'u.last_name as owner_last_name',
      ])
      .where('t.user_id', '=', userId)
      .where('t.kind', '=', 'access');
  }

  findAccess(userId: number, id: number) {
    return this.accessQuery(userId).where('t.id', '=', id).executeTakeFirst();
  }

  async updateAccess(id: number, values: { name?: string; expires_at?: Date | null; read_only?: boolean }): Promise<void> {
    await this.db.updateTable('auth_tokens').set({ ...values, updated_at: sql`now()` }).where('id', '=', id).where('kind', '=', 'access').execute();
  }
}

export type AccessTokenListRow = NonNullable<Awaited<ReturnType<TokenRepository['findAccess']>>>;
