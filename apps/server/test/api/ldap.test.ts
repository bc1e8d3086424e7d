/**
 * LDAP login against a real OpenLDAP (Debian's slapd, started by the test): the directory checks
 * passwords, its attributes and groups become the local account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/app.js';
import { LDAP_READER, startSlapd, type SlapdHandle } from '../helpers/slapd.js';
import type { LdapLogin } from '../../src/services/auth/ldap.js';
import { loadConfig } from '../../src/config/env.js';

let ldap: SlapdHandle;
let s: TestServer;
let login: LdapLogin;

beforeAll(async () => {
  ldap = await startSlapd({
    users: [
      { uid: 'alice', password: 'alice-dir-pass', mail: 'alice@example.org', givenName: 'Alice', sn: 'Liddell' },
      { uid: 'bob', password: 'bob-dir-pass', mail: 'bob@example.org', givenName: 'Bob', sn: 'Builder' },
      { uid: 'carol', password: 'carol-dir-pass', mail: 'carol@example.org', givenName: 'Carol', sn: 'Danvers' },
      // Same name as a local account the test creates: the directory must not take it over.
      { uid: 'localdave', password: 'dave-dir-pass' },
    ],
    groups: [
      { cn: 'framewise-admins', members: ['alice'] },
      { cn: 'annotators', members: ['bob', 'carol'] },
    ],
  });
  s = await startTestServer({
    workers: false,
    env: {
      FRAMEWISE_LDAP_URL: ldap.url,
      FRAMEWISE_LDAP_BIND_DN: LDAP_READER.dn,
      FRAMEWISE_LDAP_BIND_PASSWORD: LDAP_READER.password,
      FRAMEWISE_LDAP_SEARCH_BASE: ldap.peopleDn,
      FRAMEWISE_LDAP_GROUP_SEARCH_BASE: ldap.groupsDn,
      // Written the way people paste DNs: other case, spaces after commas.
      FRAMEWISE_LDAP_ADMIN_GROUPS: 'CN=framewise-admins, ou=groups, dc=example, dc=org',
    },
  });
  if (!s.ctx.services.ldap) throw new Error('LDAP is not configured');
  login = s.ctx.services.ldap;
}, 60_000);

afterAll(async () => {
  await s?.close();
  await ldap?.stop();
});

/** The account as an admin sees it through the API. */
async function apiUser(username: string) {
  const res = await s.admin.get(`/api/users?username=${encodeURIComponent(username)}`);
  expect(res.status).toBe(200);
  return res.body.results[0] as Record<string, unknown> | undefined;
}

describe('LDAP directory', () => {
  it('stops the boot on incomplete settings and reads admin groups whose DNs contain commas', () => {
    expect(() => loadConfig({ FRAMEWISE_LDAP_URL: 'ldap://127.0.0.1', FRAMEWISE_LDAP_USER_FILTER: '(uid=bob)' })).toThrow(
      /FRAMEWISE_LDAP_SEARCH_BASE: required[\s\S]*FRAMEWISE_LDAP_USER_FILTER: must contain \{username\}/,
    );
    expect(() => loadConfig({ FRAMEWISE_LDAP_URL: 'http://127.0.0.1' })).toThrow(/FRAMEWISE_LDAP_URL/);
    const config = loadConfig({
      FRAMEWISE_LDAP_URL: 'ldaps://ldap.example.org',
      FRAMEWISE_LDAP_SEARCH_BASE: 'dc=example,dc=org',
      FRAMEWISE_LDAP_ADMIN_GROUPS: 'cn=admins,ou=groups,dc=example,dc=org; cn=ops,dc=example,dc=org',
    });
    expect(config.ldap?.groupRules.map((r) => r.group)).toEqual(['cn=admins,ou=groups,dc=example,dc=org', 'cn=ops,dc=example,dc=org']);
  });

  it('finds a user, checks the password by binding, and reads attributes and groups', async () => {
    const found = await login.directory.authenticate('alice', 'alice-dir-pass');
    expect(found).toEqual({
      dn: ldap.userDn('alice'),
      username: 'alice',
      email: 'alice@example.org',
      firstName: 'Alice',
      lastName: 'Liddell',
      groups: [ldap.groupDn('framewise-admins')],
    });
  });

  it('refuses a wrong password, an empty one, and an unknown user', async () => {
    expect(await login.directory.authenticate('alice', 'bob-dir-pass')).toBeNull();
    // An empty password would be an anonymous bind, which slapd accepts.
    expect(await login.directory.authenticate('alice', '')).toBeNull();
    expect(await login.directory.authenticate('mallory', 'alice-dir-pass')).toBeNull();
  });

  it('escapes the username in the filter, so filter injection matches nobody', async () => {
    // Unescaped, "(uid=*)(uid=*)" would match every entry; "*" would match all users.
    expect(await login.directory.authenticate('*)(uid=*', 'bob-dir-pass')).toBeNull();
    expect(await login.directory.authenticate('*', 'bob-dir-pass')).toBeNull();
    expect(await login.directory.authenticate('b*', 'bob-dir-pass')).toBeNull();
    expect(await login.directory.authenticate('bob)(|(uid=*', 'bob-dir-pass')).toBeNull();
  });

  it('answers 503 when the directory is down rather than calling the password wrong', async () => {
    const { LdapDirectory } = await import('../../src/services/auth/ldap.js');
    const dead = new LdapDirectory({ ...s.config.ldap!, url: 'ldap://127.0.0.1:1', timeoutMs: 2000 });
    await expect(dead.authenticate('alice', 'alice-dir-pass')).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 503 });
  });
});

