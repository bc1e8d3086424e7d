import { unzipSync, zipSync, type Zippable } from 'fflate';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/repositories/storage/s3-blob-store.js';
import { startTestServer, type ApiClient, type TestServer } from '../helpers/app.js';
import { createTaskWithImages, formWith, makeImage, waitForRequest } from '../helpers/media.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';

const VIDEO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/videos/datumaro_cvat_test.mp4');

let s: TestServer;

const SVG =
  '<line x1="10" y1="10" x2="10" y2="50" data-type="edge" data-node-from="1" data-node-to="2"></line>' +
  '<circle r="1" cx="10" cy="10" data-type="element node" data-node-id="1" data-label-name="head"></circle>' +
  '<circle r="1" cx="10" cy="50" data-type="element node" data-node-id="2" data-label-name="foot"></circle>';

const LABELS = [
  {
    name: 'car',
    color: '#ff0000',
    type: 'rectangle',
    attributes: [
      { name: 'color', input_type: 'select', mutable: false, values: ['red', 'blue'], default_value: 'red' },
      { name: 'speed', input_type: 'number', mutable: true, values: ['0', '100', '5'], default_value: '0' },
    ],
  },
  { name: 'road', type: 'polygon', attributes: [] },
  { name: 'weather', type: 'tag', attributes: [{ name: 'kind', input_type: 'radio', mutable: false, values: ['sun', 'rain'] }] },
  { name: 'person', type: 'skeleton', sublabels: [{ name: 'head', type: 'points' }, { name: 'foot', type: 'points' }], svg: SVG },
];

beforeAll(async () => {
  // A key of its own: cloud storages keep their credentials sealed with it.
  s = await startTestServer({ env: { FRAMEWISE_SECRET_KEY: 'a-test-secret-key-of-at-least-32-chars!' } });
});
afterAll(async () => {
  await s?.close();
});

const images = (n: number, prefix = 'img') =>
  Promise.all(Array.from({ length: n }, async (_, i) => ({ name: `${prefix}${i}.png`, data: await makeImage(24 + i, 16, 'png', i + 1) })));

async function labelsOf(client: ApiClient, query: string) {
  return (await client.get(`/api/labels?${query}&page_size=100`)).body.results as any[];
}

