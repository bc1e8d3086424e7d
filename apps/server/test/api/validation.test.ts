/**
 * Ground truth and honeypots through the API, as CVAT's clients use them: ground-truth jobs
 * (POST /api/jobs, DELETE), validation_params at task creation, the validation layouts of tasks
 * and jobs, frames and meta as an annotator sees them, and dataset export and import.
 *
 * Images are `img<i>.png`, i pixels wider than 20, so a frame's width tells which image it shows.
 */
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type ApiClient, type TestServer } from '../helpers/app.js';
import { createTaskWithImages, formWith, makeImage, waitForRequest } from '../helpers/media.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const images = (n: number) => Promise.all(Array.from({ length: n }, async (_, i) => ({ name: `img${i}.png`, data: await makeImage(20 + i, 10, 'png', i) })));

async function task(n: number, spec: Record<string, unknown> = {}, data: Record<string, string> = {}, client: ApiClient = s.admin): Promise<number> {
  const { taskId, request } = await createTaskWithImages(client, await images(n), spec, data);
  expect(request.status, request.message).toBe('finished');
  return taskId;
}

/** A task with honeypots: `n` images, a pool of `pool`, jobs of `segment` images and `perJob` honeypots. */
function honeypotTask(n: number, pool: number, segment: number, perJob: number, seed: number, client: ApiClient = s.admin): Promise<number> {
  const params = { mode: 'gt_pool', frame_selection_method: 'random_uniform', frame_count: pool, frames_per_job_count: perJob, random_seed: seed };
  return task(n, { segment_size: segment }, { sorting_method: 'random', validation_params: JSON.stringify(params) }, client);
}

const jobsOf = async (taskId: number) => (await s.admin.get(`/api/jobs?task_id=${taskId}&sort=id&page_size=100`)).body.results as any[];
const metaOf = async (path: string, client: ApiClient = s.admin) => (await client.get(`${path}/data/meta`)).body;
const labelOf = async (taskId: number) => (await s.admin.get(`/api/labels?task_id=${taskId}`)).body.results[0].id as number;
const frameBytes = async (path: string, frame: number, quality = 'compressed', client: ApiClient = s.admin) => {
  const res = await client.get(`${path}/data?type=frame&number=${frame}&quality=${quality}`);
  expect(res.status, String(res.raw)).toBe(200);
  return res.raw;
};
const box = (frame: number, label: number, x: number) => ({
  type: 'rectangle', frame, label_id: label, points: [x, 1, x + 5, 6], group: 0, source: 'manual', attributes: [], occluded: false, z_order: 0, rotation: 0,
});

async function exportXml(path: string): Promise<Array<{ id: number; name: string; boxes: number[] }>> {
  const res = await s.admin.post(`${path}/dataset/export?format=${encodeURIComponent('CVAT for images 1.1')}&save_images=false`);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const request = await waitForRequest(s.admin, res.body.rq_id);
  expect(request.status, request.message).toBe('finished');
  const zip = unzipSync(new Uint8Array((await s.admin.get(new URL(request.result_url).pathname)).raw));
  const xml = new TextDecoder().decode(zip['annotations.xml']!);
  return [...xml.matchAll(/<image id="(\d+)" name="([^"]+)"[^>]*?(?:\/>|>([\s\S]*?)<\/image>)/g)].map((m) => ({
    id: Number(m[1]),
    name: m[2]!,
    boxes: [...(m[3] ?? '').matchAll(/<box [^>]*xtl="([\d.]+)"/g)].map((b) => Number(b[1])),
  }));
}

