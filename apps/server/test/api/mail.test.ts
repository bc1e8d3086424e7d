/**
 * Outgoing mail through a real SMTP server (test/helpers/smtp.ts): password reset end to end on
 * CVAT's endpoints, invitation mails, and a mail server that is down.
 */
import pino from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { SecretBox } from '../../src/repositories/secret-box.js';
import { ResetTokens } from '../../src/services/auth/password-reset.service.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/app.js';
import { closedPort, startSmtpServer, type ReceivedMail, type SmtpSink } from '../helpers/smtp.js';

const PUBLIC_URL = 'https://label.example.com';
const SECRET = 'a-test-secret-key-of-more-than-32-characters';
const mailEnv = (smtpUrl: string) => ({
  FRAMEWISE_SMTP_URL: smtpUrl,
  FRAMEWISE_MAIL_FROM: 'Framewise <noreply@example.com>',
  FRAMEWISE_PUBLIC_URL: PUBLIC_URL,
  FRAMEWISE_SECRET_KEY: SECRET,
});

let smtp: SmtpSink;
let s: TestServer;
beforeAll(async () => {
  smtp = await startSmtpServer({ auth: { user: 'mailer', pass: 'p@ss:word' } });
  s = await startTestServer({ env: mailEnv(smtp.url) });
});
afterAll(async () => {
  await s?.close();
  await smtp?.close();
});

/** A user with an email address. */
async function person(name: string): Promise<ApiClient & { id: number }> {
  const client = await s.user(name);
  await s.ctx.repos.users.update(client.id, { email: `${name}@example.com` });
  return client;
}

const mailTo = (address: string, after = 0) => (m: ReceivedMail) => m.to.includes(address) && smtp.mails.indexOf(m) >= after;

/** The link of a mail, from its plain text; the HTML part must carry the same one. */
function linkIn(mail: ReceivedMail): URL {
  const href = /https:\/\/label\.example\.com\/\S+/.exec(mail.text)?.[0];
  expect(href, mail.text).toBeDefined();
  expect(mail.html).toContain(href!.replace(/&/g, '&amp;'));
  return new URL(href!);
}

async function requestReset(email: string) {
  const res = await s.client().post('/api/auth/password/reset', { email });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toEqual({ detail: 'Password reset e-mail has been sent.' });
}

/** Requests a reset for `email` and returns the uid and token of the mail it gets. */
async function resetLink(email: string): Promise<{ uid: string; token: string }> {
  const before = smtp.mails.length;
  await requestReset(email);
  const link = linkIn(await smtp.waitFor(mailTo(email, before)));
  expect(link.pathname).toBe('/auth/password/reset/confirm');
  return { uid: link.searchParams.get('uid')!, token: link.searchParams.get('token')! };
}

const confirm = (body: { uid: string; token: string }, password: string, again = password) =>
  s.client().post('/api/auth/password/reset/confirm', { ...body, new_password1: password, new_password2: again });

const login = (username: string, password: string) => s.client().post('/api/auth/login', { username, password });

