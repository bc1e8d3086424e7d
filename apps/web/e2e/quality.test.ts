/**
 * Quality control as a team lead and an annotator do it, in real Chromium: the lead makes a
 * ground-truth job of chosen frames from the task's Quality tab (a wrong frame is named), the
 * ground truth is annotated (through the API, as a script would) and accepted in the page; the
 * project's settings turn immediate feedback on. The annotator hands in a job with a known
 * mistake and is told the score, the attempts left and the failing frame, which is a link to it;
 * the lead computes a report and finds the accuracy and the conflict, and the conflict opens the
 * job on its frame with the object selected. The project's tab sums it up per annotator.
 *
 * Frames are 800 x 600. Ground truth: a car on frame 0 and a car on frame 1 (frames 0-1 are job
 * A's). The annotator draws frame 0's car exactly and labels frame 1's box "person": 1 right of 2,
 * accuracy 1/2 = 50% (precision 1/2, recall 1/2), under the default target of 70%; frame 1 fails.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, Api, launchBrowser, screenshot, SCREENSHOTS, signIn, startServer, type Server } from './harness';
import { makePicture } from './images';

const ANNOTATOR = { username: 'anna', email: 'anna@example.com', password: 'anna-password-123' };
const CAR_0 = [100, 120, 300, 240];
const CAR_1 = [150, 140, 370, 300];

let server: Server;
let browser: Browser;
let lead: Page;
let annotatorContext: BrowserContext;
let annotatorPage: Page;
let api: Api;
let projectId: number;
let taskId: number;
let jobA: number;
let jobB: number;
let gtJob: number;
let wrongBoxId: number;
let labels: Record<string, any>;

const box = (frame: number, label: string, points: number[]) => ({
  type: 'rectangle', frame, label_id: labels[label].id, points, group: 0, source: 'manual', attributes: [], occluded: false, outside: false, z_order: 0, rotation: 0,
});

async function fullScreenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  api = await Api.login(server.url, ADMIN.username, ADMIN.password);
  projectId = (
    await api.call('POST', '/api/projects', {
      name: 'Street QA',
      labels: [
        { name: 'car', type: 'rectangle', color: '#e15759', attributes: [] },
        { name: 'person', type: 'rectangle', color: '#4e79a7', attributes: [] },
      ],
    })
  ).id;
  taskId = (await api.call('POST', '/api/tasks', { name: 'Crossing QA', project_id: projectId, segment_size: 2 })).id;
  const form = new FormData();
  form.set('image_quality', '90');
  for (let i = 0; i < 4; i++) form.append(`client_files[${i}]`, new Blob([new Uint8Array(await makePicture(i))], { type: 'image/png' }), `qa_${i}.png`);
  const { rq_id } = await api.call('POST', `/api/tasks/${taskId}/data`, form);
  await api.waitFor(rq_id);
  [jobA, jobB] = (await api.call('GET', `/api/jobs?task_id=${taskId}&sort=id`)).results.map((j: any) => j.id);
  labels = Object.fromEntries((await api.call('GET', `/api/labels?task_id=${taskId}`)).results.map((l: any) => [l.name, l]));
  const annotator = await api.call('POST', '/api/users', { ...ANNOTATOR, first_name: 'Anna', last_name: 'K' });
  await api.call('PATCH', `/api/jobs/${jobA}`, { assignee: annotator.id });

  lead = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  lead.on('dialog', (d) => void d.accept());
  await signIn(lead, server.url, ADMIN.username, ADMIN.password);
  annotatorContext = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  annotatorPage = await annotatorContext.newPage();
  await signIn(annotatorPage, server.url, ANNOTATOR.username, ANNOTATOR.password);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('quality control', () => {
  it('the lead creates a ground-truth job of chosen frames from the task\'s Quality tab; a frame the task lacks is named', async () => {
    await lead.goto(`${server.url}/tasks/${taskId}`);
    await lead.getByRole('link', { name: 'Quality', exact: true }).click();
    await lead.waitForURL(`${server.url}/tasks/${taskId}/quality`);
    await lead.getByRole('heading', { name: 'Ground truth' }).waitFor();
    await lead.getByLabel('Frames I choose').check();
    await lead.getByLabel('Frame numbers').fill('0, 9');
    await lead.getByRole('button', { name: 'Create ground-truth job' }).click();
    await expect.poll(() => lead.getByRole('alert').first().textContent()).toContain('the task has frames 0-3; not 9');
    await screenshot(lead, 'quality-task-create-gt');

    await lead.getByLabel('Frame numbers').fill('0-1');
    expect(await lead.getByText('2 frames · the task has frames 0-3').isVisible()).toBe(true);
    await lead.getByRole('button', { name: 'Create ground-truth job' }).click();
    await lead.getByRole('button', { name: 'Accept ground truth' }).waitFor();
    const gt = (await api.call('GET', `/api/jobs?task_id=${taskId}&type=ground_truth`)).results;
    expect(gt).toHaveLength(1);
    gtJob = gt[0].id;
    expect(gt[0].frame_count).toBe(2);
    expect((await api.call('GET', `/api/tasks/${taskId}/validation_layout`)).validation_frames).toEqual([0, 1]);
    expect(await lead.getByRole('link', { name: `Job #${gtJob}` }).first().isVisible()).toBe(true);
    expect(await lead.getByRole('group', { name: 'Validation frames' }).getByRole('button').allTextContents()).toEqual(['0', '1']);
  });

  it('the ground truth, annotated by a script, is accepted in the page', async () => {
    await api.call('PUT', `/api/jobs/${gtJob}/annotations`, { version: 0, tags: [], tracks: [], shapes: [box(0, 'car', CAR_0), box(1, 'car', CAR_1)] });
    await lead.getByRole('button', { name: 'Accept ground truth' }).click();
    await lead.getByText('Accepted: reports and immediate feedback compare with it.').waitFor();
    expect(await api.call('GET', `/api/jobs/${gtJob}`)).toMatchObject({ stage: 'acceptance', state: 'completed' });
    // The task uses its project's settings; immediate feedback is turned on there.
    expect(await lead.getByLabel('Use the project\'s settings').isChecked()).toBe(true);
    expect(await lead.getByLabel('Attempts per job').isDisabled()).toBe(true);
  });

  it('the lead turns immediate feedback on in the project\'s Quality tab (two attempts per job)', async () => {
    await lead.goto(`${server.url}/projects/${projectId}`);
    await lead.getByRole('link', { name: 'Quality', exact: true }).click();
    await lead.waitForURL(`${server.url}/projects/${projectId}/quality`);
    await lead.getByLabel('Attempts per job').fill('2');
    await lead.getByLabel('Target threshold').fill('1.5');
    await lead.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => lead.getByText('must be from 0 to 1').isVisible()).toBe(true);
    await lead.getByLabel('Target threshold').fill('0.7');
    await lead.getByRole('button', { name: 'Save settings' }).click();
    await lead.getByText('Saved', { exact: true }).waitFor();
    const [settings] = (await api.call('GET', `/api/quality/settings?project_id=${projectId}&parent_type=project`)).results;
    expect(settings).toMatchObject({ max_validations_per_job: 2, target_metric: 'accuracy', target_metric_threshold: 0.7 });
  });

  it('the annotator hands in a job with a wrong label and is told the score, the attempts left and the failing frame', async () => {
    const annotator = await Api.login(server.url, ANNOTATOR.username, ANNOTATOR.password);
    await annotator.call('PUT', `/api/jobs/${jobA}/annotations`, { version: 0, tags: [], tracks: [], shapes: [box(0, 'car', CAR_0), box(1, 'person', CAR_1)] });
    wrongBoxId = (await annotator.call('GET', `/api/jobs/${jobA}/annotations`)).shapes.find((s: any) => s.frame === 1).id;

    await annotatorPage.goto(`${server.url}/tasks/${taskId}/jobs/${jobA}`);
    await annotatorPage.locator('.ws-canvas[data-loaded="true"]').waitFor();
    await annotatorPage.getByRole('button', { name: 'Finish job' }).click();
    const dialog = annotatorPage.getByRole('dialog', { name: 'Not accepted yet' });
    await dialog.waitFor();
    const text = await dialog.textContent();
    expect(text).toContain('Accuracy 50%');
    expect(text).toContain('the target is 70%');
    expect(text).toContain('Attempt 1 of 2');
    expect(text).toContain('1 attempt left');
    expect(await dialog.getByRole('button', { name: /^Go to frame \d+ to check$/ }).allTextContents()).toEqual(['1']);
    await screenshot(annotatorPage, 'quality-feedback');
    expect((await api.call('GET', `/api/jobs/${jobA}`)).state).toBe('rejected');

    await dialog.getByRole('button', { name: 'Go to frame 1 to check' }).click();
    await expect.poll(() => annotatorPage.getByLabel('Frame number').inputValue()).toBe('1');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    // The failing frame stays marked, and named in the side panel.
    expect(await annotatorPage.getByRole('button', { name: 'Go to frame 1 (conflicts)' }).isVisible()).toBe(true);
    expect(await annotatorPage.getByRole('region', { name: 'Quality check' }).textContent()).toContain('Returned for fixes');
    await screenshot(annotatorPage, 'quality-feedback-frame');
  });

  it('the lead computes the task report and sees the accuracy, the job below target and the conflict', async () => {
    await lead.goto(`${server.url}/tasks/${taskId}/quality`);
    await lead.getByRole('button', { name: 'Compute report' }).click();
    await expect.poll(() => lead.getByRole('group', { name: 'Report figures' }).isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await lead.getByRole('group', { name: 'Report figures' }).getByLabel('Accuracy').textContent()).toContain('50%');
    expect(await lead.getByRole('group', { name: 'Report figures' }).getByLabel('Precision').textContent()).toContain('50%');
    expect(await lead.getByRole('group', { name: 'Report figures' }).getByLabel('Recall').textContent()).toContain('50%');

    const jobs = lead.getByRole('table', { name: 'Jobs in the report' });
    await jobs.waitFor();
    const rowA = jobs.getByRole('row').filter({ hasText: `Job #${jobA}` });
    expect(await rowA.textContent()).toContain('Anna K (anna)');
    expect(await rowA.textContent()).toContain('below target');
    expect(await jobs.getByRole('row').filter({ hasText: `Job #${jobB}` }).textContent()).toContain('not checked');

    const conflicts = lead.getByRole('table', { name: 'Conflicts' });
    await conflicts.waitFor();
    const rows = conflicts.locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Wrong label');
    expect(await rows.first().locator('td').nth(1).textContent()).toBe(`#${jobA}`);
    expect(await rows.first().locator('td').nth(2).textContent()).toBe('1');

    // Per label: the ground truth has 2 cars; the job 1 car (right) and 1 person (the ground truth's car).
    const perLabel = lead.getByRole('table', { name: 'Per-label metrics' });
    await perLabel.waitFor();
    const car = (await perLabel.getByRole('row').filter({ hasText: /^car/ }).locator('td').allTextContents()).slice(0, 6);
    expect(car).toEqual(['car', '2', '1', '1', '100%', '50%']);
    await fullScreenshot(lead, 'quality-task-report');

    // The report's data downloads with the session.
    const csv = await lead.request.get(`${server.url}${await lead.getByRole('link', { name: 'CSV (confusion matrix)' }).getAttribute('href')}`);
    expect(csv.status()).toBe(200);
    expect((await csv.text()).split('\r\n')[0]).toBe('label,car,person,unmatched,precision');
  });

  it('opening the job from the conflict lands on its frame with the wrongly labelled box selected', async () => {
    await lead.getByRole('link', { name: `Open Wrong label on frame 1 of job ${jobA}` }).click();
    await lead.waitForURL(new RegExp(`/tasks/${taskId}/jobs/${jobA}\\?frame=1`));
    await lead.locator('.ws-canvas[data-loaded="true"]').waitFor();
    expect(await lead.getByLabel('Frame number').inputValue()).toBe('1');
    await expect.poll(() => lead.getByLabel('Selected object', { exact: true }).textContent()).toContain(`#${wrongBoxId}`);
    expect(await lead.getByLabel('Selected object', { exact: true }).getByLabel('Object label').inputValue()).toBe(String(labels.person.id));
    // The side panel lists the report's conflicts; the frame is marked on the filmstrip.
    const list = lead.getByRole('region', { name: 'Conflicts' });
    expect(await list.getByRole('button', { name: 'Wrong label, error, frame 1' }).isVisible()).toBe(true);
    expect(await lead.getByRole('button', { name: 'Go to frame 1 (conflicts)' }).isVisible()).toBe(true);
    await screenshot(lead, 'quality-workspace-conflict');

    // From another frame, the conflict in the list brings the lead back and selects the box again.
    await lead.keyboard.press('d');
    await expect.poll(() => lead.getByLabel('Frame number').inputValue()).toBe('0');
    await list.getByRole('button', { name: 'Wrong label, error, frame 1' }).click();
    await expect.poll(() => lead.getByLabel('Frame number').inputValue()).toBe('1');
    await expect.poll(() => lead.getByLabel('Selected object', { exact: true }).textContent()).toContain(`#${wrongBoxId}`);
  });

  it('the annotator sees no conflicts, only their own feedback', async () => {
    await annotatorPage.reload();
    await annotatorPage.locator('.ws-canvas[data-loaded="true"]').waitFor();
    await annotatorPage.getByRole('region', { name: 'Quality check' }).waitFor();
    expect(await annotatorPage.getByRole('region', { name: 'Conflicts' }).count()).toBe(0);
    // Nor a Quality tab on the task.
    await annotatorPage.goto(`${server.url}/tasks/${taskId}/quality`);
    await annotatorPage.getByText('Quality reports and ground truth are for those who manage this task.').waitFor();
  });

  it('on the last attempt, the annotator is told the job went to review', async () => {
    await annotatorPage.goto(`${server.url}/tasks/${taskId}/jobs/${jobA}`);
    await annotatorPage.locator('.ws-canvas[data-loaded="true"]').waitFor();
    await annotatorPage.getByRole('button', { name: 'Finish job' }).click();
    const dialog = annotatorPage.getByRole('dialog', { name: 'Sent to a reviewer' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('That was the last of 2 attempts: the job went to review');
    expect(await api.call('GET', `/api/jobs/${jobA}`)).toMatchObject({ stage: 'validation', state: 'new' });
    await screenshot(annotatorPage, 'quality-sent-to-review');
  });

  it('the project\'s Quality tab shows reports over time, the QA pass rate and quality per annotator', async () => {
    await lead.goto(`${server.url}/projects/${projectId}/quality`);
    await lead.getByRole('button', { name: 'Compute project report' }).click();
    await expect.poll(() => lead.getByRole('img', { name: 'Quality over time' }).locator('circle').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // Job A's latest report: 50%, under the target; job B compared nothing. 0 of 1 jobs pass.
    const rate = lead.getByLabel('QA pass rate', { exact: true }).last();
    expect(await rate.textContent()).toContain('0%');
    expect(await rate.textContent()).toContain('0 of 1 jobs');
    const anna = lead.getByRole('table', { name: 'Annotators' }).getByRole('row').filter({ hasText: 'anna' });
    expect((await anna.locator('td').allTextContents()).slice(0, 4)).toEqual(['Anna K (anna)', '1', '0 (0%)', '50%']);
    await fullScreenshot(lead, 'quality-project');
  });
});
