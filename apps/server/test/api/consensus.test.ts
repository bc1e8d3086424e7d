/**
 * Consensus through CVAT's API: tasks with consensus_replicas get replica jobs per annotation
 * job; annotators work in the replicas; a merge (POST /api/consensus/merges, then the common
 * requests API) writes the consensus into the parent job and reports the annotators' agreement
 * (GET /api/consensus/merges); settings in /api/consensus/settings.
 *
 * Frames are 100 x 100 images; boxes are 10 x 10 unless said otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type ApiClient, type TestServer } from '../helpers/app.js';
import { createTaskWithImages, makeImage, waitForRequest } from '../helpers/media.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const images = (n: number) => Promise.all(Array.from({ length: n }, async (_, i) => ({ name: `img${i}.png`, data: await makeImage(100, 100, 'png', i) })));

/** A task of `n` images with labels car and person; its id and label ids. */
async function task(n: number, spec: Record<string, unknown>, client: ApiClient = s.admin) {
  const { taskId, request } = await createTaskWithImages(client, await images(n), { labels: [{ name: 'car' }, { name: 'person' }], ...spec });
  expect(request.status, request.message).toBe('finished');
  const labels = (await client.get(`/api/labels?task_id=${taskId}`)).body.results as Array<{ id: number; name: string }>;
  return { id: taskId, car: labels.find((l) => l.name === 'car')!.id, person: labels.find((l) => l.name === 'person')!.id };
}

const jobsOf = async (query: string, client: ApiClient = s.admin) => (await client.get(`/api/jobs?${query}&sort=id&page_size=100`)).body.results as any[];

const box = (frame: number, label: number, x1: number, y1: number, x2: number, y2: number) => ({
  type: 'rectangle', frame, label_id: label, points: [x1, y1, x2, y2], group: 0, source: 'manual', attributes: [], occluded: false, z_order: 0, rotation: 0,
});

async function annotate(jobId: number, data: { shapes?: unknown[]; tags?: unknown[] }, client: ApiClient = s.admin) {
  const res = await client.put(`/api/jobs/${jobId}/annotations`, { tags: [], shapes: [], tracks: [], ...data });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  // A replica takes part once someone has started it (CVAT's rule).
  expect((await client.patch(`/api/jobs/${jobId}`, { state: 'in progress' })).status).toBe(200);
}