describe('LDAP accounts', () => {
  it('creates a local account without a password at first login; admin-group members become superusers', async () => {
    const alice = await login.login('alice', 'alice-dir-pass', undefined);
    expect(alice).toMatchObject({ username: 'alice', auth_source: 'ldap', password_hash: null, is_superuser: true });
    const bob = await login.login('bob', 'bob-dir-pass', undefined);
    expect(bob).toMatchObject({ username: 'bob', auth_source: 'ldap', is_superuser: false, external_id: ldap.userDn('bob') });

    expect(await apiUser('alice')).toMatchObject({ email: 'alice@example.org', first_name: 'Alice', last_name: 'Liddell', is_superuser: true });
    expect(await apiUser('bob')).toMatchObject({ email: 'bob@example.org', first_name: 'Bob', last_name: 'Builder', is_superuser: false });
  });

  it('updates names and email from the directory at the next login', async () => {
    const before = await login.login('carol', 'carol-dir-pass', undefined);
    await ldap.modifyUser('carol', { mail: 'carol.d@example.org', givenName: 'Carola', sn: 'Danvers-Rambeau' });
    const existing = await s.ctx.repos.users.findByUsername('carol');
    const after = await login.login('carol', 'carol-dir-pass', existing);
    expect(after?.id).toBe(before?.id);
    expect(await apiUser('carol')).toMatchObject({ email: 'carol.d@example.org', first_name: 'Carola', last_name: 'Danvers-Rambeau' });
  });

  it('never lets a directory entry take over a local account of the same name', async () => {
    await s.user('localdave', { password: 'dave-local-pass' });
    const local = await s.ctx.repos.users.findByUsername('localdave');
    expect(login.handles(local)).toBe(false);
    expect(await login.login('localdave', 'dave-dir-pass', local)).toBeNull();
    // Even when the caller did not look the account up first.
    expect(await login.login('localdave', 'dave-dir-pass', undefined)).toBeNull();
    expect(await apiUser('localdave')).toMatchObject({ is_superuser: false });
  });
});

describe('POST /api/auth/login with LDAP', () => {
  it('logs a directory user in; the token authenticates as the mapped user', async () => {
    const res = await s.client().post('/api/auth/login', { username: 'alice', password: 'alice-dir-pass' });
    expect(res.status).toBe(200);
    const me = await new ApiClient(s.url, res.body.key).get('/api/users/self');
    expect(me.body).toMatchObject({ username: 'alice', email: 'alice@example.org', is_superuser: true });
  });

  it('sends a directory user to the directory to change their password', async () => {
    const key = (await s.client().post('/api/auth/login', { username: 'alice', password: 'alice-dir-pass' })).body.key;
    const res = await new ApiClient(s.url, key).post('/api/auth/password/change', {
      old_password: 'alice-dir-pass', new_password1: 'a-new-password-1', new_password2: 'a-new-password-1',
    });
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/signs in through LDAP/);
    expect((await s.client().post('/api/auth/login', { username: 'alice', password: 'alice-dir-pass' })).status).toBe(200);
  });

  it('refuses a wrong password, an unknown user and filter injection alike', async () => {
    for (const [username, password] of [
      ['bob', 'wrong-pass'],
      ['nobody', 'bob-dir-pass'],
      ['*)(uid=*', 'bob-dir-pass'],
      ['*', 'bob-dir-pass'],
    ]) {
      const res = await s.client().post('/api/auth/login', { username, password });
      expect(res.status, username).toBe(401);
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
    }
  });

  it('keeps local accounts on their local password', async () => {
    expect((await s.client().post('/api/auth/login', { username: 'localdave', password: 'dave-local-pass' })).status).toBe(200);
    expect((await s.client().post('/api/auth/login', { username: 'localdave', password: 'dave-dir-pass' })).status).toBe(401);
  });

  it('lists LDAP among the login methods', async () => {
    const res = await s.client().get('/api/auth/methods');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ password: true, ldap: true, oidc: null });
  });
});