describe('password reset', () => {
  it('mails a link whose uid and token set a new password, once, and end the old sessions', async () => {
    const alice = await person('alice');
    const before = smtp.mails.length;
    await requestReset('ALICE@example.com');
    const mail = await smtp.waitFor(mailTo('alice@example.com', before));
    expect(mail.headers.from).toBe('Framewise <noreply@example.com>');
    expect(mail.authUser).toBe('mailer');
    expect(mail.subject).toBe('Reset your Framewise password');
    expect(mail.text).toContain('"alice"');
    const link = linkIn(mail);
    expect(link.origin + link.pathname).toBe(`${PUBLIC_URL}/auth/password/reset/confirm`);
    const values = { uid: link.searchParams.get('uid')!, token: link.searchParams.get('token')! };

    const mismatch = await confirm(values, 'brand-new-password', 'another-password');
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.details[0].field).toBe('new_password2');
    const weak = await confirm(values, 'short7!');
    expect(weak.status).toBe(400);
    expect(weak.body.details[0].field).toBe('new_password1');

    const done = await confirm(values, 'brand-new-password');
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toEqual({ detail: 'Password has been reset with the new password.' });
    expect((await alice.get('/api/users/self')).status).toBe(401);
    expect((await login('alice', 'alice-password')).status).toBe(401);
    expect((await login('alice', 'brand-new-password')).status).toBe(200);

    const reused = await confirm(values, 'third-password-1');
    expect(reused.status).toBe(400);
    expect(reused.body.details[0].field).toBe('token');
    expect((await login('alice', 'brand-new-password')).status).toBe(200);

    const audit = await s.admin.get('/api/audit-events?action=password.reset');
    expect(audit.body.results.map((e: any) => e.user.username)).toEqual(['alice']);
  });

  it('refuses a link after another password change or a login, and a tampered one', async () => {
    const bob = await person('bob');
    const link = await resetLink('bob@example.com');
    const changed = await bob.post('/api/auth/password/change', { old_password: 'bob-password', new_password1: 'bob-changed-pw', new_password2: 'bob-changed-pw' });
    expect(changed.status).toBe(200);
    const stale = await confirm(link, 'bob-reset-password');
    expect(stale.status).toBe(400);
    expect(stale.body.details[0].field).toBe('token');

    const afterLogin = await resetLink('bob@example.com');
    expect((await login('bob', 'bob-changed-pw')).status).toBe(200);
    expect((await confirm(afterLogin, 'bob-reset-password')).body.details[0].field).toBe('token');

    const fresh = await resetLink('bob@example.com');
    const tampered = { ...fresh, token: fresh.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) };
    expect((await confirm(tampered, 'bob-reset-password')).body.details[0].field).toBe('token');
    const otherUser = await confirm({ ...fresh, uid: ResetTokens.uid(1) }, 'bob-reset-password');
    expect(otherUser.body.details[0].field).toBe('token');
    const badUid = await confirm({ ...fresh, uid: '!!' }, 'bob-reset-password');
    expect(badUid.status).toBe(400);
    expect(badUid.body.details[0].field).toBe('uid');
    expect((await confirm(fresh, 'bob-reset-password')).status).toBe(200);
  });

  it('refuses a token past FRAMEWISE_PASSWORD_RESET_TTL_HOURS', async () => {
    const carol = await person('carol');
    const user = (await s.ctx.repos.users.findById(carol.id))!;
    // Tokens signed with the server's key, issued 25 and 23 hours ago (the default TTL is 24).
    const tokens = new ResetTokens(new SecretBox(SECRET, 'FRAMEWISE_SECRET_KEY'), 24);
    const uid = ResetTokens.uid(carol.id);
    const expired = await confirm({ uid, token: tokens.make(user, Date.now() - 25 * 3600_000) }, 'carol-new-password');
    expect(expired.status).toBe(400);
    expect(expired.body.details[0].field).toBe('token');
    expect((await confirm({ uid, token: tokens.make(user, Date.now() - 23 * 3600_000) }, 'carol-new-password')).status).toBe(200);
  });

  it('answers alike for unknown, directory and inactive accounts, and mails none of them', async () => {
    await s.ctx.repos.users.create({ username: 'lara', email: 'lara@example.com', password_hash: null, auth_source: 'ldap', external_id: 'uid=lara,dc=example,dc=org' });
    const ivan = await person('ivan');
    await s.ctx.repos.users.update(ivan.id, { is_active: false });
    await person('dave');
    const before = smtp.mails.length;
    for (const email of ['nobody@example.com', 'lara@example.com', 'ivan@example.com']) await requestReset(email);
    // A mail that is sent, requested last, shows the queue has run past the others.
    await resetLink('dave@example.com');
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails.slice(before).map((m) => m.to)).toEqual([['dave@example.com']]);
    const audit = await s.admin.get('/api/audit-events?action=password.reset_requested');
    const lara = audit.body.results.find((e: any) => e.user.username === 'lara');
    expect(lara.details).toEqual({ mailed: false, reason: 'ldap account' });
  });

  it('limits requests per email address, known or not', async () => {
    for (let i = 0; i < 5; i++) await requestReset('someone.unknown@example.com');
    const limited = await s.client().post('/api/auth/password/reset', { email: 'Someone.Unknown@example.com' });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is still served.
    await requestReset('someone.else@example.com');
  });
});