async function merge(body: Record<string, number>, client: ApiClient = s.admin) {
  const res = await client.post('/api/consensus/merges', body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const request = await waitForRequest(client, res.body.rq_id);
  expect(request.status, request.message).toBe('finished');
  return request;
}

/** The job's shapes as the merge decides them, in frame order. */
async function shapesOf(jobId: number) {
  const body = (await s.admin.get(`/api/jobs/${jobId}/annotations`)).body;
  return (body.shapes as any[])
    .map((sh) => ({ frame: sh.frame, type: sh.type, label_id: sh.label_id, points: sh.points, source: sh.source, score: Math.round(sh.score * 1e6) / 1e6 }))
    .sort((a, b) => a.frame - b.frame || a.points[0] - b.points[0]);
}

describe('a task with consensus replicas', () => {
  let t: Awaited<ReturnType<typeof task>>;
  let parents: any[];
  let replicas: any[];

  beforeAll(async () => {
    t = await task(4, { name: 'consensus', segment_size: 2, consensus_replicas: 3 });
    const jobs = await jobsOf(`task_id=${t.id}`);
    parents = jobs.filter((j) => j.type === 'annotation');
    replicas = jobs.filter((j) => j.type === 'consensus_replica');
  });

  it('has three replicas of each annotation job, on their parent\'s frames', async () => {
    expect((await s.admin.get(`/api/tasks/${t.id}`)).body.consensus_enabled).toBe(true);
    expect(parents.map((p) => [p.start_frame, p.stop_frame, p.parent_job_id, p.replicas_count, p.consensus_replicas])).toEqual([
      [0, 1, null, 3, 3],
      [2, 3, null, 3, 3],
    ]);
    expect(replicas).toHaveLength(6);
    for (const p of parents) {
      const own = replicas.filter((r) => r.parent_job_id === p.id);
      expect(own.map((r) => [r.start_frame, r.stop_frame, r.frame_count, r.replicas_count, r.stage, r.state])).toEqual(
        Array.from({ length: 3 }, () => [p.start_frame, p.stop_frame, 2, 0, 'annotation', 'new']),
      );
    }
  });

  it('lists replicas by parent and by type', async () => {
    const p = parents[0];
    expect((await jobsOf(`parent_job_id=${p.id}`)).map((j) => j.id)).toEqual(replicas.filter((r) => r.parent_job_id === p.id).map((r) => r.id));
    expect((await jobsOf(`task_id=${t.id}&type=consensus_replica`)).map((j) => j.id)).toEqual(replicas.map((r) => r.id));
    expect((await jobsOf(`task_id=${t.id}&type=annotation`)).map((j) => j.id)).toEqual(parents.map((r) => r.id));
  });

  it('leaves replicas out of the task\'s annotations', async () => {
    const r = replicas[5];
    expect((await s.admin.put(`/api/jobs/${r.id}/annotations`, { tags: [], shapes: [box(2, t.car, 70, 70, 80, 80)], tracks: [] })).status).toBe(200);
    const taskAnnotations = (await s.admin.get(`/api/tasks/${t.id}/annotations`)).body;
    expect(taskAnnotations.shapes).toEqual([]);
    expect((await s.admin.put(`/api/jobs/${r.id}/annotations`, { tags: [], shapes: [], tracks: [] })).status).toBe(200);
  });

  it('merges one job: the box nearest the mean, the label most gave, votes / replicas; lone objects dropped', async () => {
    const [p] = parents;
    const [r1, r2, r3] = replicas.filter((r) => r.parent_job_id === p.id);
    // Frame 0: three boxes at x = 0, 2, 4 (the middle one is nearest their mean) and one box only
    // replica 1 drew. Frame 1: car, person, car on one object (car at x = 20 and 21).
    await annotate(r1.id, { shapes: [box(0, t.car, 0, 0, 10, 10), box(0, t.car, 50, 50, 60, 60), box(1, t.car, 20, 20, 40, 40)] });
    await annotate(r2.id, { shapes: [box(0, t.car, 2, 0, 12, 10), box(1, t.person, 20, 20, 40, 40)] });
    await annotate(r3.id, { shapes: [box(0, t.car, 4, 0, 14, 10), box(1, t.car, 21, 20, 41, 40)] });
    // What the parent held before is replaced.
    expect((await s.admin.put(`/api/jobs/${p.id}/annotations`, { tags: [], shapes: [box(1, t.person, 80, 80, 90, 90)], tracks: [] })).status).toBe(200);

    const request = await merge({ job_id: p.id });
    expect(request.operation).toMatchObject({ type: 'merge:job', job_id: p.id, task_id: t.id });
    expect(request.result_url).toMatch(/\/api\/consensus\/merges\?id=\d+$/);

    expect(await shapesOf(p.id)).toEqual([
      { frame: 0, type: 'rectangle', label_id: t.car, points: [2, 0, 12, 10], source: 'consensus', score: 1 },
      // The car boxes at x 20 and 21 average to x 20.5..40.5, whose pixels (columns 21 to 40, as
      // pycocotools fills a box) are those of the box at x 21: CVAT takes that one.
      { frame: 1, type: 'rectangle', label_id: t.car, points: [21, 20, 41, 40], source: 'consensus', score: 0.666667 },
    ]);
    expect((await s.admin.get(`/api/jobs/${p.id}`)).body.state).toBe('completed');
    // The replicas and the other parent job are as they were.
    expect(await shapesOf(parents[1].id)).toEqual([]);
    expect((await shapesOf(r2.id)).map((sh) => sh.label_id)).toEqual([t.car, t.person]);

    // The agreement between the annotators, from the request's result.
    const report = (await s.admin.get(new URL(request.result_url).pathname + new URL(request.result_url).search)).body.results[0];
    expect(report).toMatchObject({ task_id: t.id, job_id: p.id, settings: { quorum: 0.5, iou_threshold: 0.4 }, owner: { username: 'admin' } });
    const [job] = report.jobs;
    expect(job).toMatchObject({ parent_job_id: p.id, replica_count: 3, required_votes: 2, frame_count: 2, merged_count: 2, dropped_count: 1 });
    // r1-r2: frame 0 one pair and r1's lone box, frame 1 car vs person: 1 of 3.
    // r1-r3: frame 0 one pair and the lone box, frame 1 car and car: 2 of 3. r2-r3: 1 of 2.
    expect(job.pairs.map((x: any) => [x.job_ids, x.matched_count, x.mismatched_count, x.unmatched_count])).toEqual([
      [[r1.id, r2.id], 1, 1, 1],
      [[r1.id, r3.id], 2, 0, 1],
      [[r2.id, r3.id], 1, 1, 0],
    ]);
    expect(job.pairs.map((x: any) => x.agreement)).toEqual([1 / 3, 2 / 3, 1 / 2]);
    expect(job.agreement).toBeCloseTo((1 / 3 + 2 / 3 + 1 / 2) / 3, 12);
    // Kept: the frame 0 box (all three voted) and the frame 1 car (r1 and r3).
    expect(job.replicas.map((x: any) => [x.job_id, x.annotation_count, x.agreed_count, x.precision, x.recall])).toEqual([
      [r1.id, 3, 2, 2 / 3, 1],
      [r2.id, 2, 1, 1 / 2, 1 / 2],
      [r3.id, 2, 2, 1, 1],
    ]);
  });

  it('takes the task\'s settings: a quorum of 1 keeps only what all three agree on', async () => {
    const [p] = parents;
    const settings = await s.admin.get(`/api/consensus/settings?task_id=${t.id}`);
    expect(settings.body).toMatchObject({ count: 1, results: [{ id: t.id, task_id: t.id, quorum: 0.5, iou_threshold: 0.4 }] });
    const patched = await s.admin.patch(`/api/consensus/settings/${t.id}`, { quorum: 1 });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toEqual({ id: t.id, task_id: t.id, quorum: 1, iou_threshold: 0.4 });
    expect((await s.admin.get(`/api/consensus/settings/${t.id}`)).body.quorum).toBe(1);

    await merge({ task_id: t.id });
    expect(await shapesOf(p.id)).toEqual([{ frame: 0, type: 'rectangle', label_id: t.car, points: [2, 0, 12, 10], source: 'consensus', score: 1 }]);
    const reports = (await s.admin.get(`/api/consensus/merges?task_id=${t.id}`)).body.results;
    // Newest first; the task merge took only the job with started replicas.
    expect(reports.map((r: any) => [r.job_id, r.jobs.map((j: any) => j.parent_job_id), r.settings.quorum])).toEqual([
      [null, [p.id], 1],
      [p.id, [p.id], 0.5],
    ]);
    expect((await s.admin.patch(`/api/consensus/settings/${t.id}`, { quorum: 0.5 })).status).toBe(200);
  });

  it('counts only the replicas someone started, and merges tags by votes', async () => {
    // The second job: replica 1 tags frame 2 "car" and draws a box; replica 2 tags it too;
    // replica 3 is still new, so two replicas are merged and one vote is needed.
    const p = parents[1];
    const [r1, r2] = replicas.filter((r) => r.parent_job_id === p.id);
    const carTag = { frame: 2, label_id: t.car, group: 0, source: 'manual', attributes: [] };
    await annotate(r1.id, { tags: [carTag], shapes: [box(3, t.person, 5, 5, 15, 15)] });
    await annotate(r2.id, { tags: [carTag] });
    await merge({ job_id: p.id });
    const body = (await s.admin.get(`/api/jobs/${p.id}/annotations`)).body;
    expect(body.tags.map((tg: any) => [tg.frame, tg.label_id, tg.source])).toEqual([[2, t.car, 'consensus']]);
    expect(await shapesOf(p.id)).toEqual([{ frame: 3, type: 'rectangle', label_id: t.person, points: [5, 5, 15, 15], source: 'consensus', score: 0.5 }]);
    const [report] = (await s.admin.get(`/api/consensus/merges?job_id=${p.id}`)).body.results;
    expect(report.jobs[0]).toMatchObject({ replica_count: 2, required_votes: 1, merged_count: 2 });
    expect(report.jobs[0].replicas.map((x: any) => x.job_id)).toEqual([r1.id, r2.id]);
  });

  it('refuses clearly what cannot be merged', async () => {
    const refused = async (body: Record<string, number>, field: string, message: RegExp) => {
      const res = await s.admin.post('/api/consensus/merges', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.details[0].field).toBe(field);
      expect(res.body.message).toMatch(message);
    };
    const replica = replicas[0];
    await refused({ job_id: replica.id }, 'job_id', new RegExp(`consensus replica; merge its parent job ${replica.parent_job_id}`));
    await refused({ task_id: t.id, job_id: parents[0].id }, 'job_id', /either task_id .* or job_id/);
    await refused({}, 'task_id', /either task_id/);

    // A ground-truth job has no replicas.
    const gt = await s.admin.post('/api/jobs', { task_id: t.id, type: 'ground_truth', frame_selection_method: 'manual', frames: [0] });
    expect(gt.status, JSON.stringify(gt.body)).toBe(201);
    expect(gt.body).toMatchObject({ type: 'ground_truth', parent_job_id: null, replicas_count: 0 });
    await refused({ job_id: gt.body.id }, 'job_id', /ground-truth job; only annotation jobs have consensus replicas/);
    expect((await s.admin.delete(`/api/jobs/${gt.body.id}`)).status).toBe(204);
    // Replicas are made with their task, never one by one.
    const made = await s.admin.post('/api/jobs', { task_id: t.id, type: 'consensus_replica' });
    expect(made.status).toBe(400);
    expect(made.body.details[0].field).toBe('type');

    // A job out of the annotation stage is not merged again.
    const p = parents[0];
    expect((await s.admin.patch(`/api/jobs/${p.id}`, { stage: 'validation' })).status).toBe(200);
    await refused({ job_id: p.id }, 'job_id', /validation stage; only jobs in the annotation stage are merged/);
    expect((await s.admin.patch(`/api/jobs/${p.id}`, { stage: 'annotation' })).status).toBe(200);

    // Settings take shares in [0, 1].
    const bad = await s.admin.patch(`/api/consensus/settings/${t.id}`, { iou_threshold: 1.5 });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]).toEqual({ field: 'iou_threshold', message: 'must be a number in [0, 1]' });

    // consensus_replicas is fixed at creation.
    const changed = await s.admin.patch(`/api/tasks/${t.id}`, { consensus_replicas: 2 });
    expect(changed.status).toBe(400);
    expect(changed.body.details[0].field).toBe('consensus_replicas');
  });
});

