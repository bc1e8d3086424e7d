/**
 * OIDC logins in flight, between the redirect to the provider and its callback. In the database
 * rather than in process memory: behind a load balancer the callback may reach another instance.
 * A row is taken (deleted) by the callback that uses it, so a state works once.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { SsoLoginsTable } from '../../db/schema.js';

export type PendingSsoLogin = Omit<SsoLoginsTable, 'expires_at'>;

export class SsoLoginStore {
  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
  ) {}

  async put(login: PendingSsoLogin): Promise<void> {
    // Abandoned logins (the user closed the provider's page) are swept by later ones.
    await this.db.deleteFrom('sso_logins').where('expires_at', '<', new Date()).execute();
    await this.db
      .insertInto('sso_logins')
      .values({ ...login, expires_at: new Date(Date.now() + this.ttlMs) })
      .execute();
  }

  async take(state: string): Promise<PendingSsoLogin | undefined> {
    const row = await this.db
      .deleteFrom('sso_logins')
      .where('state', '=', state)
      .returning(['state', 'nonce', 'code_verifier', 'redirect_uri', 'next_path', sql<boolean>`expires_at > now()`.as('live')])
      .executeTakeFirst();
    if (!row?.live) return undefined;
    const { live: _live, ...login } = row;
    return login;
  }
}
