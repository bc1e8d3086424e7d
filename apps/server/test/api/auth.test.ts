import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from '../helpers/app.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ workers: false });
});
afterAll(async () => {
  await s?.close();
});

describe('authentication', () => {
  it('logs in with username and password and returns a 40-character key that authenticates', async () => {
    const res = await s.client().post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.key).toMatch(/^[0-9a-f]{40}$/);
    const me = await s.client(res.body.key).get('/api/users/self');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'admin', is_superuser: true, is_active: true });
    expect(me.body.url).toBe(`${s.url}/api/users/${me.body.id}`);
  });

  it('refuses a wrong password and an unknown user with the same 401', async () => {
    const wrong = await s.client().post('/api/auth/login', { username: 'admin', password: 'nope-nope' });
    const unknown = await s.client().post('/api/auth/login', { username: 'ghost', password: 'nope-nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body.message).toBe(wrong.body.message);
  });

  it('names the missing field when the body is incomplete', async () => {
    const res = await s.client().post('/api/auth/login', { username: 'admin' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION');
    expect(res.body.message).toContain('password');
  });

  it('answers 401 without credentials and with a bad token', async () => {
    expect((await s.client().get('/api/users/self')).status).toBe(401);
    const bad = await s.client('0'.repeat(40)).get('/api/users/self');
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('UNAUTHENTICATED');
  });

  it('accepts HTTP Basic credentials', async () => {
    const basic = Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64');
    const res = await s.client().get('/api/users/self', { authorization: `Basic ${basic}` });
    expect(res.status).toBe(200);
    expect(res.body.username).toBe('admin');
  });

  it('revokes the token on logout', async () => {
    const { body } = await s.client().post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    const c = s.client(body.key);
    expect((await c.get('/api/users/self')).status).toBe(200);
    expect((await c.post('/api/auth/logout')).status).toBe(200);
    expect((await c.get('/api/users/self')).status).toBe(401);
  });

  it('authenticates the browser by session cookie and requires the CSRF header on writes', async () => {
    const login = await fetch(`${s.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const session = cookies.find((c) => c.startsWith('sessionid='));
    const csrf = cookies.find((c) => c.startsWith('csrftoken='))!.split('=')[1]!;
    expect(session).toBeTruthy();
    const cookie = cookies.join('; ');
    const me = await fetch(`${s.url}/api/users/self`, { headers: { cookie } });
    expect(me.status).toBe(200);
    const noCsrf = await fetch(`${s.url}/api/auth/logout`, { method: 'POST', headers: { cookie } });
    // Logout is public, so a failed CSRF check leaves it unauthenticated instead of failing; the session survives.
    expect(noCsrf.status).toBe(200);
    expect((await fetch(`${s.url}/api/users/self`, { headers: { cookie } })).status).toBe(200);
    const withCsrf = await fetch(`${s.url}/api/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrftoken': csrf } });
    expect(withCsrf.status).toBe(200);
    expect((await fetch(`${s.url}/api/users/self`, { headers: { cookie } })).status).toBe(401);
  });

  it('treats usernames case-insensitively for uniqueness', async () => {
    await s.user('Carol');
    await expect(s.ctx.services.users.create({ username: 'carol', password: 'long-enough-pw' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('server', () => {
  it('describes itself without authentication', async () => {
    const res = await new ApiClient(s.url).get('/api/server/about');
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Framewise');
    expect(res.body.version).toMatch(/^2\.\d+\.\d+$/);
  });

  it('reports health of the database and the storage', async () => {
    const res = await s.client().get('/api/server/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, database: { ok: true }, storage: { ok: true } });
  });

  it('serves its OpenAPI document', async () => {
    const json = await s.client().get('/api/schema/?format=json');
    expect(json.status).toBe(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(Object.keys(json.body.paths)).toContain('/api/auth/login');
    const yaml = await s.client().get('/api/schema/');
    expect(yaml.headers.get('content-type')).toContain('openapi');
    expect(yaml.raw.toString()).toContain('/api/users/self');
  });

  it('answers unknown routes with a 404 in the error shape and a request id', async () => {
    const res = await s.admin.get('/api/nope');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('users', () => {
  it('lists the people of one\'s organizations for assignment, searchable, hiding other people\'s emails from non-admins', async () => {
    const dora = await s.user('dora');
    const dorian = await s.ctx.services.users.create({ username: 'dorian', password: 'long-enough-pw', email: 'dorian@example.com' });
    await s.ctx.services.users.create({ username: 'doris', password: 'long-enough-pw' });
    const db = s.ctx.database.db;
    const org = await db.insertInto('organizations').values({ slug: 'dorg', owner_id: dora.id }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('memberships').values([
      { organization_id: org.id, user_id: dora.id, role: 'owner', is_active: true },
      { organization_id: org.id, user_id: dorian.id, role: 'worker', is_active: true },
    ]).execute();
    // doris shares no organization with dora: a contractor cannot list the whole server.
    const found = await dora.get('/api/users?search=dori&sort=username');
    expect(found.status).toBe(200);
    expect(found.body.results.map((u: any) => u.username)).toEqual(['dorian']);
    expect(found.body.results[0].email).toBe('');
    const asAdmin = await s.admin.get('/api/users?username=dorian');
    expect(asAdmin.body.results[0].email).toBe('dorian@example.com');
  });
});