describe('consensus_replicas at task creation', () => {
  it('takes 0 or 2 to 11, as CVAT does', async () => {
    for (const n of [1, 12, -1]) {
      const res = await s.admin.post('/api/tasks', { name: 'bad', labels: [{ name: 'car' }], consensus_replicas: n });
      expect(res.status, `${n}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.details[0].field).toBe('consensus_replicas');
    }
    const one = await s.admin.post('/api/tasks', { name: 'one', labels: [{ name: 'car' }], consensus_replicas: 1 });
    expect(one.body.message).toMatch(/at least 2/);
  });

  it('makes no replicas without it, and a merge there is refused', async () => {
    const plain = await task(2, { name: 'plain', segment_size: 1 });
    const jobs = await jobsOf(`task_id=${plain.id}`);
    expect(jobs.map((j) => [j.type, j.replicas_count])).toEqual([
      ['annotation', 0],
      ['annotation', 0],
    ]);
    expect((await s.admin.get(`/api/tasks/${plain.id}`)).body.consensus_enabled).toBe(false);
    const res = await s.admin.post('/api/consensus/merges', { task_id: plain.id });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/consensus is not enabled in task/);
  });

  it('goes with honeypots: replicas show their parent\'s frames, honeypots included; the ground-truth job has none', async () => {
    // 6 images: a pool of 2, then 2 jobs of 2 frames and 1 honeypot each.
    const params = { mode: 'gt_pool', frame_selection_method: 'random_uniform', frame_count: 2, frames_per_job_count: 1, random_seed: 7 };
    const { taskId, request } = await createTaskWithImages(s.admin, await images(6), { name: 'pool', segment_size: 2, consensus_replicas: 2 }, {
      sorting_method: 'random',
      validation_params: JSON.stringify(params),
    });
    expect(request.status, request.message).toBe('finished');
    const jobs = await jobsOf(`task_id=${taskId}`);
    expect(jobs.map((j) => j.type).sort()).toEqual(['annotation', 'annotation', 'consensus_replica', 'consensus_replica', 'consensus_replica', 'consensus_replica', 'ground_truth']);
    expect(jobs.find((j) => j.type === 'ground_truth').replicas_count).toBe(0);
    const names = async (id: number) => ((await s.admin.get(`/api/jobs/${id}/data/meta`)).body.frames as any[]).map((f) => f.name);
    for (const p of jobs.filter((j) => j.type === 'annotation')) {
      expect(p.stop_frame - p.start_frame).toBe(2);
      for (const r of jobs.filter((j) => j.parent_job_id === p.id)) expect(await names(r.id)).toEqual(await names(p.id));
    }
  });

  it('refuses a merge before any replica was started', async () => {
    const fresh = await task(2, { name: 'fresh', consensus_replicas: 2 });
    const res = await s.admin.post('/api/consensus/merges', { task_id: fresh.id });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/nothing to merge/);
  });
});

describe('who may do what', () => {
  it('lets an annotator work in their replica, and only those who manage the task merge and read reports', async () => {
    const owner = await s.user('consensus-owner');
    const annotator = await s.user('consensus-annotator');
    const stranger = await s.user('consensus-stranger');
    const t = await task(2, { name: 'rights', consensus_replicas: 2 }, owner);
    const jobs = await jobsOf(`task_id=${t.id}`, owner);
    const parent = jobs.find((j) => j.type === 'annotation');
    const [mine, other] = jobs.filter((j) => j.type === 'consensus_replica');
    expect((await owner.patch(`/api/jobs/${mine.id}`, { assignee: annotator.id })).status).toBe(200);

    // The annotator sees and annotates their replica only.
    expect((await jobsOf(`parent_job_id=${parent.id}`, annotator)).map((j) => j.id)).toEqual([mine.id]);
    await annotate(mine.id, { shapes: [box(0, t.car, 0, 0, 10, 10)] }, annotator);
    expect((await annotator.put(`/api/jobs/${other.id}/annotations`, { tags: [], shapes: [], tracks: [] })).status).toBe(404);

    // They see the task and its settings (CVAT: the task's view right), but may not change them or merge.
    expect((await annotator.get(`/api/consensus/settings/${t.id}`)).status).toBe(200);
    expect((await annotator.patch(`/api/consensus/settings/${t.id}`, { quorum: 1 })).status).toBe(403);
    expect((await annotator.post('/api/consensus/merges', { task_id: t.id })).status).toBe(403);
    expect((await annotator.post('/api/consensus/merges', { job_id: mine.id })).status).toBe(403);
    expect((await annotator.post('/api/consensus/merges', { job_id: parent.id })).status).toBe(404);
    // Someone with no part in the task cannot even tell it exists.
    expect((await stranger.post('/api/consensus/merges', { task_id: t.id })).status).toBe(404);
    expect((await stranger.get(`/api/consensus/settings/${t.id}`)).status).toBe(404);
    expect((await stranger.get(`/api/consensus/settings?task_id=${t.id}`)).body.count).toBe(0);

    await merge({ task_id: t.id }, owner);
    expect((await owner.get(`/api/consensus/merges?task_id=${t.id}`)).body.count).toBe(1);
    // The agreement figures name annotators: for those who manage the task only.
    expect((await annotator.get(`/api/consensus/merges?task_id=${t.id}`)).body.count).toBe(0);
    expect((await stranger.get(`/api/consensus/merges?task_id=${t.id}`)).body.count).toBe(0);
  });
});
