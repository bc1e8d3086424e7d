import type { Db } from '../db/database.js';
import type { UserRow } from '../db/schema.js';

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
  async findUser(keyHash: string): Promise<{ tokenId: number; user: UserRow } | undefined> {
    const row = await this.db
      .selectFrom('auth_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .selectAll('u')
      .select('t.id as token_id')
      .where('t.key_hash', '=', keyHash)
      .where('u.is_active', '=', true)
      .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', new Date())]))
      .executeTakeFirst();
    if (!row) return undefined;
    const { token_id, ...user } = row;
    return { tokenId: token_id, user };
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('auth_tokens').where('id', '=', id).execute();
  }
}
