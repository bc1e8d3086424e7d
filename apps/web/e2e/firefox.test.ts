/**
 * The workspace in Firefox (Debian's firefox-esr), driven over WebDriver BiDi by puppeteer-core:
 * playwright-core drives only its own patched Firefox builds, which cannot be downloaded here,
 * and its BiDi mode needs commands that Firefox ESR lacks. The flows are the Chromium suite's
 * core (sign in, open a job from its link, draw a box and a polygon, save, reload and find them,
 * zoom), plus a crowded frame whose object layer Firefox must build in its worker
 * (OffscreenCanvas) and swap in.
 *
 * Firefox must be installed where CI runs (.ci/run installs it); elsewhere the file is skipped.
 */
import fs from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, Api, SCREENSHOTS, startServer, type Server } from './harness';
import { makePicture } from './images';

const FIREFOX = process.env.FRAMEWISE_FIREFOX ?? '/usr/bin/firefox-esr';
const present = fs.existsSync(FIREFOX);
if (!present && process.env.CI) throw new Error(`${FIREFOX} is missing: CI runs the workspace in Firefox too (apt-get install firefox-esr)`);

let server: Server;
let browser: Browser;
let page: Page;
let api: Api;
let taskId: number;
let jobId: number;
let crowdedTask: number;
let crowdedJob: number;

const view = () => page.evaluate(() => (window as any).__framewise.editor.viewport as { scale: number; x: number; y: number });
const rows = () => page.$$eval('[role=listitem]', (els) => els.length);
const saveState = () => page.$eval('[aria-label="Save state"]', (el) => el.textContent);

