/**
 * The annotation workspace as an annotator uses it, in real Chromium: open a job from its link,
 * draw a box and a polygon, set an attribute, save with Ctrl+S, reload and find them, undo and
 * redo, page frames with F/D, resolve a conflict with someone else's save, finish the job.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, Api, launchBrowser, screenshot, signIn, startServer, type Server } from './harness';
import { makePicture } from './images';

let server: Server;
let browser: Browser;
let page: Page;
let api: Api;
let taskId: number;
let jobId: number;
let labels: Record<string, any>;

async function shapes(): Promise<any[]> {
  return (await api.call('GET', `/api/jobs/${jobId}/annotations`)).shapes;
}

/** The canvas's box on the page and the scale the frame (800x600) is fitted at. */
async function canvasBox() {
  const box = (await page.getByTestId('workspace-canvas').boundingBox())!;
  return box;
}

/** Maps image pixels of the 800x600 frame, fitted in the canvas, to page coordinates. */
async function imageToPage() {
  const box = await canvasBox();
  const scale = Math.min((box.width - 16) / 800, (box.height - 16) / 600);
  const origin = { x: box.x + (box.width - 800 * scale) / 2, y: box.y + (box.height - 600 * scale) / 2 };
  return (x: number, y: number) => [origin.x + x * scale, origin.y + y * scale] as const;
}