describe('ground-truth jobs', () => {
  it('creates one from random_uniform frames: listed as ground_truth, its frames alone in its meta and chunks', async () => {
    const taskId = await task(10, { segment_size: 5 });
    const res = await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'random_uniform', frame_count: 3, random_seed: 7 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ task_id: taskId, type: 'ground_truth', start_frame: 0, stop_frame: 9, frame_count: 3, stage: 'annotation', state: 'new' });
    const gtId = res.body.id;

    const jobs = await jobsOf(taskId);
    expect(jobs.map((j) => j.type)).toEqual(['annotation', 'annotation', 'ground_truth']);
    expect((await s.admin.get(`/api/jobs?task_id=${taskId}&type=ground_truth`)).body.results.map((j: any) => j.id)).toEqual([gtId]);
    expect((await s.admin.get(`/api/tasks/${taskId}`)).body.validation_mode).toBe('gt');

    const meta = await metaOf(`/api/jobs/${gtId}`);
    const frames: number[] = meta.included_frames;
    expect(frames).toHaveLength(3);
    expect(frames).toEqual([...frames].sort((a, b) => a - b));
    expect(new Set(frames).size).toBe(3);
    expect(frames.every((f) => f >= 0 && f < 10)).toBe(true);
    // CVAT lists every frame of the range and names the others "placeholder.jpg".
    expect(meta).toMatchObject({ size: 3, start_frame: 0, stop_frame: 9, deleted_frames: [] });
    expect(meta.frames).toHaveLength(10);
    meta.frames.forEach((f: any, i: number) => expect(f.name).toBe(frames.includes(i) ? `img${i}.png` : 'placeholder.jpg'));

    // Its frames are the task's; other frames are not in the job.
    expect(await frameBytes(`/api/jobs/${gtId}`, frames[0]!, 'original')).toEqual(await frameBytes(`/api/tasks/${taskId}`, frames[0]!, 'original'));
    const other = [0, 1, 2, 3].find((f) => !frames.includes(f))!;
    expect((await s.admin.get(`/api/jobs/${gtId}/data?type=frame&number=${other}`)).status).toBe(400);
    const chunk = unzipSync(new Uint8Array((await s.admin.get(`/api/jobs/${gtId}/data?type=chunk&index=0&quality=original`)).raw));
    expect(Object.keys(chunk).sort()).toEqual(['000000.png', '000001.png', '000002.png']);
    expect(Buffer.from(chunk['000001.png']!)).toEqual(await frameBytes(`/api/tasks/${taskId}`, frames[1]!, 'original'));

    const layout = await s.admin.get(`/api/tasks/${taskId}/validation_layout`);
    expect(layout.body).toEqual({ mode: 'gt', frames_per_job_count: null, validation_frames: frames, disabled_frames: [] });
    expect((await s.admin.get(`/api/jobs/${gtId}/validation_layout`)).body).toEqual({});
  });

  it('picks the same frames for the same seed on the same task layout', async () => {
    const pick = async (seed: number) => {
      const taskId = await task(12, { segment_size: 4 });
      const res = await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'random_uniform', frame_count: 4, random_seed: seed });
      return (await metaOf(`/api/jobs/${res.body.id}`)).included_frames;
    };
    const first = await pick(2024);
    expect(await pick(2024)).toEqual(first);
  });

  it('takes frames_per_job_count frames from every annotation job with random_per_job, a share of the task with frame_share', async () => {
    const taskId = await task(12, { segment_size: 4 });
    const res = await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'random_per_job', frames_per_job_count: 2 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const frames: number[] = (await metaOf(`/api/jobs/${res.body.id}`)).included_frames;
    // Jobs 0-3, 4-7, 8-11: two frames from each.
    expect([0, 4, 8].map((start) => frames.filter((f) => f >= start && f < start + 4).length)).toEqual([2, 2, 2]);

    const shared = await task(10, { segment_size: 5 });
    const byShare = await s.admin.post('/api/jobs', { task_id: shared, type: 'ground_truth', frame_selection_method: 'random_uniform', frame_share: 0.25 });
    // 10 frames x 0.25 = 2.5, rounded down to 2.
    expect(byShare.body.frame_count).toBe(2);
  });

  it('takes manual frames, refusing repeats and frames the task lacks', async () => {
    const taskId = await task(6);
    const repeat = await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'manual', frames: [1, 1] });
    expect(repeat.status).toBe(400);
    expect(repeat.body.details[0].field).toBe('frames');
    const missing = await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'manual', frames: [2, 9, 7] });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('7, 9');
    const ok = await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'manual', frames: [5, 1, 3] });
    expect(ok.status).toBe(201);
    expect((await metaOf(`/api/jobs/${ok.body.id}`)).included_frames).toEqual([1, 3, 5]);
  });

  it('allows one per task (a second is a 400 with its own code), refuses other types, missing methods and tasks without data', async () => {
    const taskId = await task(5);
    const body = { task_id: taskId, type: 'ground_truth', frame_selection_method: 'random_uniform', frame_count: 1 };
    expect((await s.admin.post('/api/jobs', body)).status).toBe(201);
    const second = await s.admin.post('/api/jobs', body);
    expect(second.status).toBe(400);
    expect(second.body.code).toBe('GROUND_TRUTH_JOB_EXISTS');

    const fresh = await task(5);
    expect((await s.admin.post('/api/jobs', { ...body, task_id: fresh, type: 'annotation' })).body.details[0].field).toBe('type');
    expect((await s.admin.post('/api/jobs', { task_id: fresh, type: 'ground_truth' })).body.details[0].field).toBe('frame_selection_method');
    expect((await s.admin.post('/api/jobs', { ...body, task_id: fresh, frame_count: 6 })).body.details[0].field).toBe('frame_count');
    const empty = (await s.admin.post('/api/tasks', { name: 'empty', labels: [{ name: 'car' }] })).body.id;
    const noData = await s.admin.post('/api/jobs', { ...body, task_id: empty });
    expect(noData.status).toBe(400);
    expect(noData.body.message).toContain('no data');
  });

  it('holds annotations on its frames only, which stay out of the task\'s annotations and export', async () => {
    const taskId = await task(4, { segment_size: 2 });
    const label = await labelOf(taskId);
    const gt = (await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'manual', frames: [1, 2] })).body.id;
    const outside = await s.admin.put(`/api/jobs/${gt}/annotations`, { shapes: [box(0, label, 1)], tags: [], tracks: [] });
    expect(outside.status).toBe(400);
    expect(outside.body.details[0].field).toBe('shapes[0].frame');
    expect((await s.admin.put(`/api/jobs/${gt}/annotations`, { shapes: [box(1, label, 30)], tags: [], tracks: [] })).status).toBe(200);
    const [first] = await jobsOf(taskId);
    expect((await s.admin.put(`/api/jobs/${first.id}/annotations`, { shapes: [box(1, label, 50)], tags: [], tracks: [] })).status).toBe(200);

    const merged = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body;
    expect(merged.shapes.map((sh: any) => sh.points[0])).toEqual([50]);
    const exported = await exportXml(`/api/tasks/${taskId}`);
    expect(exported.map((im) => im.boxes)).toEqual([[], [50], [], []]);
    // The job's own export has its frames, with the ground truth.
    expect((await exportXml(`/api/jobs/${gt}`)).map((im) => [im.name, im.boxes])).toEqual([
      ['img1.png', [30]],
      ['img2.png', []],
    ]);
  });

  it('disables validation frames through the task layout, shown as deleted in the ground-truth job', async () => {
    const taskId = await task(6);
    const gt = (await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'manual', frames: [0, 2, 4] })).body.id;
    const patched = await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { disabled_frames: [4, 0] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ mode: 'gt', validation_frames: [0, 2, 4], disabled_frames: [0, 4] });
    expect((await metaOf(`/api/jobs/${gt}`)).deleted_frames).toEqual([0, 4]);
    const unknown = await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { disabled_frames: [1] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('unknown frames');
    // Honeypots are for "gt_pool" tasks only.
    expect((await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { frame_selection_method: 'random_uniform' })).status).toBe(400);
    expect((await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { disabled_frames: [] })).body.disabled_frames).toEqual([]);
  });

  it('deletes a ground-truth job (and with it the task\'s validation), never an annotation job', async () => {
    const taskId = await task(4);
    const gt = (await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'random_uniform', frame_count: 2 })).body.id;
    const [annotation] = await jobsOf(taskId);
    const refused = await s.admin.delete(`/api/jobs/${annotation.id}`);
    expect(refused.status).toBe(400);
    expect((await s.admin.delete(`/api/jobs/${gt}`)).status).toBe(204);
    expect((await s.admin.get(`/api/jobs/${gt}`)).status).toBe(404);
    expect((await s.admin.get(`/api/tasks/${taskId}`)).body.validation_mode).toBeNull();
    expect((await s.admin.get(`/api/tasks/${taskId}/validation_layout`)).body).toEqual({ mode: null });
    expect((await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { disabled_frames: [] })).status).toBe(400);
    expect((await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'random_uniform', frame_count: 1 })).status).toBe(201);
  });

  it('lets the task\'s owner create and delete one, not an assignee, nor a worker who owns the task in an organization', async () => {
    const owner = await s.user('gt-owner');
    const annotator = await s.user('gt-annotator');
    const taskId = await task(4, { segment_size: 2 }, {}, owner);
    const [job] = (await owner.get(`/api/jobs?task_id=${taskId}&sort=id`)).body.results;
    await owner.patch(`/api/jobs/${job.id}`, { assignee: annotator.id });
    const body = { task_id: taskId, type: 'ground_truth', frame_selection_method: 'random_uniform', frame_count: 1 };
    // The assignee sees the task (as CVAT's workers do by default) but may not set up its ground truth.
    expect((await annotator.post('/api/jobs', body)).status).toBe(403);
    const created = await owner.post('/api/jobs', body);
    expect(created.status).toBe(201);
    expect((await annotator.delete(`/api/jobs/${created.body.id}`)).status).toBe(404);
    expect((await owner.delete(`/api/jobs/${created.body.id}`)).status).toBe(204);

    // In an organization a worker never sets up ground truth, even on a task they own.
    const db = s.ctx.database.db;
    const org = await db.insertInto('organizations').values({ slug: 'gt-org', owner_id: owner.id }).returning('id').executeTakeFirstOrThrow();
    const worker = await s.user('gt-worker');
    await db.insertInto('memberships').values({ organization_id: org.id, user_id: worker.id, role: 'worker', is_active: true, joined_at: new Date() }).execute();
    const orgTask = await task(3, {}, {}, owner);
    await db.updateTable('tasks').set({ organization_id: org.id, owner_id: worker.id }).where('id', '=', orgTask).execute();
    const denied = await worker.post('/api/jobs', { ...body, task_id: orgTask });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('worker');
  });
});

