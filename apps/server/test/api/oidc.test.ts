/**
 * OpenID Connect single sign-on against a real provider (oidc-provider on loopback), driven
 * like a browser: redirects followed by hand, cookies kept, the provider's login and consent
 * forms submitted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { startOidcProvider, type OidcProviderHandle } from '../helpers/oidc-provider.js';

let idp: OidcProviderHandle;
let s: TestServer;

beforeAll(async () => {
  idp = await startOidcProvider([
    {
      sub: 'u-100',
      preferred_username: 'olivia',
      email: 'olivia@example.org',
      given_name: 'Olivia',
      family_name: 'Oidc',
      groups: ['staff', 'framewise-admins'],
    },
    { sub: 'u-200', preferred_username: 'peter', email: 'peter@example.org', given_name: 'Peter', family_name: 'Pan', groups: ['staff'] },
    { sub: 'u-300', preferred_username: 'admin', email: 'evil@example.org' },
    { sub: 'u-400', preferred_username: 'quinn', email: 'quinn@example.org', groups: ['acme-labelers'] },
  ]);
  s = await startTestServer({
    workers: false,
    env: {
      FRAMEWISE_OIDC_ISSUER: idp.issuer,
      FRAMEWISE_OIDC_CLIENT_ID: idp.clientId,
      FRAMEWISE_OIDC_CLIENT_SECRET: idp.clientSecret,
      FRAMEWISE_OIDC_SCOPES: 'openid profile email groups',
      FRAMEWISE_OIDC_ADMIN_GROUPS: 'framewise-admins',
      FRAMEWISE_OIDC_ORG_ROLES: 'acme-labelers => acme:worker; acme-leads => acme:supervisor',
      FRAMEWISE_OIDC_DISPLAY_NAME: 'Example SSO',
    },
  });
  idp.start([`${s.url}/api/auth/oidc/callback`]);
}, 60_000);

afterAll(async () => {
  await s?.close();
  await idp?.stop();
});

/**
 * Just enough of a browser: one cookie jar for 127.0.0.1 (browsers do not separate cookies by
 * port), honouring Path and deletion, and manual redirects so each hop can be inspected.
 */
class Browser {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  cookie(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  setCookie(name: string, value: string, path = '/'): void {
    this.cookies.set(name, { value, path });
  }

  async fetch(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    const sent = [...this.cookies]
      .filter(([, c]) => target.pathname === c.path || target.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([n, c]) => `${n}=${c.value}`);
    if (sent.length) headers.cookie = sent.join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(target, { method: init.method ?? 'GET', headers, redirect: 'manual', ...(body ? { body } : {}) });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) || '/';
      const expired =
        attrs.some((a) => /^max-age=(0|-)/i.test(a)) ||
        attrs.some((a) => a.toLowerCase().startsWith('expires=') && Date.parse(a.slice(8)) < Date.now());
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
    return res;
  }

  /**
   * Follows redirects from `url`, submitting the provider's forms (login, then consent) on
   * the way, until a response that is not a redirect or a redirect to `stopAt`.
   */
  async signIn(url: string, login: string, stopAt: string): Promise<{ res: Response; location: string | null }> {
    let next: { url: string; method?: string; form?: Record<string, string> } = { url };
    for (let hop = 0; hop < 20; hop++) {
      if (next.url.startsWith(stopAt)) return { res: await this.fetch(next.url), location: next.url };
      const res = await this.fetch(next.url, next);
      const location = res.headers.get('location');
      if (location) {
        next = { url: new URL(location, next.url).href };
        continue;
      }
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (res.status !== 200 || !action) throw new Error(`stuck at ${next.url}: ${res.status} ${html.slice(0, 500)}`);
      const form: Record<string, string> = {};
      for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) form[m[1]!] = m[2]!;
      if (html.includes('name="login"')) Object.assign(form, { login, password: 'any password' });
      next = { url: new URL(action.replace(/&amp;/g, '&'), next.url).href, method: 'POST', form };
    }
    throw new Error('too many redirects');
  }
}

