/**
 * A team in an organization, in a real browser: the owner creates the organization and invites a
 * worker from its page (no mail on this server, so the owner passes the link on), the worker
 * registers through the link, gets one job of three and sees that job only; an existing user
 * accepts an invitation; the owner manages roles, settings and members, which the worker cannot.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, Api, launchBrowser, screenshot, signIn, startServer, type Server } from './harness';
import { makePicture } from './images';

const OWNER = { username: 'olivia', password: 'olivia-password-1' };
const WORKER = { username: 'wendy', email: 'wendy@example.com', password: 'wendy-password-1' };
const OTHER = { username: 'eric', email: 'eric@example.com', password: 'eric-password-1' };
const ORG = { slug: 'acme', name: 'Acme Labs' };
const inOrg = { 'X-Organization': ORG.slug };

let server: Server;
let browser: Browser;
let admin: Api;
let owner: Api;
let ownerPage: Page;
let workerPage: Page;
let taskId: number;
let jobIds: number[];
let workerLink: string;
let otherLink: string;

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  // Removing people and leaving ask for confirmation first.
  page.on('dialog', (d) => void d.accept());
  return page;
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = await Api.login(server.url, ADMIN.username, ADMIN.password);
  await admin.call('POST', '/api/users', { username: OWNER.username, email: 'olivia@example.com', password: OWNER.password, first_name: 'Olivia', last_name: 'Owner' });
  await admin.call('POST', '/api/users', { username: OTHER.username, email: OTHER.email, password: OTHER.password });
  owner = await Api.login(server.url, OWNER.username, OWNER.password);
  ownerPage = await newPage();
  workerPage = await newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('an organization', () => {
  it('is created by its owner from the organization page, and becomes the current one', async () => {
    await signIn(ownerPage, server.url, OWNER.username, OWNER.password);
    await ownerPage.getByRole('link', { name: 'Organization', exact: true }).click();
    await expect.poll(() => ownerPage.getByText('You are working in your personal workspace').isVisible()).toBe(true);
    await screenshot(ownerPage, 'organization-personal');
    await ownerPage.getByRole('link', { name: 'Create organization' }).click();
    await ownerPage.getByLabel('Short name (slug)').fill('bad slug!');
    await ownerPage.getByLabel('Name', { exact: true }).fill(ORG.name);
    await ownerPage.getByLabel('Description').fill('Street scenes for the autonomy team.');
    await screenshot(ownerPage, 'organization-create');
    // The browser refuses the pattern; the server would too.
    await ownerPage.getByRole('button', { name: 'Create organization' }).click();
    expect(await ownerPage.getByLabel('Short name (slug)').evaluate((el: HTMLInputElement) => el.validity.patternMismatch)).toBe(true);
    await ownerPage.getByLabel('Short name (slug)').fill(ORG.slug);
    await ownerPage.getByRole('button', { name: 'Create organization' }).click();
    await ownerPage.waitForURL(`${server.url}/organization`);
    await expect.poll(() => ownerPage.getByRole('heading', { name: ORG.name }).isVisible()).toBe(true);
    expect(await ownerPage.getByLabel('Organization', { exact: true }).inputValue()).toBe(ORG.slug);

    const orgs = await owner.call('GET', '/api/organizations');
    expect(orgs.results).toMatchObject([{ slug: ORG.slug, name: ORG.name, description: 'Street scenes for the autonomy team.', owner: { username: OWNER.username } }]);
  });

  it('holds a project and a task of three jobs', async () => {
    const project = await owner.call('POST', '/api/projects', { name: 'Streets', labels: [{ name: 'car' }] }, inOrg);
    const task = await owner.call('POST', '/api/tasks', { name: 'Morning drive', project_id: project.id, segment_size: 2 }, inOrg);
    const form = new FormData();
    form.set('image_quality', '70');
    for (let i = 0; i < 5; i++) form.set(`client_files[${i}]`, new Blob([new Uint8Array(await makePicture(i, 320, 240))], { type: 'image/png' }), `frame_${i}.png`);
    const { rq_id } = await owner.call('POST', `/api/tasks/${task.id}/data/`, form, inOrg);
    await owner.waitFor(rq_id);
    const jobs = await owner.call('GET', `/api/jobs?task_id=${task.id}&sort=id`, undefined, inOrg);
    expect(jobs.count).toBe(3);
    taskId = task.id;
    jobIds = jobs.results.map((j: { id: number }) => j.id);
  });

  it('lets its owner invite a new worker and shows the link to pass on', async () => {
    await ownerPage.goto(`${server.url}/organization`);
    await ownerPage.getByLabel('Email').fill(WORKER.email);
    await ownerPage.getByLabel('Role', { exact: true }).selectOption('worker');
    await ownerPage.getByRole('button', { name: 'Invite', exact: true }).click();
    const link = ownerPage.getByLabel('Invitation link', { exact: true });
    await expect.poll(() => link.isVisible()).toBe(true);
    workerLink = await link.inputValue();
    const invitations = await owner.call('GET', '/api/invitations?accepted=false', undefined, inOrg);
    expect(invitations.results).toHaveLength(1);
    const key = invitations.results[0].key;
    // Someone without an account registers with the key and the address it was sent to.
    expect(workerLink).toBe(`${server.url}/auth/register?invitation=${key}&email=${encodeURIComponent(WORKER.email)}`);
    // The placeholder is listed as invited until they register.
    const row = ownerPage.locator('.members-table tr', { hasText: 'wendy' });
    await expect.poll(() => row.textContent()).toContain('invited');
    await screenshot(ownerPage, 'organization-owner');
  });

  it('is joined by the worker registering through the link', async () => {
    // An invitation link opened while signed out leads to the login page, whose sign-up link keeps the key.
    const key = new URL(workerLink).searchParams.get('invitation')!;
    await workerPage.goto(`${server.url}/invitations?key=${key}`);
    await workerPage.waitForURL(/\/auth\/login\?next=/);
    expect(await workerPage.getByRole('link', { name: 'Create your account' }).getAttribute('href')).toBe(`/auth/register?invitation=${key}`);

    await workerPage.goto(workerLink);
    expect(await workerPage.getByLabel('Email').inputValue()).toBe(WORKER.email);
    expect(await workerPage.getByLabel('Invitation key').inputValue()).toMatch(/^\S{32,}$/);
    await workerPage.getByLabel('Username').fill(WORKER.username);
    await workerPage.getByLabel('Password', { exact: true }).fill(WORKER.password);
    await workerPage.getByLabel('Password again').fill(WORKER.password);
    await screenshot(workerPage, 'register-invited');
    await workerPage.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => workerPage.getByRole('heading', { name: 'Account created' }).isVisible()).toBe(true);

    const members = await owner.call('GET', '/api/memberships', undefined, inOrg);
    expect(members.results.find((m: any) => m.user.username === WORKER.username)).toMatchObject({ role: 'worker', is_active: true });
  });

  it('lets the owner assign the second job to the worker on the task page', async () => {
    await ownerPage.goto(`${server.url}/tasks/${taskId}`);
    await ownerPage.getByLabel(`Assignee of job ${jobIds[1]}`).selectOption({ label: WORKER.username });
    await expect.poll(async () => (await owner.call('GET', `/api/jobs/${jobIds[1]}`, undefined, inOrg)).assignee?.username).toBe(WORKER.username);
  });

  it('shows the worker their one job and nothing else', async () => {
    await signIn(workerPage, server.url, WORKER.username, WORKER.password);
    await workerPage.getByLabel('Organization', { exact: true }).selectOption(ORG.slug);
    await workerPage.getByRole('link', { name: 'Jobs', exact: true }).click();
    await expect.poll(() => workerPage.locator('.card-title').allTextContents()).toEqual([expect.stringContaining(`Job #${jobIds[1]}`)]);
    await screenshot(workerPage, 'worker-jobs');
    const worker = await Api.login(server.url, WORKER.username, WORKER.password);
    expect((await worker.call('GET', '/api/jobs', undefined, inOrg)).count).toBe(1);

    // Another job of the same task, by its address: not found, as if it did not exist.
    await workerPage.goto(`${server.url}/tasks/${taskId}/jobs/${jobIds[0]}`);
    await expect.poll(() => workerPage.getByText(/does not exist/).isVisible()).toBe(true);
  });

  it('shows the worker its members but none of the controls to manage them', async () => {
    await workerPage.goto(`${server.url}/organization`);
    await expect.poll(() => workerPage.getByRole('heading', { name: ORG.name }).isVisible()).toBe(true);
    await expect.poll(() => workerPage.locator('.members-table tbody tr').count()).toBe(2);
    expect(await workerPage.locator('.members-table').textContent()).toContain('Olivia Owner (olivia)');
    expect(await workerPage.getByRole('heading', { name: 'Invite people' }).count()).toBe(0);
    expect(await workerPage.getByLabel(/^Role of /).count()).toBe(0);
    expect(await workerPage.getByRole('button', { name: /^Remove / }).count()).toBe(0);
    expect(await workerPage.getByRole('button', { name: 'Delete organization' }).count()).toBe(0);
    expect(await workerPage.getByRole('button', { name: 'Leave organization' }).isVisible()).toBe(true);
    for (const box of await workerPage.getByRole('checkbox').all()) expect(await box.isDisabled()).toBe(true);
    await screenshot(workerPage, 'organization-worker');
  });

  it('is joined by an existing user accepting the invitation on the invitations page', async () => {
    await ownerPage.goto(`${server.url}/organization`);
    await ownerPage.getByLabel('Email').fill(OTHER.email);
    await ownerPage.getByLabel('Role', { exact: true }).selectOption('supervisor');
    await ownerPage.getByRole('button', { name: 'Invite', exact: true }).click();
    const link = ownerPage.getByLabel('Invitation link', { exact: true });
    await expect.poll(() => link.inputValue().catch(() => '')).toMatch(/\/invitations\?key=/);
    otherLink = await link.inputValue();

    const page = await newPage();
    await signIn(page, server.url, OTHER.username, OTHER.password);
    // The top bar says an invitation is waiting.
    await expect.poll(() => page.locator('.invites-badge').textContent()).toBe('Invitations 1');
    await page.goto(otherLink);
    await expect.poll(() => page.locator('.invitation-card').textContent()).toContain(ORG.slug);
    await screenshot(page, 'invitation');
    await page.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => page.locator('.invitation-card.done').textContent()).toContain(`You joined ${ORG.slug} as supervisor`);
    // The organization is in the switcher at once, and the badge is gone.
    await expect.poll(() => page.locator('select[aria-label="Organization"] option').allTextContents()).toContain(ORG.name);
    await expect.poll(() => page.locator('.invites-badge').count()).toBe(0);
    await page.close();
  });

  it('lets its owner change roles and worker settings and remove members', async () => {
    await ownerPage.goto(`${server.url}/organization`);
    // Nobody changes their own role or the owner's.
    await expect.poll(() => ownerPage.getByLabel(/^Role of /).count()).toBe(2);
    expect(await ownerPage.getByLabel(`Role of ${OWNER.username}`).count()).toBe(0);
    await ownerPage.getByLabel(`Role of ${OTHER.username}`).selectOption('maintainer');
    const roleOf = async (username: string) => (await owner.call('GET', `/api/memberships?user=${username}`, undefined, inOrg)).results[0]?.role;
    await expect.poll(() => roleOf(OTHER.username)).toBe('maintainer');

    await ownerPage.getByLabel('Workers may export').check();
    await expect.poll(async () => (await owner.call('GET', `/api/organizations/${(await owner.call('GET', '/api/organizations')).results[0].id}/settings`)).workers_can_export).toBe(true);

    await ownerPage.getByRole('button', { name: `Remove ${OTHER.username}` }).click();
    await expect.poll(() => roleOf(OTHER.username)).toBeUndefined();
    await expect.poll(() => ownerPage.locator('.members-table tbody tr').count()).toBe(2);

    // The server refuses to delete an organization that still holds data, and says why.
    await ownerPage.getByRole('button', { name: 'Delete organization' }).click();
    await expect.poll(() => ownerPage.getByRole('alert').textContent()).toMatch(/project|task/);
    expect((await owner.call('GET', '/api/organizations')).count).toBe(1);
  });

  it('can be left by a member, who is back in their personal workspace', async () => {
    await workerPage.goto(`${server.url}/organization`);
    await workerPage.getByRole('button', { name: 'Leave organization' }).click();
    await expect.poll(() => workerPage.getByText('You are working in your personal workspace').isVisible()).toBe(true);
    expect(await workerPage.getByLabel('Organization', { exact: true }).inputValue()).toBe('');
    await expect.poll(() => workerPage.locator('select[aria-label="Organization"] option').allTextContents()).toEqual(['Personal workspace']);
    const members = await owner.call('GET', '/api/memberships', undefined, inOrg);
    expect(members.results.map((m: any) => m.user.username)).toEqual([OWNER.username]);
  });
});