describe('validation_params at task creation', () => {
  it('mode "gt" makes the ground-truth job with the annotation jobs, manual frames by file name', async () => {
    const params = { mode: 'gt', frame_selection_method: 'manual', frames: ['img3.png', 'img1.png'] };
    const taskId = await task(5, { segment_size: 2 }, { validation_params: JSON.stringify(params) });
    expect((await s.admin.get(`/api/tasks/${taskId}`)).body.validation_mode).toBe('gt');
    const jobs = await jobsOf(taskId);
    expect(jobs.map((j) => [j.type, j.frame_count])).toEqual([
      ['annotation', 2],
      ['annotation', 2],
      ['annotation', 1],
      ['ground_truth', 2],
    ]);
    expect((await s.admin.get(`/api/tasks/${taskId}/validation_layout`)).body.validation_frames).toEqual([1, 3]);
  });

  it('refuses unknown frame names, and honeypot settings CVAT refuses, before any work starts', async () => {
    const created = async (params: unknown, data: Record<string, string> = {}, spec: Record<string, unknown> = {}, files?: Array<{ name: string; data: Buffer }>) => {
      const t = (await s.admin.post('/api/tasks', { name: 'v', labels: [{ name: 'car' }], ...spec })).body.id;
      return s.admin.form('POST', `/api/tasks/${t}/data/`, formWith(files ?? (await images(3)), { image_quality: '70', validation_params: JSON.stringify(params), ...data }));
    };
    const pool = { mode: 'gt_pool', frame_selection_method: 'random_uniform', frame_count: 1, frames_per_job_count: 1 };
    const video = await created(pool, { sorting_method: 'random' }, {}, [{ name: 'clip.mp4', data: Buffer.from('not really a video') }]);
    expect(video.status).toBe(400);
    expect(video.body.message).toContain('image task');
    expect((await created(pool)).body.details[0].field).toBe('sorting_method');
    expect((await created(pool, { sorting_method: 'random' }, { overlap: 1, segment_size: 2 })).body.details[0].field).toBe('overlap');
    expect((await created({ ...pool, frames_per_job_count: undefined }, { sorting_method: 'random' })).body.details[0].field).toBe('frames_per_job_count');
    expect((await created({ ...pool, frame_selection_method: 'random_per_job' }, { sorting_method: 'random' })).status).toBe(400);
    expect((await created({ mode: 'gt', frame_selection_method: 'random_uniform' })).status).toBe(400);

    const unknownName = await s.admin.post('/api/tasks', { name: 'v', labels: [{ name: 'car' }] });
    const res = await s.admin.form(
      'POST',
      `/api/tasks/${unknownName.body.id}/data/`,
      formWith(await images(3), { image_quality: '70', validation_params: JSON.stringify({ mode: 'gt', frame_selection_method: 'manual', frames: ['nope.png'] }) }),
    );
    const request = await waitForRequest(s.admin, res.body.rq_id);
    expect(request.status).toBe('failed');
    expect(request.message).toContain('nope.png');
    expect((await s.admin.get(`/api/jobs?task_id=${unknownName.body.id}`)).body.count).toBe(0);
  });
});

