/**
 * What bench/workspace.ts installs in the page (an init script, before the app's code): it
 * catches the engine when the workspace exposes it (CanvasView's debug hook sets
 * window.__framewise when localStorage 'framewise.debug' is '1') and logs, in the page's own
 * clock (performance.now, the clock Event.timeStamp uses):
 *   - input events as the page receives them: when the browser created them (timeStamp, which
 *     includes the trip from the browser process and any wait behind the main thread) and when
 *     the page's first listener ran;
 *   - every renderer draw: start, end, whether it rebuilt the object layer, and what it showed
 *     (frame, the frame the image belongs to, selection, object count, scale);
 *   - every object layer built in the worker and swapped in: when, and what the swap cost.
 * A draw's end is taken after a 1-pixel readback: Chromium records 2D canvas commands and
 * rasterizes them later in the frame, so timing draw() alone would leave the rasterization out.
 *
 * It reaches into CanvasRenderer's private members (canvas, layer, imageLayer, builder, request,
 * settle, draw, rebuild, setImage) and ObjectLayer's build and install: a renderer refactor that renames them makes this bench fail, not lie.
 *
 * Kept as plain JavaScript text: functions passed to page.evaluate would carry tsx's transforms
 * (helpers the page does not have).
 */

import type { Browser, BrowserContext, Page } from 'playwright-core';

export type Storage = Awaited<ReturnType<BrowserContext['storageState']>>;
export type Size = { width: number; height: number };

export interface ProbeEvent {
  type: string;
  key: string;
  /** Event.timeStamp: when the browser made the event. */
  ts: number;
  /** When the page's first listener ran. */
  at: number;
  /** The engine's frame when the event arrived (before the app handled it). */
  frame: number;
  /** 1 for the page's first logged event, 2 for the next... */
  seq: number;
}

export interface ProbeDraw {
  t0: number;
  t1: number;
  /** The seq of the last event logged when the draw started. */
  seen: number;
  rebuilt: boolean;
  frame: number;
  /** The frame the drawn image was loaded for; null without an image. */
  imageFrame: number | null;
  sel: string;
  count: number;
  scale: number;
  /** Parts of the draw: the picture (ImageLayer.draw) and the object layer's rebuild decision (rebuild). */
  imageMs: number;
  rebuildMs: number;
}

/** An image handed to the renderer. */
export interface ProbeImage {
  frame: number;
  at: number;
  /** 0 when the bitmap was already closed. */
  width: number;
}

/** A background-built layer swapped in (the copy of its bitmap onto the page's layer). */
export interface ProbeInstall {
  t0: number;
  t1: number;
  installed: boolean;
}

export interface ProbeLog {
  events: ProbeEvent[];
  draws: ProbeDraw[];
  images: ProbeImage[];
  installs: ProbeInstall[];
}

