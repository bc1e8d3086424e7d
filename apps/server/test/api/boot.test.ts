/**
 * The BUILT server as an operator runs it: `node apps/server/dist/main.js` in a child process,
 * configured only through the environment, on a temp data dir and a random port (and, on the
 * postgres project, a fresh PostgreSQL database passed as DATABASE_URL). Covers first boot,
 * restarts (graceful and hard), the `framewise` CLI, several instances on one database and
 * configuration errors. `npm test` builds first; run `npm run build` before running this alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/app.js';
import { createTestDatabase, testBackend } from '../helpers/database.js';
import { formWith, makeImage, waitForRequest } from '../helpers/media.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const MAIN = path.join(ROOT, 'apps/server/dist/main.js');
const CLI = path.join(ROOT, 'apps/server/bin/framewise.js');
const MIGRATIONS_DIR = path.join(ROOT, 'apps/server/dist/db/migrations');
const backend = testBackend();
const ADMIN_PASSWORD = 'boot-admin-password-1';
/** How long a SIGTERMed idle server may take to exit (it takes ~1 s here). */
const STOP_WITHIN_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Child processes, temp dirs and databases, all cleaned up whatever a test does.

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];
const drops: Array<() => Promise<void>> = [];

async function killAll(): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      children.delete(child);
    }),
  );
}

beforeAll(() => {
  if (!fs.existsSync(MAIN)) {
    throw new Error(`${path.relative(ROOT, MAIN)} does not exist: these tests run the built server; run \`npm run build\` first (npm test does)`);
  }
});
afterEach(killAll);
afterAll(async () => {
  await killAll();
  for (const drop of drops) await drop().catch(() => undefined);
  for (const dir of tempDirs) await fsp.rm(dir, { recursive: true, force: true });
});

async function tempDir(prefix = 'fw-boot-'): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

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

/** Where one deployment keeps its state: a data dir, plus a database on the postgres project. */
interface Site {
  dataDir: string;
  env: Record<string, string>;
}

async function newSite(): Promise<Site> {
  const dataDir = await tempDir();
  if (backend === 'pglite') return { dataDir, env: {} };
  const db = await createTestDatabase('postgres');
  drops.push(db.drop);
  if (db.config.driver !== 'postgres') throw new Error('expected a PostgreSQL database');
  return { dataDir, env: { DATABASE_URL: db.config.url } };
}

/** The test runner's environment without anything that configures Framewise or S3. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(FRAMEWISE_|DATABASE_|AWS_)/.test(k) || k === 'PORT' || k === 'HOST') continue;
    env[k] = v;
  }
  return env;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Proc {
  proc: ChildProcess;
  output(): string;
  exited: Promise<Exit>;
}

function spawnNode(args: string[], env: Record<string, string>): Proc {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let output = '';
  const collect = (s: string) => {
    if (output.length < 4 * 1024 * 1024) output += s;
  };
  proc.stdout!.setEncoding('utf8').on('data', collect);
  proc.stderr!.setEncoding('utf8').on('data', collect);
  const exited = new Promise<Exit>((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })));
  return { proc, output: () => output, exited };
}

interface Server extends Proc {
  url: string;
  port: number;
  /** Sends the signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<Exit & { ms: number }>;
}

function serverEnv(site: Site, port: number, extra: Record<string, string>): Record<string, string> {
  return {
    ...cleanEnv(),
    PORT: String(port),
    HOST: '127.0.0.1',
    FRAMEWISE_DATA_DIR: site.dataDir,
    FRAMEWISE_LOG_LEVEL: 'warn',
    ...site.env,
    ...extra,
  };
}

/** Starts the server without waiting for it; port 0 picks a free one. */
async function spawnServer(site: Site, extra: Record<string, string> = {}, port = 0): Promise<Server> {
  const p = port || (await freePort());
  const child = spawnNode([MAIN], serverEnv(site, p, extra));
  return {
    ...child,
    url: `http://127.0.0.1:${p}`,
    port: p,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const started = performance.now();
      child.proc.kill(signal);
      const exit = await child.exited;
      return { ...exit, ms: performance.now() - started };
    },
  };
}

