/**
 * The data bench/workspace.ts opens, made through the API as an admin's script would: a task of
 * one 4000x3000 picture holding 10,000 polygons of 20 vertices, and a task of 5,000 small
 * frames in one job, both created from the share (no upload).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { api, waitRequest, type Server } from './lib.js';

export const BIG = { width: 4000, height: 3000, cols: 125, rows: 80, vertices: 20 };

/** Where polygon i sits: a grid of 125 x 80 cells of 32 x 37.5 px, each a 20-point star (radii 9 and 14). */
export function polygonCenter(i: number): { x: number; y: number } {
  return { x: (i % BIG.cols) * 32 + 16, y: Math.floor(i / BIG.cols) * 37.5 + 18 };
}

function polygonPoints(i: number): number[] {
  const c = polygonCenter(i);
  const points: number[] = [];
  for (let k = 0; k < BIG.vertices; k++) {
    const a = (2 * Math.PI * k) / BIG.vertices;
    const r = k % 2 ? 14 : 9;
    points.push(Math.round((c.x + r * Math.cos(a)) * 100) / 100, Math.round((c.y + r * Math.sin(a)) * 100) / 100);
  }
  return points;
}

/** A photo-like picture (blurred noise: it compresses as a photograph does, not as a flat fill). */
async function picture(width: number, height: number, background: string, blur: number, quality: number): Promise<Buffer> {
  const raw = await sharp({ create: { width, height, channels: 3, background, noise: { type: 'gaussian', mean: 120, sigma: 40 } } }).raw().toBuffer();
  return sharp(raw, { raw: { width, height, channels: 3 } }).blur(blur).jpeg({ quality }).toBuffer();
}

async function createFromShare(server: Server, key: string, name: string, labels: unknown[], dir: string, segmentSize?: number): Promise<{ taskId: number; jobId: number; createMs: number }> {
  const task = await api(server.url, key, 'POST', '/api/tasks', { name, labels, ...(segmentSize ? { segment_size: segmentSize } : {}) });
  const started = performance.now();
  const { rq_id } = await api(server.url, key, 'POST', `/api/tasks/${task.id}/data/`, { image_quality: 70, server_files: [`${dir}/`] });
  await waitRequest(server.url, key, rq_id);
  const createMs = performance.now() - started;
  const jobs = (await api(server.url, key, 'GET', `/api/jobs?task_id=${task.id}`)).results;
  if (jobs.length !== 1) throw new Error(`${name}: expected one job, got ${jobs.length}`);
  return { taskId: task.id, jobId: jobs[0].id, createMs };
}

export interface Made {
  taskId: number;
  jobId: number;
  /** Step -> milliseconds. */
  times: Record<string, number>;
}

export async function makeBigTask(server: Server, key: string, count = 10_000): Promise<Made> {
  let t = performance.now();
  const dir = path.join(server.shareDir, 'big');
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'street.jpg'), await picture(BIG.width, BIG.height, '#708090', 2, 85));
  const pictureMs = performance.now() - t;
  // 'any' labels take the polygons and the boxes the bench draws.
  const labels = [
    { name: 'person', type: 'polygon', color: '#ff3355' },
    { name: 'car', type: 'any', color: '#33ddff' },
    { name: 'sign', type: 'any', color: '#34d1b7' },
  ];
  const made = await createFromShare(server, key, 'workspace bench: 10,000 polygons', labels, 'big');
  const labelIds: number[] = (await api(server.url, key, 'GET', `/api/labels?task_id=${made.taskId}`)).results.map((l: { id: number }) => l.id);
  t = performance.now();
  const batch = 2000;
  for (let from = 0; from < count; from += batch) {
    const shapes = [];
    for (let i = from; i < Math.min(count, from + batch); i++) {
      shapes.push({ type: 'polygon', frame: 0, label_id: labelIds[i % labelIds.length], points: polygonPoints(i), group: 0, source: 'manual', occluded: false, outside: false, z_order: 0, rotation: 0, attributes: [] });
    }
    await api(server.url, key, 'PATCH', `/api/jobs/${made.jobId}/annotations?action=create`, { shapes, tags: [], tracks: [] });
  }
  const patchMs = performance.now() - t;
  const stored = (await api(server.url, key, 'GET', `/api/jobs/${made.jobId}/annotations`)).shapes.length;
  if (stored !== count) throw new Error(`expected ${count} polygons, the job has ${stored}`);
  return { taskId: made.taskId, jobId: made.jobId, times: { 'picture (sharp)': pictureMs, 'task creation': made.createMs, [`${count} polygons, PATCH ?action=create by ${batch}`]: patchMs } };
}

export async function makeLongTask(server: Server, key: string, frames = 5000): Promise<Made> {
  let t = performance.now();
  const dir = path.join(server.shareDir, 'long');
  await fs.mkdir(dir, { recursive: true });
  // 100 different pictures, repeated: each frame is still fetched, compressed and decoded on its own.
  const distinct: Buffer[] = [];
  for (let i = 0; i < 100; i++) distinct.push(await picture(640, 480, `hsl(${(i * 37) % 360}, 40%, 50%)`, 1.2, 85));
  for (let i = 0; i < frames; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, frames - i) }, (_, j) => fs.writeFile(path.join(dir, `frame_${String(i + j).padStart(6, '0')}.jpg`), distinct[(i + j) % distinct.length]!)));
  }
  const filesMs = performance.now() - t;
  const made = await createFromShare(server, key, `workspace bench: ${frames} frames`, [{ name: 'car', type: 'rectangle' }], 'long', frames);
  const meta = await api(server.url, key, 'GET', `/api/jobs/${made.jobId}/data/meta`);
  if (meta.frames.length !== frames) throw new Error(`expected a job of ${frames} frames, got ${meta.frames.length}`);
  return { taskId: made.taskId, jobId: made.jobId, times: { [`${frames} JPEGs 640x480 written to the share`]: filesMs, 'task creation': made.createMs } };
}
