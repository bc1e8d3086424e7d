/**
 * What the backup tests share: archives made and restored through the API, and task contents
 * (labels, annotations, jobs, frames) in forms a restore must reproduce, ids left out.
 */
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { expect } from 'vitest';
import type { ApiClient } from './app.js';
import { makeImage, waitForRequest } from './media.js';

export const SVG =
  '<line x1="10" y1="10" x2="10" y2="50" data-type="edge" data-node-from="1" data-node-to="2"></line>' +
  '<circle r="1" cx="10" cy="10" data-type="element node" data-node-id="1" data-label-name="head"></circle>' +
  '<circle r="1" cx="10" cy="50" data-type="element node" data-node-id="2" data-label-name="foot"></circle>';

export const images = (n: number, prefix = 'img') =>
  Promise.all(Array.from({ length: n }, async (_, i) => ({ name: `${prefix}${i}.png`, data: await makeImage(24 + i, 16, 'png', i + 1) })));

export async function labelsOf(client: ApiClient, query: string) {
  return (await client.get(`/api/labels?${query}&page_size=100`)).body.results as any[];
}

/** A task's labels without ids: what a restore must reproduce (the skeleton's drawing by point names). */
export function labelShape(labels: any[]) {
  return labels
    .map((l) => {
      let svg: string | undefined = l.svg;
      for (const p of l.sublabels) svg = svg?.replaceAll(`data-label-id="${p.id}"`, `data-label-name="${p.name}"`);
      return {
        name: l.name,
        color: l.color,
        type: l.type,
        svg,
        attributes: l.attributes.map(({ id: _id, ...a }: any) => a),
        sublabels: l.sublabels.map((p: any) => ({ name: p.name, color: p.color, type: p.type, attributes: p.attributes.map(({ id: _id, ...a }: any) => a) })),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Annotations with names for label and attribute ids, and no object ids, in a stable order. */
export function byNames(data: any, labels: any[]) {
  const label = new Map<number, any>();
  for (const l of labels) {
    label.set(l.id, l);
    for (const p of l.sublabels) label.set(p.id, p);
  }
  const attrs = (l: any, list: any[]) =>
    list.map((a: any) => ({ name: l.attributes.find((x: any) => x.id === a.spec_id).name, value: a.value })).sort((a, b) => a.name.localeCompare(b.name));
  const obj = (o: any): any => {
    const l = label.get(o.label_id);
    const { id: _id, label_id: _l, attributes, elements, shapes, ...rest } = o;
    return {
      ...rest,
      label: l.name,
      attributes: attrs(l, attributes),
      ...(elements ? { elements: elements.map(obj).sort(order) } : {}),
      ...(shapes ? { shapes: shapes.map((k: any) => { const { id: _k, attributes: ka, ...kr } = k; return { ...kr, attributes: attrs(l, ka) }; }) } : {}),
    };
  };
  const order = (a: any, b: any) => JSON.stringify(a).localeCompare(JSON.stringify(b));
  return { tags: data.tags.map(obj).sort(order), shapes: data.shapes.map(obj).sort(order), tracks: data.tracks.map(obj).sort(order) };
}

export async function jobsOf(client: ApiClient, taskId: number) {
  const jobs = (await client.get(`/api/jobs?task_id=${taskId}&sort=id`)).body.results as any[];
  return jobs.map((j) => ({ start: j.start_frame, stop: j.stop_frame, stage: j.stage, state: j.state, type: j.type })).sort((a, b) => a.start - b.start);
}

export async function framesOf(client: ApiClient, taskId: number): Promise<Array<{ name: string; bytes: Buffer }>> {
  const meta = (await client.get(`/api/tasks/${taskId}/data/meta`)).body;
  const out = [];
  for (const [i, f] of (meta.frames as any[]).entries()) {
    const res = await client.get(`/api/tasks/${taskId}/data?type=frame&number=${i}&quality=original`);
    expect(res.status).toBe(200);
    out.push({ name: f.name, bytes: res.raw });
  }
  return out;
}

/** Starts a backup, waits for it and downloads the archive. */
export async function backup(client: ApiClient, what: 'tasks' | 'projects', id: number): Promise<{ request: any; zip: Buffer; files: Record<string, Uint8Array> }> {
  const res = await client.post(`/api/${what}/${id}/backup/export`);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const request = await waitForRequest(client, res.body.rq_id);
  expect(request.status, request.message).toBe('finished');
  expect(request.operation).toMatchObject({ type: 'export:backup', target: what.slice(0, -1) });
  const download = await client.get(new URL(request.result_url).pathname);
  expect(download.status).toBe(200);
  return { request, zip: download.raw, files: unzipSync(new Uint8Array(download.raw)) };
}

/** Starts a backup with query parameters and waits for it. */
export async function backupWith(client: ApiClient, id: number, query: string): Promise<any> {
  const res = await client.post(`/api/tasks/${id}/backup/export?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const request = await waitForRequest(client, res.body.rq_id);
  expect(request.status, request.message).toBe('finished');
  return request;
}

/** Uploads an archive as a multipart task_file / project_file and waits for the restore. */
export async function restore(client: ApiClient, what: 'tasks' | 'projects', archive: Uint8Array, name = 'backup.zip'): Promise<any> {
  const form = new FormData();
  form.append(what === 'tasks' ? 'task_file' : 'project_file', new Blob([archive]), name);
  const res = await client.form('POST', `/api/${what}/backup/`, form);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return waitForRequest(client, res.body.rq_id);
}

export const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

/** A task backup as CVAT 2.x writes it (cvat/apps/engine/backup.py, TaskExporter). */
export async function cvatArchive(overrides: { task?: (t: any) => void; annotations?: (a: any[]) => void; extra?: Zippable } = {}) {
  const files = await images(4, 'frame_');
  const task: any = {
    name: 'from cvat',
    bug_tracker: '',
    status: 'annotation',
    subset: '',
    labels: [
      {
        name: 'car',
        color: '#fa3253',
        attributes: [{ name: 'model', mutable: false, input_type: 'select', default_value: 'sedan', values: ['sedan', 'truck'] }],
        type: 'any',
        svg: '',
        sublabels: [],
      },
      {
        name: 'hand',
        color: '#33ddff',
        attributes: [],
        type: 'skeleton',
        svg: SVG.replace('head', 'thumb').replace('foot', 'wrist'),
        sublabels: [
          { name: 'thumb', color: '#d12345', attributes: [{ name: 'visible', mutable: true, input_type: 'checkbox', default_value: 'true', values: ['true'] }], type: 'points' },
          { name: 'wrist', color: '#350dea', attributes: [], type: 'points' },
        ],
      },
    ],
    version: '1.0',
    data: {
      chunk_size: 72,
      image_quality: 70,
      start_frame: 0,
      stop_frame: 3,
      storage_method: 'cache',
      storage: 'local',
      sorting_method: 'lexicographical',
      chunk_type: 'imageset',
      deleted_frames: [],
    },
    jobs: [
      { start_frame: 0, stop_frame: 1, status: 'annotation', type: 'annotation' },
      { start_frame: 2, stop_frame: 3, status: 'completed', type: 'annotation' },
    ],
  };
  const annotations: any[] = [
    {
      version: 0,
      tags: [{ frame: 0, group: 0, source: 'manual', attributes: [], label: 'car' }],
      shapes: [
        { type: 'rectangle', occluded: false, outside: false, z_order: 0, rotation: 0.0, points: [1.0, 2.0, 10.0, 12.0], frame: 1, group: 0, source: 'manual', attributes: [{ value: 'truck', name: 'model' }], elements: [], label: 'car' },
      ],
      tracks: [],
    },
    {
      version: 3,
      tags: [],
      shapes: [
        {
          type: 'skeleton', occluded: false, outside: false, z_order: 0, rotation: 0.0, points: [], frame: 2, group: 0, source: 'manual', attributes: [], label: 'hand',
          elements: [
            { type: 'points', occluded: false, outside: false, z_order: 0, rotation: 0.0, points: [3.0, 4.0], frame: 2, group: 0, source: 'manual', attributes: [{ value: 'false', name: 'visible' }], label: 'thumb' },
            { type: 'points', occluded: false, outside: true, z_order: 0, rotation: 0.0, points: [5.0, 6.0], frame: 2, group: 0, source: 'manual', attributes: [], label: 'wrist' },
          ],
        },
      ],
      tracks: [
        {
          frame: 2, group: 0, source: 'manual', attributes: [{ value: 'sedan', name: 'model' }], label: 'car', elements: [],
          shapes: [
            { type: 'rectangle', occluded: false, outside: false, z_order: 0, rotation: 0.0, points: [1, 1, 4, 4], frame: 2, attributes: [] },
            { type: 'rectangle', occluded: false, outside: true, z_order: 0, rotation: 0.0, points: [2, 2, 5, 5], frame: 3, attributes: [] },
          ],
        },
      ],
    },
  ];
  overrides.task?.(task);
  overrides.annotations?.(annotations);
  const manifest = [
    '{"version":"1.1"}',
    '{"type":"images"}',
    ...files.map((f, i) => JSON.stringify({ name: f.name.replace('.png', ''), extension: '.png', width: 24 + i, height: 16, meta: { related_images: [] }, checksum: 'd41d8cd98f00b204e9800998ecf8427e' })),
  ].join('\n');
  const zip: Zippable = {
    'task.json': new TextEncoder().encode(JSON.stringify(task)),
    'annotations.json': new TextEncoder().encode(JSON.stringify(annotations)),
    'data/manifest.jsonl': new TextEncoder().encode(manifest),
    'data/index.json': new TextEncoder().encode('{"0": 36, "1": 136}'),
    ...Object.fromEntries(files.map((f) => [`data/${f.name}`, new Uint8Array(f.data)])),
    ...(overrides.extra ?? {}),
  };
  return { zip: zipSync(zip), files };
}
