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
      // Organization roles: 'keeper' never logs in; it keeps the groups from ever being empty.
      { uid: 'keeper', password: 'keeper-dir-pass' },
      { uid: 'wendy', password: 'wendy-dir-pass', mail: 'wendy@example.org' },
      { uid: 'sam', password: 'sam-dir-pass', mail: 'sam@example.org' },
      { uid: 'mike', password: 'mike-dir-pass', mail: 'mike@example.org' },
      { uid: 'rita', password: 'rita-dir-pass', mail: 'rita@example.org' },
    ],
    groups: [
      { cn: 'framewise-admins', members: ['alice'] },
      { cn: 'annotators', members: ['bob', 'carol'] },
      { cn: 'acme-workers', members: ['keeper', 'wendy', 'sam'] },
      { cn: 'acme-supervisors', members: ['keeper', 'sam'] },
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
      // The slug in any case; "ghost" does not exist until a test creates it.
      FRAMEWISE_LDAP_ORG_ROLES: [
        'cn=acme-workers,ou=groups,dc=example,dc=org => acme:worker',
        'CN=Acme-Supervisors, ou=groups, dc=example, dc=org => ACME:supervisor',
        'cn=acme-workers,ou=groups,dc=example,dc=org => ghost:maintainer',
      ].join('; '),
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

describe('organization roles from LDAP groups', () => {
  const MEMBERSHIP_KEYS = ['id', 'invitation', 'is_active', 'joined_date', 'organization', 'role', 'user'];
  let owner: ApiClient & { id: number };
  let acme: { id: number; slug: string };
  let project: number;

  beforeAll(async () => {
    owner = await s.user('acmeowner');
    acme = (await owner.post('/api/organizations', { slug: 'acme', name: 'Acme' })).body;
    const res = await owner.inOrg('acme').post('/api/projects', { name: 'unassigned', labels: [{ name: 'car' }] });
    expect(res.status).toBe(201);
    project = res.body.id;
  });

  async function logIn(uid: string): Promise<ApiClient> {
    const res = await s.client().post('/api/auth/login', { username: uid, password: `${uid}-dir-pass` });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return new ApiClient(s.url, res.body.key);
  }

  /** The user's membership in acme as its owner sees it through the API, or undefined. */
  async function membership(username: string) {
    const res = await owner.inOrg('acme').get('/api/memberships?page_size=all');
    expect(res.status).toBe(200);
    return (res.body.results as Array<Record<string, any>>).find((m) => m.user.username === username);
  }

  async function sourceOf(username: string) {
    const user = await s.ctx.repos.users.findByUsername(username);
    return (await s.ctx.repos.organizations.findMembershipOf(acme.id, user!.id))?.source;
  }

  async function auditOf(username: string) {
    const user = await s.ctx.repos.users.findByUsername(username);
    const res = await s.admin.get(`/api/audit-events?page_size=all&user_id=${user!.id}`);
    return (res.body.results as Array<Record<string, any>>).filter((e) => e.action.startsWith('membership.') || e.action.startsWith('invitation.'));
  }

  it('makes a member of a mapped group a worker at login, who then sees only what a worker sees', async () => {
    const wendy = await logIn('wendy');
    const m = await membership('wendy');
    expect(m).toMatchObject({ role: 'worker', is_active: true, organization: acme.id, invitation: null });
    // The CVAT shape is unchanged: where the membership came from is not in it.
    expect(Object.keys(m!).sort()).toEqual(MEMBERSHIP_KEYS);
    expect(await sourceOf('wendy')).toBe('ldap');

    const orgs = await wendy.get('/api/organizations');
    expect(orgs.body.results.map((o: { slug: string }) => o.slug)).toEqual(['acme']);
    expect((await wendy.inOrg('acme').get('/api/projects')).status).toBe(200);
    // A worker sees only what they are assigned to; a supervisor would see this project.
    expect((await wendy.inOrg('acme').get(`/api/projects/${project}`)).status).toBe(404);
    expect(await auditOf('wendy')).toEqual([
      expect.objectContaining({
        action: 'membership.created',
        actor: null,
        details: { organization: acme.id, membership_id: m!.id, role: 'worker', source: 'ldap' },
      }),
    ]);
  });

  it('removes the membership at the next login once the user leaves the group, effective at once', async () => {
    const before = await logIn('wendy');
    // Fills the server's short cache of the request's organization scope.
    expect((await before.inOrg('acme').get('/api/projects')).status).toBe(200);
    await ldap.setMembership('acme-workers', 'wendy', false);

    const after = await logIn('wendy');
    expect(await membership('wendy')).toBeUndefined();
    expect((await after.inOrg('acme').get('/api/projects')).status).toBe(404);
    expect((await before.inOrg('acme').get('/api/projects')).status).toBe(404);
    expect((await after.get('/api/organizations')).body.results).toEqual([]);
    expect((await auditOf('wendy')).map((e) => [e.action, e.details.role, e.details.source])).toEqual([
      ['membership.removed', 'worker', 'ldap'],
      ['membership.created', 'worker', 'ldap'],
    ]);

    // Back in the group, back in the organization; logging in again changes nothing more.
    await ldap.setMembership('acme-workers', 'wendy', true);
    await logIn('wendy');
    await logIn('wendy');
    expect(await membership('wendy')).toMatchObject({ role: 'worker', is_active: true });
    expect(await auditOf('wendy')).toHaveLength(3);
  });

  it('gives the highest role of all the groups, and follows the directory down', async () => {
    const sam = await logIn('sam');
    expect(await membership('sam')).toMatchObject({ role: 'supervisor', is_active: true });
    expect((await sam.inOrg('acme').get(`/api/projects/${project}`)).status).toBe(200);

    await ldap.setMembership('acme-supervisors', 'sam', false);
    const demoted = await logIn('sam');
    expect(await membership('sam')).toMatchObject({ role: 'worker' });
    expect((await demoted.inOrg('acme').get(`/api/projects/${project}`)).status).toBe(404);
    expect((await auditOf('sam'))[0]).toMatchObject({
      action: 'membership.role_changed',
      details: { organization: acme.id, old_role: 'supervisor', role: 'worker', source: 'ldap' },
    });
  });

  it('never lowers or removes a membership made by hand', async () => {
    const mike = await logIn('mike');
    const invitation = await owner.inOrg('acme').post('/api/invitations', { email: 'mike@example.org', role: 'maintainer' });
    expect(invitation.status).toBe(201);
    expect((await mike.post(`/api/invitations/${invitation.body.key}/accept`)).status).toBe(200);

    await ldap.setMembership('acme-workers', 'mike', true);
    await logIn('mike');
    expect(await membership('mike')).toMatchObject({ role: 'maintainer', is_active: true });
    await ldap.setMembership('acme-workers', 'mike', false);
    await logIn('mike');
    expect(await membership('mike')).toMatchObject({ role: 'maintainer', is_active: true });
    expect(await sourceOf('mike')).toBe('manual');
  });

  it('accepts a pending invitation and raises it to a higher granted role; the raise stays', async () => {
    await logIn('rita');
    const invitation = await owner.inOrg('acme').post('/api/invitations', { email: 'rita@example.org', role: 'worker' });
    expect(invitation.status).toBe(201);
    expect(await membership('rita')).toMatchObject({ role: 'worker', is_active: false });

    await ldap.setMembership('acme-supervisors', 'rita', true);
    const rita = await logIn('rita');
    expect(await membership('rita')).toMatchObject({ role: 'supervisor', is_active: true });
    expect((await rita.inOrg('acme').get(`/api/projects/${project}`)).status).toBe(200);
    expect((await owner.get(`/api/invitations/${invitation.body.key}`)).body.accepted).toBe(true);
    expect((await auditOf('rita')).map((e) => e.action)).toEqual(['membership.role_changed', 'invitation.accepted', 'invitation.created']);

    await ldap.setMembership('acme-supervisors', 'rita', false);
    await logIn('rita');
    expect(await membership('rita')).toMatchObject({ role: 'supervisor', is_active: true });
  });

  it('ignores a rule for an organization that does not exist, applies it once it does, and never touches its owner', async () => {
    const wendy = await logIn('wendy');
    expect((await s.admin.get('/api/organizations?slug=ghost')).body.count).toBe(0);
    expect((await wendy.get('/api/organizations')).body.results.map((o: { slug: string }) => o.slug)).toEqual(['acme']);

    // Wendy makes it and owns it; her group's rule would make her a maintainer there.
    expect((await wendy.post('/api/organizations', { slug: 'Ghost', name: 'Ghost' })).status).toBe(201);
    const sam = await logIn('sam');
    await logIn('wendy');
    const members = await wendy.inOrg('ghost').get('/api/memberships?page_size=all');
    const roles = Object.fromEntries(members.body.results.map((m: { user: { username: string }; role: string }) => [m.user.username, m.role]));
    expect(roles).toEqual({ wendy: 'owner', sam: 'maintainer' });
    expect((await sam.get('/api/organizations')).body.results.map((o: { slug: string }) => o.slug).sort()).toEqual(['Ghost', 'acme']);

    await ldap.setMembership('acme-workers', 'wendy', false);
    await logIn('wendy');
    expect((await wendy.inOrg('ghost').get('/api/memberships?user=wendy')).body.results).toEqual([
      expect.objectContaining({ role: 'owner', is_active: true }),
    ]);
  });
});