async function poll<T>(read: () => Promise<T>, want: T, what: string): Promise<void> {
  let last: T | undefined;
  for (let i = 0; i < 100; i++) {
    last = await read();
    if (last === want) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: ${String(last)}, expected ${String(want)}`);
}

/** Page coordinates of an image point, through the engine's own viewport. */
async function toPage(x: number, y: number): Promise<[number, number]> {
  const v = await view();
  const box = (await (await page.$('[data-testid=workspace-canvas]'))!.boundingBox())!;
  return [box.x + x * v.scale + v.x, box.y + y * v.scale + v.y];
}

async function openJob(task: number, job: number): Promise<void> {
  await page.goto(`${server.url}/tasks/${task}/jobs/${job}`);
  await page.waitForSelector('.ws-canvas[data-loaded="true"]');
}

async function shot(name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}

beforeAll(async () => {
  if (!present) return;
  server = await startServer();
  api = await Api.login(server.url, ADMIN.username, ADMIN.password);
  const task = await api.call('POST', '/api/tasks', {
    name: 'Firefox',
    labels: [
      { name: 'car', type: 'rectangle', color: '#e15759', attributes: [] },
      { name: 'road', type: 'polygon', color: '#59a14f', attributes: [] },
    ],
  });
  taskId = task.id;
  const form = new FormData();
  form.set('image_quality', '90');
  for (let i = 0; i < 2; i++) form.append(`client_files[${i}]`, new Blob([new Uint8Array(await makePicture(i))], { type: 'image/png' }), `street_${i}.png`);
  await api.waitFor((await api.call('POST', `/api/tasks/${taskId}/data`, form)).rq_id);
  jobId = (await api.call('GET', `/api/jobs?task_id=${taskId}`)).results[0].id;

  const crowded = await api.call('POST', '/api/tasks', { name: 'Crowd', labels: [{ name: 'cell', type: 'rectangle', color: '#ff00ff', attributes: [] }] });
  crowdedTask = crowded.id;
  const one = new FormData();
  one.set('image_quality', '90');
  one.append('client_files[0]', new Blob([new Uint8Array(await makePicture(5))], { type: 'image/png' }), 'crowd.png');
  await api.waitFor((await api.call('POST', `/api/tasks/${crowdedTask}/data`, one)).rq_id);
  crowdedJob = (await api.call('GET', `/api/jobs?task_id=${crowdedTask}`)).results[0].id;
  const label = (await api.call('GET', `/api/labels?task_id=${crowdedTask}`)).results[0].id;
  const shapes = [];
  for (let r = 0; r < 50; r++) for (let c = 0; c < 60; c++) shapes.push({ type: 'rectangle', frame: 0, label_id: label, points: [c * 13 + 2, r * 12 + 2, c * 13 + 11, r * 12 + 10], attributes: [] });
  await api.call('PATCH', `/api/jobs/${crowdedJob}/annotations?action=create`, { shapes, tracks: [], tags: [] });

  browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 768 });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe.skipIf(!present)('the workspace in Firefox', () => {
  it('signs in through the login page and opens a job from its CVAT-style link', async () => {
    await page.goto(`${server.url}/auth/login`);
    await page.type('input[name=username]', ADMIN.username);
    await page.type('input[name=password]', ADMIN.password);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    // The page's debug hook gives the test the engine's viewport, to aim in image pixels.
    await page.evaluate(() => localStorage.setItem('framewise.debug', '1'));
    await openJob(taskId, jobId);
    expect(await page.$eval('input[aria-label="Frame number"]', (el) => (el as HTMLInputElement).value)).toBe('0');
  });

  it('draws a box by dragging and a polygon by clicks, and saves them with Ctrl+S', async () => {
    await page.click('button[aria-label="Rectangle"]');
    await page.mouse.move(...(await toPage(100, 120)));
    await page.mouse.down();
    await page.mouse.move(...(await toPage(200, 180)), { steps: 4 });
    await page.mouse.move(...(await toPage(300, 240)), { steps: 4 });
    await page.mouse.up();
    await poll(rows, 1, 'objects after the box');

    await page.click('button[aria-label="Polygon"]');
    for (const [x, y] of [[420, 300], [620, 300], [620, 480], [420, 480]] as const) await page.mouse.click(...(await toPage(x, y)));
    await page.keyboard.press('Enter');
    await poll(rows, 2, 'objects after the polygon');
    await poll(saveState, 'Unsaved changes', 'save state');
    await shot('firefox-drawn');

    await page.keyboard.down('Control');
    await page.keyboard.press('s');
    await page.keyboard.up('Control');
    await poll(saveState, 'All changes saved', 'save state');
    const saved = (await api.call('GET', `/api/jobs/${jobId}/annotations`)).shapes;
    const rect = saved.find((s: any) => s.type === 'rectangle');
    [100, 120, 300, 240].forEach((v, i) => expect(Math.abs(rect.points[i] - v), `box point ${i}: ${rect.points[i]}`).toBeLessThan(1.5));
    const polygon = saved.find((s: any) => s.type === 'polygon');
    [420, 300, 620, 300, 620, 480, 420, 480].forEach((v, i) => expect(Math.abs(polygon.points[i] - v), `polygon point ${i}`).toBeLessThan(1.5));
  });

  it('undoes and redoes with the keyboard, finds the objects after a reload, and pages with F', async () => {
    await page.keyboard.down('Control');
    await page.keyboard.press('z');
    await page.keyboard.up('Control');
    await poll(rows, 1, 'objects after undo');
    await page.keyboard.down('Control');
    await page.keyboard.down('Shift');
    await page.keyboard.press('z');
    await page.keyboard.up('Shift');
    await page.keyboard.up('Control');
    await poll(rows, 2, 'objects after redo');
    await page.reload();
    await page.waitForSelector('.ws-canvas[data-loaded="true"]');
    await poll(rows, 2, 'objects after the reload');
    await page.keyboard.press('f');
    await poll(() => page.$eval('input[aria-label="Frame number"]', (el) => (el as HTMLInputElement).value), '1', 'frame after F');
    await poll(rows, 0, 'objects on frame 1');
  });

  it('zooms with the wheel about the pointer', async () => {
    await page.keyboard.press('d');
    await poll(rows, 2, 'objects back on frame 0');
    const before = await view();
    const at = await toPage(400, 300);
    await page.mouse.move(...at);
    for (let i = 0; i < 3; i++) await page.mouse.wheel({ deltaY: -100 });
    await poll(async () => (await view()).scale > before.scale * 1.2, true, 'zoomed in');
    // The image point under the pointer stays under it.
    const after = await view();
    const box = (await (await page.$('[data-testid=workspace-canvas]'))!.boundingBox())!;
    expect(Math.abs((at[0] - box.x - after.x) / after.scale - 400)).toBeLessThan(1);
    expect(Math.abs((at[1] - box.y - after.y) / after.scale - 300)).toBeLessThan(1);
  });

  it('builds a crowded frame’s object layer in its worker after a zoom', async () => {
    await openJob(crowdedTask, crowdedJob);
    await poll(() => page.$eval('.ws-objects, [aria-label="Objects"], body', () => document.body.textContent!.includes('3000 on this frame')), true, 'object count');
    const box = (await (await page.$('[data-testid=workspace-canvas]'))!.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 3; i++) await page.mouse.wheel({ deltaY: -100 });
    const settled = () =>
      page.evaluate(() => {
        const { renderer, editor } = (window as any).__framewise;
        const g = renderer.layer.geometry;
        const idle = renderer.request === null && renderer.settle === null && !renderer.builder?.busy;
        return idle && !!g && Math.abs(g.scale - editor.viewport.scale * devicePixelRatio) < 1e-6 && !!renderer.builder?.usable;
      });
    await poll(settled, true, 'layer rebuilt at the new scale by a working worker');
    await shot('firefox-crowded');
  });
});
