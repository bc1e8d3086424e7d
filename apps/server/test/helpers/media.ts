import sharp from 'sharp';
import type { ApiClient } from './app.js';

/** A small image of a given size and format, with distinct pixels so bytes differ per call. */
export async function makeImage(width: number, height: number, format: 'png' | 'jpeg' | 'webp' | 'tiff' = 'png', seed = 0): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: 128 } } });
  return img.toFormat(format).toBuffer();
}

export function formWith(files: Array<{ name: string; data: Buffer }>, fields: Record<string, string | string[]> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) v.forEach((item, i) => form.append(`${k}[${i}]`, item));
    else form.append(k, v);
  }
  files.forEach((f, i) => form.append(`client_files[${i}]`, new Blob([f.data]), f.name));
  return form;
}

/** Polls a background request until it ends; returns its final state. */
export async function waitForRequest(client: ApiClient, rqId: string, timeoutMs = 60_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.get(`/api/requests/${encodeURIComponent(rqId)}`);
    if (res.status !== 200) throw new Error(`request ${rqId}: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.status === 'finished' || res.body.status === 'failed') return res.body;
    if (Date.now() > until) throw new Error(`request ${rqId} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Creates a task and attaches the files; returns the task id and the finished request. */
export async function createTaskWithImages(
  client: ApiClient,
  files: Array<{ name: string; data: Buffer }>,
  spec: Record<string, unknown> = {},
  data: Record<string, string | string[]> = {},
): Promise<{ taskId: number; request: any }> {
  const created = await client.post('/api/tasks', { name: 'task', labels: [{ name: 'car' }], ...spec });
  if (created.status !== 201) throw new Error(`create task: ${created.status} ${JSON.stringify(created.body)}`);
  const taskId = created.body.id as number;
  const res = await client.form('POST', `/api/tasks/${taskId}/data/`, formWith(files, { image_quality: '75', ...data }));
  if (res.status !== 202) throw new Error(`attach data: ${res.status} ${JSON.stringify(res.body)}`);
  return { taskId, request: await waitForRequest(client, res.body.rq_id) };
}
