/** Shared plumbing for benchmarks: start a real server process on a temp data dir and talk to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MAIN = path.join(ROOT, 'apps/server/dist/main.js');
export const PASSWORD = 'bench-password-1';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface Server {
  url: string;
  proc: ChildProcess;
  dataDir: string;
  shareDir: string;
  stop(): Promise<void>;
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function startServer(opts: { dataDir?: string; shareDir?: string; env?: Record<string, string> } = {}): Promise<Server & { readyMs: number }> {
  const dataDir = opts.dataDir ?? (await tempDir('fw-bench-'));
  const shareDir = opts.shareDir ?? path.join(dataDir, 'share');
  const port = await freePort();
  const started = performance.now();
  // BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the server (flags NODE_OPTIONS refuses).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      FRAMEWISE_DATA_DIR: dataDir,
      FRAMEWISE_SHARE_DIR: shareDir,
      FRAMEWISE_ADMIN_PASSWORD: PASSWORD,
      FRAMEWISE_LOG_LEVEL: 'warn',
      ...(opts.env ?? {}),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    try {
      const res = await fetch(`${url}/api/server/health`);
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = performance.now() - started;
  return {
    url,
    proc,
    dataDir,
    shareDir,
    readyMs,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

export async function login(url: string, username = 'admin', password = PASSWORD): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return ((await res.json()) as { key: string }).key;
}

export async function api(url: string, key: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(`${url}${p}`, {
    method,
    headers: { authorization: `Token ${key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function waitRequest(url: string, key: string, rqId: string): Promise<any> {
  for (;;) {
    const r = await api(url, key, 'GET', `/api/requests/${encodeURIComponent(rqId)}`);
    if (r.status === 'finished') return r;
    if (r.status === 'failed') throw new Error(`request failed: ${r.message}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

export function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function rssMb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}
