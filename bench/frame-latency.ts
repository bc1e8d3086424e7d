/**
 * Latency of GET /api/jobs/{id}/data?type=frame&quality=compressed for frames already cached,
 * sequential requests over loopback. Target: p95 < 20 ms. The job is in an organization and
 * assigned to a worker; requests alternate between the administrator (whose access check is
 * skipped) and that worker (whose check reads the organization's memberships), so the cost of
 * the role rules shows as a ratio measured in one run.
 *   node --import tsx bench/frame-latency.ts
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { api, login, PASSWORD, percentile, startServer, waitRequest } from './lib.js';

const requests = Number(process.env.REQUESTS ?? 1000);
const frames = 20;
const server = await startServer(process.env.DATABASE_URL ? { env: { DATABASE_URL: process.env.DATABASE_URL } } : {});
try {
  const key = await login(server.url);
  const dir = path.join(server.shareDir, 'frames');
  await fs.mkdir(dir, { recursive: true });
  for (let i = 0; i < frames; i++) {
    const img = await sharp({ create: { width: 1280, height: 720, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 30 } } }).jpeg({ quality: 90 }).toBuffer();
    await fs.writeFile(path.join(dir, `f${String(i).padStart(3, '0')}.jpg`), img);
  }
  const org = { 'x-organization': 'bench' };
  await api(server.url, key, 'POST', '/api/organizations', { slug: 'bench', name: 'Bench' });
  await api(server.url, key, 'POST', '/api/users', { username: 'worker', password: PASSWORD, email: 'worker@example.com' });
  const invitation = await api(server.url, key, 'POST', '/api/invitations', { role: 'worker', email: 'worker@example.com' }, org);
  const workerKey = await login(server.url, 'worker');
  await api(server.url, workerKey, 'POST', `/api/invitations/${invitation.key}/accept`);
  const task = await api(server.url, key, 'POST', '/api/tasks', { name: 'latency', labels: [{ name: 'car' }] }, org);
  const { rq_id } = await api(server.url, key, 'POST', `/api/tasks/${task.id}/data/`, { image_quality: 70, server_files: ['frames/'] });
  await waitRequest(server.url, key, rq_id);
  const job = (await api(server.url, key, 'GET', `/api/jobs?task_id=${task.id}`)).results[0];
  const worker = (await api(server.url, key, 'GET', '/api/users?username=worker')).results[0];
  await api(server.url, key, 'PATCH', `/api/jobs/${job.id}`, { assignee: worker.id });
  const get = async (frame: number, as = key) => {
    const res = await fetch(`${server.url}/api/jobs/${job.id}/data?type=frame&number=${frame}&quality=compressed`, { headers: { authorization: `Token ${as}` } });
    const buf = await res.arrayBuffer();
    if (res.status !== 200 || buf.byteLength === 0) throw new Error(`frame ${frame}: ${res.status}`);
  };
  const coldStarted = performance.now();
  for (let f = 0; f < frames; f++) await get(f);
  const coldMs = (performance.now() - coldStarted) / frames;

  const times: Record<'admin' | 'worker', number[]> = { admin: [], worker: [] };
  for (let i = 0; i < requests; i++) {
    const who = i % 2 === 0 ? 'admin' : 'worker';
    const t = performance.now();
    await get(Math.floor(i / 2) % frames, who === 'admin' ? key : workerKey);
    times[who].push(performance.now() - t);
  }
  console.log(`backend: ${process.env.DATABASE_URL ? 'postgres' : 'pglite'}; 1280x720 JPEG frames, quality 70`);
  console.log(`first request per frame (compress + store): mean ${coldMs.toFixed(1)} ms`);
  const p = (who: 'admin' | 'worker', q: number) => percentile(times[who], q);
  for (const who of ['admin', 'worker'] as const) {
    times[who].sort((x, y) => x - y);
    console.log(`cached, ${times[who].length} requests as the ${who}: p50 ${p(who, 50).toFixed(2)} ms, p95 ${p(who, 95).toFixed(2)} ms, p99 ${p(who, 99).toFixed(2)} ms`);
  }
  console.log(`worker / admin: p50 ${(p('worker', 50) / p('admin', 50)).toFixed(2)}x, p95 ${(p('worker', 95) / p('admin', 95)).toFixed(2)}x`);
} finally {
  await server.stop();
  await fs.rm(server.dataDir, { recursive: true, force: true });
}
