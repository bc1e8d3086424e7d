/**
 * Task backup and restore figures: a task of FRAMES small images holding SHAPES rectangles (plus
 * a tag every ten frames and a hundred tracks) is backed up (POST backup/export -> request
 * finished), the archive downloaded, and restored into a new task (multipart task_file -> request
 * finished). The server's peak RSS (VmRSS sampled every 100 ms) is reported for each step.
 * SEGMENT sets the task's segment size (0, the default, makes one job holding every shape, the
 * hardest case for memory). Target (issue): 1,000,000 shapes on 10,000 frames backed up and
 * restored in under 60 s each.
 *   node --import tsx bench/backup.ts        (FRAMES=10000 SHAPES=1000000 SEGMENT=0 by default)
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { api, login, rssMb, startServer, waitRequest } from './lib.js';

const FRAMES = Number(process.env.FRAMES ?? 10_000);
const SHAPES = Number(process.env.SHAPES ?? 1_000_000);
const SEGMENT = Number(process.env.SEGMENT ?? 0);
const TRACKS = 100;
const BATCH = 100_000;

const server = await startServer(process.env.DATABASE_URL ? { env: { DATABASE_URL: process.env.DATABASE_URL } } : {});
const pid = server.proc.pid!;

/** Runs fn while sampling the server's RSS; returns [ms, peak MB, result]. */
async function measured<T>(fn: () => Promise<T>): Promise<[number, number, T]> {
  let peak = await rssMb(pid);
  const timer = setInterval(() => void rssMb(pid).then((m) => (peak = Math.max(peak, m))), 100);
  const t = performance.now();
  try {
    const r = await fn();
    return [performance.now() - t, peak, r];
  } finally {
    clearInterval(timer);
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

try {
  const key = await login(server.url);
  const dir = path.join(server.shareDir, 'frames');
  await fs.mkdir(dir, { recursive: true });
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#888' } }).png().toBuffer();
  await Promise.all(Array.from({ length: FRAMES }, (_, i) => fs.writeFile(path.join(dir, `f${String(i).padStart(6, '0')}.png`), png)));

  const task = await api(server.url, key, 'POST', '/api/tasks', {
    name: 'backup bench',
    labels: [{ name: 'car', attributes: [{ name: 'color', mutable: false, input_type: 'select', values: ['red', 'blue'] }] }, { name: 'person' }],
    ...(SEGMENT ? { segment_size: SEGMENT } : {}),
  });
  const { rq_id } = await api(server.url, key, 'POST', `/api/tasks/${task.id}/data/`, { image_quality: 70, server_files: ['frames/'] });
  await waitRequest(server.url, key, rq_id);
  const labels = (await api(server.url, key, 'GET', `/api/labels?task_id=${task.id}`)).results as Array<{ id: number; attributes: Array<{ id: number }> }>;
  const jobs = (await api(server.url, key, 'GET', `/api/jobs?task_id=${task.id}&page_size=1000`)).results as Array<{ id: number; start_frame: number; stop_frame: number }>;
  const color = labels[0]!.attributes[0]!.id;
  const built = performance.now();
  for (const job of jobs) {
    const frames = job.stop_frame - job.start_frame + 1;
    const share = Math.round((SHAPES * frames) / FRAMES);
    for (let from = 0; from < share; from += BATCH) {
      const shapes = Array.from({ length: Math.min(BATCH, share - from) }, (_, j) => {
        const i = from + j;
        const x = (i * 13) % 40, y = (i * 7) % 30;
        return {
          type: 'rectangle', frame: job.start_frame + (i % frames), label_id: labels[i % 2]!.id, points: [x, y, x + 10.5, y + 12.25],
          group: 0, source: 'manual', occluded: false, outside: false, z_order: 0, rotation: 0,
          attributes: i % 2 === 0 ? [{ spec_id: color, value: i % 4 ? 'red' : 'blue' }] : [],
        };
      });
      const extra = from === 0
        ? {
            tags: Array.from({ length: Math.ceil(frames / 10) }, (_, k) => ({ frame: job.start_frame + k * 10, label_id: labels[1]!.id, group: 0, source: 'manual', attributes: [] })),
            tracks: Array.from({ length: Math.max(1, Math.round((TRACKS * frames) / FRAMES)) }, (_, k) => ({
              frame: job.start_frame, label_id: labels[1]!.id, group: 0, source: 'manual', attributes: [],
              shapes: Array.from({ length: Math.min(10, frames) }, (_, f) => ({
                type: 'rectangle', frame: job.start_frame + Math.floor((f * frames) / Math.min(10, frames)), points: [k % 50, f, (k % 50) + 5, f + 5],
                rotation: 0, occluded: false, outside: false, z_order: 0, attributes: [],
              })),
            })),
          }
        : {};
      await api(server.url, key, 'PATCH', `/api/jobs/${job.id}/annotations?action=create`, { shapes, ...extra });
    }
  }
  console.log(`task: ${FRAMES} frames, ${jobs.length} jobs, ${SHAPES} rectangles (+ tags and tracks) stored in ${seconds(performance.now() - built)}`);

  const [backupMs, backupPeak, finished] = await measured(async () => {
    const r = await api(server.url, key, 'POST', `/api/tasks/${task.id}/backup/export`);
    return waitRequest(server.url, key, r.rq_id);
  });
  const t0 = performance.now();
  const archive = await (await fetch(finished.result_url, { headers: { authorization: `Token ${key}` } })).arrayBuffer();
  console.log(`backup: ${seconds(backupMs)}, archive ${(archive.byteLength / 1024 ** 2).toFixed(1)} MB (downloaded in ${seconds(performance.now() - t0)}), server peak RSS ${backupPeak.toFixed(0)} MB`);

  const [restoreMs, restorePeak, restored] = await measured(async () => {
    const form = new FormData();
    form.append('task_file', new Blob([archive]), 'backup.zip');
    const res = await fetch(`${server.url}/api/tasks/backup/`, { method: 'POST', body: form, headers: { authorization: `Token ${key}` } });
    const { rq_id: id } = (await res.json()) as { rq_id: string };
    return waitRequest(server.url, key, id);
  });
  console.log(`restore (upload included): ${seconds(restoreMs)}, server peak RSS ${restorePeak.toFixed(0)} MB (${restored.message})`);
  const copy = await api(server.url, key, 'GET', `/api/tasks/${restored.result_id}`);
  if (copy.size !== FRAMES) throw new Error(`restored task has ${copy.size} frames, not ${FRAMES}`);
  console.log(`backend: ${process.env.DATABASE_URL ? 'postgres' : 'pglite'}`);
} finally {
  await server.stop();
  await fs.rm(server.dataDir, { recursive: true, force: true });
}