export const PROBE = String.raw`(() => {
  try {
    localStorage.setItem('framewise.debug', '1');
  } catch {
    return; // about:blank and other opaque origins: nothing to watch there
  }
  const events = [];
  const draws = [];
  const images = [];
  const installs = [];
  // performance.now() is coarsened (100 us): an event and the draw it causes can share a
  // reading, so "after" is decided by counting events, not by comparing times.
  let seq = 0;
  const counts = {};
  const byType = {};
  let fw = null;
  let imageFrame = null;
  let waiters = [];
  const wake = () => { const w = waiters; waiters = []; for (const f of w) f(); };
  const instrument = (value) => {
    const { editor, renderer } = value;
    const readback = renderer.canvas.getContext('2d');
    const layer = renderer.layer;
    let rebuilt = false;
    let imageMs = 0;
    let rebuildMs = 0;
    const timed = (obj, name, add) => {
      const f = obj[name].bind(obj);
      obj[name] = (...a) => { const t = performance.now(); try { return f(...a); } finally { add(performance.now() - t); } };
    };
    timed(renderer.imageLayer, 'draw', (ms) => { imageMs += ms; });
    timed(renderer, 'rebuild', (ms) => { rebuildMs += ms; });
    const build = layer.build.bind(layer);
    layer.build = (...a) => { rebuilt = true; return build(...a); };
    const install = layer.install.bind(layer);
    layer.install = (...a) => {
      const t0 = performance.now();
      const installed = install(...a);
      installs.push({ t0, t1: performance.now(), installed });
      return installed;
    };
    const setImage = renderer.setImage.bind(renderer);
    renderer.setImage = (img) => {
      imageFrame = img ? editor.frame : null;
      // A closed ImageBitmap reads as 0 wide: drawing it would throw.
      if (img) images.push({ frame: editor.frame, at: performance.now(), width: img.width });
      return setImage(img);
    };
    const draw = renderer.draw.bind(renderer);
    renderer.draw = () => {
      rebuilt = false;
      imageMs = 0;
      rebuildMs = 0;
      const seen = seq;
      const t0 = performance.now();
      draw();
      readback.getImageData(0, 0, 1, 1);
      const t1 = performance.now();
      draws.push({ t0, t1, seen, rebuilt, frame: editor.frame, imageFrame, sel: editor.selection.join(','), count: editor.objectsOnFrame().length, scale: editor.viewport.scale, imageMs, rebuildMs });
      wake();
    };
  };
  Object.defineProperty(window, '__framewise', {
    configurable: true,
    get: () => fw,
    set: (v) => { fw = v; if (v) instrument(v); },
  });
  for (const type of ['wheel', 'pointerdown', 'pointermove', 'pointerup', 'keydown']) {
    window.addEventListener(type, (e) => {
      counts[type] = (counts[type] || 0) + 1;
      const ev = { type, key: e.key || '', ts: e.timeStamp, at: performance.now(), frame: fw ? fw.editor.frame : -1, seq: ++seq };
      events.push(ev);
      (byType[type] = byType[type] || []).push(ev);
      wake();
    }, { capture: true, passive: true });
  }
  const busy = () => fw && (fw.renderer.request !== null || fw.renderer.settle !== null || (fw.renderer.builder && fw.renderer.builder.busy) || (fw.renderer.imageLayer && fw.renderer.imageLayer.timer));
  window.__bench = {
    count: (type) => counts[type] || 0,
    /** Resolves when the n-th event of a type has come and no draw is pending after it (or after timeoutMs). */
    after: (type, n, timeoutMs = 3000) => new Promise((resolve) => {
      const end = performance.now() + timeoutMs;
      let done = false;
      const check = () => {
        if (done) return;
        const ev = byType[type] && byType[type][n - 1];
        const drawn = !!ev && draws.length > 0 && draws[draws.length - 1].seen >= ev.seq && fw.renderer.request === null;
        if (drawn || performance.now() > end) {
          done = true;
          clearInterval(timer);
          return resolve(drawn);
        }
        if (!waiters.includes(check)) waiters.push(check);
      };
      const timer = setInterval(check, 25);
      check();
    }),
    /** Resolves once nothing is drawing or waiting to (the layer's settle rebuild included). */
    idle: (quietMs = 50) => new Promise((resolve) => {
      let last = performance.now();
      const tick = () => {
        if (busy()) last = performance.now();
        if (performance.now() - last >= quietMs) return resolve(true);
        setTimeout(tick, 10);
      };
      tick();
    }),
    take: () => ({ events: events.splice(0), draws: draws.splice(0), images: images.splice(0), installs: installs.splice(0) }),
    /** The first draw showing an image, relative to navigation start (the page's time origin). */
    firstImageDraw: () => { const d = draws.find((x) => x.imageFrame !== null); return d ? d.t1 : null; },
  };
})();`;

/** The script's side of the measurements: calls into window.__bench. */
export class Probe {
  constructor(readonly page: Page) {}
  ev<T>(expr: string): Promise<T> {
    return this.page.evaluate(expr) as Promise<T>;
  }
  /** Dispatches one input and waits until a draw after it is done. */
  async step(type: string, dispatch: () => Promise<void>): Promise<void> {
    const n = (await this.ev<number>(`__bench.count('${type}')`)) + 1;
    await dispatch();
    if (!(await this.ev<boolean>(`__bench.after('${type}', ${n})`))) console.warn(`  (a ${type} was not followed by a draw within 3 s)`);
  }
  idle(quietMs = 50): Promise<unknown> {
    return this.ev(`__bench.idle(${quietMs})`);
  }
  take(): Promise<ProbeLog> {
    return this.ev<ProbeLog>('__bench.take()');
  }
  async view(): Promise<{ scale: number; x: number; y: number }> {
    return this.ev('__framewise.editor.viewport');
  }
}

/** A new browser profile (empty HTTP cache) with the user's session and the probe. */
export async function openContext(browser: Browser, storage: Storage, viewport: Size): Promise<{ context: BrowserContext; page: Page; probe: Probe; errors: string[] }> {
  const context = await browser.newContext({ viewport, storageState: storage });
  await context.addInitScript(PROBE);
  const page = await context.newPage();
  // Uncaught errors in the page are figures too: reported with the series they happened in.
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, probe: new Probe(page), errors };
}
