import { AppError } from '../../errors.js';
import type { UserRow } from '../../db/schema.js';
import type { TokenRepository } from '../../repositories/token.repository.js';
import type { UserRepository } from '../../repositories/user.repository.js';
import type { Auth } from './auth.js';
import { verifyPassword } from './password.js';
import { newTokenKey, tokenHash } from './tokens.js';

function toAuth(user: UserRow, tokenId: number | null, via: Auth['via']): Auth {
  return {
    user: { id: user.id, username: user.username, isSuperuser: user.is_superuser, isStaff: user.is_staff },
    tokenId,
    via,
  };
}

/**
 * A token's user is remembered this long, so a browser streaming frames (tens of requests a
 * second) does not look its token up on every one; on embedded PGlite that lookup is the largest
 * fixed cost of a cached frame. Logging out forgets at once on this instance; a token revoked or
 * a user deactivated elsewhere stops working within this delay.
 */
const TOKEN_CACHE_MS = 2000;
const TOKEN_CACHE_MAX = 10_000;

export class AuthService {
  private readonly recent = new Map<string, { auth: Auth; until: number }>();

  constructor(
    private readonly users: UserRepository,
    private readonly tokens: TokenRepository,
  ) {}

  /** Checks credentials; one message for unknown user and wrong password so neither can be probed. */
  private async checkCredentials(login: string, password: string): Promise<UserRow> {
    const user = login.includes('@')
      ? ((await this.users.findByUsername(login)) ?? (await this.users.findByEmail(login)))
      : await this.users.findByUsername(login);
    const ok = await verifyPassword(password, user?.password_hash ?? null);
    if (!user || !ok || !user.is_active) {
      throw new AppError('INVALID_CREDENTIALS', 'unable to log in with provided credentials');
    }
    return user;
  }

  async login(input: { username?: string; email?: string; password: string }): Promise<{ key: string; auth: Auth }> {
    const login = input.username || input.email;
    if (!login) throw AppError.invalid('username', 'username or email is required');
    const user = await this.checkCredentials(login, input.password);
    const key = newTokenKey();
    const tokenId = await this.tokens.create(user.id, tokenHash(key), 'login');
    await this.users.update(user.id, { last_login: new Date() });
    return { key, auth: toAuth(user, tokenId, 'token') };
  }

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
    if (!found) {
      this.recent.delete(cacheKey);
      return null;
    }
    const auth = toAuth(found.user, found.tokenId, via);
    if (this.recent.size >= TOKEN_CACHE_MAX) this.recent.clear();
    this.recent.set(cacheKey, { auth, until: now + TOKEN_CACHE_MS });
    return auth;
  }

  async authenticateBasic(username: string, password: string): Promise<Auth> {
    const user = await this.checkCredentials(username, password);
    return toAuth(user, null, 'basic');
  }
}
