/** Backups of tasks and projects set up for quality control: ground truth, honeypots, consensus, settings. */
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { backup, byNames, cvatArchive, framesOf, images, jobsOf, labelsOf, restore, text } from '../helpers/backups.js';
import { createTaskWithImages } from '../helpers/media.js';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

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