/** A task's labels without ids: what a restore must reproduce (the skeleton's drawing by point names). */
function labelShape(labels: any[]) {
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
function byNames(data: any, labels: any[]) {
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

async function jobsOf(client: ApiClient, taskId: number) {
  const jobs = (await client.get(`/api/jobs?task_id=${taskId}&sort=id`)).body.results as any[];
  return jobs.map((j) => ({ start: j.start_frame, stop: j.stop_frame, stage: j.stage, state: j.state, type: j.type })).sort((a, b) => a.start - b.start);
}

async function framesOf(client: ApiClient, taskId: number): Promise<Array<{ name: string; bytes: Buffer }>> {
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
async function backup(client: ApiClient, what: 'tasks' | 'projects', id: number): Promise<{ request: any; zip: Buffer; files: Record<string, Uint8Array> }> {
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
async function backupWith(client: ApiClient, id: number, query: string): Promise<any> {
  const res = await client.post(`/api/tasks/${id}/backup/export?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const request = await waitForRequest(client, res.body.rq_id);
  expect(request.status, request.message).toBe('finished');
  return request;
}

/** Uploads an archive as a multipart task_file / project_file and waits for the restore. */
async function restore(client: ApiClient, what: 'tasks' | 'projects', archive: Uint8Array, name = 'backup.zip'): Promise<any> {
  const form = new FormData();
  form.append(what === 'tasks' ? 'task_file' : 'project_file', new Blob([archive]), name);
  const res = await client.form('POST', `/api/${what}/backup/`, form);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return waitForRequest(client, res.body.rq_id);
}

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

async function annotateTask(taskId: number) {
  const labels = await labelsOf(s.admin, `task_id=${taskId}`);
  const L = Object.fromEntries(labels.map((l) => [l.name, l]));
  const attr = (l: any, name: string) => l.attributes.find((a: any) => a.name === name).id;
  const rect = (frame: number, points: number[], extra: Record<string, unknown> = {}) => ({
    type: 'rectangle', frame, label_id: L.car.id, points, group: 0, source: 'manual', occluded: false, outside: false, z_order: 0, rotation: 0, attributes: [], ...extra,
  });
  const res = await s.admin.put(`/api/tasks/${taskId}/annotations`, {
    version: 0,
    tags: [{ frame: 3, label_id: L.weather.id, group: 0, source: 'manual', attributes: [{ spec_id: attr(L.weather, 'kind'), value: 'rain' }] }],
    shapes: [
      rect(0, [1, 2, 10.5, 12.25], { attributes: [{ spec_id: attr(L.car, 'color'), value: 'blue' }, { spec_id: attr(L.car, 'speed'), value: '45' }], rotation: 15 }),
      rect(2, [3, 3, 9, 9], { occluded: true, z_order: 2, source: 'auto' }),
      { ...rect(1, [1, 1, 8, 1, 8, 8]), type: 'polygon', label_id: L.road.id, group: 3 },
      {
        ...rect(4, []),
        type: 'skeleton',
        label_id: L.person.id,
        elements: L.person.sublabels.map((p: any, i: number) => ({
          type: 'points', frame: 4, label_id: p.id, points: [5 + i, 6 + i], group: 0, source: 'manual', occluded: false, outside: i === 1, z_order: 0, rotation: 0, attributes: [],
        })),
      },
    ],
    tracks: [
      {
        frame: 2,
        label_id: L.car.id,
        group: 0,
        source: 'manual',
        attributes: [{ spec_id: attr(L.car, 'color'), value: 'red' }],
        shapes: [
          { type: 'rectangle', frame: 2, points: [0, 0, 5, 5], rotation: 0, occluded: false, outside: false, z_order: 0, attributes: [{ spec_id: attr(L.car, 'speed'), value: '10' }] },
          { type: 'rectangle', frame: 3, points: [4, 4, 9, 9], rotation: 0, occluded: false, outside: true, z_order: 0, attributes: [] },
        ],
        elements: [],
      },
    ],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('task backups', () => {
  it('documents the backup endpoints in the API schema', async () => {
    const schema = (await s.admin.get('/api/schema?format=json')).body;
    for (const p of ['/api/tasks/{id}/backup/export', '/api/projects/{id}/backup/export', '/api/tasks/backup', '/api/projects/backup']) {
      expect(schema.paths[p]?.post, p).toBeDefined();
    }
  });

  it('backs a task up in CVAT\'s layout and restores it whole: labels, jobs, annotations and frames', async () => {
    const files = await images(5);
    const { taskId } = await createTaskWithImages(s.admin, files, { name: 'street', labels: LABELS, segment_size: 2, subset: 'train' });
    await annotateTask(taskId);
    const jobIds = (await s.admin.get(`/api/jobs?task_id=${taskId}&sort=id`)).body.results.map((j: any) => j.id);
    expect((await s.admin.patch(`/api/jobs/${jobIds[1]}`, { stage: 'validation', state: 'in progress' })).status).toBe(200);
    expect((await s.admin.patch(`/api/jobs/${jobIds[2]}`, { stage: 'acceptance', state: 'completed' })).status).toBe(200);

    const { files: archive, zip } = await backup(s.admin, 'tasks', taskId);
    expect(Object.keys(archive).sort()).toEqual(['annotations.json', 'data/img0.png', 'data/img1.png', 'data/img2.png', 'data/img3.png', 'data/img4.png', 'data/manifest.jsonl', 'task.json']);
    for (const f of files) expect(Buffer.from(archive[`data/${f.name}`]!).equals(f.data)).toBe(true);
    const manifest = JSON.parse(text(archive['task.json']));
    expect(manifest).toMatchObject({ name: 'street', subset: 'train', version: '1.0', data: { storage: 'local', chunk_type: 'imageset', image_quality: 75 } });
    expect(manifest.labels.map((l: any) => l.name)).toEqual(['car', 'road', 'weather', 'person']);
    expect(manifest.labels[3].svg).toContain('data-label-name="head"');
    expect(manifest.labels[3].svg).not.toContain('data-label-id');
    expect(manifest.jobs.map((j: any) => [j.start_frame, j.stop_frame, j.status, j.type])).toEqual([
      [0, 1, 'annotation', 'annotation'],
      [2, 3, 'validation', 'annotation'],
      [4, 4, 'completed', 'annotation'],
    ]);
    const annotations = JSON.parse(text(archive['annotations.json']));
    expect(annotations).toHaveLength(3);
    // Names, not ids: the archive restores into any server.
    expect(annotations[0].shapes.find((x: any) => x.type === 'rectangle')).toMatchObject({
      label: 'car',
      attributes: expect.arrayContaining([{ name: 'color', value: 'blue' }, { name: 'speed', value: '45' }]),
    });
    expect(JSON.stringify(annotations)).not.toMatch(/"(id|label_id|spec_id)":/);
    expect(annotations[2].shapes[0].elements.map((e: any) => e.label)).toEqual(['head', 'foot']);
    expect(text(archive['data/manifest.jsonl']).split('\n')[2]).toContain('"name":"img0","extension":".png"');

    const user = await s.user('restorer');
    const done = await restore(user, 'tasks', zip);
    expect(done.status, done.message).toBe('finished');
    expect(done.operation).toMatchObject({ type: 'import:backup', target: 'task' });
    const restoredId = done.result_id as number;
    expect(restoredId).not.toBe(taskId);

    const [before, after] = [(await s.admin.get(`/api/tasks/${taskId}`)).body, (await s.admin.get(`/api/tasks/${restoredId}`)).body];
    expect(after.owner.username).toBe('restorer');
    for (const k of ['name', 'subset', 'size', 'segment_size', 'overlap', 'image_quality', 'mode', 'status', 'data_chunk_size']) expect(after[k], k).toEqual(before[k]);
    const [labelsBefore, labelsAfter] = [await labelsOf(s.admin, `task_id=${taskId}`), await labelsOf(s.admin, `task_id=${restoredId}`)];
    expect(labelShape(labelsAfter)).toEqual(labelShape(labelsBefore));
    expect(await jobsOf(s.admin, restoredId)).toEqual(await jobsOf(s.admin, taskId));
    const [annBefore, annAfter] = [(await s.admin.get(`/api/tasks/${taskId}/annotations`)).body, (await s.admin.get(`/api/tasks/${restoredId}/annotations`)).body];
    expect(annAfter.shapes).toHaveLength(4);
    expect(byNames(annAfter, labelsAfter)).toEqual(byNames(annBefore, labelsBefore));
    expect(await framesOf(s.admin, restoredId)).toEqual(await framesOf(s.admin, taskId));
  });

  it('takes the archive through CVAT SDK\'s TUS sequence (Upload-Start, TUS, Upload-Finish)', async () => {
    const { taskId } = await createTaskWithImages(s.admin, await images(2), { name: 'tus', labels: [{ name: 'car' }] });
    const { zip } = await backup(s.admin, 'tasks', taskId);
    expect((await s.admin.post('/api/tasks/backup/', undefined, { 'upload-start': '' })).status).toBe(202);
    const created = await s.admin.request('POST', '/api/tasks/backup/', {
      headers: { 'tus-resumable': '1.0.0', 'upload-length': String(zip.length), 'upload-metadata': `filename ${Buffer.from('t.zip').toString('base64')}` },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const location = new URL(created.headers.get('location')!).pathname;
    expect(location).toMatch(/^\/api\/tasks\/backup\/[\w-]+$/);
    const half = Math.floor(zip.length / 2);
    for (const [from, to] of [[0, half], [half, zip.length]] as const) {
      const patched = await s.admin.request('PATCH', location, {
        body: zip.subarray(from, to),
        headers: { 'tus-resumable': '1.0.0', 'upload-offset': String(from), 'content-type': 'application/offset+octet-stream' },
      });
      expect(patched.status).toBe(204);
    }
    const finished = await s.admin.post(`/api/tasks/backup/?filename=${created.headers.get('upload-filename')}`, undefined, { 'upload-finish': '' });
    expect(finished.status, JSON.stringify(finished.body)).toBe(202);
    const done = await waitForRequest(s.admin, finished.body.rq_id);
    expect(done.status, done.message).toBe('finished');
    expect((await s.admin.get(`/api/tasks/${done.result_id}`)).body).toMatchObject({ name: 'tus', size: 2 });
    // Someone else cannot finish an upload they did not make.
    const other = await s.user('tus-other');
    const stolen = await other.post(`/api/tasks/backup/?filename=${created.headers.get('upload-filename')}`, undefined, { 'upload-finish': '' });
    expect(stolen.status).toBe(400);
  });

  it('lets only who may change a task back it up, answering as the rest of the API does', async () => {
    const { taskId } = await createTaskWithImages(s.admin, await images(2), { name: 'private', labels: [{ name: 'car' }] });
    const stranger = await s.user('stranger');
    expect((await stranger.post(`/api/tasks/${taskId}/backup/export`)).status).toBe(404);
    // An annotator assigned one job sees the task but may not copy all of it.
    const annotator = await s.user('annotator');
    const job = (await s.admin.get(`/api/jobs?task_id=${taskId}`)).body.results[0];
    expect((await s.admin.patch(`/api/jobs/${job.id}`, { assignee: annotator.id })).status).toBe(200);
    expect((await annotator.post(`/api/tasks/${taskId}/backup/export`)).status).toBe(403);
    // Its owner alone downloads a backup; one still running is not started twice.
    const first = await s.admin.post(`/api/tasks/${taskId}/backup/export`);
    const done = await waitForRequest(s.admin, first.body.rq_id);
    await s.ctx.database.db.updateTable('requests').set({ status: 'started' }).where('id', '=', done.id).execute();
    const second = await s.admin.post(`/api/tasks/${taskId}/backup/export`);
    expect(second.status).toBe(409);
    expect(second.body.rq_id).toBe(done.id);
    await s.ctx.database.db.updateTable('requests').set({ status: 'finished' }).where('id', '=', done.id).execute();
    expect((await stranger.get(new URL(done.result_url).pathname)).status).toBe(404);
  });
});

describe.skipIf(!fs.existsSync(VIDEO))('video task backups (../shared/fixtures/videos)', () => {
  it('carries the video whole with the frames the task takes, and restores the same frames and jobs', async () => {
    const task = (await s.admin.post('/api/tasks', { name: 'clip', labels: [{ name: 'car' }], segment_size: 3 })).body;
    const form = formWith([{ name: 'clip.mp4', data: fs.readFileSync(VIDEO) }], { image_quality: '70', start_frame: '3', stop_frame: '20', frame_filter: 'step=4' });
    const created = await waitForRequest(s.admin, (await s.admin.form('POST', `/api/tasks/${task.id}/data/`, form)).body.rq_id);
    expect(created.status, created.message).toBe('finished');
    const car = (await labelsOf(s.admin, `task_id=${task.id}`))[0].id;
    const track = {
      frame: 0, label_id: car, group: 0, source: 'manual', attributes: [], elements: [],
      shapes: [0, 2].map((frame) => ({ type: 'rectangle', frame, points: [1, 1, 9 + frame, 9], rotation: 0, occluded: false, outside: frame === 2, z_order: 0, attributes: [] })),
    };
    expect((await s.admin.put(`/api/tasks/${task.id}/annotations`, { tracks: [track] })).status).toBe(200);

    const { files, zip } = await backup(s.admin, 'tasks', task.id);
    expect(Buffer.from(files['data/clip.mp4']!).equals(fs.readFileSync(VIDEO))).toBe(true);
    expect(JSON.parse(text(files['task.json'])).data).toMatchObject({ chunk_type: 'video', start_frame: 3, stop_frame: 20, frame_filter: 'step=4' });
    expect(text(files['data/manifest.jsonl'])).toContain('"type":"video"');

    const done = await restore(s.admin, 'tasks', zip);
    expect(done.status, done.message).toBe('finished');
    const [a, b] = [(await s.admin.get(`/api/tasks/${task.id}`)).body, (await s.admin.get(`/api/tasks/${done.result_id}`)).body];
    expect(b).toMatchObject({ size: 5, media_type: 'video', mode: 'interpolation', segment_size: a.segment_size, overlap: a.overlap });
    expect(await jobsOf(s.admin, done.result_id)).toEqual(await jobsOf(s.admin, task.id));
    const [la, lb] = [await labelsOf(s.admin, `task_id=${task.id}`), await labelsOf(s.admin, `task_id=${done.result_id}`)];
    const [x, y] = [(await s.admin.get(`/api/tasks/${task.id}/annotations`)).body, (await s.admin.get(`/api/tasks/${done.result_id}/annotations`)).body];
    expect(y.tracks).toHaveLength(1);
    expect(byNames(y, lb)).toEqual(byNames(x, la));
    for (const n of [0, 4]) {
      const [fa, fb] = [await s.admin.get(`/api/tasks/${task.id}/data?type=frame&number=${n}&quality=original`), await s.admin.get(`/api/tasks/${done.result_id}/data?type=frame&number=${n}&quality=original`)];
      expect(fb.raw.equals(fa.raw)).toBe(true);
    }
  });
});

describe('cloud storage', () => {
  let s3: S3rverHandle;
  let raw: S3Client;
  let storageId: number;
  const objects = new Map<string, Buffer>();

  beforeAll(async () => {
    s3 = await startS3rver();
    raw = createS3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
    for (let i = 0; i < 3; i++) {
      const data = await makeImage(30 + i, 20, 'png', i + 7);
      objects.set(`pics/p${i}.png`, data);
      await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `pics/p${i}.png`, Body: data }));
    }
    const created = await s.admin.post('/api/cloudstorages', {
      provider_type: 'AWS_S3_BUCKET', resource: s3.bucket, display_name: 'bucket', credentials_type: 'KEY_SECRET_KEY_PAIR',
      key: s3.credentials.accessKeyId, secret_key: s3.credentials.secretAccessKey, specific_attributes: `endpoint_url=${encodeURIComponent(s3.endpoint)}`,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    storageId = created.body.id;
  });
  afterAll(async () => {
    await s3?.stop();
  });

  async function bucketTask() {
    const task = (await s.admin.post('/api/tasks', { name: 'in bucket', labels: [{ name: 'car' }] })).body;
    const res = await s.admin.post(`/api/tasks/${task.id}/data/`, { image_quality: 80, cloud_storage_id: storageId, server_files: ['pics/'] });
    expect((await waitForRequest(s.admin, res.body.rq_id)).status).toBe('finished');
    return task.id as number;
  }

  it('leaves bucket media in the bucket in a lightweight backup, and restores a task reading it from there', async () => {
    const taskId = await bucketTask();
    const { files, zip, request } = await backup(s.admin, 'tasks', taskId);
    expect(request.operation.lightweight).toBe(true);
    expect(Object.keys(files).sort()).toEqual(['annotations.json', 'data/manifest.jsonl', 'task.json']);
    expect(JSON.parse(text(files['task.json'])).data).toMatchObject({ storage: 'cloud_storage', cloud_storage_id: storageId });
    const done = await restore(s.admin, 'tasks', zip);
    expect(done.status, done.message).toBe('finished');
    expect((await s.admin.get(`/api/tasks/${done.result_id}`)).body).toMatchObject({ size: 3, data_cloud_storage_id: storageId });
    expect(await framesOf(s.admin, done.result_id)).toEqual(await framesOf(s.admin, taskId));
    // Someone who may not use the storage cannot restore a task reading from it.
    const outsider = await s.user('no-bucket');
    const refused = await restore(outsider, 'tasks', zip);
    expect(refused.status).toBe('failed');
    expect(refused.message).toMatch(/^task\.json: data\.cloud_storage_id: cloud storage \d+ not found/);
  });

  it('copies bucket media with lightweight=false, writes the archive into a bucket and restores from one', async () => {
    const taskId = await bucketTask();
    const request = await backupWith(s.admin, taskId, `lightweight=false&location=cloud_storage&cloud_storage_id=${storageId}&filename=saved/b.zip`);
    expect(request.result_url).toBeNull();
    const res = await s.admin.post(`/api/tasks/backup/?location=cloud_storage&cloud_storage_id=${storageId}&filename=saved_b.zip`);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const done = await waitForRequest(s.admin, res.body.rq_id);
    expect(done.status, done.message).toBe('finished');
    const task = (await s.admin.get(`/api/tasks/${done.result_id}`)).body;
    expect(task).toMatchObject({ size: 3, data_cloud_storage_id: null });
    const frames = await framesOf(s.admin, done.result_id);
    expect(frames.map((f) => f.name)).toEqual([...objects.keys()]);
    frames.forEach((f) => expect(f.bytes.equals(objects.get(f.name)!)).toBe(true));
  });
});

describe('project backups', () => {
  it('backs a project up with its tasks and restores it whole', async () => {
    const project = await s.admin.post('/api/projects', { name: 'city', labels: LABELS });
    expect(project.status).toBe(201);
    const a = await createTaskWithImages(s.admin, await images(3, 'a'), { name: 'first', project_id: project.body.id, labels: undefined });
    const b = await createTaskWithImages(s.admin, await images(2, 'b'), { name: 'second', project_id: project.body.id, labels: undefined, segment_size: 1 });
    const L = Object.fromEntries((await labelsOf(s.admin, `project_id=${project.body.id}`)).map((l) => [l.name, l]));
    await s.admin.put(`/api/tasks/${a.taskId}/annotations`, {
      shapes: [{ type: 'rectangle', frame: 1, label_id: L.car.id, points: [1, 1, 5, 5], attributes: [] }],
    });
    await s.admin.put(`/api/tasks/${b.taskId}/annotations`, {
      tags: [{ frame: 1, label_id: L.weather.id, attributes: [] }],
    });

    const { files, zip } = await backup(s.admin, 'projects', project.body.id);
    expect(Object.keys(files).filter((f) => !f.includes('/data/')).sort()).toEqual([
      'project.json', 'task_0/annotations.json', 'task_0/task.json', 'task_1/annotations.json', 'task_1/task.json',
    ]);
    expect(JSON.parse(text(files['project.json']))).toMatchObject({ name: 'city', version: '1.0', labels: expect.any(Array) });

    const done = await restore(s.admin, 'projects', zip);
    expect(done.status, done.message).toBe('finished');
    const restored = (await s.admin.get(`/api/projects/${done.result_id}`)).body;
    expect(restored.name).toBe('city');
    expect(labelShape(await labelsOf(s.admin, `project_id=${done.result_id}`))).toEqual(labelShape(await labelsOf(s.admin, `project_id=${project.body.id}`)));
    const tasks = (await s.admin.get(`/api/tasks?project_id=${done.result_id}&sort=id`)).body.results;
    expect(tasks.map((t: any) => [t.name, t.size])).toEqual([['first', 3], ['second', 2]]);
    const [labelsBefore, labelsAfter] = [await labelsOf(s.admin, `project_id=${project.body.id}`), await labelsOf(s.admin, `project_id=${done.result_id}`)];
    for (const [orig, copy] of [[a.taskId, tasks[0].id], [b.taskId, tasks[1].id]]) {
      expect(await jobsOf(s.admin, copy)).toEqual(await jobsOf(s.admin, orig));
      const [x, y] = [(await s.admin.get(`/api/tasks/${orig}/annotations`)).body, (await s.admin.get(`/api/tasks/${copy}/annotations`)).body];
      expect(byNames(y, labelsAfter)).toEqual(byNames(x, labelsBefore));
      expect(await framesOf(s.admin, copy)).toEqual(await framesOf(s.admin, orig));
    }
  });
});

/** A task backup as CVAT 2.x writes it (cvat/apps/engine/backup.py, TaskExporter). */
async function cvatArchive(overrides: { task?: (t: any) => void; annotations?: (a: any[]) => void; extra?: Zippable } = {}) {
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

describe('backups made by CVAT', () => {
  it('restores a task archive in the layout CVAT 2.x writes', async () => {
    const { zip, files } = await cvatArchive();
    const done = await restore(s.admin, 'tasks', zip, 'task_from_cvat_backup_2024_05_01_10_00_00.zip');
    expect(done.status, done.message).toBe('finished');
    const id = done.result_id;
    expect((await s.admin.get(`/api/tasks/${id}`)).body).toMatchObject({ name: 'from cvat', size: 4, data_chunk_size: 72, image_quality: 70, segment_size: 2 });
    expect(await jobsOf(s.admin, id)).toEqual([
      { start: 0, stop: 1, stage: 'annotation', state: 'new', type: 'annotation' },
      { start: 2, stop: 3, stage: 'acceptance', state: 'completed', type: 'annotation' },
    ]);
    const labels = await labelsOf(s.admin, `task_id=${id}`);
    const hand = labels.find((l) => l.name === 'hand');
    expect(hand.sublabels.map((p: any) => p.name)).toEqual(['thumb', 'wrist']);
    expect(hand.svg).toContain(`data-label-id="${hand.sublabels[0].id}"`);
    const ann = byNames((await s.admin.get(`/api/tasks/${id}/annotations`)).body, labels);
    expect(ann.tags).toEqual([expect.objectContaining({ frame: 0, label: 'car' })]);
    expect(ann.shapes).toEqual([
      expect.objectContaining({ type: 'rectangle', frame: 1, label: 'car', points: [1, 2, 10, 12], attributes: [{ name: 'model', value: 'truck' }] }),
      expect.objectContaining({
        type: 'skeleton',
        label: 'hand',
        elements: [
          expect.objectContaining({ label: 'thumb', points: [3, 4], attributes: [{ name: 'visible', value: 'false' }] }),
          expect.objectContaining({ label: 'wrist', points: [5, 6], outside: true }),
        ],
      }),
    ]);
    expect(ann.tracks).toEqual([expect.objectContaining({ label: 'car', frame: 2, attributes: [{ name: 'model', value: 'sedan' }] })]);
    const frames = await framesOf(s.admin, id);
    expect(frames.map((f) => f.name)).toEqual(files.map((f) => f.name));
    frames.forEach((f, i) => expect(f.bytes.equals(files[i]!.data)).toBe(true));
  });
});

describe('bad archives', () => {
  async function taskCount() {
    return (await s.admin.get('/api/tasks?page_size=1')).body.count as number;
  }

  async function refused(archive: Uint8Array, message: RegExp) {
    const before = await taskCount();
    const done = await restore(s.admin, 'tasks', archive);
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(message);
    expect(done.result_id).toBeNull();
    expect(await taskCount()).toBe(before);
  }

  it('fails without task.json, naming it', async () => {
    const { zip } = await cvatArchive();
    const files = unzipSync(zip);
    delete files['task.json'];
    await refused(zipSync(files), /^task\.json: missing from the archive/);
  });

  it('fails on malformed JSON, naming the file', async () => {
    const { zip } = await cvatArchive();
    const files = unzipSync(zip);
    await refused(zipSync({ ...files, 'task.json': new TextEncoder().encode('{"name": "x",') }), /^task\.json: not valid JSON/);
    await refused(zipSync({ ...files, 'annotations.json': new TextEncoder().encode('[{"version": 0, "shapes": [{"type": "rectangle"}') }), /^annotations\.json: not valid JSON/);
    await refused(
      zipSync({ ...files, 'annotations.json': new TextEncoder().encode('[{"version": 0, "tags": [], "shapes": [{"type": "rectangle", "frame": 0,,}], "tracks": []}]') }),
      /^annotations\.json: job 0 \(annotations\.json\[0\]\), shapes\[0\]: not valid JSON/,
    );
  });

  it('refuses entries that leave the archive', async () => {
    const { zip } = await cvatArchive({ extra: { '../evil.png': new Uint8Array([1, 2, 3]) } });
    await refused(zip, /"\.\.\/evil\.png" points outside the archive/);
  });

  it('fails on a label the backup does not declare, and leaves nothing behind', async () => {
    const { zip } = await cvatArchive({
      annotations: (a) => {
        a[1].shapes.push({ ...a[0].shapes[0], frame: 3, label: 'ghost' });
      },
    });
    const requestsBefore = (await s.admin.get('/api/requests?page_size=1000')).body.results.length;
    await refused(zip, /^annotations\.json: job 1: shapes\[1\]\.label: "ghost" is not a label of the task/);
    // Nor the creation request of the task that went away.
    const after = (await s.admin.get('/api/requests?page_size=1000')).body.results;
    expect(after.length).toBe(requestsBefore + 1);
  });

  it('fails on annotations outside their job, naming the object', async () => {
    const { zip } = await cvatArchive({ annotations: (a) => (a[0].shapes[0].frame = 3) });
    await refused(zip, /^annotations\.json: job 0: shapes\[0\]\.frame/);
  });

  it('tells a project backup from a task backup', async () => {
    const { zip } = await cvatArchive();
    const done = await restore(s.admin, 'projects', zip);
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/project\.json: missing .*task backup/);
  });
});

/**
 * Quality control in backups (issue 7): ground-truth jobs, honeypots, consensus replicas and the
 * quality settings, round-tripped through Framewise and restored from archives as CVAT writes them.
 */
describe('backups with quality control', () => {
  const allJobs = async (taskId: number) => (await s.admin.get(`/api/jobs?task_id=${taskId}&sort=id&page_size=100`)).body.results as any[];
  const jobAnnotations = async (jobId: number) => (await s.admin.get(`/api/jobs/${jobId}/annotations`)).body;
  const layoutOf = async (taskId: number) => (await s.admin.get(`/api/tasks/${taskId}/validation_layout`)).body;
  const qualityOf = async (query: string) => {
    const { id: _id, task_id: _t, project_id: _p, created_date: _c, updated_date: _u, ...rest } = (await s.admin.get(`/api/quality/settings?${query}`)).body.results[0];
    return rest;
  };
  const rect = (frame: number, label: number, x: number) => ({
    type: 'rectangle', frame, label_id: label, points: [x, 1, x + 4, 5], group: 0, source: 'manual', attributes: [], occluded: false, outside: false, z_order: 0, rotation: 0,
  });
  const put = async (jobId: number, shapes: any[]) => {
    const res = await s.admin.put(`/api/jobs/${jobId}/annotations`, { version: 0, tags: [], shapes, tracks: [] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  /** A job's objects by label name, without ids. */
  const named = async (jobId: number, labels: any[]) => byNames(await jobAnnotations(jobId), labels);
  const honeypotSpec = (pool: number, perJob: number, seed: number) => ({
    sorting_method: 'random',
    validation_params: JSON.stringify({ mode: 'gt_pool', frame_selection_method: 'random_uniform', frame_count: pool, frames_per_job_count: perJob, random_seed: seed }),
  });

  it('round-trips a ground-truth job: its frames, annotations, stage, disabled frames and the quality settings', async () => {
    const { taskId } = await createTaskWithImages(s.admin, await images(6, 'g'), { name: 'with gt', labels: [{ name: 'car' }], segment_size: 3 });
    const gt = await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'manual', frames: [1, 4] });
    expect(gt.status, JSON.stringify(gt.body)).toBe(201);
    const [car] = await labelsOf(s.admin, `task_id=${taskId}`);
    const [first] = (await allJobs(taskId)).filter((j) => j.type === 'annotation');
    await put(gt.body.id, [rect(1, car.id, 2), rect(4, car.id, 7)]);
    await put(first.id, [rect(1, car.id, 3)]);
    expect((await s.admin.patch(`/api/jobs/${gt.body.id}`, { stage: 'acceptance', state: 'completed' })).status).toBe(200);
    expect((await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { disabled_frames: [4] })).status).toBe(200);
    const settings = (await s.admin.get(`/api/quality/settings?task_id=${taskId}`)).body.results[0];
    expect((await s.admin.patch(`/api/quality/settings/${settings.id}`, { target_metric: 'recall', target_metric_threshold: 0.9, max_validations_per_job: 2 })).status).toBe(200);

    const { files, zip } = await backup(s.admin, 'tasks', taskId);
    const manifest = JSON.parse(text(files['task.json']));
    // CVAT's order and fields: the ground-truth job last, its frames listed, no honeypot layout.
    expect(manifest.jobs.map((j: any) => [j.type, j.start_frame, j.stop_frame, j.status, j.frames])).toEqual([
      ['annotation', 0, 2, 'annotation', undefined],
      ['annotation', 3, 5, 'annotation', undefined],
      ['ground_truth', 0, 5, 'completed', [1, 4]],
    ]);
    expect(manifest.data.validation_layout).toBeUndefined();
    expect(manifest.data.deleted_frames).toEqual([]);
    const annotations = JSON.parse(text(files['annotations.json']));
    expect(annotations.map((a: any) => a.shapes.map((x: any) => x.frame))).toEqual([[1], [], [1, 4]]);
    // What CVAT has no place for: in quality.json.
    const quality = JSON.parse(text(files['quality.json']));
    expect(quality).toMatchObject({ version: '1.0', validation_layout: { disabled_frames: [4] } });
    expect(quality.quality_settings).toMatchObject({ target_metric: 'recall', target_metric_threshold: 0.9, max_validations_per_job: 2 });

    const done = await restore(s.admin, 'tasks', zip);
    expect(done.status, done.message).toBe('finished');
    const id = done.result_id as number;
    expect((await s.admin.get(`/api/tasks/${id}`)).body.validation_mode).toBe('gt');
    expect(await layoutOf(id)).toEqual({ mode: 'gt', frames_per_job_count: null, validation_frames: [1, 4], disabled_frames: [4] });
    expect(await layoutOf(id)).toEqual(await layoutOf(taskId));
    expect(await jobsOf(s.admin, id)).toEqual(await jobsOf(s.admin, taskId));
    const restoredGt = (await allJobs(id)).find((j) => j.type === 'ground_truth');
    expect(restoredGt).toMatchObject({ start_frame: 0, stop_frame: 5, stage: 'acceptance', state: 'completed' });
    expect((await s.admin.get(`/api/jobs/${restoredGt.id}/data/meta`)).body.included_frames).toEqual([1, 4]);
    const [labelsBefore, labelsAfter] = [await labelsOf(s.admin, `task_id=${taskId}`), await labelsOf(s.admin, `task_id=${id}`)];
    expect((await named(restoredGt.id, labelsAfter)).shapes.map((x: any) => [x.frame, x.points[0]])).toEqual([[1, 2], [4, 7]]);
    expect(await named(restoredGt.id, labelsAfter)).toEqual(await named(gt.body.id, labelsBefore));
    expect(await qualityOf(`task_id=${id}`)).toEqual(await qualityOf(`task_id=${taskId}`));
    expect(await qualityOf(`task_id=${id}`)).toMatchObject({ target_metric: 'recall', target_metric_threshold: 0.9, max_validations_per_job: 2 });
    expect(done.message).not.toContain('left out');
  });

  it('round-trips honeypots: the same frames, pool, placements, disabled frames and annotations, in an archive CVAT reads', async () => {
    // 9 images, a pool of 3, jobs of 3 regular images with 1 honeypot each: frames 0-3, 4-7, pool 8-10.
    const { taskId, request } = await createTaskWithImages(s.admin, await images(9, 'h'), { name: 'honeypots', labels: [{ name: 'car' }], segment_size: 3 }, honeypotSpec(3, 1, 5));
    expect(request.status, request.message).toBe('finished');
    const layout = await layoutOf(taskId);
    expect(layout).toMatchObject({ mode: 'gt_pool', validation_frames: [8, 9, 10], honeypot_count: 2 });
    const jobs = await allJobs(taskId);
    const gt = jobs.find((j) => j.type === 'ground_truth');
    const annotation = jobs.filter((j) => j.type === 'annotation');
    expect(annotation.map((j) => [j.start_frame, j.stop_frame])).toEqual([[0, 3], [4, 7]]);
    const [car] = await labelsOf(s.admin, `task_id=${taskId}`);
    await put(gt.id, [rect(8, car.id, 1), rect(9, car.id, 2), rect(10, car.id, 3)]);
    const [honeypot] = layout.honeypot_frames;
    const regular = [0, 1, 2, 3].find((f) => f !== honeypot)!;
    await put(annotation[0].id, [rect(honeypot, car.id, 4), rect(regular, car.id, 5)]);
    expect((await s.admin.patch(`/api/jobs/${annotation[1].id}`, { stage: 'validation', state: 'in progress' })).status).toBe(200);
    expect((await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { disabled_frames: [9] })).status).toBe(200);
    const before = await layoutOf(taskId);

    const { files, zip } = await backup(s.admin, 'tasks', taskId);
    const manifest = JSON.parse(text(files['task.json']));
    const meta = (await s.admin.get(`/api/tasks/${taskId}/data/meta`)).body;
    const names: string[] = meta.frames.map((f: any) => f.name);
    expect(names).toHaveLength(11);
    // What CVAT's importer reads to lay the task out again.
    expect(manifest.data).toMatchObject({
      custom_segments: true,
      validation_layout: { mode: 'gt_pool', frames: [names[8], names[9], names[10]], frames_per_job_count: 1 },
    });
    const showing9 = before.honeypot_frames.filter((_: number, i: number) => before.honeypot_real_frames[i] === 9);
    expect(manifest.data.deleted_frames).toEqual([...showing9, 9].sort((a, b) => a - b));
    expect(manifest.jobs.map((j: any) => [j.type, j.start_frame, j.stop_frame, j.files])).toEqual([
      ['annotation', 0, 3, names.slice(0, 4)],
      ['annotation', 4, 7, names.slice(4, 8)],
      ['ground_truth', 8, 10, names.slice(8, 11)],
    ]);
    // Each image once; the manifest has a line per task frame, honeypots named by their image.
    const images9 = Object.keys(files).filter((f) => f.startsWith('data/') && f !== 'data/manifest.jsonl');
    expect(images9.sort()).toEqual(Array.from({ length: 9 }, (_, i) => `data/h${i}.png`).sort());
    const lines = text(files['data/manifest.jsonl']).trim().split('\n').slice(2).map((l) => JSON.parse(l));
    expect(lines.map((l) => l.name + l.extension)).toEqual(names);
    expect(JSON.parse(text(files['annotations.json'])).map((a: any) => a.shapes.length)).toEqual([2, 0, 3]);

    const done = await restore(s.admin, 'tasks', zip);
    expect(done.status, done.message).toBe('finished');
    const id = done.result_id as number;
    expect((await s.admin.get(`/api/tasks/${id}`)).body).toMatchObject({ size: 11, segment_size: 0, validation_mode: 'gt_pool' });
    expect(await layoutOf(id)).toEqual(before);
    expect(await jobsOf(s.admin, id)).toEqual(await jobsOf(s.admin, taskId));
    // Every frame, honeypots included, shows the same image under the same name.
    expect(await framesOf(s.admin, id)).toEqual(await framesOf(s.admin, taskId));
    const restoredJobs = await allJobs(id);
    const [j0] = restoredJobs.filter((j) => j.type === 'annotation');
    const compressed = async (jobId: number, frame: number) => (await s.admin.get(`/api/jobs/${jobId}/data?type=frame&number=${frame}&quality=compressed`)).raw;
    expect((await compressed(j0.id, honeypot)).equals(await compressed(annotation[0].id, honeypot))).toBe(true);
    const [labelsBefore, labelsAfter] = [await labelsOf(s.admin, `task_id=${taskId}`), await labelsOf(s.admin, `task_id=${id}`)];
    const pairs = restoredJobs.map((j, i) => [jobs[i], j]);
    for (const [a, b] of pairs) {
      expect(b.type).toBe(a.type);
      expect(await named(b.id, labelsAfter)).toEqual(await named(a.id, labelsBefore));
    }
    expect((await named(j0.id, labelsAfter)).shapes.map((x: any) => [x.frame, x.points[0]]).sort()).toEqual([[honeypot, 4], [regular, 5]].sort());
    // The deleted frames were the disabled pool frame and its honeypots: nothing left to report.
    expect(done.message).not.toContain('deleted frames');
  });

  it('round-trips consensus: consensus_replicas, each replica job with its annotations and stage, and the consensus settings', async () => {
    const { taskId } = await createTaskWithImages(s.admin, await images(4, 'c'), { name: 'consensus', labels: [{ name: 'car' }], segment_size: 2, consensus_replicas: 2 });
    const jobs = await allJobs(taskId);
    const parents = jobs.filter((j) => j.type === 'annotation');
    const [car] = await labelsOf(s.admin, `task_id=${taskId}`);
    // Each replica draws its own box: x tells which job it was.
    for (const [k, j] of jobs.entries()) await put(j.id, [rect(j.start_frame, car.id, 10 * k)]);
    const replica = jobs.find((j) => j.type === 'consensus_replica')!;
    expect((await s.admin.patch(`/api/jobs/${replica.id}`, { state: 'completed' })).status).toBe(200);
    expect((await s.admin.patch(`/api/consensus/settings/${taskId}`, { quorum: 0.7, iou_threshold: 0.6 })).status).toBe(200);

    const { files, zip } = await backup(s.admin, 'tasks', taskId);
    const manifest = JSON.parse(text(files['task.json']));
    expect(manifest.consensus_replicas).toBe(2);
    // CVAT's order: each annotation job followed by its replicas.
    expect(manifest.jobs.map((j: any) => [j.type, j.start_frame, j.stop_frame])).toEqual([
      ['annotation', 0, 1], ['consensus_replica', 0, 1], ['consensus_replica', 0, 1],
      ['annotation', 2, 3], ['consensus_replica', 2, 3], ['consensus_replica', 2, 3],
    ]);
    expect(JSON.parse(text(files['annotations.json'])).map((a: any) => a.shapes[0].points[0])).toHaveLength(6);
    expect(JSON.parse(text(files['quality.json']))).toEqual({ version: '1.0', consensus_settings: { quorum: 0.7, iou_threshold: 0.6 } });

    const done = await restore(s.admin, 'tasks', zip);
    expect(done.status, done.message).toBe('finished');
    const id = done.result_id as number;
    expect((await s.admin.get(`/api/tasks/${id}`)).body.consensus_enabled).toBe(true);
    const restoredParents = (await allJobs(id)).filter((j) => j.type === 'annotation');
    expect(restoredParents.map((p) => [p.start_frame, p.stop_frame, p.replicas_count])).toEqual([[0, 1, 2], [2, 3, 2]]);
    const [labelsBefore, labelsAfter] = [await labelsOf(s.admin, `task_id=${taskId}`), await labelsOf(s.admin, `task_id=${id}`)];
    for (const [p, q] of parents.map((p, i) => [p, restoredParents[i]])) {
      expect(await named(q.id, labelsAfter)).toEqual(await named(p.id, labelsBefore));
      const replicasBefore = (await s.admin.get(`/api/jobs?parent_job_id=${p.id}&sort=id`)).body.results;
      const replicasAfter = (await s.admin.get(`/api/jobs?parent_job_id=${q.id}&sort=id`)).body.results;
      expect(replicasAfter.map((r: any) => [r.type, r.start_frame, r.stop_frame, r.state])).toEqual(replicasBefore.map((r: any) => [r.type, r.start_frame, r.stop_frame, r.state]));
      for (const [r, t] of replicasBefore.map((r: any, i: number) => [r, replicasAfter[i]])) {
        expect(await named(t.id, labelsAfter)).toEqual(await named(r.id, labelsBefore));
      }
    }
    // Jobs in id order (the parents, then each parent's replicas) drew at x = 10 x their place, before and after.
    const xs = await Promise.all((await allJobs(id)).map(async (j) => (await jobAnnotations(j.id)).shapes[0].points[0]));
    expect(xs).toEqual([0, 10, 20, 30, 40, 50]);
    expect((await s.admin.get(`/api/consensus/settings/${id}`)).body).toMatchObject({ quorum: 0.7, iou_threshold: 0.6 });
  });

  it('carries a project\'s quality settings and its tasks\' ground truth', async () => {
    const project = (await s.admin.post('/api/projects', { name: 'quality project', labels: [{ name: 'car' }] })).body;
    const settings = (await s.admin.get(`/api/quality/settings?project_id=${project.id}&parent_type=project`)).body.results[0];
    expect((await s.admin.patch(`/api/quality/settings/${settings.id}`, { iou_threshold: 0.55, compare_attributes: false })).status).toBe(200);
    const { taskId } = await createTaskWithImages(s.admin, await images(3, 'q'), { name: 'inside', project_id: project.id, labels: undefined });
    expect((await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'manual', frames: [2] })).status).toBe(201);

    const { files, zip } = await backup(s.admin, 'projects', project.id);
    expect(JSON.parse(text(files['quality.json'])).quality_settings).toMatchObject({ iou_threshold: 0.55, compare_attributes: false });
    // The task inherits, with its own settings untouched: nothing of it goes in a quality.json.
    expect(files['task_0/quality.json']).toBeUndefined();

    const done = await restore(s.admin, 'projects', zip);
    expect(done.status, done.message).toBe('finished');
    expect(await qualityOf(`project_id=${done.result_id}&parent_type=project`)).toEqual(await qualityOf(`project_id=${project.id}&parent_type=project`));
    const [restoredTask] = (await s.admin.get(`/api/tasks?project_id=${done.result_id}`)).body.results;
    expect(await layoutOf(restoredTask.id)).toEqual({ mode: 'gt', frames_per_job_count: null, validation_frames: [2], disabled_frames: [] });
  });

  it('restores CVAT\'s honeypot archive: frames laid out from the jobs\' files, disabled frames from its deleted frames', async () => {
    // Regular images p0-p2, a pool of p3 and p4; job 0 shows p3 at frame 1, job 1 shows p4 at frame 4.
    const files = await images(5, 'p');
    const order = ['p0', 'p3', 'p1', 'p2', 'p4', 'p3', 'p4'];
    const task = {
      name: 'cvat honeypots', bug_tracker: '', status: 'annotation', subset: '', version: '1.0',
      labels: [{ name: 'car', color: '#fa3253', attributes: [], type: 'any', svg: '', sublabels: [] }],
      data: {
        chunk_size: 72, image_quality: 70, start_frame: 0, stop_frame: 6, storage_method: 'cache', storage: 'local', sorting_method: 'random',
        chunk_type: 'imageset', deleted_frames: [4, 6], custom_segments: true,
        validation_layout: { mode: 'gt_pool', frames: ['p3.png', 'p4.png'], frames_per_job_count: 1 },
      },
      jobs: [
        { start_frame: 0, stop_frame: 2, status: 'annotation', type: 'annotation', files: ['p0.png', 'p3.png', 'p1.png'] },
        { start_frame: 3, stop_frame: 4, status: 'validation', type: 'annotation', files: ['p2.png', 'p4.png'] },
        { start_frame: 5, stop_frame: 6, status: 'completed', type: 'ground_truth', files: ['p3.png', 'p4.png'] },
      ],
    };
    const shape = (frame: number, x: number) => ({ type: 'rectangle', occluded: false, outside: false, z_order: 0, rotation: 0, points: [x, 1, x + 3, 4], frame, group: 0, source: 'manual', attributes: [], elements: [], label: 'car' });
    const annotations = [
      { version: 0, tags: [], shapes: [shape(1, 1)], tracks: [] },
      { version: 0, tags: [], shapes: [], tracks: [] },
      { version: 0, tags: [], shapes: [shape(5, 2), shape(6, 3)], tracks: [] },
    ];
    const manifest = ['{"version":"1.1"}', '{"type":"images"}', ...order.map((n) => {
      const i = Number(n.slice(1));
      return JSON.stringify({ name: n, extension: '.png', width: 24 + i, height: 16, meta: { related_images: [] } });
    })].join('\n');
    const zip = zipSync({
      'task.json': new TextEncoder().encode(JSON.stringify(task)),
      'annotations.json': new TextEncoder().encode(JSON.stringify(annotations)),
      'data/manifest.jsonl': new TextEncoder().encode(manifest),
      ...Object.fromEntries(files.map((f) => [`data/${f.name}`, new Uint8Array(f.data)])),
    });
    const done = await restore(s.admin, 'tasks', zip);
    expect(done.status, done.message).toBe('finished');
    const id = done.result_id as number;
    expect(await layoutOf(id)).toEqual({
      mode: 'gt_pool', frames_per_job_count: 1, validation_frames: [5, 6], disabled_frames: [6],
      honeypot_count: 2, honeypot_frames: [1, 4], honeypot_real_frames: [5, 6],
    });
    expect((await allJobs(id)).map((j) => [j.type, j.start_frame, j.stop_frame, j.stage, j.state])).toEqual([
      ['annotation', 0, 2, 'annotation', 'new'],
      ['annotation', 3, 4, 'validation', 'new'],
      ['ground_truth', 5, 6, 'acceptance', 'completed'],
    ]);
    const frames = await framesOf(s.admin, id);
    expect(frames.map((f) => f.name)).toEqual(order.map((n) => `${n}.png`));
    frames.forEach((f, i) => expect(f.bytes.equals(files[Number(order[i]!.slice(1))]!.data), `frame ${i}`).toBe(true));
    const labels = await labelsOf(s.admin, `task_id=${id}`);
    const [j0, , g] = await allJobs(id);
    expect((await named(j0.id, labels)).shapes.map((x: any) => x.frame)).toEqual([1]);
    expect((await named(g.id, labels)).shapes.map((x: any) => x.frame)).toEqual([5, 6]);
  });

  it('restores CVAT\'s archive of a consensus task with a ground-truth job', async () => {
    const { zip } = await cvatArchive({
      task: (t) => {
        t.consensus_replicas = 2;
        const [a, b] = t.jobs;
        const replica = (j: any) => ({ ...j, status: 'annotation', type: 'consensus_replica' });
        t.jobs = [a, replica(a), replica(a), b, replica(b), replica(b), { start_frame: 0, stop_frame: 3, status: 'annotation', type: 'ground_truth', frames: [0, 3] }];
      },
      annotations: (a) => {
        const box = (frame: number, x: number) => ({ ...a[0].shapes[0], frame, points: [x, 1, x + 2, 3] });
        const entries = [a[0], { version: 0, tags: [], shapes: [box(0, 11)], tracks: [] }, { version: 0, tags: [], shapes: [box(1, 12)], tracks: [] }, a[1],
          { version: 0, tags: [], shapes: [box(2, 13)], tracks: [] }, { version: 0, tags: [], shapes: [], tracks: [] }, { version: 0, tags: [], shapes: [box(0, 14), box(3, 15)], tracks: [] }];
        a.splice(0, a.length, ...entries);
      },
    });
    const done = await restore(s.admin, 'tasks', zip);
    expect(done.status, done.message).toBe('finished');
    const id = done.result_id as number;
    expect((await s.admin.get(`/api/tasks/${id}`)).body).toMatchObject({ consensus_enabled: true, validation_mode: 'gt' });
    const jobs = await allJobs(id);
    expect(jobs.map((j) => [j.type, j.start_frame, j.stop_frame])).toEqual([
      ['annotation', 0, 1], ['annotation', 2, 3],
      ['consensus_replica', 0, 1], ['consensus_replica', 0, 1], ['consensus_replica', 2, 3], ['consensus_replica', 2, 3],
      ['ground_truth', 0, 3],
    ]);
    const xs = async (jobId: number) => (await jobAnnotations(jobId)).shapes.map((x: any) => x.points[0]);
    const replicas = jobs.filter((j) => j.type === 'consensus_replica');
    expect(await Promise.all(replicas.map((r) => xs(r.id)))).toEqual([[11], [12], [13], []]);
    expect(replicas.map((r) => r.parent_job_id)).toEqual([jobs[0].id, jobs[0].id, jobs[1].id, jobs[1].id]);
    expect(await xs(jobs[6].id)).toEqual([14, 15]);
    expect((await s.admin.get(`/api/jobs/${jobs[6].id}/data/meta`)).body.included_frames).toEqual([0, 3]);
  });

  it('fails on a honeypot layout whose ground-truth job is not the pool, naming the field', async () => {
    const { zip } = await cvatArchive({
      task: (t) => {
        t.data.validation_layout = { mode: 'gt_pool', frames: ['frame_3.png'], frames_per_job_count: 1 };
        t.data.custom_segments = true;
        t.jobs = [
          { start_frame: 0, stop_frame: 2, status: 'annotation', type: 'annotation', files: ['frame_0.png', 'frame_1.png', 'frame_2.png'] },
          { start_frame: 3, stop_frame: 3, status: 'annotation', type: 'ground_truth', files: ['frame_2.png'] },
        ];
      },
      annotations: (a) => a.splice(0, a.length, { version: 0, tags: [], shapes: [], tracks: [] }, { version: 0, tags: [], shapes: [], tracks: [] }),
    });
    const done = await restore(s.admin, 'tasks', zip);
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/^task\.json: jobs\.1\.files: the ground-truth job of a task with honeypots names the files of data\.validation_layout\.frames/);
  });
});
