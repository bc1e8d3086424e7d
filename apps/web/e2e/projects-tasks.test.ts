/**
 * The first things a team lead does, in a real browser: sign in, create a project with a label
 * schema, create a task by uploading images, and find both again in the lists.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, Api, launchBrowser, screenshot, signIn, startServer, type Server } from './harness';
import { makePicture } from './images';

let server: Server;
let browser: Browser;
let page: Page;
let api: Api;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  api = await Api.login(server.url, ADMIN.username, ADMIN.password);
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a team lead', () => {
  it('is sent to the login page and back to where they were going', async () => {
    await page.goto(`${server.url}/tasks`);
    await page.waitForURL(/\/auth\/login\?next=%2Ftasks/);
    await page.getByLabel('Username or email').fill(ADMIN.username);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong username or password');
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/tasks`);
    await expect.poll(() => page.getByRole('heading', { name: 'Tasks' }).isVisible()).toBe(true);
  });

  it('creates a project with labels and attributes in the form', async () => {
    await page.goto(`${server.url}/projects`);
    await page.getByRole('link', { name: 'Create project' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Street scenes');
    await page.getByRole('button', { name: '+ Add label' }).click();
    await page.getByLabel('Label name').nth(0).fill('car');
    await page.getByLabel('Label type').nth(0).selectOption('rectangle');
    await page.getByRole('button', { name: '+ Attribute' }).click();
    await page.getByLabel('Attribute name').fill('color');
    await page.getByLabel('Attribute values').fill('red;blue;white');
    await page.getByRole('button', { name: '+ Add label' }).click();
    await page.getByLabel('Label name').nth(1).fill('person');
    await screenshot(page, 'project-create');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/\/projects\/\d+$/);
    await expect.poll(() => page.getByRole('heading', { name: 'Street scenes' }).isVisible()).toBe(true);

    const projects = await api.call('GET', '/api/projects?name=Street%20scenes');
    expect(projects.count).toBe(1);
    const labels = await api.call('GET', `/api/labels?project_id=${projects.results[0].id}`);
    const byName = Object.fromEntries(labels.results.map((l: any) => [l.name, l]));
    expect(Object.keys(byName).sort()).toEqual(['car', 'person']);
    expect(byName.car.type).toBe('rectangle');
    expect(byName.car.attributes).toMatchObject([{ name: 'color', input_type: 'select', values: ['red', 'blue', 'white'], default_value: 'red' }]);
  });

  it('rejects a broken schema pasted as JSON, naming the field', async () => {
    await page.goto(`${server.url}/projects/create`);
    await page.getByRole('tab', { name: 'Raw JSON' }).click();
    await page.getByLabel('Labels as JSON').fill('[{"name": "dog", "attributes": [{"name": "age", "input_type": "slider"}]}]');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('labels[0].attributes[0].input_type');
    await page.getByLabel('Labels as JSON').fill('[{"name": "dog", "color": "#ff0000", "type": "polygon"}]');
    await page.getByRole('tab', { name: 'Form' }).click();
    expect(await page.getByLabel('Label name').inputValue()).toBe('dog');
    expect(await page.getByLabel('Label type').inputValue()).toBe('polygon');
  });

  it('creates a task by uploading images, with progress, and lands on its jobs', async () => {
    const project = (await api.call('GET', '/api/projects?name=Street%20scenes')).results[0];
    await page.goto(`${server.url}/projects/${project.id}`);
    await page.getByRole('link', { name: 'Create task' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Morning drive');
    await expect.poll(() => page.getByLabel('Project').inputValue()).toBe(String(project.id));
    const files = await Promise.all([0, 1, 2, 3, 4].map(async (i) => ({ name: `frame_${i}.png`, mimeType: 'image/png', buffer: await makePicture(i) })));
    await page.getByLabel('Files').setInputFiles(files);
    await expect.poll(() => page.getByText('5 files').isVisible()).toBe(true);
    await page.getByText('Advanced').click();
    await page.getByLabel('Segment size (frames per job)').fill('2');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.waitForURL(/\/tasks\/\d+$/, { timeout: 60_000 });
    await expect.poll(() => page.getByRole('heading', { name: 'Morning drive' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('link', { name: /^Job #\d+$/ }).count()).toBe(3);
    await screenshot(page, 'task-page');

    const taskId = Number(new URL(page.url()).pathname.split('/').pop());
    const task = await api.call('GET', `/api/tasks/${taskId}`);
    expect(task).toMatchObject({ name: 'Morning drive', project_id: project.id, size: 5, segment_size: 2 });
  });

  it('assigns a job from the task page', async () => {
    await api.call('POST', '/api/users', { username: 'anna', email: 'anna@example.com', password: 'anna-password-123', first_name: 'Anna', last_name: 'K' });
    await page.reload();
    const first = page.getByLabel(/^Assignee of job \d+$/).first();
    await first.selectOption({ label: 'anna' });
    const jobId = Number((await first.getAttribute('aria-label'))!.split(' ').pop());
    await expect.poll(async () => (await api.call('GET', `/api/jobs/${jobId}`)).assignee?.username).toBe('anna');
  });

  it('finds projects and tasks by search, and keeps the search in the address', async () => {
    await api.call('POST', '/api/projects', { name: 'Aerial survey', labels: [{ name: 'roof' }] });
    await page.goto(`${server.url}/projects`);
    await expect.poll(() => page.locator('.card').count()).toBe(2);
    await page.getByLabel('Search').fill('aerial');
    await page.getByLabel('Search').press('Enter');
    await page.waitForURL(/search=aerial/);
    await expect.poll(() => page.locator('.card').count()).toBe(1);
    expect(await page.locator('.card-title').textContent()).toBe('Aerial survey');
    await screenshot(page, 'projects-search');
    await page.goto(`${server.url}/tasks?search=morning`);
    await expect.poll(() => page.locator('.task-row').count()).toBe(1);
  });

  it('logs out', async () => {
    await page.goto(`${server.url}/projects`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/auth\/login/);
    await page.goto(`${server.url}/projects`);
    await page.waitForURL(/\/auth\/login\?next=/);
  });
});
