/**
 * Login throttling per account and per client address. Counters live in the database
 * (repositories/login-throttle.repository.ts) so that every instance enforces one limit.
 * The account counter counts names that do not exist too: otherwise the 429 would tell an
 * attacker which usernames are real. A successful login clears its account's counter; the
 * address counter runs out its window, so one valid account cannot launder guesses at others.
 */
import { AppError } from '../../errors.js';
import type { LoginThrottleRepository } from '../../repositories/login-throttle.repository.js';

export interface ThrottleLimits {
  perAccount: number;
  perAddress: number;
  windowSeconds: number;
}

/** The 429 a throttled login gets; `retry_after` (seconds) is also sent as the Retry-After header. */
export function tooManyAttempts(retryAfter: number): AppError {
  return new AppError(
    'TOO_MANY_REQUESTS',
    `too many failed login attempts; try again in ${retryAfter} seconds`,
    [],
    { retry_after: retryAfter },
  );
}

const accountKey = (login: string) => `account:${login.trim().toLowerCase()}`;
const addressKey = (address: string) => `address:${address}`;

export class LoginThrottle {
  private failuresSinceSweep = 0;

  constructor(
    private readonly repo: LoginThrottleRepository,
    private readonly limits: ThrottleLimits,
  ) {}

  /**
   * Throws 429 when either the account or the address has used up its failures; otherwise
   * tells whether the account has failures to clear on success (so most logins write nothing).
   */
  async check(login: string, address: string): Promise<{ accountFailures: boolean }> {
    const rows = await this.repo.current([accountKey(login), addressKey(address)], this.limits.windowSeconds);
    let wait = 0;
    for (const row of rows) {
      const limit = row.key.startsWith('account:') ? this.limits.perAccount : this.limits.perAddress;
      if (row.failures < limit) continue;
      const ends = row.window_start.getTime() + this.limits.windowSeconds * 1000;
      wait = Math.max(wait, Math.ceil((ends - Date.now()) / 1000));
    }
    if (wait > 0) throw tooManyAttempts(wait);
    return { accountFailures: rows.some((r) => r.key.startsWith('account:')) };
  }

  async fail(login: string, address: string): Promise<void> {
    await this.repo.fail([accountKey(login), addressKey(address)], this.limits.windowSeconds);
    // Old windows are dropped now and then rather than on every failure.
    if (++this.failuresSinceSweep >= 100) {
      this.failuresSinceSweep = 0;
      await this.repo.sweep(this.limits.windowSeconds);
    }
  }

  async succeed(login: string): Promise<void> {
    await this.repo.reset(accountKey(login));
  }
}