async function objectRows(): Promise<number> {
  return page.getByRole('list').locator('[role=listitem]').count();
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  api = await Api.login(server.url, ADMIN.username, ADMIN.password);
  const task = await api.call('POST', '/api/tasks', {
    name: 'Crossing',
    labels: [
      { name: 'car', type: 'rectangle', color: '#e15759', attributes: [{ name: 'color', input_type: 'select', mutable: false, values: ['red', 'blue'], default_value: 'red' }] },
      { name: 'road', type: 'polygon', color: '#59a14f', attributes: [] },
    ],
  });
  taskId = task.id;
  const form = new FormData();
  form.set('image_quality', '90');
  for (let i = 0; i < 3; i++) form.append(`client_files[${i}]`, new Blob([new Uint8Array(await makePicture(i))], { type: 'image/png' }), `crossing_${i}.png`);
  const { rq_id } = await api.call('POST', `/api/tasks/${taskId}/data`, form);
  await api.waitFor(rq_id);
  jobId = (await api.call('GET', `/api/jobs?task_id=${taskId}`)).results[0].id;
  labels = Object.fromEntries((await api.call('GET', `/api/labels?task_id=${taskId}`)).results.map((l: any) => [l.name, l]));
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await signIn(page, server.url, ADMIN.username, ADMIN.password);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the workspace', () => {
  it('opens from a CVAT-style link with the first frame shown', async () => {
    await page.goto(`${server.url}/tasks/${taskId}/jobs/${jobId}`);
    await page.locator('.ws-canvas[data-loaded="true"]').waitFor();
    expect(await page.getByLabel('Frame number').inputValue()).toBe('0');
    await screenshot(page, 'workspace-empty');
  });

  it('draws a box by dragging, in image pixels whatever the zoom', async () => {
    await page.getByRole('button', { name: 'Rectangle' }).click();
    const at = await imageToPage();
    await page.mouse.move(...at(100, 120));
    await page.mouse.down();
    await page.mouse.move(...at(200, 180), { steps: 4 });
    await page.mouse.move(...at(300, 240), { steps: 4 });
    await page.mouse.up();
    await expect.poll(objectRows).toBe(1);
    await page.getByLabel('color').selectOption('blue');
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getByRole('status', { name: 'Save state' }).textContent()).toBe('All changes saved');
    const [rect] = await shapes();
    expect(rect).toMatchObject({ type: 'rectangle', frame: 0, label_id: labels.car.id, attributes: [{ spec_id: labels.car.attributes[0].id, value: 'blue' }] });
    const expected = [100, 120, 300, 240];
    rect.points.forEach((v: number, i: number) => expect(Math.abs(v - expected[i]!), `point ${i}: ${v}`).toBeLessThan(1.5));
  });

  it('draws a polygon by clicks and Enter, and undoes and redoes it', async () => {
    await page.getByRole('button', { name: 'Polygon' }).click();
    const box = await canvasBox();
    for (const [dx, dy] of [
      [0.55, 0.55],
      [0.75, 0.55],
      [0.75, 0.8],
      [0.55, 0.8],
    ] as const) {
      await page.mouse.click(box.x + box.width * dx, box.y + box.height * dy);
    }
    await page.keyboard.press('Enter');
    await expect.poll(objectRows).toBe(2);
    await expect.poll(() => page.getByRole('status', { name: 'Save state' }).textContent()).toBe('Unsaved changes');
    await screenshot(page, 'workspace-drawn');
    await page.keyboard.press('Control+z');
    await expect.poll(objectRows).toBe(1);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(objectRows).toBe(2);
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getByRole('status', { name: 'Save state' }).textContent()).toBe('All changes saved');
    const saved = await shapes();
    expect(saved.map((s) => s.type).sort()).toEqual(['polygon', 'rectangle']);
    expect(saved.find((s) => s.type === 'polygon')).toMatchObject({ label_id: labels.road.id, frame: 0 });
    expect(saved.find((s) => s.type === 'polygon').points).toHaveLength(8);
  });

  it('finds the objects again after a reload', async () => {
    await page.reload();
    await page.locator('.ws-canvas[data-loaded="true"]').waitFor();
    await expect.poll(objectRows).toBe(2);
  });

  it('pages frames with F and D and keeps objects on their frame', async () => {
    await page.keyboard.press('f');
    await expect.poll(() => page.getByLabel('Frame number').inputValue()).toBe('1');
    await expect.poll(objectRows).toBe(0);
    await page.keyboard.press('d');
    await expect.poll(() => page.getByLabel('Frame number').inputValue()).toBe('0');
    await expect.poll(objectRows).toBe(2);
  });

  it('copies a box to the next frame, and undo there brings the user to the frame it changed', async () => {
    await page.getByRole('button', { name: 'Select' }).click();
    const at = await imageToPage();
    await page.mouse.click(...at(200, 180));
    await expect.poll(() => page.getByRole('listitem').filter({ hasText: 'car' }).first().getAttribute('class')).toContain('selected');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('f');
    await expect.poll(() => page.getByLabel('Frame number').inputValue()).toBe('1');
    await page.keyboard.press('Control+v');
    await expect.poll(objectRows).toBe(1);
    await page.keyboard.press('d');
    await expect.poll(objectRows).toBe(2);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByLabel('Frame number').inputValue()).toBe('1');
    await expect.poll(objectRows).toBe(0);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(objectRows).toBe(1);
    await page.getByRole('listitem').first().click();
    await page.keyboard.press('Delete');
    await expect.poll(objectRows).toBe(0);
    await page.keyboard.press('d');
    await expect.poll(objectRows).toBe(2);
  });

  it('saves new objects beside what others created meanwhile, without asking', async () => {
    await api.call('PATCH', `/api/jobs/${jobId}/annotations?action=create`, {
      shapes: [{ type: 'rectangle', frame: 0, label_id: labels.car.id, points: [500, 50, 560, 90], attributes: [] }],
      tags: [],
      tracks: [],
    });
    await page.getByRole('button', { name: 'Rectangle' }).click();
    const at = await imageToPage();
    await page.mouse.move(...at(60, 400));
    await page.mouse.down();
    await page.mouse.move(...at(160, 500), { steps: 5 });
    await page.mouse.up();
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getByRole('status', { name: 'Save state' }).textContent()).toBe('All changes saved');
    expect(await shapes()).toHaveLength(4);
  });

  it('on a conflict, reloads their version and puts the unsaved move back on top', async () => {
    const before = (await shapes()).find((s) => s.type === 'rectangle' && s.points[0] < 150 && s.points[1] < 150);
    // Someone else changes the box's colour meanwhile.
    await api.call('PATCH', `/api/jobs/${jobId}/annotations?action=update`, {
      shapes: [{ ...before, attributes: [{ spec_id: labels.car.attributes[0].id, value: 'red' }] }],
      tags: [],
      tracks: [],
    });
    // This user moves the same box by 40 px right.
    await page.getByRole('button', { name: 'Select' }).click();
    const at = await imageToPage();
    await page.mouse.move(...at(200, 180));
    await page.mouse.down();
    await page.mouse.move(...at(220, 180), { steps: 3 });
    await page.mouse.move(...at(240, 180), { steps: 3 });
    await page.mouse.up();
    await page.keyboard.press('Control+s');
    const dialog = page.getByRole('dialog', { name: 'Someone else saved this job' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`#${before.id}`);
    await screenshot(page, 'workspace-conflict');
    await dialog.getByRole('button', { name: 'Reload and keep my changes' }).click();
    await expect.poll(objectRows).toBe(4);
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getByRole('status', { name: 'Save state' }).textContent()).toBe('All changes saved');
    const after = (await shapes()).find((s) => s.id === before.id);
    expect(Math.abs(after.points[0] - (before.points[0] + 40))).toBeLessThan(1.5);
  });

  it('finishes the job', async () => {
    await page.getByRole('button', { name: 'Finish job' }).click();
    await expect.poll(async () => (await api.call('GET', `/api/jobs/${jobId}`)).state).toBe('completed');
    await expect.poll(() => page.getByRole('button', { name: 'Completed' }).isDisabled()).toBe(true);
  });
});