describe('invitation mail', () => {
  it('mails an unknown address a registration link that registers with the key', async () => {
    const created = await s.admin.post('/api/organizations', { slug: 'mailorg', name: 'Mail & <Co>' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const before = smtp.mails.length;
    const inv = await s.admin.post('/api/invitations', { email: 'newbie@example.com', role: 'supervisor' }, { 'x-organization': 'mailorg' });
    expect(inv.status, JSON.stringify(inv.body)).toBe(201);
    expect(typeof inv.body.key).toBe('string');

    const mail = await smtp.waitFor(mailTo('newbie@example.com', before));
    expect(mail.subject).toBe('Invitation to join Mail & <Co> on Framewise');
    expect(mail.text).toContain('admin invited you to join the organization "Mail & <Co>" on Framewise as supervisor.');
    expect(mail.html).toContain('Mail &amp; &lt;Co&gt;');
    expect(mail.html).not.toContain('<Co>');
    const link = linkIn(mail);
    expect(link.pathname).toBe('/auth/register');
    expect(link.searchParams.get('invitation')).toBe(inv.body.key);
    expect(link.searchParams.get('email')).toBe('newbie@example.com');

    const registered = await s.client().post('/api/auth/register', {
      username: 'newbie',
      email: link.searchParams.get('email'),
      password1: 'newbie-password',
      password2: 'newbie-password',
      invitation: link.searchParams.get('invitation'),
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const newbie = s.client((await login('newbie', 'newbie-password')).body.key);
    const memberships = await newbie.get('/api/memberships', { 'x-organization': 'mailorg' });
    expect(memberships.body.results.find((m: any) => m.user.username === 'newbie')).toMatchObject({ is_active: true, role: 'supervisor' });
  });

  it('mails an existing user a link to the invitation, again when resent', async () => {
    const erin = await person('erin');
    const before = smtp.mails.length;
    const inv = await s.admin.post('/api/invitations', { email: 'erin@example.com', role: 'worker' }, { 'x-organization': 'mailorg' });
    expect(inv.status).toBe(201);
    const first = linkIn(await smtp.waitFor(mailTo('erin@example.com', before)));
    expect(first.pathname).toBe('/invitations');
    expect(first.searchParams.get('key')).toBe(inv.body.key);

    const again = smtp.mails.length;
    expect((await s.admin.post(`/api/invitations/${inv.body.key}/resend`)).status).toBe(204);
    const second = linkIn(await smtp.waitFor(mailTo('erin@example.com', again)));
    expect(second.searchParams.get('key')).toBe(inv.body.key);
    expect((await erin.post(`/api/invitations/${second.searchParams.get('key')}/accept`)).status).toBe(200);
  });
});

describe('a mail server that is down', () => {
  let down: TestServer;
  const logged: Array<Record<string, any>> = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logged.push(JSON.parse(line));
        done();
      },
    });
    down = await startTestServer({ env: mailEnv(`smtp://127.0.0.1:${await closedPort()}`), log: pino({ level: 'warn' }, sink) });
  });
  afterAll(async () => {
    await down?.close();
  });

  it('still creates the invitation and answers resets; the failed send is logged for the queue to retry', async () => {
    await down.admin.post('/api/organizations', { slug: 'downorg', name: 'Down' });
    const inv = await down.admin.post('/api/invitations', { email: 'offline@example.com', role: 'worker' }, { 'x-organization': 'downorg' });
    expect(inv.status, JSON.stringify(inv.body)).toBe(201);
    expect((await down.admin.get(`/api/invitations/${inv.body.key}`)).status).toBe(200);

    const failure = await new Promise<Record<string, any>>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const entry = logged.find((l) => l.msg === 'mail: the mail server did not take the mail');
        if (entry || Date.now() - started > 15_000) {
          clearInterval(poll);
          if (entry) resolve(entry);
          else reject(new Error(`no failure logged: ${JSON.stringify(logged)}`));
        }
      }, 100);
    });
    expect(failure).toMatchObject({ mail: 'invitation', attempt: 1, willRetry: true });
    expect(failure.err.message).toMatch(/ECONNREFUSED|connect/i);

    const user = await down.user('frank');
    await down.ctx.repos.users.update(user.id, { email: 'frank@example.com' });
    expect((await down.client().post('/api/auth/password/reset', { email: 'frank@example.com' })).status).toBe(200);
  });
});

describe('mail settings', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ FRAMEWISE_DATA_DIR: '/tmp/fw-config-check', ...env });
      return [];
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return e.problems;
    }
  };

  it('reads the SMTP URL with its credentials, and is off without one', () => {
    expect(loadConfig({ FRAMEWISE_DATA_DIR: '/tmp/fw-config-check' }).mail).toBeNull();
    const config = loadConfig({ FRAMEWISE_DATA_DIR: '/tmp/fw-config-check', ...mailEnv('smtps://relay%40corp:p%3Ass@mail.example.com') });
    expect(config.mail).toMatchObject({ host: 'mail.example.com', port: 465, secure: true, user: 'relay@corp', password: 'p:ss', from: 'Framewise <noreply@example.com>' });
    expect(loadConfig({ FRAMEWISE_DATA_DIR: '/tmp/fw-config-check', ...mailEnv('smtp://mail.example.com:2525') }).mail).toMatchObject({ port: 2525, secure: false, user: '' });
    expect(config.passwordResetTtlHours).toBe(24);
  });

  it('names the variable at fault', () => {
    expect(problems({ ...mailEnv('http://mail.example.com') })[0]).toMatch(/^FRAMEWISE_SMTP_URL: /);
    expect(problems({ ...mailEnv('smtp://mail.example.com'), FRAMEWISE_MAIL_FROM: '' })[0]).toMatch(/^FRAMEWISE_MAIL_FROM: required/);
    const { FRAMEWISE_PUBLIC_URL: _, ...noPublicUrl } = mailEnv('smtp://mail.example.com');
    expect(problems(noPublicUrl)).toEqual([expect.stringMatching(/^FRAMEWISE_PUBLIC_URL: required/)]);
    expect(problems({ ...mailEnv('smtp://mail.example.com'), FRAMEWISE_SECRET_KEY: '', DATABASE_URL: 'postgres://db/fw' })[0]).toMatch(/^FRAMEWISE_SECRET_KEY: required/);
    expect(problems({ ...mailEnv('smtp://mail.example.com'), FRAMEWISE_SMTP_CA_FILE: '/nonexistent/ca.pem' })[0]).toMatch(/^FRAMEWISE_SMTP_CA_FILE: cannot read/);
    expect(problems({ FRAMEWISE_PASSWORD_RESET_TTL_HOURS: '0' })[0]).toMatch(/^FRAMEWISE_PASSWORD_RESET_TTL_HOURS: /);
  });
});