describe('honeypots (validation mode "gt_pool")', () => {
  it('lays the task out as CVAT does: shuffled jobs with honeypots, then the validation pool', async () => {
    // 10 images: a pool of 2, the other 8 in jobs of 4, each with 1 honeypot: 2 jobs of 5 frames,
    // then the pool: 12 frames, the pool at 10-11 as the ground-truth job.
    const taskId = await honeypotTask(10, 2, 4, 1, 42);
    const t = (await s.admin.get(`/api/tasks/${taskId}`)).body;
    expect(t).toMatchObject({ size: 12, validation_mode: 'gt_pool', segment_size: 0 });
    const jobs = await jobsOf(taskId);
    expect(jobs.map((j) => [j.type, j.start_frame, j.stop_frame])).toEqual([
      ['annotation', 0, 4],
      ['annotation', 5, 9],
      ['ground_truth', 10, 11],
    ]);
    const layout = (await s.admin.get(`/api/tasks/${taskId}/validation_layout`)).body;
    expect(layout).toMatchObject({ mode: 'gt_pool', frames_per_job_count: 1, validation_frames: [10, 11], disabled_frames: [], honeypot_count: 2 });
    // One honeypot per job, and two jobs over a pool of two use each validation frame once.
    expect(layout.honeypot_frames.map((f: number) => (f < 5 ? 0 : 1))).toEqual([0, 1]);
    expect([...layout.honeypot_real_frames].sort()).toEqual([10, 11]);

    // Every image is in the task once as itself; a honeypot is a copy of a pool image.
    const names = (await metaOf(`/api/tasks/${taskId}`)).frames.map((f: any) => f.name);
    const own = names.filter((_: string, i: number) => !layout.honeypot_frames.includes(i));
    expect([...own].sort()).toEqual((await images(10)).map((f) => f.name).sort());
    layout.honeypot_frames.forEach((f: number, i: number) => expect(names[f]).toBe(names[layout.honeypot_real_frames[i]]));
    // The pool is in natural name order.
    expect(names.slice(10)).toEqual([...names.slice(10)].sort((a: string, b: string) => a.localeCompare(b, 'en', { numeric: true })));

    // The same images and seed give the same layout.
    const again = await honeypotTask(10, 2, 4, 1, 42);
    expect((await metaOf(`/api/tasks/${again}`)).frames.map((f: any) => f.name)).toEqual(names);
    expect((await s.admin.get(`/api/tasks/${again}/validation_layout`)).body).toEqual(layout);
  });

  it('serves a honeypot like any frame of the job: its pool image, its name, nothing that tells it apart', async () => {
    const taskId = await honeypotTask(8, 2, 3, 1, 5);
    const annotator = await s.user('hp-annotator');
    const [job] = await jobsOf(taskId);
    await s.admin.patch(`/api/jobs/${job.id}`, { assignee: annotator.id });
    const layout = (await s.admin.get(`/api/jobs/${job.id}/validation_layout`)).body;
    expect(layout.honeypot_count).toBe(1);
    const [honeypot] = layout.honeypot_frames;
    const [real] = layout.honeypot_real_frames;

    for (const quality of ['compressed', 'original']) {
      expect(await frameBytes(`/api/jobs/${job.id}`, honeypot, quality, annotator)).toEqual(await frameBytes(`/api/tasks/${taskId}`, real, quality));
    }
    const chunk = unzipSync(new Uint8Array((await annotator.get(`/api/jobs/${job.id}/data?type=chunk&index=0&quality=compressed`)).raw));
    expect(Object.keys(chunk)).toHaveLength(4);
    expect(Buffer.from(chunk[`00000${honeypot - job.start_frame}.jpg`]!)).toEqual(await frameBytes(`/api/tasks/${taskId}`, real));

    const meta = await metaOf(`/api/jobs/${job.id}`, annotator);
    const taskMeta = await metaOf(`/api/tasks/${taskId}`);
    expect(meta.frames[honeypot - job.start_frame]).toEqual(taskMeta.frames[real]);
    expect(meta).toMatchObject({ size: 4, deleted_frames: [], included_frames: null });
    // The annotator cannot ask which frames are honeypots.
    expect((await annotator.get(`/api/jobs/${job.id}/validation_layout`)).status).toBe(403);
    expect((await annotator.patch(`/api/jobs/${job.id}/validation_layout`, { frame_selection_method: 'random_uniform' })).status).toBe(403);
    expect((await annotator.get(`/api/tasks/${taskId}/validation_layout`)).status).toBe(403);
  });

  it('keeps its pool: the ground-truth job cannot be deleted nor another created; tracks are refused', async () => {
    const taskId = await honeypotTask(6, 1, 5, 1, 1);
    const jobs = await jobsOf(taskId);
    const gt = jobs.find((j) => j.type === 'ground_truth')!;
    expect((await s.admin.delete(`/api/jobs/${gt.id}`)).status).toBe(400);
    const second = await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'random_uniform', frame_count: 1 });
    expect(second.body.code).toBe('GROUND_TRUTH_JOB_EXISTS');
    const label = await labelOf(taskId);
    const track = { frame: 0, label_id: label, group: 0, source: 'manual', attributes: [], shapes: [{ ...box(0, label, 1), outside: false, attributes: [] }], elements: [] };
    const refused = await s.admin.put(`/api/jobs/${jobs[0].id}/annotations`, { tags: [], shapes: [], tracks: [track] });
    expect(refused.status).toBe(400);
    expect(refused.body.details[0].field).toBe('tracks');
  });

  it('changes a job\'s honeypots by hand: the new image is served and what was drawn on the old one goes', async () => {
    // 9 images, a pool of 3, 6 regular in jobs of 3 with 1 honeypot each.
    const taskId = await honeypotTask(9, 3, 3, 1, 11);
    const [job] = await jobsOf(taskId);
    const before = (await s.admin.get(`/api/jobs/${job.id}/validation_layout`)).body;
    const [honeypot] = before.honeypot_frames;
    const other = [8, 9, 10].find((f) => f !== before.honeypot_real_frames[0])!;
    // Cache the frame and the chunk at the old image.
    await frameBytes(`/api/jobs/${job.id}`, honeypot);
    await s.admin.get(`/api/jobs/${job.id}/data?type=chunk&index=0&quality=compressed`);
    const label = await labelOf(taskId);
    const regular = [job.start_frame, job.start_frame + 1, job.start_frame + 2, job.start_frame + 3].find((f) => f !== honeypot)!;
    await s.admin.put(`/api/jobs/${job.id}/annotations`, { shapes: [box(honeypot, label, 1), box(regular, label, 2)], tags: [], tracks: [] });

    const res = await s.admin.patch(`/api/jobs/${job.id}/validation_layout`, { frame_selection_method: 'manual', honeypot_real_frames: [other] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ honeypot_count: 1, honeypot_frames: [honeypot], honeypot_real_frames: [other] });
    expect(await frameBytes(`/api/jobs/${job.id}`, honeypot)).toEqual(await frameBytes(`/api/tasks/${taskId}`, other));
    const chunk = unzipSync(new Uint8Array((await s.admin.get(`/api/jobs/${job.id}/data?type=chunk&index=0&quality=compressed`)).raw));
    expect(Buffer.from(chunk[`00000${honeypot - job.start_frame}.jpg`]!)).toEqual(await frameBytes(`/api/tasks/${taskId}`, other));
    expect((await metaOf(`/api/jobs/${job.id}`)).frames[honeypot - job.start_frame].name).toBe((await metaOf(`/api/tasks/${taskId}`)).frames[other].name);
    expect((await s.admin.get(`/api/jobs/${job.id}/annotations`)).body.shapes.map((sh: any) => sh.frame)).toEqual([regular]);

    const patch = (body: unknown) => s.admin.patch(`/api/jobs/${job.id}/validation_layout`, body);
    expect((await patch({ frame_selection_method: 'manual', honeypot_real_frames: [2] })).body.message).toContain('not from the validation pool');
    expect((await patch({ frame_selection_method: 'manual', honeypot_real_frames: [9, 10] })).body.message).toContain('must remain the same');
    expect((await patch({ frame_selection_method: 'manual' })).body.details[0].field).toBe('honeypot_real_frames');
    const gt = (await jobsOf(taskId)).find((j) => j.type === 'ground_truth')!;
    expect((await s.admin.patch(`/api/jobs/${gt.id}/validation_layout`, { frame_selection_method: 'random_uniform' })).status).toBe(400);
  });

  it('disables validation frames and moves every honeypot off them with random_uniform', async () => {
    // 12 images: a pool of 3, the other 9 in 3 jobs of 3 + 2 honeypots (frames 0-14), the pool at 15-17.
    const taskId = await honeypotTask(12, 3, 3, 2, 3);
    const annotator = await s.user('hp-disabled');
    const jobs = await jobsOf(taskId);
    await s.admin.patch(`/api/jobs/${jobs[0].id}`, { assignee: annotator.id });
    const layout = (await s.admin.get(`/api/tasks/${taskId}/validation_layout`)).body;
    expect(layout.validation_frames).toEqual([15, 16, 17]);
    const disabled = await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { disabled_frames: [15] });
    expect(disabled.body.disabled_frames).toEqual([15]);
    // Those who manage the task see the honeypots showing frame 15 as deleted; the annotator sees nothing.
    const showing15 = layout.honeypot_frames.filter((_: number, i: number) => layout.honeypot_real_frames[i] === 15);
    expect((await metaOf(`/api/tasks/${taskId}`)).deleted_frames).toEqual([...showing15, 15].sort((a, b) => a - b));
    expect((await metaOf(`/api/jobs/${jobs[0].id}`, annotator)).deleted_frames).toEqual([]);
    const gt = jobs.find((j) => j.type === 'ground_truth')!;
    expect((await metaOf(`/api/jobs/${gt.id}`)).deleted_frames).toEqual([15]);

    // A job of 2 honeypots cannot get 2 distinct frames out of 1 active.
    const tooFew = await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { disabled_frames: [15, 16], frame_selection_method: 'random_uniform' });
    expect(tooFew.status).toBe(400);
    expect(tooFew.body.message).toContain('remaining number of validation frames (1)');

    const moved = await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { frame_selection_method: 'random_uniform' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    // 6 honeypots, 2 per job, over frames 16 and 17 only: each job shows both.
    expect(moved.body.honeypot_frames).toEqual(layout.honeypot_frames);
    expect(moved.body.honeypot_real_frames.filter((f: number) => f === 16)).toHaveLength(3);
    expect(moved.body.honeypot_real_frames.filter((f: number) => f === 17)).toHaveLength(3);
    for (const [i, f] of moved.body.honeypot_frames.entries()) {
      expect(await frameBytes(`/api/tasks/${taskId}`, f)).toEqual(await frameBytes(`/api/tasks/${taskId}`, moved.body.honeypot_real_frames[i]));
    }
    expect((await metaOf(`/api/tasks/${taskId}`)).deleted_frames).toEqual([15]);

    const manual = await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { frame_selection_method: 'manual', honeypot_real_frames: [16, 17, 17, 16, 16, 17] });
    expect(manual.body.honeypot_real_frames).toEqual([16, 17, 17, 16, 16, 17]);
    const disabledPick = await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { frame_selection_method: 'manual', honeypot_real_frames: [15, 17, 17, 16, 16, 17] });
    expect(disabledPick.body.message).toContain('disabled');
  });

  it('mirrors a task PUT onto the honeypots, and refuses task-level edits of validation frames and tracks', async () => {
    // 5 images: a pool of 1 (frame 5), the other 4 in one job with 1 honeypot (frames 0-4).
    const taskId = await honeypotTask(5, 1, 4, 1, 2);
    const label = await labelOf(taskId);
    const layout = (await s.admin.get(`/api/tasks/${taskId}/validation_layout`)).body;
    expect(layout).toMatchObject({ validation_frames: [5], honeypot_real_frames: [5] });
    const [honeypot] = layout.honeypot_frames;
    const put = await s.admin.put(`/api/tasks/${taskId}/annotations`, { shapes: [box(5, label, 55), box(honeypot, label, 99)], tags: [], tracks: [] });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const [job, gt] = await jobsOf(taskId);
    expect((await s.admin.get(`/api/jobs/${gt.id}/annotations`)).body.shapes.map((sh: any) => [sh.frame, sh.points[0]])).toEqual([[5, 55]]);
    expect((await s.admin.get(`/api/jobs/${job.id}/annotations`)).body.shapes.map((sh: any) => [sh.frame, sh.points[0]])).toEqual([[honeypot, 55]]);

    const shape = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body.shapes.find((sh: any) => sh.frame === 5);
    const update = await s.admin.patch(`/api/tasks/${taskId}/annotations?action=update`, { shapes: [{ ...shape, points: [1, 1, 9, 9] }], tags: [], tracks: [] });
    expect(update.status).toBe(400);
    expect(update.body.message).toContain('validation frames');
    const track = { frame: 0, label_id: label, group: 0, source: 'manual', attributes: [], shapes: [{ ...box(0, label, 1), outside: false, attributes: [] }], elements: [] };
    expect((await s.admin.patch(`/api/tasks/${taskId}/annotations?action=create`, { shapes: [], tags: [], tracks: [track] })).body.details[0].field).toBe('tracks');
  });

  it('exports validation frames with their ground truth and no honeypot copies; an import fills both', async () => {
    const taskId = await honeypotTask(7, 2, 5, 2, 9);
    const label = await labelOf(taskId);
    const jobs = await jobsOf(taskId);
    const [job, gt] = [jobs[0]!, jobs.find((j) => j.type === 'ground_truth')!];
    const layout = (await s.admin.get(`/api/jobs/${job.id}/validation_layout`)).body;
    // 5 regular frames and both pool frames (7, 8) as honeypots in the one job; the pool at 7-8.
    expect([...layout.honeypot_real_frames].sort()).toEqual([7, 8]);
    const honeypotOf = new Map<number, number>(layout.honeypot_frames.map((f: number, i: number) => [layout.honeypot_real_frames[i], f]));
    const regular = [0, 1, 2, 3, 4, 5, 6].find((f) => !layout.honeypot_frames.includes(f))!;
    await s.admin.put(`/api/jobs/${gt.id}/annotations`, { shapes: [box(7, label, 70), box(8, label, 80)], tags: [], tracks: [] });
    await s.admin.put(`/api/jobs/${job.id}/annotations`, { shapes: [box(honeypotOf.get(7)!, label, 11), box(regular, label, 22)], tags: [], tracks: [] });

    const frames = (await metaOf(`/api/tasks/${taskId}`)).frames;
    const names = frames.map((f: any) => f.name);
    const exported = await exportXml(`/api/tasks/${taskId}`);
    expect(exported).toHaveLength(7);
    expect(new Set(exported.map((im) => im.name)).size).toBe(7);
    const byName = new Map(exported.map((im) => [im.name, im.boxes]));
    expect(byName.get(names[7])).toEqual([70]);
    expect(byName.get(names[8])).toEqual([80]);
    expect(byName.get(names[regular])).toEqual([22]);
    expect(exported.flatMap((im) => im.boxes).sort()).toEqual([22, 70, 80]);

    // The task's annotations hold the ground truth too (CVAT merges the pool's job into them).
    const merged = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body.shapes.map((sh: any) => [sh.frame, sh.points[0]]);
    expect(merged).toEqual(expect.arrayContaining([[7, 70], [8, 80], [regular, 22], [honeypotOf.get(7), 11]]));

    // Import the export back, with the ground truth changed: the pool's job gets it, each honeypot a copy.
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<annotations><version>1.1</version>
<image id="0" name="${names[7]}" width="${frames[7].width}" height="10"><box label="car" occluded="0" source="manual" xtl="71" ytl="1" xbr="76" ybr="6" z_order="0"></box></image>
<image id="1" name="${names[8]}" width="${frames[8].width}" height="10"><box label="car" occluded="0" source="manual" xtl="81" ytl="1" xbr="86" ybr="6" z_order="0"></box></image>
<image id="2" name="${names[regular]}" width="${frames[regular].width}" height="10"><box label="car" occluded="0" source="manual" xtl="23" ytl="1" xbr="28" ybr="6" z_order="0"></box></image>
</annotations>`;
    const form = new FormData();
    form.append('annotation_file', new Blob([zipSync({ 'annotations.xml': new TextEncoder().encode(xml) })]), 'ground-truth.zip');
    const res = await s.admin.form('POST', `/api/tasks/${taskId}/annotations/?format=${encodeURIComponent('CVAT 1.1')}`, form);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const request = await waitForRequest(s.admin, res.body.rq_id);
    expect(request.status, request.message).toBe('finished');
    const gtShapes = (await s.admin.get(`/api/jobs/${gt.id}/annotations`)).body.shapes.map((sh: any) => [sh.frame, sh.points[0]]);
    expect(gtShapes.sort()).toEqual([
      [7, 71],
      [8, 81],
    ]);
    const jobShapes = (await s.admin.get(`/api/jobs/${job.id}/annotations`)).body.shapes.map((sh: any) => [sh.frame, sh.points[0]]);
    expect(jobShapes.sort((a: number[], b: number[]) => a[0]! - b[0]!)).toEqual(
      [
        [honeypotOf.get(7)!, 71],
        [honeypotOf.get(8)!, 81],
        [regular, 23],
      ].sort((a, b) => a[0]! - b[0]!),
    );
  });
});
