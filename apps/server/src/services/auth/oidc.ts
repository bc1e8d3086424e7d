/**
 * OpenID Connect single sign-on: authorization code flow with PKCE, state and nonce, through
 * `openid-client`. The ID token is validated by the library (issuer, audience, signature,
 * expiry, nonce); claims from it and from the userinfo endpoint become the local account.
 */
import * as client from 'openid-client';
import type { OidcConfig } from '../../config/env.js';
import type { UserRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { TokenRepository } from '../../repositories/token.repository.js';
import type { UserRepository } from '../../repositories/user.repository.js';
import type { SsoLoginStore } from './sso-login-store.js';
import type { ExternalUsers } from './sso-users.js';
import { OIDC_CALLBACK_PATH } from './sso.js';
import { newTokenKey, tokenHash } from './tokens.js';


/**
 * Where to send the browser after login: only a path on this site. Anything with a scheme, a
 * host (`//evil.example`), a backslash (browsers read `/\evil` as `//evil`) or a control
 * character is refused, so the login cannot be used as an open redirect.
 */
export function safeNextPath(next: string | undefined): string | null {
  if (next === undefined || next === '') return '/';
  if (!next.startsWith('/') || next.startsWith('//') || /[\\\x00-\x1f\x7f]/.test(next)) return null;
  const probe = new URL(next, 'http://framewise.invalid');
  if (probe.origin !== 'http://framewise.invalid') return null;
  return `${probe.pathname}${probe.search}${probe.hash}`;
}

/** Loopback issuers (a provider started by tests or on the same host) may speak plain HTTP. */
function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

function stringClaim(claims: Record<string, unknown>, name: string): string {
  const v = claims[name];
  return typeof v === 'string' ? v : '';
}

export class OidcLogin {
  private discovered: Promise<client.Configuration> | null = null;

  constructor(
    readonly config: OidcConfig,
    private readonly store: SsoLoginStore,
    private readonly externalUsers: ExternalUsers,
    private readonly users: UserRepository,
    private readonly tokens: TokenRepository,
  ) {}

  /** The provider's metadata, fetched once per process; a failed fetch is retried next time. */
  private provider(): Promise<client.Configuration> {
    if (!this.discovered) {
      const issuer = new URL(this.config.issuer);
      const auth = this.config.clientSecret ? client.ClientSecretPost(this.config.clientSecret) : client.None();
      this.discovered = client
        .discovery(issuer, this.config.clientId, undefined, auth, isLoopback(issuer) ? { execute: [client.allowInsecureRequests] } : undefined)
        .catch((e: unknown) => {
          this.discovered = null;
          throw new AppError('UNAVAILABLE', `the OpenID provider cannot be reached: ${e instanceof Error ? e.message : String(e)}`);
        });
    }
    return this.discovered;
  }

  /** Starts a login: remembers state, nonce and PKCE verifier, and returns the provider's URL. */
  async start(next: string | undefined, origin: string): Promise<{ url: string; state: string }> {
    const nextPath = safeNextPath(next);
    if (nextPath === null) throw AppError.invalid('next', 'must be a path on this site, such as /tasks');
    const config = await this.provider();
    const redirectUri = this.config.redirectUrl ?? `${origin}${OIDC_CALLBACK_PATH}`;
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    await this.store.put({ state, nonce, code_verifier: codeVerifier, redirect_uri: redirectUri, next_path: nextPath });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.config.scopes,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, state };
  }

  /**
   * Completes a login from the provider's callback. `browserState` is the state cookie set by
   * start(): a callback carrying another browser's state (login CSRF) is refused.
   */
  async finish(query: string, browserState: string | undefined): Promise<{ key: string; next: string; user: UserRow }> {
    const params = new URLSearchParams(query);
    const state = params.get('state') ?? '';
    if (!state || state !== browserState) {
      throw new AppError('BAD_REQUEST', 'state: the login was not started in this browser; start it again', [
        { field: 'state', message: 'does not match this browser' },
      ]);
    }
    const pending = await this.store.take(state);
    if (!pending) {
      throw new AppError('BAD_REQUEST', 'state: unknown or expired login; start it again', [{ field: 'state', message: 'unknown or expired' }]);
    }
    const config = await this.provider();
    const callbackUrl = new URL(pending.redirect_uri);
    callbackUrl.search = params.toString();

    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.code_verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      claims = { ...idClaims };
      // Many providers put profile claims only in userinfo; the ID token's subject binds them.
      if (config.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        claims = { ...info, ...idClaims };
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('UNAUTHENTICATED', `single sign-on failed: ${e instanceof Error ? e.message : String(e)}`);
    }

    const user = await this.syncUser(claims);
    const key = newTokenKey();
    await this.tokens.create(user.id, tokenHash(key), 'login');
    await this.users.update(user.id, { last_login: new Date() });
    return { key, next: pending.next_path, user };
  }

  private async syncUser(claims: Record<string, unknown>): Promise<UserRow> {
    const c = this.config;
    const username = stringClaim(claims, c.usernameClaim);
    if (!username) throw new AppError('FORBIDDEN', `the OpenID provider sent no "${c.usernameClaim}" claim to name the user`);
    const groupsClaim = claims[c.groupsClaim];
    const groups = Array.isArray(groupsClaim) ? groupsClaim.filter((g): g is string => typeof g === 'string') : [];
    const user = await this.externalUsers.sync(
      {
        source: 'oidc',
        externalId: `${stringClaim(claims, 'iss')}|${stringClaim(claims, 'sub')}`,
        username,
        email: stringClaim(claims, 'email'),
        firstName: stringClaim(claims, 'given_name'),
        lastName: stringClaim(claims, 'family_name'),
        groups,
      },
      c.groupRules,
    );
    if (!user) {
      throw new AppError('CONFLICT', `a user named "${username}" already exists and does not sign in through ${c.displayName}`, [
        { field: c.usernameClaim, message: 'already taken by another account' },
      ]);
    }
    if (!user.is_active) throw new AppError('FORBIDDEN', 'this account is deactivated');
    return user;
  }
}
