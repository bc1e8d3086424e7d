import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from '../helpers/app.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ workers: false });
});
afterAll(async () => {
  await s?.close();
});

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function login(username: string, password: string) {
  return s.client().post('/api/auth/login', { username, password });
}

async function browserLogin(username: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(res.status).toBe(200);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  return { cookie: cookies.join('; '), csrf: cookies.find((c) => c.startsWith('csrftoken='))!.split('=')[1]! };
}

async function events(query: string) {
  const res = await s.admin.get(`/api/audit-events?page_size=100&${query}`);
  expect(res.status).toBe(200);
  return res.body.results as Array<{ action: string; actor: { id: number | null; username: string } | null; user: { id: number | null; username: string } | null; address: string; details: Record<string, unknown> }>;
}

describe('registration', () => {
  it('is closed by default: 403 REGISTRATION_CLOSED whatever the body, and no user is created', async () => {
    const res = await s.client().post('/api/auth/register', {
      username: 'stranger', email: 'stranger@example.com', password1: 'long-password-1', password2: 'long-password-1',
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('REGISTRATION_CLOSED');
    expect((await s.client().post('/api/auth/register', {})).body.code).toBe('REGISTRATION_CLOSED');
    expect((await login('stranger', 'long-password-1')).status).toBe(401);
    expect((await s.admin.get('/api/users?username=stranger')).body.count).toBe(0);
  });
});

describe('users managed by administrators', () => {
  it('lets an admin create a user in CVAT\'s user shape, who can then log in', async () => {
    const res = await s.admin.post('/api/users', {
      username: 'newbie', email: 'newbie@example.com', password: 'newbie-password', first_name: 'New', last_name: 'Bie',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      username: 'newbie', email: 'newbie@example.com', first_name: 'New', last_name: 'Bie',
      is_superuser: false, is_staff: false, is_active: true, groups: ['user'], last_login: null,
    });
    expect(res.body.url).toBe(`${s.url}/api/users/${res.body.id}`);
    expect(res.body).not.toHaveProperty('password');
    expect((await login('newbie', 'newbie-password')).status).toBe(200);

    const admin2 = await s.admin.post('/api/users', { username: 'admin2', password: 'admin2-password', is_superuser: true });
    expect(admin2.body).toMatchObject({ is_superuser: true, is_staff: true, groups: ['admin'] });
  });

  it('refuses user creation to non-admins and names the field of bad input', async () => {
    const bob = await s.user('bob');
    const res = await bob.post('/api/users', { username: 'bobs-friend', password: 'friend-password' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect((await s.admin.get('/api/users?username=bobs-friend')).body.count).toBe(0);

    const short = await s.admin.post('/api/users', { username: 'shorty', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.details[0].field).toBe('password');
    const badEmail = await s.admin.post('/api/users', { username: 'mailer', password: 'long-password', email: 'not-an-email' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.details[0].field).toBe('email');
    const dup = await s.admin.post('/api/users', { username: 'BOB', password: 'long-password' });
    expect(dup.status).toBe(409);
    expect(dup.body.details[0].field).toBe('username');
  });

  it('lets users change their own names and email but not their flags or other people', async () => {
    const carl = await s.user('carl');
    const own = await carl.patch(`/api/users/${carl.id}`, { first_name: 'Carl', last_name: 'Sagan', email: 'carl@example.com' });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ first_name: 'Carl', last_name: 'Sagan', email: 'carl@example.com' });

    const promote = await carl.patch(`/api/users/${carl.id}`, { is_superuser: true });
    expect(promote.status).toBe(403);
    expect(promote.body.details[0].field).toBe('is_superuser');
    expect((await carl.get('/api/users/self')).body.is_superuser).toBe(false);

    const other = await s.user('dave');
    // Someone outside all of carl's organizations is not even visible to him.
    expect((await carl.patch(`/api/users/${other.id}`, { first_name: 'Hacked' })).status).toBe(404);
    expect((await s.admin.get(`/api/users/${other.id}`)).body.first_name).toBe('');

    const staff = await s.admin.patch(`/api/users/${carl.id}`, { is_staff: true });
    expect(staff.status).toBe(200);
    expect(staff.body.is_staff).toBe(true);
  });

  it('keeps an admin from deactivating, demoting or deleting themselves', async () => {
    const me = (await s.admin.get('/api/users/self')).body.id;
    expect((await s.admin.patch(`/api/users/${me}`, { is_active: false })).status).toBe(403);
    expect((await s.admin.patch(`/api/users/${me}`, { is_superuser: false })).status).toBe(403);
    expect((await s.admin.delete(`/api/users/${me}`)).status).toBe(403);
    expect((await s.admin.get('/api/users/self')).body).toMatchObject({ is_active: true, is_superuser: true });
  });

  it('rejects a deactivated user by every means: login token, session, access token, basic, new login', async () => {
    const erin = await s.user('erin', { password: 'erin-password' });
    const pat = await erin.post('/api/auth/access_tokens', { name: 'script' });
    expect(pat.status).toBe(201);
    const browser = await browserLogin('erin', 'erin-password');
    const viaSession = () => fetch(`${s.url}/api/users/self`, { headers: { cookie: browser.cookie } });
    expect((await viaSession()).status).toBe(200);
    expect((await s.client().get('/api/users/self', bearer(pat.body.value))).status).toBe(200);

    const off = await s.admin.patch(`/api/users/${erin.id}`, { is_active: false });
    expect(off.status).toBe(200);
    expect(off.body.is_active).toBe(false);

    expect((await erin.get('/api/users/self')).status).toBe(401);
    expect((await viaSession()).status).toBe(401);
    expect((await s.client().get('/api/users/self', bearer(pat.body.value))).status).toBe(401);
    expect((await s.client().get('/api/users/self', basic('erin', 'erin-password'))).status).toBe(401);
    const again = await login('erin', 'erin-password');
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('INVALID_CREDENTIALS');

    // Reactivation restores the password and access tokens; the sessions ended at deactivation stay ended.
    expect((await s.admin.patch(`/api/users/${erin.id}`, { is_active: true })).status).toBe(200);
    expect((await s.client().get('/api/users/self', bearer(pat.body.value))).status).toBe(200);
    expect((await erin.get('/api/users/self')).status).toBe(401);
    expect((await login('erin', 'erin-password')).status).toBe(200);
  });

  it('lets an admin delete a user, whose credentials then fail; non-admins may not', async () => {
    const fred = await s.user('fred');
    const gina = await s.user('gina');
    expect((await gina.delete(`/api/users/${fred.id}`)).status).toBe(403);
    expect((await s.admin.delete(`/api/users/${fred.id}`)).status).toBe(204);
    expect((await s.admin.get(`/api/users/${fred.id}`)).status).toBe(404);
    expect((await fred.get('/api/users/self')).status).toBe(401);
    expect((await s.admin.delete(`/api/users/${fred.id}`)).status).toBe(404);
  });
});

describe('password change', () => {
  it('needs the old password and matching new ones, naming the field', async () => {
    const hank = await s.user('hank', { password: 'hank-password' });
    const wrongOld = await hank.post('/api/auth/password/change', { old_password: 'nope-nope', new_password1: 'hank-new-pass', new_password2: 'hank-new-pass' });
    expect(wrongOld.status).toBe(400);
    expect(wrongOld.body.details[0].field).toBe('old_password');
    const mismatch = await hank.post('/api/auth/password/change', { old_password: 'hank-password', new_password1: 'hank-new-pass', new_password2: 'hank-new-pazz' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.details[0].field).toBe('new_password2');
    const short = await hank.post('/api/auth/password/change', { old_password: 'hank-password', new_password1: 'short', new_password2: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.details[0].field).toBe('new_password1');
    expect((await login('hank', 'hank-password')).status).toBe(200);
  });

  it('ends the other sessions and login tokens, keeps the current one and access tokens', async () => {
    const ivy = await s.user('ivy', { password: 'ivy-password' });
    const other = s.client((await login('ivy', 'ivy-password')).body.key);
    const browser = await browserLogin('ivy', 'ivy-password');
    const pat = (await ivy.post('/api/auth/access_tokens', { name: 'ci' })).body.value as string;

    const res = await ivy.post('/api/auth/password/change', { old_password: 'ivy-password', new_password1: 'ivy-new-password', new_password2: 'ivy-new-password' });
    expect(res.status).toBe(200);
    expect(res.body.detail).toBe('New password has been saved.');

    expect((await ivy.get('/api/users/self')).status).toBe(200);
    expect((await other.get('/api/users/self')).status).toBe(401);
    expect((await fetch(`${s.url}/api/users/self`, { headers: { cookie: browser.cookie } })).status).toBe(401);
    expect((await s.client().get('/api/users/self', bearer(pat))).status).toBe(200);
    expect((await login('ivy', 'ivy-password')).status).toBe(401);
    expect((await login('ivy', 'ivy-new-password')).status).toBe(200);
  });

  it('cannot be done with an access token', async () => {
    const jack = await s.user('jack', { password: 'jack-password' });
    const pat = (await jack.post('/api/auth/access_tokens', { name: 'ci' })).body.value as string;
    const res = await s.client().post('/api/auth/password/change', { old_password: 'jack-password', new_password1: 'jack-new-pass', new_password2: 'jack-new-pass' }, bearer(pat));
    expect(res.status).toBe(403);
    expect((await login('jack', 'jack-password')).status).toBe(200);
  });
});

describe('personal access tokens', () => {
  it('shows the key once, stores only its hash, and authenticates with Bearer', async () => {
    const kim = await s.user('kim');
    const created = await kim.post('/api/auth/access_tokens', { name: 'my script' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'my script', read_only: false, expiry_date: null, last_used_date: null, owner: { id: kim.id, username: 'kim' } });
    const key = created.body.value as string;
    expect(key).toMatch(/^[0-9a-f]{40}$/);

    const fetched = await kim.get(`/api/auth/access_tokens/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).not.toHaveProperty('value');
    const list = await kim.get('/api/auth/access_tokens');
    expect(list.body.count).toBe(1);
    expect(list.body.results[0]).not.toHaveProperty('value');

    const stored = await s.ctx.database.db.selectFrom('auth_tokens').select('key_hash').where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(stored.key_hash).not.toContain(key);

    const me = await s.client().get('/api/users/self', bearer(key));
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('kim');
    const self = await s.client().get('/api/auth/access_tokens/self', bearer(key));
    expect(self.status).toBe(200);
    expect(self.body.id).toBe(created.body.id);
    expect((await kim.get('/api/auth/access_tokens/self')).status).toBe(400);

    // The use is recorded (in the background, at most once a minute).
    let used: string | null = null;
    for (let i = 0; i < 50 && !used; i++) {
      used = (await kim.get(`/api/auth/access_tokens/${created.body.id}`)).body.last_used_date;
      if (!used) await new Promise((r) => setTimeout(r, 50));
    }
    expect(used).not.toBeNull();
  });

  it('keeps tokens private to their owner', async () => {
    const lee = await s.user('lee');
    const mia = await s.user('mia');
    const t = (await lee.post('/api/auth/access_tokens', { name: 'lee token' })).body;
    expect((await mia.get(`/api/auth/access_tokens/${t.id}`)).status).toBe(404);
    expect((await mia.delete(`/api/auth/access_tokens/${t.id}`)).status).toBe(404);
    expect((await mia.get('/api/auth/access_tokens')).body.count).toBe(0);
    expect((await s.admin.get(`/api/auth/access_tokens/${t.id}`)).status).toBe(404);
  });

  it('lets a read-only token read but refuses anything else with 403', async () => {
    const nia = await s.user('nia');
    const t = await nia.post('/api/auth/access_tokens', { name: 'reader', read_only: true });
    expect(t.body.read_only).toBe(true);
    const key = t.body.value as string;
    expect((await s.client().get('/api/users/self', bearer(key))).status).toBe(200);
    const post = await s.client().post('/api/projects', { name: 'nope', labels: [] }, bearer(key));
    expect(post.status).toBe(403);
    expect(post.body.code).toBe('FORBIDDEN');
    expect((await s.client().request('DELETE', `/api/auth/access_tokens/${t.body.id}`, { headers: bearer(key) })).status).toBe(403);
    expect((await nia.get('/api/projects')).body.count).toBe(0);
  });

  it('refuses an expired token and a past expiry date', async () => {
    const oli = await s.user('oli');
    const past = await oli.post('/api/auth/access_tokens', { name: 'old', expiry_date: new Date(Date.now() - 60_000).toISOString() });
    expect(past.status).toBe(400);
    expect(past.body.details[0].field).toBe('expiry_date');

    const soon = await oli.post('/api/auth/access_tokens', { name: 'brief', expiry_date: new Date(Date.now() + 1500).toISOString() });
    expect(soon.status).toBe(201);
    expect(soon.body.expiry_date).not.toBeNull();
    expect((await s.client().get('/api/users/self', bearer(soon.body.value))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    const expired = await s.client().get('/api/users/self', bearer(soon.body.value));
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('UNAUTHENTICATED');
  });

  it('renames, changes and revokes a token', async () => {
    const pia = await s.user('pia');
    const t = (await pia.post('/api/auth/access_tokens', { name: 'first' })).body;
    const patched = await pia.patch(`/api/auth/access_tokens/${t.id}`, { name: 'renamed', read_only: true });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'renamed', read_only: true });
    expect((await s.client().post('/api/projects', { name: 'x', labels: [] }, bearer(t.value))).status).toBe(403);
    expect((await pia.delete(`/api/auth/access_tokens/${t.id}`)).status).toBe(204);
    expect((await s.client().get('/api/users/self', bearer(t.value))).status).toBe(401);
    expect((await pia.get(`/api/auth/access_tokens/${t.id}`)).status).toBe(404);
    const noName = await pia.post('/api/auth/access_tokens', { name: '' });
    expect(noName.status).toBe(400);
    expect(noName.body.details[0].field).toBe('name');
  });

  it('is not revoked by logging out with it', async () => {
    const quinn = await s.user('quinn');
    const key = (await quinn.post('/api/auth/access_tokens', { name: 'ci' })).body.value as string;
    expect((await s.client().post('/api/auth/logout', undefined, bearer(key))).status).toBe(200);
    expect((await s.client().get('/api/users/self', bearer(key))).status).toBe(200);
  });
});

describe('login rate limiting', () => {
  it('answers 429 with Retry-After after 10 failures for one account while another account still logs in', async () => {
    await s.user('rita', { password: 'rita-password' });
    await s.user('sam', { password: 'sam-password' });
    for (let i = 0; i < 10; i++) expect((await login('rita', `wrong-${i}`)).status).toBe(401);
    const limited = await login('rita', 'rita-password');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('TOO_MANY_REQUESTS');
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(900);
    // Basic and mixed case names are throttled alike.
    expect((await s.client().get('/api/users/self', basic('RITA', 'rita-password'))).status).toBe(429);
    expect((await login('sam', 'sam-password')).status).toBe(200);
  });

  it('resets the account counter on a successful login', async () => {
    await s.user('tom', { password: 'tom-password' });
    for (let i = 0; i < 9; i++) expect((await login('tom', `wrong-${i}`)).status).toBe(401);
    expect((await login('tom', 'tom-password')).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await login('tom', `wrong-${i}`)).status).toBe(401);
    expect((await login('tom', 'tom-password')).status).toBe(200);
  });

  it('keeps the counters in the database, shared by every instance', async () => {
    const rows = await s.ctx.database.db.selectFrom('login_throttle').selectAll().where('key', '=', 'account:rita').execute();
    expect(rows[0]?.failures).toBeGreaterThanOrEqual(10);
  });
});

describe('audit log', () => {
  it('records failed logins with the name tried and the address, and logins', async () => {
    await login('nobody-here', 'whatever-pw');
    const failed = await events('action=login.failed');
    const ours = failed.find((e) => e.user?.username === 'nobody-here');
    expect(ours).toMatchObject({ user: { id: null, username: 'nobody-here' }, address: '127.0.0.1', actor: null });
    const uma = await s.user('uma');
    const logins = await events(`action=login&user_id=${uma.id}`);
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({ actor: { id: uma.id, username: 'uma' }, user: { id: uma.id, username: 'uma' } });
  });

  it('records user and token changes, filtered by user', async () => {
    const created = (await s.admin.post('/api/users', { username: 'vera', password: 'vera-password' })).body;
    const vera = s.client((await login('vera', 'vera-password')).body.key);
    await vera.patch(`/api/users/${created.id}`, { first_name: 'Vera' });
    await vera.post('/api/auth/password/change', { old_password: 'vera-password', new_password1: 'vera-password-2', new_password2: 'vera-password-2' });
    const token = (await vera.post('/api/auth/access_tokens', { name: 'audit me' })).body;
    await vera.delete(`/api/auth/access_tokens/${token.id}`);
    await s.admin.patch(`/api/users/${created.id}`, { is_active: false });
    await s.admin.delete(`/api/users/${created.id}`);

    const trail = await events(`user_id=${created.id}&sort=id`);
    expect(trail.map((e) => e.action)).toEqual([
      'user.created', 'login', 'user.updated', 'password.changed', 'access_token.created', 'access_token.revoked', 'user.deactivated', 'user.deleted',
    ]);
    expect(trail[0]).toMatchObject({ actor: { username: 'admin' }, user: { username: 'vera' } });
    expect(trail[2]!.details).toMatchObject({ fields: ['first_name'] });
    expect(trail[4]!.details).toMatchObject({ name: 'audit me', read_only: false });
    expect(trail[6]!.details).toMatchObject({ is_active: false });
    // The user is gone; their history is not.
    expect(trail[7]).toMatchObject({ user: { id: created.id, username: 'vera' } });
  });

  it('is readable by admins only, paginated like other lists', async () => {
    const wes = await s.user('wes');
    const refused = await wes.get('/api/audit-events');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    const page = await s.admin.get('/api/audit-events?page_size=2');
    expect(page.status).toBe(200);
    expect(page.body.results).toHaveLength(2);
    expect(page.body.count).toBeGreaterThan(2);
    expect(page.body.next).toContain('page=2');
    expect(page.body.results[0].id).toBeGreaterThan(page.body.results[1].id);
    expect((await s.admin.get('/api/audit-events?sort=nope')).status).toBe(400);
  });
});

describe('with registration open and a low per-address limit', () => {
  let open: TestServer;
  beforeAll(async () => {
    open = await startTestServer({ workers: false, env: { FRAMEWISE_REGISTRATION: 'open', FRAMEWISE_LOGIN_FAILURES_PER_ADDRESS: '5' } });
  });
  afterAll(async () => {
    await open?.close();
  });

  it('registers a normal user with CVAT\'s payload, who can log in; the event is audited', async () => {
    const anon = new ApiClient(open.url);
    const res = await anon.post('/api/auth/register', {
      username: 'newcomer', email: 'newcomer@example.com', password1: 'newcomer-password', password2: 'newcomer-password', first_name: 'New', last_name: 'Comer',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      username: 'newcomer', email: 'newcomer@example.com', first_name: 'New', last_name: 'Comer', email_verification_required: false, key: null,
    });
    const key = (await anon.post('/api/auth/login', { username: 'newcomer', password: 'newcomer-password' })).body.key;
    const me = await new ApiClient(open.url, key).get('/api/users/self');
    expect(me.body).toMatchObject({ username: 'newcomer', is_superuser: false, is_staff: false, is_active: true });
    const byEmail = await anon.post('/api/auth/login', { email: 'newcomer@example.com', password: 'newcomer-password' });
    expect(byEmail.status).toBe(200);
    const audit = await open.admin.get(`/api/audit-events?action=user.registered&user_id=${me.body.id}`);
    expect(audit.body.results[0]).toMatchObject({ actor: null, user: { username: 'newcomer' } });
  });

  it('names the field of bad registrations', async () => {
    const anon = new ApiClient(open.url);
    const cases: Array<[Record<string, unknown>, string, number]> = [
      [{ username: 'abc', password1: 'long-password', password2: 'long-password' }, 'username', 400],
      [{ username: 'mismatch', password1: 'long-password', password2: 'other-password' }, 'password2', 400],
      [{ username: 'noemail', email: 'nope', password1: 'long-password', password2: 'long-password' }, 'email', 400],
      [{ username: 'nopass' }, 'password1', 400],
      [{ username: 'NEWCOMER', password1: 'long-password', password2: 'long-password' }, 'username', 409],
      [{ username: 'sameemail', email: 'NEWCOMER@example.com', password1: 'long-password', password2: 'long-password' }, 'email', 409],
    ];
    for (const [body, field, status] of cases) {
      const res = await anon.post('/api/auth/register', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('limits failures per address across accounts', async () => {
    const anon = new ApiClient(open.url);
    await open.user('xena', { password: 'xena-password' });
    for (let i = 0; i < 5; i++) expect((await anon.post('/api/auth/login', { username: `guess-${i}`, password: 'guess-password' })).status).toBe(401);
    const limited = await anon.post('/api/auth/login', { username: 'xena', password: 'xena-password' });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
