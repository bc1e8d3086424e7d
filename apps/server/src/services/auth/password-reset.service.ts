/**
 * Password reset by mail, on CVAT's endpoints (/api/auth/password/reset and .../confirm).
 *
 * Links carry `uid` (the user id, base64url as Django writes it) and a token that no table
 * stores: `<issued at, base 36 seconds>-<HMAC>` under a key derived from the server secret, over
 * the user's id, password hash, last login and email. Setting a password changes the hash, so a
 * token works once, and any password change or login since the mail voids it; it expires
 * FRAMEWISE_PASSWORD_RESET_TTL_HOURS after it was issued.
 *
 * The request answers alike whether or not the address has an account (no enumeration); the
 * mail goes out through the job queue, so a slow or absent mail server never holds the request.
 * Requests are limited per email address and per client address, in the login throttle's table.
 */
import { timingSafeEqual } from 'node:crypto';
import type { UserRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { LoginThrottleRepository } from '../../repositories/login-throttle.repository.js';
import type { SecretBox } from '../../repositories/secret-box.js';
import type { TokenRepository } from '../../repositories/token.repository.js';
import type { UserRepository } from '../../repositories/user.repository.js';
import type { AuditService } from '../audit.service.js';
import type { MailService } from '../mail/mail.service.js';
import type { AuthService } from './auth.service.js';
import { hashPassword, passwordProblem } from './password.js';

const PURPOSE = 'password-reset';
/** Clocks of instances disagree a little; a token "from the future" beyond this is forged. */
const CLOCK_SKEW_S = 60;

/** Whether an account may get a reset mail: active, with its password here (not LDAP or OIDC), and an address. */
export function resettable(user: UserRow): boolean {
  return user.is_active && user.auth_source === 'local' && user.email.trim() !== '';
}

export class ResetTokens {
  constructor(
    private readonly box: SecretBox | null,
    readonly ttlHours: number,
  ) {}

  /** False on a PostgreSQL deployment without FRAMEWISE_SECRET_KEY: nothing to sign with. */
  get usable(): boolean {
    return this.box !== null;
  }

  static uid(userId: number): string {
    return Buffer.from(String(userId), 'utf8').toString('base64url');
  }

  static userIdOf(uid: string): number | null {
    const text = Buffer.from(uid, 'base64url').toString('utf8');
    return /^[1-9]\d{0,9}$/.test(text) && Number(text) <= 2 ** 31 - 1 ? Number(text) : null;
  }

  /** The token for `user` issued at `issuedAtMs`: the same every time, so a retried mail carries the same link. */
  make(user: UserRow, issuedAtMs: number): string {
    const issued = Math.floor(issuedAtMs / 1000);
    return `${issued.toString(36)}-${this.sign(user, issued).toString('base64url')}`;
  }

  check(user: UserRow, token: string, now = Date.now()): boolean {
    const m = /^([0-9a-z]{1,10})-([\w-]{43})$/.exec(token);
    if (!m || !this.box) return false;
    const issued = parseInt(m[1]!, 36);
    const age = now / 1000 - issued;
    if (age < -CLOCK_SKEW_S || age > this.ttlHours * 3600) return false;
    // Compared as text: base64url's last character carries spare bits, so decoding first would
    // take several spellings of one token.
    const given = Buffer.from(m[2]!, 'utf8');
    const expected = Buffer.from(this.sign(user, issued).toString('base64url'), 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(user: UserRow, issued: number): Buffer {
    if (!this.box) throw new Error('password reset tokens need FRAMEWISE_SECRET_KEY');
    const state = [user.id, user.password_hash, user.last_login?.getTime() ?? null, user.email.toLowerCase(), issued];
    return this.box.mac(PURPOSE, JSON.stringify(state));
  }
}

export interface ResetLimits {
  perEmail: number;
  perAddress: number;
  windowSeconds: number;
}

/** Requests allowed per window (the login throttle's, FRAMEWISE_LOGIN_FAILURE_WINDOW_SECONDS). */
export const RESET_REQUESTS = { perEmail: 5, perAddress: 20 };

export interface ResetConfirmation {
  uid: string;
  token: string;
  new_password1: string;
  new_password2: string;
}

export class PasswordResetService {
  constructor(
    private readonly users: UserRepository,
    private readonly loginTokens: TokenRepository,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly counters: LoginThrottleRepository,
    private readonly tokens: ResetTokens,
    private readonly mail: MailService,
    private readonly limits: ResetLimits,
  ) {}

  /** Queues the mail when the address belongs to an account that may reset; says nothing either way. */
  async request(email: string, address: string): Promise<void> {
    if (!this.mail.enabled) {
      throw new AppError('UNAVAILABLE', 'password reset by mail is not available: this server sends no mail; ask an administrator to set a new password');
    }
    if (!this.tokens.usable) throw new AppError('UNAVAILABLE', 'password reset is not available: FRAMEWISE_SECRET_KEY is not set on this server');
    const normalized = email.trim().toLowerCase();
    await this.count(normalized, address);
    const user = await this.users.findByEmail(normalized);
    if (!user) return;
    const mailed = resettable(user);
    if (mailed) await this.mail.enqueue({ kind: 'password-reset', userId: user.id, issuedAt: Date.now() });
    await this.audit.record({
      action: 'password.reset_requested',
      actor: null,
      user,
      address,
      details: mailed ? { mailed } : { mailed, reason: user.is_active ? `${user.auth_source} account` : 'inactive user' },
    });
  }

  async confirm(input: ResetConfirmation, address: string): Promise<{ revokedSessions: number }> {
    const id = ResetTokens.userIdOf(input.uid);
    const user = id === null ? undefined : await this.users.findById(id);
    if (!user) throw AppError.invalid('uid', 'invalid value; use the link from the mail as it is');
    if (!resettable(user) || !this.tokens.check(user, input.token)) {
      throw AppError.invalid('token', 'this link is invalid, used or expired; ask for a new password reset mail');
    }
    if (input.new_password1 !== input.new_password2) throw AppError.invalid('new_password2', "the two password fields didn't match");
    const problem = passwordProblem(input.new_password1);
    if (problem) throw AppError.invalid('new_password1', problem);
    const changed = await this.users.setPasswordIf(user.id, user.password_hash, await hashPassword(input.new_password1));
    if (!changed) throw AppError.invalid('token', 'this link has just been used; ask for a new password reset mail');
    // As a password change does: every login and session ends; personal access tokens stay.
    const revokedSessions = await this.loginTokens.deleteLoginTokens(user.id);
    this.auth.forgetTokens();
    await this.audit.record({ action: 'password.reset', actor: user, user, address, details: { revoked_sessions: revokedSessions } });
    return { revokedSessions };
  }

  /**
   * Counts a request against the address and the account, whether or not the account exists
   * (else a 429 would tell which exist). Keys apart from the login throttle's, in its table.
   */
  private async count(email: string, address: string): Promise<void> {
    const keys = { email: `reset-email:${email}`, address: `reset-address:${address}` };
    const { windowSeconds } = this.limits;
    const rows = await this.counters.current([keys.email, keys.address], windowSeconds);
    let wait = 0;
    for (const row of rows) {
      const limit = row.key === keys.email ? this.limits.perEmail : this.limits.perAddress;
      if (row.failures < limit) continue;
      wait = Math.max(wait, Math.ceil((row.window_start.getTime() + windowSeconds * 1000 - Date.now()) / 1000));
    }
    if (wait > 0) {
      throw new AppError('TOO_MANY_REQUESTS', `too many password reset requests; try again in ${wait} seconds`, [], { retry_after: wait });
    }
    await this.counters.fail([keys.email, keys.address], windowSeconds);
  }
}
