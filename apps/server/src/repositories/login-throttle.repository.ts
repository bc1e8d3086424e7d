import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * Fixed-window failure counters, one row per key, in the database so every instance behind a
 * load balancer counts the same failures.
 */
export class LoginThrottleRepository {
  constructor(private readonly db: Db) {}

  /** Current windows of these keys still open (started less than windowSeconds ago). */
  async current(keys: string[], windowSeconds: number): Promise<Array<{ key: string; failures: number; window_start: Date }>> {
    return this.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('key', 'in', keys)
      .where('window_start', '>', sql<Date>`now() - make_interval(secs => ${windowSeconds})`)
      .execute();
  }

  /** Counts one failure for each key in one statement, opening a new window where the old one ended. */
  async fail(keys: string[], windowSeconds: number): Promise<void> {
    const expired = sql`login_throttle.window_start <= now() - make_interval(secs => ${windowSeconds})`;
    await this.db
      .insertInto('login_throttle')
      .values(keys.map((key) => ({ key, failures: 1, window_start: sql<Date>`now()` })))
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql`case when ${expired} then 1 else login_throttle.failures + 1 end`,
          window_start: sql`case when ${expired} then now() else login_throttle.window_start end`,
        }),
      )
      .execute();
  }

  async reset(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }

  /** Drops counters whose window has passed, so the table holds only recent attackers. */
  async sweep(windowSeconds: number): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('window_start', '<=', sql<Date>`now() - make_interval(secs => ${windowSeconds})`).execute();
  }
}
