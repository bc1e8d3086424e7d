/**
 * What Chromium's input pipeline costs by itself, measured the same way as the workspace: a
 * blank page with a canvas that fills one rectangle per input, behind a stand-in for the engine
 * so that the same probe times it. Headless Chromium delivers wheel and pointer moves aligned
 * to its frames (and wheel through the compositor first), so an input waits for the main thread
 * whatever the page does; this is the floor under every latency bench/workspace.ts reports.
 */
import type { Browser } from 'playwright-core';
import { openContext, type Size, type Storage } from './workspace-probe.js';
import { fmt, latencies, Report, stat } from './workspace-stats.js';

/** The page, with a canvas the size of the workspace's at this viewport (1010x604 at 1366x768). */
const blank = (w: number, h: number) => `<!doctype html><html><body style="margin:0">
<canvas id="c" style="position:absolute;left:56px;top:44px;width:${w}px;height:${h}px"></canvas>
<script>
  const canvas = document.getElementById('c');
  canvas.width = ${w};
  canvas.height = ${h};
  const ctx = canvas.getContext('2d');
  let n = 0;
  const renderer = {
    canvas, layer: { build() {}, install() { return false; } }, imageLayer: { draw() {} }, rebuild() {}, setImage() {}, request: null, settle: null, builder: null,
    draw() { ctx.fillStyle = n++ % 2 ? '#334455' : '#554433'; ctx.fillRect(0, 0, ${w}, ${h}); },
  };
  window.__framewise = { editor: { frame: 0, selection: [], objectsOnFrame: () => [], viewport: { scale: 1 } }, renderer };
  const input = (e) => {
    if (e.type === 'wheel') e.preventDefault();
    if (renderer.request === null) renderer.request = requestAnimationFrame(() => { renderer.request = null; renderer.draw(); });
  };
  canvas.addEventListener('wheel', input, { passive: false });
  canvas.addEventListener('pointermove', input);
</script></body></html>`;

export async function baselineFigures(browser: Browser, storage: Storage, url: string, viewport: Size): Promise<Report> {
  const r = new Report();
  const { context, page, probe } = await openContext(browser, storage, viewport);
  const w = viewport.width - 356;
  const h = viewport.height - 164;
  try {
    // Same origin as the app (the probe needs localStorage); the server never sees this path.
    await context.route(`${url}/__input-baseline`, (route) => route.fulfill({ contentType: 'text/html', body: blank(w, h) }));
    await page.goto(`${url}/__input-baseline`);
    const at = { x: 56 + w / 2, y: 44 + h / 2 };
    await page.mouse.move(at.x, at.y);
    await probe.idle();
    await probe.take();
    for (let i = 0; i < 100; i++) await probe.step('wheel', () => page.mouse.wheel(0, i % 2 ? 100 : -100));
    for (let i = 1; i <= 100; i++) await probe.step('pointermove', () => page.mouse.move(at.x + (i % 2) * 5, at.y));
    const log = await probe.take();
    for (const type of ['wheel', 'pointermove']) {
      const l = latencies(log, (e) => e.type === type);
      r.info(`${type} -> drawn (canvas ${w}x${h})`, `${fmt(stat(l.latency))}; waiting for the page ${fmt(stat(l.queueMs))}`);
    }
  } finally {
    await context.close();
  }
  return r;
}
