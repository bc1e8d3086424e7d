/**
 * Task creation from N small images already in the share, end to end (POST data -> request
 * finished), for N and 2N in one run: the ratio shows how creation scales (target <= 2.2x for
 * 10k -> 20k, and 10k under 60 s).
 *   N=10000 node --import tsx bench/task-create.ts
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { api, login, startServer, waitRequest } from './lib.js';

const n = Number(process.env.N ?? 10_000);
const server = await startServer(process.env.DATABASE_URL ? { env: { DATABASE_URL: process.env.DATABASE_URL } } : {});
try {
  const key = await login(server.url);
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).png().toBuffer();

  const measure = async (count: number): Promise<number> => {
    const dir = path.join(server.shareDir, `set${count}`);
    await fs.mkdir(dir, { recursive: true });
    for (let i = 0; i < count; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, count - i) }, (_, j) => fs.writeFile(path.join(dir, `img_${String(i + j).padStart(6, '0')}.png`), png)));
    }
    const task = await api(server.url, key, 'POST', '/api/tasks', { name: `bench ${count}`, labels: [{ name: 'car' }], segment_size: 500 });
    const started = performance.now();
    const { rq_id } = await api(server.url, key, 'POST', `/api/tasks/${task.id}/data/`, { image_quality: 70, server_files: [`set${count}/`] });
    await waitRequest(server.url, key, rq_id);
    const ms = performance.now() - started;
    const meta = await api(server.url, key, 'GET', `/api/tasks/${task.id}`);
    if (meta.size !== count) throw new Error(`expected ${count} frames, got ${meta.size}`);
    return ms;
  };

  const t1 = await measure(n);
  const t2 = await measure(2 * n);
  console.log(`backend: ${process.env.DATABASE_URL ? 'postgres' : 'pglite'}`);
  console.log(`${n} images: ${(t1 / 1000).toFixed(1)} s (${((t1 / n) * 1000).toFixed(0)} us/image)`);
  console.log(`${2 * n} images: ${(t2 / 1000).toFixed(1)} s (${((t2 / (2 * n)) * 1000).toFixed(0)} us/image)`);
  console.log(`ratio ${2 * n}/${n}: ${(t2 / t1).toFixed(2)}x (linear = 2.00x)`);
} finally {
  await server.stop();
  await fs.rm(server.dataDir, { recursive: true, force: true });
}
