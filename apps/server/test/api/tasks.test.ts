import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { createTaskWithImages, formWith, makeImage, waitForRequest } from '../helpers/media.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

describe('tasks', () => {
  it('creates a task with its own labels and reads it back in CVAT shape', async () => {
    const res = await s.admin.post('/api/tasks', { name: 'cars', labels: [{ name: 'car' }, { name: 'person' }], segment_size: 5 });
    expect(res.status).toBe(201);
    const keys = ['id', 'url', 'name', 'project_id', 'mode', 'owner', 'assignee', 'bug_tracker', 'created_date', 'updated_date', 'overlap', 'segment_size', 'status', 'data_chunk_size', 'data_compressed_chunk_type', 'data_original_chunk_type', 'size', 'image_quality', 'data', 'dimension', 'subset', 'organization', 'target_storage', 'source_storage', 'jobs', 'labels', 'media_type'];
    for (const k of keys) expect(res.body).toHaveProperty(k);
    expect(res.body).toMatchObject({ name: 'cars', size: 0, status: 'annotation', owner: { username: 'admin' }, jobs: { count: 0 } });
    const labels = await s.admin.get(`/api/labels?task_id=${res.body.id}`);
    expect(labels.body.results.map((l: any) => l.name).sort()).toEqual(['car', 'person']);
  });

  it('refuses a task without a name, naming the field', async () => {
    const res = await s.admin.post('/api/tasks', { labels: [] });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('name');
  });

  it('creates a task from uploaded images in the background, with progress, frames and jobs', async () => {
    const files = await Promise.all(
      [3, 1, 2, 10, 4, 5, 6].map(async (n, i) => ({ name: `img${n}.png`, data: await makeImage(40 + i, 30, 'png', i) })),
    );
    const { taskId, request } = await createTaskWithImages(s.admin, files, { segment_size: 3 }, { sorting_method: 'natural' });
    expect(request).toMatchObject({ status: 'finished', progress: 1, operation: { type: 'create:task', target: 'task', task_id: taskId }, result_id: taskId });

    const task = await s.admin.get(`/api/tasks/${taskId}`);
    expect(task.body).toMatchObject({ size: 7, media_type: 'image', mode: 'annotation', segment_size: 3, image_quality: 75, data: taskId, jobs: { count: 3 } });

    const meta = await s.admin.get(`/api/tasks/${taskId}/data/meta`);
    expect(meta.body.frames.map((f: any) => f.name)).toEqual(['img1.png', 'img2.png', 'img3.png', 'img4.png', 'img5.png', 'img6.png', 'img10.png']);
    expect(meta.body.frames[0]).toMatchObject({ width: 41, height: 30 });
    expect(meta.body).toMatchObject({ size: 7, start_frame: 0, stop_frame: 6, image_quality: 75 });

    const jobs = await s.admin.get(`/api/jobs?task_id=${taskId}&sort=id`);
    expect(jobs.body.count).toBe(3);
    expect(jobs.body.results.map((j: any) => [j.start_frame, j.stop_frame, j.frame_count])).toEqual([
      [0, 2, 3],
      [3, 5, 3],
      [6, 6, 1],
    ]);
    expect(jobs.body.results[0]).toMatchObject({ stage: 'annotation', state: 'new', type: 'annotation', task_name: 'task', status: 'annotation' });

    const status = await s.admin.get(`/api/tasks/${taskId}/status`);
    expect(status.body).toMatchObject({ state: 'Finished', progress: 100 });
  });

  it('serves compressed and original frames, chunks and previews with caching headers', async () => {
    const png = await makeImage(64, 48, 'png', 7);
    const { taskId } = await createTaskWithImages(s.admin, [
      { name: 'a.png', data: png },
      { name: 'b.png', data: await makeImage(32, 32, 'png', 8) },
    ], { segment_size: 1 });
    const jobs = (await s.admin.get(`/api/jobs?task_id=${taskId}&sort=id`)).body.results;

    const original = await s.admin.get(`/api/jobs/${jobs[0].id}/data?type=frame&number=0&quality=original`);
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/png');
    expect(Buffer.compare(original.raw, png)).toBe(0);

    const compressed = await s.admin.get(`/api/jobs/${jobs[0].id}/data?type=frame&number=0&quality=compressed`);
    expect(compressed.headers.get('content-type')).toBe('image/jpeg');
    expect(await sharp(compressed.raw).metadata()).toMatchObject({ format: 'jpeg', width: 64, height: 48 });
    const etag = compressed.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const again = await s.admin.get(`/api/jobs/${jobs[0].id}/data?type=frame&number=0&quality=compressed`, { 'if-none-match': etag });
    expect(again.status).toBe(304);

    // Frame 1 belongs to the second job only.
    const outside = await s.admin.get(`/api/jobs/${jobs[0].id}/data?type=frame&number=1`);
    expect(outside.status).toBe(400);
    expect(outside.body.message).toContain('outside job');

    const chunk = await s.admin.get(`/api/tasks/${taskId}/data?type=chunk&number=0&quality=compressed`);
    expect(chunk.headers.get('content-type')).toBe('application/zip');
    const entries = unzipSync(new Uint8Array(chunk.raw));
    expect(Object.keys(entries).sort()).toEqual(['000000.jpg', '000001.jpg']);
    const jobChunk = await s.admin.get(`/api/jobs/${jobs[1].id}/data?type=chunk&index=0&quality=original`);
    const jobEntries = unzipSync(new Uint8Array(jobChunk.raw));
    expect(Object.keys(jobEntries)).toEqual(['000000.png']);

    for (const p of [`/api/tasks/${taskId}/preview`, `/api/jobs/${jobs[1].id}/preview`]) {
      const preview = await s.admin.get(p);
      expect(preview.status).toBe(200);
      expect(preview.headers.get('content-type')).toBe('image/jpeg');
    }
  });

  it('honours EXIF orientation in dimensions and compressed frames', async () => {
    const rotated = await sharp({ create: { width: 60, height: 20, channels: 3, background: 'red' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const { taskId } = await createTaskWithImages(s.admin, [{ name: 'r.jpg', data: rotated }]);
    const meta = await s.admin.get(`/api/tasks/${taskId}/data/meta`);
    expect(meta.body.frames[0]).toMatchObject({ width: 20, height: 60 });
    const frame = await s.admin.get(`/api/tasks/${taskId}/data?type=frame&number=0&quality=compressed`);
    expect(await sharp(frame.raw).metadata()).toMatchObject({ width: 20, height: 60 });
  });

  it('applies start_frame, stop_frame and frame_filter', async () => {
    const files = await Promise.all(Array.from({ length: 10 }, async (_, i) => ({ name: `f${i}.png`, data: await makeImage(8, 8, 'png', i) })));
    const { taskId } = await createTaskWithImages(s.admin, files, {}, { start_frame: '1', stop_frame: '8', frame_filter: 'step=3' });
    const meta = await s.admin.get(`/api/tasks/${taskId}/data/meta`);
    expect(meta.body.frames.map((f: any) => f.name)).toEqual(['f1.png', 'f4.png', 'f7.png']);
  });

  it('fails on a corrupt image with a message naming the file and leaves nothing half-created', async () => {
    const created = await s.admin.post('/api/tasks', { name: 'broken', labels: [{ name: 'x' }] });
    const taskId = created.body.id;
    const form = formWith(
      [
        { name: 'good.png', data: await makeImage(8, 8) },
        { name: 'bad.jpg', data: Buffer.from('this is not an image at all') },
      ],
      { image_quality: '70' },
    );
    const res = await s.admin.form('POST', `/api/tasks/${taskId}/data/`, form);
    expect(res.status).toBe(202);
    const request = await waitForRequest(s.admin, res.body.rq_id);
    expect(request.status).toBe('failed');
    expect(request.message).toContain('bad.jpg');
    const task = await s.admin.get(`/api/tasks/${taskId}`);
    expect(task.body).toMatchObject({ size: 0, jobs: { count: 0 } });
    const blobs = [];
    for await (const b of s.ctx.repos.blobs.list(`tasks/${taskId}/`)) blobs.push(b.key);
    expect(blobs).toEqual([]);
    // The user can fix the files and try again.
    const retry = await s.admin.form('POST', `/api/tasks/${taskId}/data/`, formWith([{ name: 'good.png', data: await makeImage(8, 8) }], { image_quality: '70' }));
    expect(retry.status).toBe(202);
    expect((await waitForRequest(s.admin, retry.body.rq_id)).status).toBe('finished');
  });

  it('refuses to replace data, unsafe file names and bad parameters, naming the field', async () => {
    const { taskId } = await createTaskWithImages(s.admin, [{ name: 'x.png', data: await makeImage(4, 4) }]);
    const again = await s.admin.form('POST', `/api/tasks/${taskId}/data/`, formWith([{ name: 'y.png', data: await makeImage(4, 4) }], { image_quality: '70' }));
    expect(again.status).toBe(409);

    const t2 = (await s.admin.post('/api/tasks', { name: 't2', labels: [{ name: 'x' }] })).body.id;
    const unsafe = await s.admin.form('POST', `/api/tasks/${t2}/data/`, formWith([{ name: '../../etc/passwd.png', data: await makeImage(4, 4) }], { image_quality: '70' }));
    expect(unsafe.status).toBe(400);
    expect(unsafe.body.message).toContain('../../etc/passwd.png');

    const badQuality = await s.admin.post(`/api/tasks/${t2}/data/`, { image_quality: 150, server_files: ['a.png'] });
    expect(badQuality.status).toBe(400);
    expect(badQuality.body.message).toContain('image_quality');
    const badFilter = await s.admin.post(`/api/tasks/${t2}/data/`, { image_quality: 70, server_files: ['a.png'], frame_filter: 'every=2' });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.message).toContain('frame_filter');
    const nothing = await s.admin.post(`/api/tasks/${t2}/data/`, { image_quality: 70 });
    expect(nothing.status).toBe(400);
  });

  it('supports the Upload-Start / Upload-Multiple / Upload-Finish sequence with upload_file_order', async () => {
    const taskId = (await s.admin.post('/api/tasks', { name: 'seq', labels: [{ name: 'x' }] })).body.id;
    expect((await s.admin.post(`/api/tasks/${taskId}/data/`, undefined, { 'upload-start': '' })).status).toBe(202);
    for (const name of ['b.png', 'a.png']) {
      const res = await s.admin.form('POST', `/api/tasks/${taskId}/data/`, formWith([{ name, data: await makeImage(5, 5) }]), { 'upload-multiple': '' });
      expect(res.status).toBe(200);
    }
    const finish = await s.admin.post(
      `/api/tasks/${taskId}/data/`,
      { image_quality: 80, sorting_method: 'predefined', upload_file_order: ['b.png', 'a.png'] },
      { 'upload-finish': '' },
    );
    expect(finish.status).toBe(202);
    expect((await waitForRequest(s.admin, finish.body.rq_id)).status).toBe('finished');
    const meta = await s.admin.get(`/api/tasks/${taskId}/data/meta`);
    expect(meta.body.frames.map((f: any) => f.name)).toEqual(['b.png', 'a.png']);
  });

  it('creates a task from the share, listing it first', async () => {
    await fs.mkdir(path.join(s.shareDir, 'batch1', 'sub'), { recursive: true });
    await fs.writeFile(path.join(s.shareDir, 'batch1', 'b.png'), await makeImage(10, 12));
    await fs.writeFile(path.join(s.shareDir, 'batch1', 'sub', 'a.webp'), await makeImage(14, 16, 'webp'));
    const root = await s.admin.get('/api/server/share?directory=/');
    expect(root.body).toContainEqual({ name: 'batch1', type: 'DIR', mime_type: 'DIR' });
    const dir = await s.admin.get('/api/server/share?directory=/batch1');
    expect(dir.body).toEqual([
      { name: 'sub', type: 'DIR', mime_type: 'DIR' },
      { name: 'b.png', type: 'REG', mime_type: 'image' },
    ]);
    const escape = await s.admin.get('/api/server/share?directory=/../..');
    expect(escape.status).toBe(400);

    const taskId = (await s.admin.post('/api/tasks', { name: 'from share', labels: [{ name: 'x' }] })).body.id;
    const res = await s.admin.post(`/api/tasks/${taskId}/data/`, { image_quality: 70, server_files: ['batch1/'] });
    expect(res.status).toBe(202);
    expect((await waitForRequest(s.admin, res.body.rq_id)).status).toBe('finished');
    const meta = await s.admin.get(`/api/tasks/${taskId}/data/meta`);
    expect(meta.body.frames.map((f: any) => [f.name, f.width, f.height])).toEqual([
      ['batch1/b.png', 10, 12],
      ['batch1/sub/a.webp', 14, 16],
    ]);
    const frame = await s.admin.get(`/api/tasks/${taskId}/data?type=frame&number=1&quality=original`);
    expect(frame.headers.get('content-type')).toBe('image/webp');

    const outsideTask = (await s.admin.post('/api/tasks', { name: 'escape', labels: [{ name: 'x' }] })).body.id;
    const bad = await s.admin.post(`/api/tasks/${outsideTask}/data/`, { image_quality: 70, server_files: ['../secret.png'] });
    expect([202, 400]).toContain(bad.status);
    if (bad.status === 202) expect((await waitForRequest(s.admin, bad.body.rq_id)).status).toBe('failed');
  });

  it('lets the owner assign a job; the assignee sees that job but cannot reassign it; others see nothing', async () => {
    const worker = await s.user('worker1');
    const stranger = await s.user('stranger1');
    const { taskId } = await createTaskWithImages(s.admin, [
      { name: 'a.png', data: await makeImage(4, 4) },
      { name: 'b.png', data: await makeImage(4, 4) },
    ], { segment_size: 1 });
    const [job1, job2] = (await s.admin.get(`/api/jobs?task_id=${taskId}&sort=id`)).body.results;
    const assigned = await s.admin.patch(`/api/jobs/${job1.id}`, { assignee: worker.id, stage: 'annotation', state: 'in progress' });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ assignee: { id: worker.id, username: 'worker1' }, state: 'in progress' });
    expect(assigned.body.assignee_updated_date).toBeTruthy();

    const mine = await worker.get('/api/jobs');
    expect(mine.body.results.map((j: any) => j.id)).toEqual([job1.id]);
    expect((await worker.get(`/api/jobs/${job2.id}`)).status).toBe(404);
    expect((await worker.get(`/api/jobs/${job1.id}/data?type=frame&number=0`)).status).toBe(200);
    expect((await worker.patch(`/api/jobs/${job1.id}`, { state: 'completed' })).status).toBe(200);
    expect((await worker.patch(`/api/jobs/${job1.id}`, { assignee: stranger.id })).status).toBe(403);

    expect((await stranger.get(`/api/tasks/${taskId}`)).status).toBe(404);
    expect((await stranger.get(`/api/jobs/${job1.id}`)).status).toBe(404);
    expect((await stranger.get(`/api/jobs/${job1.id}/data?type=frame&number=0`)).status).toBe(404);
    expect((await stranger.get('/api/tasks')).body.count).toBe(0);
  });

  it('filters and sorts jobs as CVAT does', async () => {
    const { taskId } = await createTaskWithImages(s.admin, [
      { name: 'a.png', data: await makeImage(4, 4) },
      { name: 'b.png', data: await makeImage(4, 4) },
      { name: 'c.png', data: await makeImage(4, 4) },
    ], { segment_size: 1 });
    const ids = (await s.admin.get(`/api/jobs?task_id=${taskId}&sort=id`)).body.results.map((j: any) => j.id);
    await s.admin.patch(`/api/jobs/${ids[1]}`, { state: 'completed' });
    const filtered = await s.admin.get(`/api/jobs?filter=${encodeURIComponent(JSON.stringify({ and: [{ '==': [{ var: 'task_id' }, taskId] }, { '==': [{ var: 'state' }, 'completed'] }] }))}`);
    expect(filtered.body.results.map((j: any) => j.id)).toEqual([ids[1]]);
    const desc = await s.admin.get(`/api/jobs?task_id=${taskId}&sort=-id&page_size=2`);
    expect(desc.body.results.map((j: any) => j.id)).toEqual([ids[2], ids[1]]);
    expect(desc.body.next).toContain('page=2');
    const bad = await s.admin.get('/api/jobs?sort=nonsense');
    expect(bad.status).toBe(400);
    const task = await s.admin.get(`/api/tasks/${taskId}`);
    expect(task.body.jobs).toMatchObject({ count: 3, completed: 1 });
  });

  it('deletes a task, its jobs and its stored files', async () => {
    const { taskId } = await createTaskWithImages(s.admin, [{ name: 'a.png', data: await makeImage(4, 4) }]);
    await s.admin.get(`/api/tasks/${taskId}/data?type=frame&number=0&quality=compressed`);
    expect((await s.admin.delete(`/api/tasks/${taskId}`)).status).toBe(204);
    expect((await s.admin.get(`/api/tasks/${taskId}`)).status).toBe(404);
    expect((await s.admin.get(`/api/jobs?task_id=${taskId}`)).body.count).toBe(0);
    const until = Date.now() + 20_000;
    let keys: string[] = ['x'];
    while (keys.length && Date.now() < until) {
      keys = [];
      for (const prefix of [`tasks/${taskId}/`, `derived/tasks/${taskId}/`]) for await (const b of s.ctx.repos.blobs.list(prefix)) keys.push(b.key);
      if (keys.length) await new Promise((r) => setTimeout(r, 200));
    }
    expect(keys).toEqual([]);
  });

  it('cancels a queued creation request', async () => {
    const taskId = (await s.admin.post('/api/tasks', { name: 'cancel me', labels: [{ name: 'x' }] })).body.id;
    const res = await s.admin.form('POST', `/api/tasks/${taskId}/data/`, formWith([{ name: 'a.png', data: await makeImage(4, 4) }], { image_quality: '70' }));
    const cancel = await s.admin.post(`/api/requests/${encodeURIComponent(res.body.rq_id)}/cancel`);
    // It may have finished already on a fast machine; either way the outcome is consistent.
    if (cancel.status === 200) {
      const final = await waitForRequest(s.admin, res.body.rq_id);
      if (final.status === 'failed') {
        expect(final.message).toContain('cancel');
        expect((await s.admin.get(`/api/tasks/${taskId}`)).body.size).toBe(0);
      }
    } else {
      expect(cancel.status).toBe(409);
    }
    const list = await s.admin.get(`/api/requests?task_id=${taskId}`);
    expect(list.body.results[0].id).toBe(res.body.rq_id);
  });
});

