import { unzipSync, zipSync } from 'fflate';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/repositories/storage/s3-blob-store.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { createTaskWithImages, formWith, makeImage, waitForRequest } from '../helpers/media.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { backup, backupWith, byNames, cvatArchive, framesOf, images, jobsOf, labelShape, labelsOf, restore, SVG, text } from '../helpers/backups.js';

const VIDEO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/videos/datumaro_cvat_test.mp4');

let s: TestServer;

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
