/**
 * What the browser tests stand on: the built Framewise server (apps/server/dist, serving the built
 * web app) started as an operator starts it, on a temp data dir, embedded PGlite and a free port;
 * Debian's Chromium driven by playwright-core; and a small API client to set up users and data
 * the way an admin's script would. Screenshots go to apps/web/e2e/out/ for people to look at.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'apps/server/dist/main.js');
const WEB_INDEX = path.join(ROOT, 'apps/web/dist/index.html');
export const SCREENSHOTS = path.join(ROOT, 'apps/web/e2e/out');
export const ADMIN = { username: 'admin', password: 'e2e-admin-password-1' };
const CHROMIUM = process.env.FRAMEWISE_CHROMIUM ?? '/usr/bin/chromium';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface Server {
  url: string;
  stop(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  for (const [file, what] of [
    [MAIN, 'the built server'],
    [WEB_INDEX, 'the built web app'],
  ] as const) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: these tests run ${what}; run \`npm run build\` first (npm test does)`);
  }
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'fw-e2e-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      FRAMEWISE_DATA_DIR: dataDir,
      FRAMEWISE_ADMIN_PASSWORD: ADMIN.password,
      FRAMEWISE_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-8192)));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${stderr}`);
    try {
      if ((await fetch(`${url}/api/server/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`the server did not start within 60 s:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    async stop() {
      process.removeListener('exit', kill);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(kill, 5000);
        await exited;
        clearTimeout(timer);
      }
      await fsp.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // This machine's network is closed: Chromium's own background connections only fail slowly.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** An API caller with a token, as an automation script would be. */
export class Api {
  private constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  static async login(url: string, username: string, password: string): Promise<Api> {
    const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (!res.ok) throw new Error(`login as ${username}: ${res.status} ${await res.text()}`);
    return new Api(url, ((await res.json()) as { key: string }).key);
  }

  async call<T = any>(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.url}${route}`, {
      method,
      headers: { authorization: `Token ${this.token}`, ...(body instanceof FormData || body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Polls a background request (task creation, import) until it finishes. */
  async waitFor(rqId: string): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const rq = await this.call<{ status: string; message: string }>('GET', `/api/requests/${rqId}`);
      if (rq.status === 'finished') return;
      if (rq.status === 'failed') throw new Error(`request ${rqId} failed: ${rq.message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`request ${rqId} did not finish`);
  }
}

/** Signs in through the login page, as a person does. */
export async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(`${url}/auth/login`);
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/auth/'));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await fsp.mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