describe('tasks in projects', () => {
  it('inherit the project labels, refuse their own, and give the project a preview', async () => {
    const project = await s.admin.post('/api/projects', { name: 'p', labels: [{ name: 'tree' }, { name: 'house' }] });
    expect(project.status).toBe(201);
    expect((await s.admin.get(`/api/projects/${project.body.id}/preview`)).status).toBe(404);
    const own = await s.admin.post('/api/tasks', { name: 't', project_id: project.body.id, labels: [{ name: 'x' }] });
    expect(own.status).toBe(400);
    expect(own.body.message).toContain('labels');
    const { taskId } = await createTaskWithImages(s.admin, [{ name: 'a.png', data: await makeImage(30, 20) }], { project_id: project.body.id, labels: undefined });
    const task = await s.admin.get(`/api/tasks/${taskId}`);
    expect(task.body).toMatchObject({ project_id: project.body.id, project_name: 'p' });
    const labels = await s.admin.get(`/api/labels?task_id=${taskId}`);
    expect(labels.body.results.map((l: any) => l.name).sort()).toEqual(['house', 'tree']);
    const preview = await s.admin.get(`/api/projects/${project.body.id}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/jpeg');
    const p = await s.admin.get(`/api/projects/${project.body.id}`);
    expect(p.body.tasks.count).toBe(1);
  });

  it('frees the stored files of its tasks when the project is deleted', async () => {
    const project = await s.admin.post('/api/projects', { name: 'doomed', labels: [{ name: 'a' }] });
    const { taskId } = await createTaskWithImages(s.admin, [{ name: 'a.png', data: await makeImage(4, 4) }], { project_id: project.body.id, labels: undefined });
    expect((await s.admin.delete(`/api/projects/${project.body.id}`)).status).toBe(204);
    expect((await s.admin.get(`/api/tasks/${taskId}`)).status).toBe(404);
    const until = Date.now() + 20_000;
    let keys: string[] = ['x'];
    while (keys.length && Date.now() < until) {
      keys = [];
      for await (const b of s.ctx.repos.blobs.list(`tasks/${taskId}/`)) keys.push(b.key);
      if (keys.length) await new Promise((r) => setTimeout(r, 200));
    }
    expect(keys).toEqual([]);
  });
});
