/**
 * Accounts in a real browser, on a server that sends mail to a real SMTP server: personal access
 * tokens used from a script, password change, the administrator's user list and audit log, and a
 * forgotten password reset through the mailed link.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type SmtpSink } from '../../server/test/helpers/smtp';
import { ADMIN, Api, launchBrowser, screenshot, signIn, startServer, type Server } from './harness';

// Mailed links point at the public address; the test opens them on the server it started.
const PUBLIC_URL = 'http://framewise.example';
const ALICE = { username: 'alice', email: 'alice@example.com', password: 'alice-password-1' };
const NEW_PASSWORD = 'alice-changed-password-2';
const RESET_PASSWORD = 'alice-reset-password-3';
const BRUNO = { username: 'bruno', password: 'bruno-password-1' };

let smtp: SmtpSink;
let server: Server;
let browser: Browser;
let admin: Api;
let page: Page;
let adminPage: Page;

async function newPage(): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  p.on('dialog', (d) => void d.accept());
  return p;
}

/** What a script does with a token. */
function asScript(token: string, method = 'GET', route = '/api/users/self', body?: unknown): Promise<Response> {
  return fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

async function createToken(name: string, options: { expires?: string; readOnly?: boolean } = {}): Promise<string> {
  await page.getByLabel('Token name').fill(name);
  if (options.expires) await page.getByLabel('Expires on (optional)').fill(options.expires);
  if (options.readOnly) await page.getByLabel('Read-only').check();
  await page.getByRole('button', { name: 'Create token' }).click();
  const field = page.getByLabel('New token');
  await expect.poll(() => page.locator('.new-token').textContent()).toContain(name);
  return field.inputValue();
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  server = await startServer({
    FRAMEWISE_SMTP_URL: smtp.url,
    FRAMEWISE_MAIL_FROM: 'Framewise <noreply@example.com>',
    FRAMEWISE_PUBLIC_URL: PUBLIC_URL,
    FRAMEWISE_SECRET_KEY: 'an-e2e-secret-key-of-more-than-32-characters',
  });
  browser = await launchBrowser();
  admin = await Api.login(server.url, ADMIN.username, ADMIN.password);
  await admin.call('POST', '/api/users', { username: ALICE.username, email: ALICE.email, password: ALICE.password, first_name: 'Alice', last_name: 'Liddell' });
  page = await newPage();
  adminPage = await newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

describe('a user', () => {
  it('creates an access token, uses it from a script, and revokes it', async () => {
    await signIn(page, server.url, ALICE.username, ALICE.password);
    await page.getByRole('link', { name: ALICE.username, exact: true }).click();
    await page.waitForURL(`${server.url}/profile`);
    await expect.poll(() => page.getByRole('heading', { name: 'Account' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Email').inputValue()).toBe(ALICE.email);

    const token = await createToken('ci script', { expires: '2099-01-15' });
    expect(token.length).toBeGreaterThan(20);
    const self = await asScript(token);
    expect(self.status).toBe(200);
    expect(((await self.json()) as { username: string }).username).toBe(ALICE.username);
    const row = page.locator('tr', { hasText: 'ci script' });
    await expect.poll(() => row.textContent()).toContain('read and write');
    expect(await row.textContent()).toContain('2099');
    await screenshot(page, 'profile');

    await page.getByRole('button', { name: 'Revoke token ci script' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect((await asScript(token)).status).toBe(401);
  });

  it('creates a read-only token that may read but not change anything', async () => {
    await page.getByRole('button', { name: 'Done' }).click();
    const token = await createToken('reader', { readOnly: true });
    await expect.poll(() => page.locator('tr', { hasText: 'reader' }).textContent()).toContain('read-only');
    const self = await asScript(token);
    expect(self.status).toBe(200);
    const { id } = (await self.json()) as { id: number };
    expect((await asScript(token, 'PATCH', `/api/users/${id}`, { first_name: 'Mallory' })).status).toBe(403);
  });

  it('changes their password, which needs the current one', async () => {
    await page.getByLabel('Current password').fill('not-my-password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.locator('.field-error').textContent()).toContain('old password was entered incorrectly');

    await page.getByLabel('Current password').fill(ALICE.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => page.getByText('Password changed.').isVisible()).toBe(true);
    expect(await page.getByLabel('Current password').inputValue()).toBe('');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/auth\/login/);
    await expect(Api.login(server.url, ALICE.username, ALICE.password)).rejects.toThrow(/401/);
    await signIn(page, server.url, ALICE.username, NEW_PASSWORD);
    await expect.poll(() => page.getByRole('link', { name: ALICE.username, exact: true }).isVisible()).toBe(true);
  });

  it('sees no administration pages', async () => {
    expect(await page.getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0);
    await page.goto(`${server.url}/admin/users`);
    await expect.poll(() => page.getByRole('heading', { name: 'Administrators only' }).isVisible()).toBe(true);
  });

  it('resets a forgotten password through the mailed link', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/auth\/login/);
    await screenshot(page, 'login');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(`${server.url}/auth/password/reset`);
    const before = smtp.mails.length;
    await page.getByLabel('Email').fill(ALICE.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('a mail with a link');
    await screenshot(page, 'forgot-password');

    const mail = await smtp.waitFor((m) => m.to.includes(ALICE.email) && smtp.mails.indexOf(m) >= before);
    const href = new RegExp(`${PUBLIC_URL}/\\S+`).exec(mail.text)?.[0];
    expect(href).toBeDefined();
    const link = new URL(href!);
    expect(link.pathname).toBe('/auth/password/reset/confirm');
    await page.goto(`${server.url}${link.pathname}${link.search}`);
    await page.getByLabel('New password', { exact: true }).fill(RESET_PASSWORD);
    await page.getByLabel('New password again').fill('something-else-entirely');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.locator('.field-error').textContent()).toContain("didn't match");
    await screenshot(page, 'reset-password');
    await page.getByLabel('New password again').fill(RESET_PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.getByText('Your password has been changed').isVisible()).toBe(true);

    // The link works once.
    await page.goto(`${server.url}${link.pathname}${link.search}`);
    await page.getByLabel('New password', { exact: true }).fill('yet-another-password');
    await page.getByLabel('New password again').fill('yet-another-password');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.getByText('This link has been used already or has expired').isVisible()).toBe(true);

    await signIn(page, server.url, ALICE.username, RESET_PASSWORD);
    await expect(Api.login(server.url, ALICE.username, NEW_PASSWORD)).rejects.toThrow(/401/);
  });
});

describe('an administrator', () => {
  it('creates a user from the users page, who can then sign in', async () => {
    await signIn(adminPage, server.url, ADMIN.username, ADMIN.password);
    await adminPage.getByRole('link', { name: 'Admin', exact: true }).click();
    await adminPage.waitForURL(`${server.url}/admin/users`);
    await expect.poll(() => adminPage.locator('.users-table').textContent()).toContain(ALICE.email);

    await adminPage.getByRole('button', { name: 'Create user' }).click();
    const dialog = adminPage.getByRole('dialog', { name: 'Create user' });
    // A taken username is refused, and the form says which field.
    await dialog.getByLabel('Username').fill(ALICE.username);
    await dialog.getByLabel('Password').fill(BRUNO.password);
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => dialog.locator('.field-error').textContent()).toContain('already exists');
    await dialog.getByLabel('Username').fill(BRUNO.username);
    await dialog.getByLabel('Email').fill('bruno@example.com');
    await dialog.getByLabel('First name').fill('Bruno');
    await dialog.getByLabel('Last name').fill('Latour');
    await screenshot(adminPage, 'admin-create-user');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => adminPage.getByRole('status').textContent()).toContain(`User ${BRUNO.username} created`);
    await expect.poll(() => adminPage.locator('.users-table tr', { hasText: 'bruno@example.com' }).textContent()).toContain('Bruno Latour');
    await screenshot(adminPage, 'admin-users');

    const user = (await admin.call('GET', `/api/users?username=${BRUNO.username}`)).results[0];
    expect(user).toMatchObject({ email: 'bruno@example.com', first_name: 'Bruno', is_superuser: false, is_active: true });
    const brunoPage = await newPage();
    await signIn(brunoPage, server.url, BRUNO.username, BRUNO.password);
    await expect.poll(() => brunoPage.getByRole('heading', { name: 'Projects' }).isVisible()).toBe(true);
    await brunoPage.close();
  });

  it('deactivates a user, who can no longer sign in, and activates them again', async () => {
    await adminPage.getByRole('button', { name: `Deactivate ${BRUNO.username}` }).click();
    await expect.poll(() => adminPage.getByRole('button', { name: `Activate ${BRUNO.username}` }).isVisible()).toBe(true);
    await expect(Api.login(server.url, BRUNO.username, BRUNO.password)).rejects.toThrow(/401/);
    await adminPage.getByRole('button', { name: `Activate ${BRUNO.username}` }).click();
    await expect.poll(() => adminPage.getByRole('button', { name: `Deactivate ${BRUNO.username}` }).isVisible()).toBe(true);
    await Api.login(server.url, BRUNO.username, BRUNO.password);
    // Nobody deactivates themselves here.
    expect(await adminPage.getByRole('button', { name: `Deactivate ${ADMIN.username}` }).count()).toBe(0);
  });

  it('reads the audit log filtered by action', async () => {
    await adminPage.getByRole('link', { name: 'Audit log' }).click();
    await adminPage.waitForURL(`${server.url}/admin/audit`);
    await expect.poll(() => adminPage.locator('.audit-table tbody tr').count()).toBeGreaterThan(5);
    await adminPage.getByLabel('Action').selectOption('user.created');
    await adminPage.waitForURL(/action=user.created/);
    await expect.poll(async () => [...new Set(await adminPage.locator('.audit-table tbody td:nth-child(2)').allTextContents())]).toEqual(['user.created']);
    const users = await adminPage.locator('.audit-table tbody td:nth-child(4)').allTextContents();
    expect(users.sort()).toEqual([ALICE.username, BRUNO.username]);
    await adminPage.getByLabel('Action').selectOption('access_token.revoked');
    await expect.poll(() => adminPage.locator('.audit-table tbody td:nth-child(4)').allTextContents()).toEqual([ALICE.username]);
    await screenshot(adminPage, 'admin-audit');
  });
});

describe('a server without mail', () => {
  it('tells whoever forgot their password to ask an administrator', async () => {
    const plain = await startServer();
    try {
      const p = await newPage();
      await p.goto(`${plain.url}/auth/password/reset`);
      await p.getByLabel('Email').fill(ALICE.email);
      await p.getByRole('button', { name: 'Send reset link' }).click();
      await expect.poll(() => p.getByRole('alert').textContent()).toContain('ask an administrator');
      await screenshot(p, 'forgot-password-no-mail');
      await p.close();
    } finally {
      await plain.stop();
    }
  });
});