/** Polls /api/server/health until 200; fails with the server's output if it exits or hangs. */
async function waitHealthy(server: Server, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let exit: Exit | undefined;
  void server.exited.then((e) => (exit = e));
  let last = 'no answer';
  for (;;) {
    if (exit) throw new Error(`server exited (${exit.signal ?? exit.code}) before becoming healthy:\n${server.output().slice(-8000)}`);
    try {
      const res = await fetch(`${server.url}/api/server/health`);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (e) {
      last = String(e);
    }
    if (Date.now() > until) throw new Error(`server not healthy after ${timeoutMs} ms (${last}):\n${server.output().slice(-8000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startServer(site: Site, extra: Record<string, string> = {}, port = 0): Promise<Server> {
  const server = await spawnServer(site, extra, port);
  await waitHealthy(server);
  return server;
}

async function stopGracefully(server: Server): Promise<void> {
  const exit = await server.stop('SIGTERM');
  expect(exit, `SIGTERM should end the server with code 0:\n${server.output().slice(-8000)}`).toMatchObject({ code: 0, signal: null });
  expect(exit.ms, 'an idle server should exit promptly on SIGTERM').toBeLessThan(STOP_WITHIN_MS);
}

async function login(url: string, username: string, password: string) {
  return new ApiClient(url).post<{ key: string }>('/api/auth/login', { username, password });
}

async function loginClient(url: string, username: string, password: string): Promise<ApiClient> {
  const res = await login(url, username, password);
  expect(res.status, `login ${username}: ${JSON.stringify(res.body)}`).toBe(200);
  return new ApiClient(url, res.body.key);
}

function runCli(args: string[], env: Record<string, string>): Promise<Exit & { out: string; ms: number }> {
  const started = performance.now();
  const child = spawnNode([CLI, ...args], env);
  return child.exited.then((exit) => ({ ...exit, out: child.output(), ms: performance.now() - started }));
}

async function expectOk<T = any>(p: Promise<{ status: number; body: T }>, status = 200): Promise<T> {
  const res = await p;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

// ---------------------------------------------------------------------------------------------

// Every test here spawns servers and CLIs (each boot of the embedded database takes seconds); a
// loaded 2-core machine needs more than the default 30 s.
describe(`the built server on ${backend}`, { timeout: 180_000 }, () => {
  it('creates the administrator on first boot only; a later FRAMEWISE_ADMIN_PASSWORD changes nothing', async () => {
    const site = await newSite();
    const first = await startServer(site, { FRAMEWISE_ADMIN_PASSWORD: ADMIN_PASSWORD, FRAMEWISE_ADMIN_EMAIL: 'admin@example.org' });
    const admin = await loginClient(first.url, 'admin', ADMIN_PASSWORD);
    const self = await expectOk(admin.get('/api/users/self'));
    expect(self).toMatchObject({ username: 'admin', email: 'admin@example.org', is_superuser: true, is_staff: true });
    await stopGracefully(first);

    const second = await startServer(site, { FRAMEWISE_ADMIN_PASSWORD: 'another-password-2' }, first.port);
    expect((await login(second.url, 'admin', 'another-password-2')).status).toBe(401);
    const again = await loginClient(second.url, 'admin', ADMIN_PASSWORD);
    const users = await expectOk(again.get('/api/users'));
    expect(users.count).toBe(1);
    expect(users.results[0]).toMatchObject({ id: self.id, username: 'admin', is_superuser: true });
    await stopGracefully(second);
  });

  it('keeps projects, labels, tasks, jobs, frames and tokens across a SIGTERM restart', async () => {
    const site = await newSite();
    const a = await startServer(site, { FRAMEWISE_ADMIN_PASSWORD: ADMIN_PASSWORD });
    const api = await loginClient(a.url, 'admin', ADMIN_PASSWORD);

    const project = await expectOk(
      api.post('/api/projects', {
        name: 'streets',
        labels: [
          { name: 'car', color: '#ff0000', attributes: [{ name: 'parked', mutable: true, input_type: 'checkbox', values: ['false'] }] },
          { name: 'person', color: '#00ff00', attributes: [] },
        ],
      }),
      201,
    );
    const task = await expectOk(api.post('/api/tasks', { name: 'street-1', project_id: project.id, segment_size: 2 }), 201);
    const files = [
      { name: 'a.png', data: await makeImage(40, 30, 'png', 1) },
      { name: 'b.jpg', data: await makeImage(32, 24, 'jpeg', 2) },
      { name: 'c.png', data: await makeImage(20, 50, 'png', 3) },
    ];
    const attached = await expectOk(api.form('POST', `/api/tasks/${task.id}/data/`, formWith(files, { image_quality: '70' })), 202);
    expect(await waitForRequest(api, attached.rq_id)).toMatchObject({ status: 'finished', result_id: task.id });

    const views = [
      `/api/projects/${project.id}`,
      `/api/labels?project_id=${project.id}&sort=id&page_size=100`,
      `/api/tasks/${task.id}`,
      `/api/jobs?task_id=${task.id}&sort=id`,
      `/api/tasks/${task.id}/data/meta`,
      `/api/requests/${encodeURIComponent(attached.rq_id)}`,
    ];
    const before = await Promise.all(views.map((v) => expectOk(api.get(v))));
    expect(before[2]).toMatchObject({ size: 3, project_id: project.id, jobs: { count: 2 } });

    await stopGracefully(a);
    // The same port, so that absolute URLs in the answers are the same too.
    const b = await startServer(site, {}, a.port);
    const same = new ApiClient(b.url, api.token); // the token issued before the restart
    expect(await expectOk(same.get('/api/users/self'))).toMatchObject({ username: 'admin' });
    const after = await Promise.all(views.map((v) => expectOk(same.get(v))));
    for (let i = 0; i < views.length; i++) expect(after[i], views[i]).toEqual(before[i]);
    expect(after[1].results.map((l: any) => l.name)).toEqual(['car', 'person']);

    const meta = after[4];
    const jobs = after[3].results;
    for (const [n, frame] of (meta.frames as Array<{ name: string }>).entries()) {
      const original = files.find((f) => f.name === frame.name)!;
      const fromTask = await same.get(`/api/tasks/${task.id}/data?type=frame&number=${n}&quality=original`);
      expect(fromTask.status).toBe(200);
      expect(Buffer.compare(fromTask.raw, original.data), `frame ${n} (${frame.name})`).toBe(0);
      const job = jobs.find((j: any) => j.start_frame <= n && n <= j.stop_frame);
      const fromJob = await same.get(`/api/jobs/${job.id}/data?type=frame&number=${n}&quality=original`);
      expect(Buffer.compare(fromJob.raw, original.data), `job ${job.id} frame ${n}`).toBe(0);
    }
    await stopGracefully(b);
  });

  it('finishes task creations cut off by SIGKILL (one running, one queued) once the server is started again', async () => {
    const site = await newSite();
    const shareDir = path.join(site.dataDir, 'share');
    await fsp.mkdir(shareDir, { recursive: true });
    const COUNT = 400;
    const image = await makeImage(64, 48, 'jpeg', 5);
    await Promise.all(Array.from({ length: COUNT }, (_, i) => fsp.writeFile(path.join(shareDir, `img${String(i).padStart(4, '0')}.jpg`), image)));

    // One worker: while it runs the first creation, the second one stays queued.
    // Presume a silent worker dead after 3 s (default 60 s) so the test need not wait a minute.
    const env = { FRAMEWISE_ADMIN_PASSWORD: ADMIN_PASSWORD, FRAMEWISE_WORKER_CONCURRENCY: '1', FRAMEWISE_WORKER_LOST_AFTER_SECONDS: '3' };
    const a = await startServer(site, env);
    const api = await loginClient(a.url, 'admin', ADMIN_PASSWORD);
    const running = await expectOk(api.post('/api/tasks', { name: 'running', labels: [{ name: 'car' }], segment_size: 100 }), 201);
    const queued = await expectOk(api.post('/api/tasks', { name: 'queued', labels: [{ name: 'car' }], segment_size: 100 }), 201);
    const rqOf = async (taskId: number) => {
      const res = await expectOk(api.post(`/api/tasks/${taskId}/data/`, { server_files: ['/'], image_quality: 70 }), 202);
      return `/api/requests/${encodeURIComponent(res.rq_id)}`;
    };
    const runningRq = await rqOf(running.id);
    let runningSeen = 'queued';
    while (runningSeen === 'queued') {
      runningSeen = (await expectOk(api.get(runningRq))).status;
      if (runningSeen === 'queued') await new Promise((r) => setTimeout(r, 10));
    }
    const queuedRq = await rqOf(queued.id);
    // Right after the 202.
    const killed = await a.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    const b = await startServer(site, env, a.port);
    const api2 = new ApiClient(b.url, api.token);
    const WAIT_MS = 15_000;
    const until = Date.now() + WAIT_MS;
    const final = async (rq: string) => {
      for (;;) {
        const request = await expectOk(api2.get(rq));
        if (request.status === 'finished' || request.status === 'failed' || Date.now() > until) return request;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const [queuedEnd, runningEnd] = await Promise.all([final(queuedRq), final(runningRq)]);
    let queueRows = '';
    if (site.env.DATABASE_URL && (queuedEnd.status !== 'finished' || runningEnd.status !== 'finished')) {
      const client = new pg.Client({ connectionString: site.env.DATABASE_URL });
      await client.connect();
      const { rows } = await client.query(
        `select data->>'taskId' as task, state, retry_count, retry_limit, expire_in::text, date_trunc('second', now() - started_on)::text as running_for
           from pgboss.job where name = 'task.create-data' order by created_on`,
      );
      await client.end();
      queueRows = ` pg-boss jobs: ${JSON.stringify(rows)}`;
    }
    const why = (what: string, end: any) =>
      `the creation ${what} when the server was SIGKILLed is still "${end.status}" (${end.message}) ${WAIT_MS / 1000} s after the restart.${queueRows}`;
    expect(queuedEnd.status, why('queued', queuedEnd)).toBe('finished');
    expect(runningEnd.status, why(`running ("${runningSeen}")`, runningEnd)).toBe('finished');
    for (const [task, end] of [[running, runningEnd], [queued, queuedEnd]] as const) {
      expect(end.message).toBe(`Created ${COUNT} frames`);
      expect(await expectOk(api2.get(`/api/tasks/${task.id}`))).toMatchObject({ size: COUNT, jobs: { count: Math.ceil(COUNT / 100) } });
      expect((await expectOk(api2.get(`/api/tasks/${task.id}/data/meta`))).frames).toHaveLength(COUNT);
    }
    await stopGracefully(b);
  }, 60_000);

  it('keeps the earlier annotations whole when the server is killed in the middle of a large PUT', async () => {
    const site = await newSite();
    const a = await startServer(site, { FRAMEWISE_ADMIN_PASSWORD: ADMIN_PASSWORD });
    const api = await loginClient(a.url, 'admin', ADMIN_PASSWORD);
    const task = await expectOk(api.post('/api/tasks', { name: 'big save', labels: [{ name: 'car' }], segment_size: 1 }), 201);
    const files = [
      { name: 'a.png', data: await makeImage(64, 48, 'png', 1) },
      { name: 'b.png', data: await makeImage(64, 48, 'png', 2) },
    ];
    const attached = await expectOk(api.form('POST', `/api/tasks/${task.id}/data/`, formWith(files, { image_quality: '70' })), 202);
    await waitForRequest(api, attached.rq_id);
    const [job, calibration] = (await expectOk(api.get(`/api/jobs?task_id=${task.id}&sort=id`))).results;
    const labelId = (await expectOk(api.get(`/api/labels?task_id=${task.id}`))).results[0].id;
    const box = (i: number, frame: number) => ({ type: 'rectangle', frame, label_id: labelId, points: [i % 60, i % 40, (i % 60) + 3, (i % 40) + 2] });
    const big = (frame: number) => ({ shapes: Array.from({ length: 100_000 }, (_, i) => box(i, frame)) });

    const before = await expectOk(api.put(`/api/jobs/${job.id}/annotations`, { shapes: [box(1, 0), box(2, 0), box(3, 0)] }));
    const saved = await expectOk(api.get(`/api/jobs/${job.id}/annotations`));
    // How long a big save takes here, on another job, so the kill lands in the middle of one.
    // Timed on a second save: the first runs cold (unoptimized code) and takes far longer than
    // the one that is killed, which then finished before the kill.
    await expectOk(api.put(`/api/jobs/${calibration.id}/annotations`, big(1)));
    const t0 = performance.now();
    await expectOk(api.put(`/api/jobs/${calibration.id}/annotations`, big(1)));
    const fullMs = performance.now() - t0;

    const inFlight = api.put(`/api/jobs/${job.id}/annotations`, big(0)).catch((e: unknown) => e);
    if (site.env.DATABASE_URL) {
      // On PostgreSQL, wait until the save is inside its transaction, writing shapes.
      const client = new pg.Client({ connectionString: site.env.DATABASE_URL });
      await client.connect();
      const until = Date.now() + fullMs * 3;
      for (;;) {
        const { rows } = await client.query(
          "select 1 from pg_stat_activity where datname = current_database() and state = 'active' and query ilike 'insert into \"labeled_shapes\"%'",
        );
        if (rows.length > 0 || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await client.end();
    } else {
      await new Promise((r) => setTimeout(r, fullMs * 0.5));
    }
    const killed = await a.stop('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const outcome = await inFlight;

    const b = await startServer(site);
    const api2 = await loginClient(b.url, 'admin', ADMIN_PASSWORD);
    const after = await expectOk(api2.get(`/api/jobs/${job.id}/annotations`));
    const cutOff = outcome instanceof Error || (outcome as { status?: number }).status !== 200;
    const state = after.version === before.version ? 'before its commit' : 'after its commit';
    console.log(`large PUT ${cutOff ? 'cut off' : 'answered'} ${state} when the server was killed (a full save took ${Math.round(fullMs)} ms)`);
    if (after.version === before.version) {
      // Cut off before its commit: the earlier state, whole.
      expect(cutOff).toBe(true);
      expect(after).toEqual(saved);
    } else {
      // Committed before the kill (its answer may still have been lost): all of it, never a part.
      expect(after.version).toBe(before.version + 1);
      expect(after.shapes).toHaveLength(100_000);
    }
  }, 180_000);

  it('creates users from the command line, with clear refusals', async () => {
    const site = await newSite();
    const env = { ...cleanEnv(), FRAMEWISE_DATA_DIR: site.dataDir, FRAMEWISE_LOG_LEVEL: 'warn', ...site.env };

    const usage = await runCli([], env);
    expect(usage.code).toBe(0);
    expect(usage.out).toContain('usage:');
    expect(usage.out).toContain('framewise user create');

    const bob = await runCli(['user', 'create', '--username', 'bob', '--password', 'bob-password-1', '--email', 'b@x.org'], env);
    expect(bob, bob.out).toMatchObject({ code: 0 });
    expect(bob.out).toMatch(/created user "bob"/);
    const carol = await runCli(['user', 'create', '--superuser', '--username', 'carol', '--password', 'carol-password-1'], env);
    expect(carol, carol.out).toMatchObject({ code: 0 });
    expect(carol.out).toMatch(/created administrator "carol"/);

    const dup = await runCli(['user', 'create', '--username', 'bob', '--password', 'other-password-1'], env);
    expect(dup.code).not.toBe(0);
    expect(dup.out).toContain('a user named "bob" already exists');
    const short = await runCli(['user', 'create', '--username', 'dave', '--password', 'short'], env);
    expect(short.code).not.toBe(0);
    expect(short.out).toContain('password: must be at least 8 characters');

    const server = await startServer(site);
    const asBob = await loginClient(server.url, 'bob', 'bob-password-1');
    expect(await expectOk(asBob.get('/api/users/self'))).toMatchObject({ username: 'bob', email: 'b@x.org', is_superuser: false });
    const asCarol = await loginClient(server.url, 'carol', 'carol-password-1');
    expect(await expectOk(asCarol.get('/api/users/self'))).toMatchObject({ username: 'carol', is_superuser: true });
    expect((await login(server.url, 'dave', 'short')).status).toBe(401);

    const eve = await runCli(['user', 'create', '--username', 'eve', '--password', 'eve-password-1'], env);
    if (backend === 'pglite') {
      // The embedded database belongs to the running server: the CLI must not open it too.
      expect(eve.code).not.toBe(0);
      expect(eve.out).toMatch(/database in .* is in use by process \d+/);
      expect((await login(server.url, 'eve', 'eve-password-1')).status).toBe(401);
    } else {
      // PostgreSQL serves both at once.
      expect(eve, eve.out).toMatchObject({ code: 0 });
      await loginClient(server.url, 'eve', 'eve-password-1');
    }
    // The server is unaffected.
    expect(await expectOk(asCarol.get('/api/users?sort=id'))).toMatchObject({ count: backend === 'pglite' ? 2 : 3 });
    await stopGracefully(server);
  });

  it.skipIf(backend !== 'postgres')('runs several instances on one database and one bucket', async () => {
    const s3: S3rverHandle = await startS3rver();
    try {
      const site = await newSite();
      const s3env = {
        FRAMEWISE_S3_BUCKET: s3.bucket,
        FRAMEWISE_S3_ENDPOINT: s3.endpoint,
        FRAMEWISE_S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        AWS_REGION: s3.region,
        FRAMEWISE_ADMIN_PASSWORD: ADMIN_PASSWORD,
        FRAMEWISE_LOG_LEVEL: 'info',
      };
      const logged = (s: Server, msg: string) => s.output().split('\n').filter((l) => l.includes(`"msg":"${msg}"`));
      // Three instances booting at once against one empty database, each with its own data dir.
      const sites = await Promise.all([0, 1, 2].map(async () => ({ dataDir: await tempDir(), env: site.env })));
      const servers = await Promise.all(sites.map((s) => spawnServer(s, s3env)));
      await Promise.all(servers.map((s) => waitHealthy(s)));
      const [a, b, c] = servers as [Server, Server, Server];
      // One instance migrated and created the administrator; the others found it done.
      expect(servers.map((s) => logged(s, 'database migrated').length).sort()).toEqual([0, 0, 1]);
      expect(servers.map((s) => logged(s, 'created the first administrator').length).sort()).toEqual([0, 0, 1]);

      const client = new pg.Client({ connectionString: site.env.DATABASE_URL });
      await client.connect();
      try {
        const expected = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, '')).sort();
        const rows = (await client.query<{ name: string }>('select name from kysely_migration order by name')).rows;
        expect(rows.map((r) => r.name)).toEqual(expected);
      } finally {
        await client.end();
      }

      const apiA = await loginClient(a.url, 'admin', ADMIN_PASSWORD);
      expect((await expectOk(apiA.get('/api/users'))).count).toBe(1);
      const apiB = new ApiClient(b.url, apiA.token);
      const apiC = new ApiClient(c.url, apiA.token);

      const files = await Promise.all([1, 2, 3, 4, 5].map(async (i) => ({ name: `f${i}.png`, data: await makeImage(30 + i, 20, 'png', i) })));
      const task = await expectOk(apiA.post('/api/tasks', { name: 'shared', labels: [{ name: 'car' }], segment_size: 2 }), 201);
      const attached = await expectOk(apiA.form('POST', `/api/tasks/${task.id}/data/`, formWith(files, { image_quality: '70' })), 202);
      expect(await waitForRequest(apiB, attached.rq_id)).toMatchObject({ status: 'finished', result_id: task.id });
      // Exactly one instance's worker ran it.
      const ranIt = () => servers.map((s) => logged(s, 'job done').filter((l) => l.includes('"job":"task.create-data"')).length);
      for (let i = 0; i < 40 && ranIt().every((n) => n === 0); i++) await new Promise((r) => setTimeout(r, 50));
      expect(ranIt().sort()).toEqual([0, 0, 1]);

      for (const api of [apiB, apiC]) {
        expect(await expectOk(api.get(`/api/tasks/${task.id}`))).toMatchObject({ name: 'shared', size: 5, jobs: { count: 3 } });
        const jobs = (await expectOk(api.get(`/api/jobs?task_id=${task.id}&sort=id`))).results;
        expect(jobs.map((j: any) => [j.start_frame, j.stop_frame])).toEqual([[0, 1], [2, 3], [4, 4]]);
        for (let n = 0; n < files.length; n++) {
          const frame = await api.get(`/api/tasks/${task.id}/data?type=frame&number=${n}&quality=original`);
          expect(frame.status).toBe(200);
          expect(Buffer.compare(frame.raw, files[n]!.data), `${api.baseUrl} frame ${n}`).toBe(0);
        }
        const compressed = await api.get(`/api/jobs/${jobs[2].id}/data?type=frame&number=4&quality=compressed`);
        expect(compressed.status).toBe(200);
        expect(compressed.headers.get('content-type')).toBe('image/jpeg');
      }

      for (const s of servers) {
        const health = await new ApiClient(s.url).get('/api/server/health');
        expect(health.status).toBe(200);
        expect(health.body).toMatchObject({ ok: true, database: { ok: true }, storage: { ok: true } });
      }
      await s3.stop();
      for (const s of servers) {
        const health = await new ApiClient(s.url).get('/api/server/health');
        expect(health.status).toBe(503);
        expect(health.body).toMatchObject({ ok: false, database: { ok: true }, storage: { ok: false } });
      }
      await Promise.all(servers.map((s) => stopGracefully(s)));
    } finally {
      await s3.stop();
    }
  });

  it('refuses bad configuration with exit code 2 and a message naming the setting', async () => {
    const site = { dataDir: await tempDir(), env: {} };
    const badPort = spawnNode([MAIN], { ...serverEnv(site, 0, {}), PORT: 'notanumber' });
    const role = spawnNode([MAIN], { ...serverEnv(site, await freePort(), {}), FRAMEWISE_ROLE: 'api' });
    expect(await badPort.exited).toEqual({ code: 2, signal: null });
    expect(badPort.output()).toMatch(/invalid configuration:[\s\S]*PORT:/);
    expect(await role.exited).toEqual({ code: 2, signal: null });
    expect(role.output()).toMatch(/invalid configuration:[\s\S]*FRAMEWISE_ROLE:.*embedded database/);
    // Nothing was created on the way out.
    expect(fs.readdirSync(site.dataDir)).toEqual([]);
  });
});
