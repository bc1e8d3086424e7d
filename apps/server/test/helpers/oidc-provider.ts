/**
 * A real OpenID Connect provider for tests: the `oidc-provider` package (the certified
 * implementation behind many production IdPs) on a random loopback port, with one confidential
 * client and a few accounts. Its development login and consent pages are real HTML forms, which
 * tests submit as a browser would; the login form accepts any password for a known account.
 *
 * The port is taken before the provider exists: the server under test needs the issuer URL at
 * boot, and the provider needs that server's callback URL for its client.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

export interface OidcTestAccount {
  sub: string;
  preferred_username: string;
  email?: string;
  given_name?: string;
  family_name?: string;
  groups?: string[];
}

export interface OidcProviderHandle {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Creates the provider, with a client allowed to return to these URLs. */
  start(redirectUris: string[]): void;
  /** Replaces an account's claims, as an administrator of the provider would. */
  setAccount(account: OidcTestAccount): void;
  stop(): Promise<void>;
}

export async function startOidcProvider(accounts: OidcTestAccount[]): Promise<OidcProviderHandle> {
  const byLogin = new Map(accounts.map((a) => [a.sub, a]));
  let handler: http.RequestListener | null = null;
  const server = http.createServer((req, res) => {
    if (handler) return handler(req, res);
    res.statusCode = 503;
    res.end('provider not started');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'framewise-test';
  const clientSecret = 'framewise-test-secret-that-is-long-enough';

  return {
    issuer,
    clientId,
    clientSecret,
    start(redirectUris) {
      const configuration: Configuration = {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: redirectUris,
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_post',
          },
        ],
        scopes: ['openid', 'profile', 'email', 'groups'],
        claims: {
          openid: ['sub'],
          profile: ['preferred_username', 'given_name', 'family_name'],
          email: ['email'],
          groups: ['groups'],
        },
        async findAccount(_ctx, sub) {
          const account = byLogin.get(sub);
          if (!account) return undefined;
          return { accountId: sub, claims: async () => ({ ...byLogin.get(sub)! }) };
        },
        pkce: { required: () => true },
        features: { devInteractions: { enabled: true } },
        cookies: { keys: ['test-cookie-signing-key'] },
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
      };
      const provider = new Provider(issuer, configuration);
      // The provider warns at length about development-only settings; the test knows.
      provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider: ${err.stack ?? err}\n`));
      handler = provider.callback();
    },
    setAccount(account) {
      byLogin.set(account.sub, account);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
