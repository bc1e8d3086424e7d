/**
 * Annotation store figures (issue 3): GET of a 100,000-shape job and of a 1,000-shape job
 * (median, warm), PATCH of 100 shapes into the 100k job (p50/p99, create and update), and 20
 * clients saving in parallel to 20 jobs, checked object by object afterwards.
 *   node --import tsx bench/annotations.ts            (PGlite)
 *   DATABASE_URL=postgres://... node --import tsx bench/annotations.ts
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { api, login, percentile, startServer, waitRequest } from './lib.js';

const BIG = Number(process.env.SHAPES ?? 100_000);
const server = await startServer(process.env.DATABASE_URL ? { env: { DATABASE_URL: process.env.DATABASE_URL } } : {});

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const key = await login(server.url);
  const dir = path.join(server.shareDir, 'frames');
  await fs.mkdir(dir, { recursive: true });
  const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#888' } }).png().toBuffer();
  for (let i = 0; i < 100; i++) await fs.writeFile(path.join(dir, `f${String(i).padStart(3, '0')}.png`), png);

  // One task of 100 frames in one job (the big one), one with 20 jobs of 5 frames for the parallel savers.
  const makeTask = async (name: string, segment: number) => {
    const task = await api(server.url, key, 'POST', '/api/tasks', { name, labels: [{ name: 'car' }], segment_size: segment });
    const { rq_id } = await api(server.url, key, 'POST', `/api/tasks/${task.id}/data/`, { image_quality: 70, server_files: ['frames/'] });
    await waitRequest(server.url, key, rq_id);
    const jobs = (await api(server.url, key, 'GET', `/api/jobs?task_id=${task.id}&sort=id&page_size=100`)).results;
    const labelId = (await api(server.url, key, 'GET', `/api/labels?task_id=${task.id}`)).results[0].id;
    return { jobs, labelId };
  };
  const big = await makeTask('big', 100);
  const many = await makeTask('parallel', 5);
  const rect = (i: number, frameBase = 0, frames = 100, labelId = big.labelId) => ({
    type: 'rectangle', frame: frameBase + (i % frames), label_id: labelId, points: [i % 600, (i * 7) % 400, (i % 600) + 20.5, ((i * 7) % 400) + 30.25],
    group: 0, source: 'manual', occluded: false, outside: false, z_order: 0, rotation: 0, attributes: [],
  });
  const bigJob = big.jobs[0].id;

  const [putMs] = await timed(() => api(server.url, key, 'PUT', `/api/jobs/${bigJob}/annotations`, { shapes: Array.from({ length: BIG }, (_, i) => rect(i)) }));
  const getBig: number[] = [];
  for (let i = 0; i < 5; i++) getBig.push((await timed(() => api(server.url, key, 'GET', `/api/jobs/${bigJob}/annotations`)))[0]);

  const small = many.jobs[0];
  await api(server.url, key, 'PUT', `/api/jobs/${small.id}/annotations`, { shapes: Array.from({ length: 1000 }, (_, i) => rect(i, small.start_frame, 5, many.labelId)) });
  const getSmall: number[] = [];
  for (let i = 0; i < 30; i++) getSmall.push((await timed(() => api(server.url, key, 'GET', `/api/jobs/${small.id}/annotations`)))[0]);

  const createMs: number[] = [];
  const updateMs: number[] = [];
  for (let i = 0; i < 50; i++) {
    const [ms, res] = await timed(() => api(server.url, key, 'PATCH', `/api/jobs/${bigJob}/annotations?action=create`, { shapes: Array.from({ length: 100 }, (_, j) => rect(i * 100 + j)) }));
    createMs.push(ms);
    const moved = res.shapes.map((s: any) => ({ ...s, points: s.points.map((p: number) => p + 1) }));
    updateMs.push((await timed(() => api(server.url, key, 'PATCH', `/api/jobs/${bigJob}/annotations?action=update`, { shapes: moved })))[0]);
  }
  createMs.sort((a, b) => a - b);
  updateMs.sort((a, b) => a - b);

  // 20 clients, one job each, 20 saves of 10 shapes, all at once.
  const targets = many.jobs.slice(0, 20);
  const [parallelMs, results] = await timed(() =>
    Promise.allSettled(
      targets.map(async (job: any, c: number) => {
        const sent: number[][] = [];
        for (let r = 0; r < 20; r++) {
          const shapes = Array.from({ length: 10 }, (_, j) => rect(c * 1000 + r * 10 + j, job.start_frame, 5, many.labelId));
          const res = await api(server.url, key, 'PATCH', `/api/jobs/${job.id}/annotations?action=create`, { shapes });
          sent.push(...res.shapes.map((s: any) => [s.id, ...s.points]));
        }
        return { job: job.id, sent };
      }),
    ),
  );
  let errors = 0;
  let missing = 0;
  for (const r of results) {
    if (r.status === 'rejected') {
      errors++;
      continue;
    }
    const stored = (await api(server.url, key, 'GET', `/api/jobs/${r.value.job}/annotations`)).shapes;
    const byId = new Map(stored.map((s: any) => [s.id, s.points.join(',')]));
    for (const [id, ...pts] of r.value.sent) if (byId.get(id) !== pts.join(',')) missing++;
  }

  console.log(`backend: ${process.env.DATABASE_URL ? 'postgres' : 'pglite'}`);
  console.log(`PUT ${BIG} shapes: ${(putMs / 1000).toFixed(2)} s`);
  console.log(`GET job of ${BIG} shapes: median ${median(getBig).toFixed(0)} ms (5 runs)`);
  console.log(`GET job of 1000 shapes: median ${median(getSmall).toFixed(1)} ms (30 runs)`);
  console.log(`PATCH create 100 shapes into the ${BIG}-shape job: p50 ${percentile(createMs, 50).toFixed(1)} ms, p99 ${percentile(createMs, 99).toFixed(1)} ms (50 runs)`);
  console.log(`PATCH update 100 shapes in it: p50 ${percentile(updateMs, 50).toFixed(1)} ms, p99 ${percentile(updateMs, 99).toFixed(1)} ms (50 runs)`);
  console.log(`20 clients x 20 saves of 10 shapes to 20 jobs in parallel: ${(parallelMs / 1000).toFixed(2)} s, ${errors} errors, ${missing} objects missing or wrong`);
} finally {
  await server.stop();
  await fs.rm(server.dataDir, { recursive: true, force: true });
}
