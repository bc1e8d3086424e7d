/**
 * Dataset export and import figures (issue 5): a task of FRAMES frames holding SHAPES rectangles,
 * exported to COCO 1.0 and to Ultralytics YOLO Detection 1.0 (end to end: POST export -> request
 * finished), then the same with twice the shapes (the ratio shows whether the export grows
 * linearly), and the COCO file imported back. The server's peak RSS (VmRSS sampled every 100 ms)
 * is reported for each step, with its RSS when the step began: the tasks are stored first, then the
 * server is restarted on the same data (a server as it runs day to day, not one that has just
 * taken in millions of objects through the API), so each figure is the step's own. Targets (issue 5): 1,000,000 shapes on 10,000 frames exported in
 * under 15 s each with peak RSS under 600 MB, 2x the shapes in no more than 2.2x the time, and
 * the COCO import under 30 s with peak RSS under 1 GB.
 *   node --import tsx bench/dataset-export.ts        (FRAMES=10000 SHAPES=1000000 by default)
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { api, login, rssMb, startServer, waitRequest } from './lib.js';

const FRAMES = Number(process.env.FRAMES ?? 10_000);
const SHAPES = Number(process.env.SHAPES ?? 1_000_000);
const BATCH = 100_000;

const env = process.env.DATABASE_URL ? { env: { DATABASE_URL: process.env.DATABASE_URL } } : {};
let server = await startServer(env);

/** Stops the server and starts it again on the same data. */
async function restart(): Promise<void> {
  await server.stop();
  server = await startServer({ ...env, dataDir: server.dataDir, shareDir: server.shareDir });
  key = await login(server.url);
}

/** Runs fn while sampling the server's RSS; returns [ms, peak MB, result, MB at the start]. */
async function measured<T>(fn: () => Promise<T>): Promise<[number, number, T, number]> {
  const pid = server.proc.pid!;
  const before = await rssMb(pid);
  let peak = before;
  const timer = setInterval(() => void rssMb(pid).then((m) => (peak = Math.max(peak, m))), 100);
  const t = performance.now();
  try {
    const r = await fn();
    return [performance.now() - t, Math.max(peak, await rssMb(pid)), r, before];
  } finally {
    clearInterval(timer);
  }
}

let key = await login(server.url);
try {
  const dir = path.join(server.shareDir, 'frames');
  await fs.mkdir(dir, { recursive: true });
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#888' } }).png().toBuffer();
  await Promise.all(Array.from({ length: FRAMES }, (_, i) => fs.writeFile(path.join(dir, `f${String(i).padStart(6, '0')}.png`), png)));

  const makeTask = async (name: string, shapes: number) => {
    const task = await api(server.url, key, 'POST', '/api/tasks', { name, labels: [{ name: 'car' }, { name: 'person' }] });
    const { rq_id } = await api(server.url, key, 'POST', `/api/tasks/${task.id}/data/`, { image_quality: 70, server_files: ['frames/'] });
    await waitRequest(server.url, key, rq_id);
    const labelIds = (await api(server.url, key, 'GET', `/api/labels?task_id=${task.id}`)).results.map((l: { id: number }) => l.id);
    const job = (await api(server.url, key, 'GET', `/api/jobs?task_id=${task.id}`)).results[0].id;
    const t = performance.now();
    for (let from = 0; from < shapes; from += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, shapes - from) }, (_, j) => {
        const i = from + j;
        const x = (i * 13) % 40, y = (i * 7) % 30;
        return { type: 'rectangle', frame: i % FRAMES, label_id: labelIds[i % 2], points: [x, y, x + 10.5, y + 12.25], group: 0, source: 'manual', occluded: false, outside: false, z_order: 0, rotation: 0, attributes: [] };
      });
      await api(server.url, key, 'PATCH', `/api/jobs/${job}/annotations?action=create`, { shapes: batch });
    }
    console.log(`task "${name}": ${FRAMES} frames, ${shapes} rectangles stored in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return task.id as number;
  };

  const exportTask = async (taskId: number, format: string) => {
    const { rq_id } = await api(server.url, key, 'POST', `/api/tasks/${taskId}/dataset/export?format=${encodeURIComponent(format)}`);
    const done = await waitRequest(server.url, key, rq_id);
    const res = await fetch(done.result_url, { headers: { authorization: `Token ${key}` } });
    const bytes = (await res.arrayBuffer()).byteLength;
    return { bytes, archive: bytes };
  };

  const small = await makeTask('export', SHAPES);
  const double = await makeTask('export x2', SHAPES * 2);
  await restart();
  console.log(`server restarted on the stored tasks: RSS ${(await rssMb(server.proc.pid!)).toFixed(0)} MB`);

  const times: Record<string, number> = {};
  for (const format of ['COCO 1.0', 'Ultralytics YOLO Detection 1.0']) {
    const [ms, peak, out, before] = await measured(() => exportTask(small, format));
    times[format] = ms;
    console.log(`${format}, ${SHAPES} shapes: ${(ms / 1000).toFixed(2)} s, archive ${(out.bytes / 1024 ** 2).toFixed(1)} MB, server RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB`);
  }
  for (const format of ['COCO 1.0', 'Ultralytics YOLO Detection 1.0']) {
    const [ms, peak, , before] = await measured(() => exportTask(double, format));
    console.log(`${format}, ${SHAPES * 2} shapes: ${(ms / 1000).toFixed(2)} s (${(ms / times[format]!).toFixed(2)}x the time of ${SHAPES}), server RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB`);
  }

  const { rq_id } = await api(server.url, key, 'POST', `/api/tasks/${small}/dataset/export?format=COCO%201.0`);
  const exported = await waitRequest(server.url, key, rq_id);
  const cocoZip = await (await fetch(exported.result_url, { headers: { authorization: `Token ${key}` } })).arrayBuffer();
  const t = performance.now();
  await api(server.url, key, 'DELETE', `/api/tasks/${small}/annotations`);
  console.log(`cleared ${SHAPES} shapes in ${((performance.now() - t) / 1000).toFixed(2)} s`);
  await restart();
  const [importMs, importPeak, done, importBefore] = await measured(async () => {
    const form = new FormData();
    form.append('annotation_file', new Blob([cocoZip]), 'coco.zip');
    const res = await fetch(`${server.url}/api/tasks/${small}/annotations/?format=COCO%201.0`, { method: 'POST', body: form, headers: { authorization: `Token ${key}` } });
    const { rq_id } = (await res.json()) as { rq_id: string };
    return waitRequest(server.url, key, rq_id);
  });
  console.log(`COCO import of ${SHAPES} shapes: ${(importMs / 1000).toFixed(2)} s, server RSS ${importBefore.toFixed(0)} MB before, peak ${importPeak.toFixed(0)} MB (${done.message})`);
  console.log(`backend: ${process.env.DATABASE_URL ? 'postgres' : 'pglite'}`);
} finally {
  await server.stop();
  await fs.rm(server.dataDir, { recursive: true, force: true });
}
