/**
 * Latency of GET /api/jobs/{id}/data?type=frame&quality=compressed for frames already cached,
 * sequential requests from one client over loopback. Target: p95 < 20 ms.
 *   node --import tsx bench/frame-latency.ts
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { api, login, percentile, startServer, waitRequest } from './lib.js';

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
  const task = await api(server.url, key, 'POST', '/api/tasks', { name: 'latency', labels: [{ name: 'car' }] });
  const { rq_id } = await api(server.url, key, 'POST', `/api/tasks/${task.id}/data/`, { image_quality: 70, server_files: ['frames/'] });
  await waitRequest(server.url, key, rq_id);
  const job = (await api(server.url, key, 'GET', `/api/jobs?task_id=${task.id}`)).results[0];
  const get = async (frame: number) => {
    const res = await fetch(`${server.url}/api/jobs/${job.id}/data?type=frame&number=${frame}&quality=compressed`, { headers: { authorization: `Token ${key}` } });
    const buf = await res.arrayBuffer();
    if (res.status !== 200 || buf.byteLength === 0) throw new Error(`frame ${frame}: ${res.status}`);
  };
  const coldStarted = performance.now();
  for (let f = 0; f < frames; f++) await get(f);
  const coldMs = (performance.now() - coldStarted) / frames;

  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    await get(i % frames);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`backend: ${process.env.DATABASE_URL ? 'postgres' : 'pglite'}; 1280x720 JPEG frames, quality 70`);
  console.log(`first request per frame (compress + store): mean ${coldMs.toFixed(1)} ms`);
  console.log(`cached, ${requests} requests: p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`);
} finally {
  await server.stop();
  await fs.rm(server.dataDir, { recursive: true, force: true });
}
