import { AppError } from '../../errors.js';
import type { UserRow } from '../../db/schema.js';
import type { FoundToken, TokenRepository } from '../../repositories/token.repository.js';
import type { UserRepository } from '../../repositories/user.repository.js';
import type { AuditService } from '../audit.service.js';
import type { Auth } from './auth.js';
import { verifyPassword } from './password.js';
import type { LdapLogin } from './ldap.js';
import type { LoginThrottle } from './rate-limit.js';
import { newTokenKey, tokenHash } from './tokens.js';

function toAuth(user: UserRow, found: FoundToken['token'] | null, via: Auth['via']): Auth {
  const auth: Auth = {
    user: { id: user.id, username: user.username, isSuperuser: user.is_superuser, isStaff: user.is_staff },
    tokenId: found && found.kind !== 'access' ? found.id : null,
    via,
  };
  if (found?.kind === 'access') auth.accessToken = { id: found.id, readOnly: found.read_only };
  return auth;
}

/**
 * A token's user is remembered this long, so a browser streaming frames (tens of requests a
 * second) does not look its token up on every one; on embedded PGlite that lookup is the largest
 * fixed cost of a cached frame. Logging out forgets at once on this instance; a token revoked or
 * a user deactivated elsewhere stops working within this delay.
 */
const TOKEN_CACHE_MS = 2000;
const TOKEN_CACHE_MAX = 10_000;
/** last_used_date of an access token is written at most this often (CVAT promises a day). */
const TOUCH_INTERVAL_S = 60;

export class AuthService {
  private readonly recent = new Map<string, { auth: Auth; until: number }>();

  constructor(
    private readonly users: UserRepository,
    private readonly tokens: TokenRepository,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditService,
    private readonly ldap: LdapLogin | null = null,
  ) {}

  /**
   * Checks credentials under the login throttle; one message for unknown user, wrong password and
   * deactivated account so none can be probed. Failures are counted and audited.
   */
  private async checkCredentials(login: string, password: string, address: string): Promise<UserRow> {
    const { accountFailures } = await this.throttle.check(login, address);
    let user = login.includes('@')
      ? ((await this.users.findByUsername(login)) ?? (await this.users.findByEmail(login)))
      : await this.users.findByUsername(login);
    // Directory users, and names no local account holds, are checked by the directory (LDAP on).
    const synced = this.ldap?.handles(user) ? await this.ldap.login(login, password, user) : undefined;
    if (synced) user = synced;
    const ok = synced !== undefined ? synced !== null : await verifyPassword(password, user?.password_hash ?? null);
    if (!user || !ok || !user.is_active) {
      await this.throttle.fail(login, address);
      await this.audit.record({
        action: 'login.failed',
        user: { id: user?.id ?? null, username: user?.username ?? login },
        address,
        details: { reason: !user ? 'unknown user' : !ok ? 'wrong password' : 'inactive user' },
      });
      throw new AppError('INVALID_CREDENTIALS', 'unable to log in with provided credentials');
    }
    if (accountFailures) await this.throttle.succeed(login);
    return user;
  }

  /**
   * Checks a signed-in user's current password (password change) under the same throttle as
   * logins: a stolen session must not become a way to guess the password.
   */
  async checkOwnPassword(username: string, userId: number, password: string, address: string): Promise<boolean> {
    await this.throttle.check(username, address);
    const user = await this.users.findById(userId);
    const ok = await verifyPassword(password, user?.password_hash ?? null);
    if (!ok) await this.throttle.fail(username, address);
    return ok;
  }

  async login(input: { username?: string; email?: string; password: string }, address = ''): Promise<{ key: string; auth: Auth }> {
    const login = input.username || input.email;
    if (!login) throw AppError.invalid('username', 'username or email is required');
    const user = await this.checkCredentials(login, input.password, address);
    const key = newTokenKey();
    const tokenId = await this.tokens.create(user.id, tokenHash(key), 'login');
    await this.users.update(user.id, { last_login: new Date() });
    await this.audit.record({ action: 'login', actor: user, user, address });
    return { key, auth: toAuth(user, { id: tokenId, kind: 'login', read_only: false, expires_at: null, last_used_at: null }, 'token') };
  }

  /** Revokes the login token or session used; a personal access token is revoked only through its endpoint. */
  async logout(auth: Auth): Promise<void> {
    if (auth.tokenId !== null) await this.tokens.delete(auth.tokenId);
    this.forgetTokens();
  }

  /** Drops remembered token lookups (after logouts and changes to users). */
  forgetTokens(): void {
    this.recent.clear();
  }

  async authenticateToken(key: string, via: 'token' | 'session'): Promise<Auth | null> {
    const hash = tokenHash(key);
    const cacheKey = `${via}:${hash}`;
    const now = Date.now();
    const hit = this.recent.get(cacheKey);
    if (hit && hit.until > now) return hit.auth;
    const found = await this.tokens.findUser(hash);
    // A browser session is a login, never a personal access token planted in a cookie.
    if (!found || (via === 'session' && found.token.kind === 'access')) {
      this.recent.delete(cacheKey);
      return null;
    }
    const auth = toAuth(found.user, found.token, via);
    if (found.token.kind === 'access') this.touch(found.token);
    if (this.recent.size >= TOKEN_CACHE_MAX) this.recent.clear();
    // An expiring token is never remembered past its expiry.
    const until = Math.min(now + TOKEN_CACHE_MS, found.token.expires_at?.getTime() ?? Infinity);
    this.recent.set(cacheKey, { auth, until });
    return auth;
  }

  private touch(token: FoundToken['token']): void {
    const last = token.last_used_at?.getTime() ?? 0;
    if (Date.now() - last < TOUCH_INTERVAL_S * 1000) return;
    // Off the request's path: a failed bookkeeping write must not fail the request.
    void this.tokens.touch(token.id, TOUCH_INTERVAL_S).catch(() => {});
  }

  async authenticateBasic(username: string, password: string, address = ''): Promise<Auth> {
    const user = await this.checkCredentials(username, password, address);
    return toAuth(user, null, 'basic');
  }
}