async function ssoLogin(login: string, nextPath = '/tasks') {
  const browser = new Browser();
  const start = await browser.fetch(`${s.url}/api/auth/oidc/login?next=${encodeURIComponent(nextPath)}`);
  expect(start.status).toBe(302);
  const toProvider = start.headers.get('location')!;
  expect(toProvider.startsWith(idp.issuer)).toBe(true);
  const { res, location } = await browser.signIn(toProvider, login, `${s.url}/api/auth/oidc/callback`);
  return { browser, start: new URL(toProvider), callback: location, res };
}

describe('OIDC single sign-on', () => {
  it('lists the SSO method for the login page', async () => {
    const res = await s.client().get('/api/auth/methods');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ password: true, ldap: false, oidc: { name: 'Example SSO', login_url: '/api/auth/oidc/login' } });
  });

  it('sends the browser to the provider with PKCE, state and nonce', async () => {
    const { start } = await ssoLogin('u-200');
    expect(start.searchParams.get('code_challenge_method')).toBe('S256');
    expect(start.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(start.searchParams.get('state')).toBeTruthy();
    expect(start.searchParams.get('nonce')).toBeTruthy();
    expect(start.searchParams.get('redirect_uri')).toBe(`${s.url}/api/auth/oidc/callback`);
  });

  it('logs a provider user in with a session cookie and redirects to next', async () => {
    const { browser, res } = await ssoLogin('u-100', '/tasks?page=2');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/tasks?page=2');
    const session = browser.cookie('sessionid');
    expect(session).toMatch(/^[0-9a-f]{40}$/);
    expect(browser.cookie('csrftoken')).toBeTruthy();

    const me = await browser.fetch(`${s.url}/api/users/self`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      username: 'olivia',
      email: 'olivia@example.org',
      first_name: 'Olivia',
      last_name: 'Oidc',
      is_superuser: true,
    });
    const row = await s.ctx.repos.users.findByUsername('olivia');
    expect(row).toMatchObject({ auth_source: 'oidc', password_hash: null, external_id: `${idp.issuer}|u-100` });
    const events = (await s.admin.get(`/api/audit-events?user_id=${row!.id}&action=login`)).body.results;
    expect(events).toEqual([expect.objectContaining({ action: 'login', details: { method: 'oidc' } })]);
  });

  it('maps groups to roles and updates the account from the claims at the next login', async () => {
    await ssoLogin('u-200');
    expect((await s.ctx.repos.users.findByUsername('peter'))?.is_superuser).toBe(false);

    idp.setAccount({ sub: 'u-200', preferred_username: 'peter', email: 'pp@example.org', given_name: 'Pete', family_name: 'Pan', groups: ['framewise-admins'] });
    const { browser } = await ssoLogin('u-200');
    const me = await (await browser.fetch(`${s.url}/api/users/self`)).json();
    expect(me).toMatchObject({ username: 'peter', email: 'pp@example.org', first_name: 'Pete', is_superuser: true });

    // Admin rights follow the provider's groups: out of the group, no longer an admin.
    idp.setAccount({ sub: 'u-200', preferred_username: 'peter', email: 'pp@example.org', groups: ['staff'] });
    const again = await ssoLogin('u-200');
    expect(await (await again.browser.fetch(`${s.url}/api/users/self`)).json()).toMatchObject({ username: 'peter', is_superuser: false });
  });

  it('refuses a login the user declined at the provider', async () => {
    const browser = new Browser();
    const start = await browser.fetch(`${s.url}/api/auth/oidc/login`);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const params = new URLSearchParams({ error: 'access_denied', error_description: 'End-User aborted interaction', state, iss: idp.issuer });
    const res = await browser.fetch(`${s.url}/api/auth/oidc/callback?${params}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(browser.cookie('sessionid')).toBeUndefined();
  });

  it('refuses a provider user whose name belongs to a local account', async () => {
    const { res, browser } = await ssoLogin('u-300');
    expect(res.status).toBe(409);
    expect(browser.cookie('sessionid')).toBeUndefined();
    const admin = await s.admin.get('/api/users/self');
    expect(admin.body).toMatchObject({ username: 'admin', email: '' });
  });

  it('refuses a callback whose state this browser did not start, and a replayed one', async () => {
    // Login CSRF: the attacker's callback URL opened in the victim's browser.
    const attacker = new Browser();
    const start = await attacker.fetch(`${s.url}/api/auth/oidc/login`);
    const { location } = await attacker.signIn(start.headers.get('location')!, 'u-200', `${s.url}/api/auth/oidc/callback`);
    const victim = new Browser();
    const forged = await victim.fetch(location!);
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ code: 'BAD_REQUEST' });
    expect(victim.cookie('sessionid')).toBeUndefined();

    // A made-up state, even with a matching cookie.
    const guess = new Browser();
    guess.setCookie('framewise_oidc_state', 'made-up', '/api/auth/oidc');
    const made = await guess.fetch(`${s.url}/api/auth/oidc/callback?code=abc&state=made-up`);
    expect(made.status).toBe(400);

    // The genuine callback works once; replaying it does not.
    const { browser, callback } = await ssoLogin('u-200');
    expect(browser.cookie('sessionid')).toBeTruthy();
    browser.setCookie('framewise_oidc_state', new URL(callback!).searchParams.get('state')!, '/api/auth/oidc');
    const replay = await browser.fetch(callback!);
    expect(replay.status).toBe(400);
  });

  it('refuses an open redirect in next', async () => {
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', 'tasks']) {
      const res = await new Browser().fetch(`${s.url}/api/auth/oidc/login?next=${encodeURIComponent(next)}`);
      expect(res.status, next).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.json()).toMatchObject({ code: 'VALIDATION', details: [{ field: 'next' }] });
    }
  });
});

describe('organization roles from OIDC groups', () => {
  it('grants the role of the groups claim at each login and removes it when the groups no longer grant one', async () => {
    const owner = await s.user('acmeowner');
    const acme = (await owner.post('/api/organizations', { slug: 'acme', name: 'Acme' })).body;
    const project = (await owner.inOrg('acme').post('/api/projects', { name: 'unassigned', labels: [{ name: 'car' }] })).body.id;
    const role = async () => {
      const res = await owner.inOrg('acme').get('/api/memberships?user=quinn');
      return res.body.results[0]?.role as string | undefined;
    };
    /** What a signed-in browser gets for the project, working in acme. */
    const projectStatus = async (browser: Browser) => (await browser.fetch(`${s.url}/api/projects/${project}?org=acme`)).status;

    const first = (await ssoLogin('u-400')).browser;
    expect(await role()).toBe('worker');
    const orgs = (await (await first.fetch(`${s.url}/api/organizations`)).json()) as { results: Array<{ slug: string }> };
    expect(orgs.results.map((o) => o.slug)).toEqual(['acme']);
    expect(await projectStatus(first)).toBe(404);

    idp.setAccount({ sub: 'u-400', preferred_username: 'quinn', email: 'quinn@example.org', groups: ['acme-labelers', 'acme-leads'] });
    const second = (await ssoLogin('u-400')).browser;
    expect(await role()).toBe('supervisor');
    expect(await projectStatus(second)).toBe(200);

    idp.setAccount({ sub: 'u-400', preferred_username: 'quinn', email: 'quinn@example.org', groups: ['staff'] });
    const third = (await ssoLogin('u-400')).browser;
    expect(await role()).toBeUndefined();
    expect(await (await third.fetch(`${s.url}/api/organizations`)).json()).toMatchObject({ count: 0, results: [] });
    // The session from before is out at once too, not when a cache expires.
    expect(await projectStatus(second)).toBe(404);

    const quinn = await s.ctx.repos.users.findByUsername('quinn');
    const events = (await s.admin.get(`/api/audit-events?page_size=all&user_id=${quinn!.id}`)).body.results as Array<Record<string, any>>;
    expect(events.filter((e) => e.action.startsWith('membership.')).map((e) => [e.action, e.details.role, e.details.source])).toEqual([
      ['membership.removed', 'supervisor', 'oidc'],
      ['membership.role_changed', 'supervisor', 'oidc'],
      ['membership.created', 'worker', 'oidc'],
    ]);
    expect(events.find((e) => e.action === 'membership.created')?.details.organization).toBe(acme.id);
  });
});
