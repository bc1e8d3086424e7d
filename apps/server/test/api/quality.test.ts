/**
 * Quality settings, reports and conflicts through CVAT's API (/api/quality), and Framewise's
 * immediate feedback, on hand-annotated tasks whose figures are worked out in the comments.
 *
 * Images are 100 x 100. Boxes are [x1, y1, x2, y2]; IoU of [0,0,10,10] and [0,0,10,5] is 0.5:
 * a match at the default iou_threshold 0.4, but a low overlap (under 0.8).
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

type Box = [number, number, number, number];

const images = (n: number) => Promise.all(Array.from({ length: n }, async (_, i) => ({ name: `img${i}.png`, data: await makeImage(100, 100, 'png', i) })));

async function task(n: number, spec: Record<string, unknown> = {}, data: Record<string, string> = {}, client: ApiClient = s.admin): Promise<number> {
  const { taskId, request } = await createTaskWithImages(client, await images(n), { labels: [{ name: 'car' }, { name: 'person' }], ...spec }, data);
  expect(request.status, request.message).toBe('finished');
  return taskId;
}

const jobsOf = async (taskId: number) => (await s.admin.get(`/api/jobs?task_id=${taskId}&sort=id&page_size=100`)).body.results as any[];
const annotationJobs = async (taskId: number) => (await jobsOf(taskId)).filter((j) => j.type === 'annotation');
const groundTruthOf = async (taskId: number) => (await jobsOf(taskId)).find((j) => j.type === 'ground_truth');
const labelsOf = async (taskId: number): Promise<Record<string, number>> =>
  Object.fromEntries((await s.admin.get(`/api/labels?task_id=${taskId}&page_size=100`)).body.results.map((l: any) => [l.name, l.id]));

function box(frame: number, label: number, points: Box) {
  return { type: 'rectangle', frame, label_id: label, points, group: 0, source: 'manual', attributes: [], occluded: false, outside: false, z_order: 0, rotation: 0 };
}

async function annotate(jobId: number, shapes: unknown[], tracks: unknown[] = [], client: ApiClient = s.admin): Promise<any[]> {
  const res = await client.put(`/api/jobs/${jobId}/annotations`, { version: 0, tags: [], shapes, tracks });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const read = (await client.get(`/api/jobs/${jobId}/annotations`)).body;
  return [...read.shapes, ...read.tracks];
}

const idOf = (objects: any[], frame: number, points: Box) => objects.find((o) => o.frame === frame && JSON.stringify(o.points ?? o.shapes?.[0]?.points) === JSON.stringify(points)).id as number;

async function groundTruthJob(taskId: number, frames: number[]): Promise<number> {
  const res = await s.admin.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'manual', frames });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function accept(jobId: number): Promise<void> {
  expect((await s.admin.patch(`/api/jobs/${jobId}`, { stage: 'acceptance', state: 'completed' })).status).toBe(200);
}

/** Requests a report and waits for it; returns the report id (the request's result_id). */
async function computeReport(body: Record<string, number>, client: ApiClient = s.admin): Promise<number> {
  const res = await client.post('/api/quality/reports', body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const request = await waitForRequest(client, res.body.rq_id);
  expect(request.status, request.message).toBe('finished');
  expect(request.operation.type).toBe('calculate:quality');
  return request.result_id;
}

async function settingsOf(query: string): Promise<any> {
  const res = await s.admin.get(`/api/quality/settings?${query}`);
  expect(res.status).toBe(200);
  return res.body.results[0];
}

const summaryOf = async (reportId: number) => (await s.admin.get(`/api/quality/reports/${reportId}`)).body.summary;

describe('a task with a ground-truth job', () => {
  // 4 frames in jobs A (0-1) and B (2-3); ground truth on frames 0 and 2.
  // GT:  frame 0: car [0,0,10,10], person [50,50,60,60]   frame 2: car [0,0,10,10]
  // A:   frame 0: car [0,0,10,10] (valid), car [50,50,60,60] (on the person: mismatching label),
  //      car [80,80,90,90] (extra); frame 1: a car, not a validation frame, not compared
  // B:   frame 2: car [0,0,10,5] (IoU 0.5: valid, low overlap)
  // Matrix (rows: the job's car, person, unmatched; columns: the ground truth's):
  //   A: car row [1, 1, 1]        B: car row [1, 0, 0]
  // A: valid 1 of 3 (ds 3, gt 2): accuracy 1/3, precision 1/3, recall 1/2.  B: 1 of 1.
  // Task: valid 2, total 4, ds 4, gt 3: accuracy 0.5, precision 0.5, recall 2/3.
  let taskId: number, jobA: number, jobB: number, gtJob: number, taskReport: number;
  let gtObjects: any[], aObjects: any[], bObjects: any[];

  beforeAll(async () => {
    taskId = await task(4, { segment_size: 2 });
    [jobA, jobB] = (await annotationJobs(taskId)).map((j) => j.id);
    gtJob = await groundTruthJob(taskId, [0, 2]);
    const { car, person } = await labelsOf(taskId);
    gtObjects = await annotate(gtJob, [box(0, car!, [0, 0, 10, 10]), box(0, person!, [50, 50, 60, 60]), box(2, car!, [0, 0, 10, 10])]);
    aObjects = await annotate(jobA!, [box(0, car!, [0, 0, 10, 10]), box(0, car!, [50, 50, 60, 60]), box(0, car!, [80, 80, 90, 90]), box(1, car!, [30, 30, 40, 40])]);
    bObjects = await annotate(jobB!, [box(2, car!, [0, 0, 10, 5])]);
  });

  it('refuses a report until the ground truth is accepted and completed (CVAT\'s rule)', async () => {
    const res = await s.admin.post('/api/quality/reports', { task_id: taskId });
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('task_id');
    expect((await s.admin.post('/api/quality/reports', {})).status).toBe(400);
    await accept(gtJob);
  });

  it('computes the task report and its job reports: summaries, parents, filters', async () => {
    taskReport = await computeReport({ task_id: taskId });
    const report = (await s.admin.get(`/api/quality/reports/${taskReport}`)).body;
    expect(report).toMatchObject({ id: taskReport, target: 'task', task_id: taskId, job_id: null, project_id: null, parent_id: null, assignee: null });
    expect(report.summary).toEqual({
      total_frames: 4, frame_count: 2, validation_frames: 2, frame_share: 0.5, validation_frame_share: 0.5,
      conflict_count: 3, warning_count: 1, error_count: 2,
      conflicts_by_type: { extra_annotation: 1, mismatching_label: 1, low_overlap: 1 },
      valid_count: 2, ds_count: 4, gt_count: 3, total_count: 4,
      accuracy: 0.5, precision: 0.5, recall: 2 / 3,
      jobs: { total: 2, excluded: 0, not_checkable: 0, included: 2 },
    });

    const children = (await s.admin.get(`/api/quality/reports?parent_id=${taskReport}&sort=id`)).body;
    expect(children.count).toBe(2);
    const [a, b] = children.results;
    expect(a).toMatchObject({ target: 'job', job_id: jobA, task_id: taskId, parent_id: taskReport });
    expect(a.summary).toMatchObject({
      total_frames: 2, validation_frames: 1, validation_frame_share: 0.5, conflict_count: 2, error_count: 2, warning_count: 0,
      valid_count: 1, ds_count: 3, gt_count: 2, total_count: 3, accuracy: 1 / 3, precision: 1 / 3, recall: 0.5,
    });
    expect(a.summary.jobs).toBeUndefined();
    expect(b.summary).toMatchObject({ validation_frames: 1, valid_count: 1, total_count: 1, accuracy: 1, conflict_count: 1, warning_count: 1 });

    const ids = async (q: string) => (await s.admin.get(`/api/quality/reports?${q}`)).body.results.map((r: any) => r.id).sort((x: number, y: number) => x - y);
    expect(await ids(`task_id=${taskId}`)).toEqual([taskReport, a.id, b.id]);
    expect(await ids(`task_id=${taskId}&target=task`)).toEqual([taskReport]);
    expect(await ids(`task_id=${taskId}&target=job`)).toEqual([a.id, b.id]);
    expect(await ids(`job_id=${jobB}`)).toEqual([b.id]);
    expect((await s.admin.get('/api/quality/reports?target=nope')).status).toBe(400);
    expect((await s.admin.get(`/api/quality/reports?task_id=${taskId}&sort=-job_id`)).status).toBe(200);
  });

  it('lists the conflicts of a report with the annotations they name', async () => {
    const res = await s.admin.get(`/api/quality/conflicts?report_id=${taskReport}&sort=id`);
    expect(res.status).toBe(200);
    const shape = (job: number, obj: number) => ({ obj_id: obj, job_id: job, type: 'shape', shape_type: 'rectangle' });
    expect(res.body.results.map(({ id: _id, report_id: _r, ...c }: any) => c)).toEqual([
      { frame: 0, type: 'extra_annotation', severity: 'error', annotation_ids: [shape(jobA!, idOf(aObjects, 0, [80, 80, 90, 90]))] },
      {
        frame: 0, type: 'mismatching_label', severity: 'error',
        annotation_ids: [shape(jobA!, idOf(aObjects, 0, [50, 50, 60, 60])), shape(gtJob, idOf(gtObjects, 0, [50, 50, 60, 60]))],
      },
      { frame: 2, type: 'low_overlap', severity: 'warning', annotation_ids: [shape(jobB!, idOf(bObjects, 2, [0, 0, 10, 5])), shape(gtJob, idOf(gtObjects, 2, [0, 0, 10, 10]))] },
    ]);
    const count = async (q: string) => (await s.admin.get(`/api/quality/conflicts?report_id=${taskReport}&${q}`)).body.count;
    expect(await count('severity=error')).toBe(2);
    expect(await count(`job_id=${jobB}`)).toBe(1);
    expect(await count('type=low_overlap')).toBe(1);
    expect(await count('frame=0')).toBe(2);
    expect((await s.admin.get('/api/quality/conflicts?type=nope')).status).toBe(400);
  });

  it('gives the report data as JSON with links to the conflicting annotations, and the confusion matrix as CSV', async () => {
    const json = await s.admin.get(`/api/quality/reports/${taskReport}/data`);
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ id: taskReport, task_id: taskId, parameters: { iou_threshold: 0.4, target_metric: 'accuracy', inherited: false } });
    expect(json.body.comparison_summary).toMatchObject({ frames: [0, 2], frame_share_percent: 50, jobs: { all: [jobA, jobB], excluded: [], not_checkable: [] } });
    const extra = json.body.frame_results['0'].conflicts.find((c: any) => c.type === 'extra_annotation');
    expect(extra.annotation_ids[0].url).toBe(`${s.url}/tasks/${taskId}/jobs/${jobA}?frame=0&type=shape&serverID=${idOf(aObjects, 0, [80, 80, 90, 90])}`);

    // Task matrix: A's rows plus B's: car [2, 1, 1]. Precision per row: car 2/4; recall per
    // column: car 2/2, person 0/1; Dice: car 2·2/(4+2); Jaccard: car 2/(4+2-2), person 0/(0+1-0);
    // accuracy over the matrix 2/4; the macro Dice over labels with a row: car only.
    const csv = await s.admin.get(`/api/quality/reports/${taskReport}/data?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.raw.toString('utf8')).toBe(
      [
        'label,car,person,unmatched,precision',
        'car,2,1,1,0.5',
        'person,0,0,0,0.0',
        'unmatched,0,0,0,0.0',
        'recall,1.0,0.0,0.0',
        'dice coefficient,0.6666666666666666,nan,nan',
        'jaccard index,0.5,0.0,nan',
        '""',
        'avg. accuracy (micro),0.5',
        'avg. dice coefficient (macro),0.6666666666666666',
        '',
      ].join('\r\n'),
    );
  });

  it('compares only enabled validation frames, and leaves out the jobs the job filter drops', async () => {
    // Frame 2 disabled: job B has no validation frame left (not checkable); the task is job A alone.
    expect((await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { disabled_frames: [2] })).status).toBe(200);
    let summary = await summaryOf(await computeReport({ task_id: taskId }));
    expect(summary).toMatchObject({ validation_frames: 1, valid_count: 1, total_count: 3, accuracy: 1 / 3, jobs: { total: 2, not_checkable: 1, included: 2 } });
    expect((await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { disabled_frames: [] })).status).toBe(200);

    // Only job B: 1 of 1.
    const settings = await settingsOf(`task_id=${taskId}`);
    const patched = await s.admin.patch(`/api/quality/settings/${settings.id}`, { job_filter: JSON.stringify({ '==': [{ var: 'id' }, jobB] }) });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    summary = await summaryOf(await computeReport({ task_id: taskId }));
    expect(summary).toMatchObject({ valid_count: 1, total_count: 1, accuracy: 1, jobs: { total: 2, excluded: 1, included: 1 } });
    const bad = await s.admin.patch(`/api/quality/settings/${settings.id}`, { job_filter: '{"==": [{"var": "owner"}, 1]}' });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('job_filter');
    expect((await s.admin.patch(`/api/quality/settings/${settings.id}`, { job_filter: '' })).status).toBe(200);
  });

  it('computes a report on its own when a job is handed in', async () => {
    const before = (await s.admin.get(`/api/quality/reports?task_id=${taskId}&target=task`)).body.count;
    expect((await s.admin.patch(`/api/jobs/${jobB}`, { state: 'completed' })).body.state).toBe('completed');
    const until = Date.now() + 30_000;
    let after = before;
    while (after === before && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      after = (await s.admin.get(`/api/quality/reports?task_id=${taskId}&target=task`)).body.count;
    }
    expect(after).toBe(before + 1);
    // Nobody's request (only an administrator sees it), finished.
    const auto = (await s.admin.get(`/api/requests?task_id=${taskId}&action=calculate:quality&page_size=100`)).body.results.filter((r: any) => r.owner === null);
    expect(auto.map((r: any) => r.status)).toEqual(['finished']);
  });
});

describe('settings', () => {
  it('come with CVAT\'s defaults for every project and task, and a task inherits its project\'s', async () => {
    const project = (await s.admin.post('/api/projects', { name: 'Q', labels: [{ name: 'car' }] })).body.id;
    const taskId = (await s.admin.post('/api/tasks', { name: 't', project_id: project })).body.id;
    const projectSettings = await settingsOf(`project_id=${project}&parent_type=project`);
    expect(projectSettings).toMatchObject({
      project_id: project, task_id: null, iou_threshold: 0.4, low_overlap_threshold: 0.8, oks_sigma: 0.09, point_size_base: 'group_bbox_size',
      line_thickness: 0.01, compare_line_orientation: true, line_orientation_threshold: 0.1, compare_groups: true, group_match_threshold: 0.5,
      check_covered_annotations: true, object_visibility_threshold: 0.05, panoptic_comparison: true, compare_attributes: true,
      empty_is_annotated: false, target_metric: 'accuracy', target_metric_threshold: 0.7, max_validations_per_job: 0, job_filter: '', inherit: true,
    });
    const all = (await s.admin.get(`/api/quality/settings?project_id=${project}`)).body;
    expect(all.results.map((r: any) => [r.project_id, r.task_id])).toEqual([[project, null], [null, taskId]]);
    expect((await s.admin.get(`/api/quality/settings?task_id=${taskId}`)).body.results[0].inherit).toBe(true);

    const res = await s.admin.patch(`/api/quality/settings/${projectSettings.id}`, { iou_threshold: 0.6, target_metric: 'recall', id: 999 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: projectSettings.id, iou_threshold: 0.6, target_metric: 'recall' });
    expect((await s.admin.get(`/api/quality/settings/${projectSettings.id}`)).body.iou_threshold).toBe(0.6);
    for (const body of [{ iou_threshold: 1.5 }, { target_metric: 'f1' }, { max_validations_per_job: -1 }]) {
      expect((await s.admin.patch(`/api/quality/settings/${projectSettings.id}`, body)).status).toBe(400);
    }
    expect((await s.admin.get('/api/quality/settings?inherit=false&page_size=all')).body.results.some((r: any) => r.id === projectSettings.id)).toBe(false);
  });
});

describe('a project with tasks', () => {
  it('weighs each task by its share of validated frames, counts tasks without ground truth, and honours inherit', async () => {
    const project = (await s.admin.post('/api/projects', { name: 'P', labels: [{ name: 'car' }] })).body.id;
    const car = (await s.admin.get(`/api/labels?project_id=${project}`)).body.results[0].id;
    // T1: 4 frames (jobs 0-1, 2-3), ground truth on frame 0 only: share 1/4, weight 4.
    //   Job A: the exact box. Valid 1 of 1.
    const t1 = await task(4, { segment_size: 2, project_id: project, labels: [] });
    const [a1] = await annotationJobs(t1);
    const gt1 = await groundTruthJob(t1, [0]);
    await annotate(gt1, [box(0, car, [0, 0, 10, 10])]);
    await annotate(a1.id, [box(0, car, [0, 0, 10, 10])]);
    await accept(gt1);
    // T2: 2 frames in one job, ground truth on both: share 1, weight 1. The job has a track:
    //   frame 0 [0,0,10,5] (IoU 0.5, valid, low overlap), outside from frame 1 (the box there is missed).
    //   Valid 1, total 2, ds 1, gt 2.
    const t2 = await task(2, { segment_size: 2, project_id: project, labels: [] });
    const [a2] = await annotationJobs(t2);
    const gt2 = await groundTruthJob(t2, [0, 1]);
    await annotate(gt2, [box(0, car, [0, 0, 10, 10]), box(1, car, [0, 0, 10, 10])]);
    const keyframe = (frame: number, outside: boolean) => ({ type: 'rectangle', frame, points: [0, 0, 10, 5], rotation: 0, occluded: false, outside, z_order: 0, attributes: [] });
    const tracked = await annotate(a2.id, [], [{ frame: 0, label_id: car, group: 0, source: 'manual', attributes: [], shapes: [keyframe(0, false), keyframe(1, true)], elements: [] }]);
    await accept(gt2);
    // T3: no data, no ground truth: not configured.
    const t3 = (await s.admin.post('/api/tasks', { name: 't3', project_id: project })).body.id;

    // Project: valid ceil(1·4) + 1 = 5, total 4 + 2 = 6, ds 4 + 1 = 5, gt 4 + 2 = 6.
    const reportId = await computeReport({ project_id: project });
    const report = (await s.admin.get(`/api/quality/reports/${reportId}`)).body;
    expect(report).toMatchObject({ target: 'project', project_id: project, task_id: null, job_id: null });
    expect(report.summary).toMatchObject({
      total_frames: 6, validation_frames: 3, validation_frame_share: 0.5,
      valid_count: 5, total_count: 6, ds_count: 5, gt_count: 6, accuracy: 5 / 6, precision: 1, recall: 5 / 6,
      conflict_count: 2, conflicts_by_type: { low_overlap: 1, missing_annotation: 1 },
      tasks: { total: 3, custom: 0, not_configured: 1, excluded: 0, included: 2 },
      jobs: { total: 3, excluded: 0, not_checkable: 1, included: 3 },
    });
    // Its task reports (fresh) and their job reports are under it.
    const nested = (await s.admin.get(`/api/quality/reports?parent_id=${reportId}&page_size=100`)).body.results;
    expect(nested.map((r: any) => r.target).sort()).toEqual(['job', 'job', 'job', 'task', 'task']);
    expect((await s.admin.get(`/api/quality/reports?project_id=${project}&page_size=100`)).body.count).toBe(6);
    const conflicts = (await s.admin.get(`/api/quality/conflicts?project_id=${project}&sort=id`)).body.results;
    expect(conflicts.map((c: any) => [c.frame, c.type, c.annotation_ids[0].type])).toEqual([
      [0, 'low_overlap', 'track'],
      [1, 'missing_annotation', 'shape'],
    ]);
    expect(conflicts[0].annotation_ids[0]).toEqual({ obj_id: tracked[0].id, job_id: a2.id, type: 'track', shape_type: 'rectangle' });
    const data = (await s.admin.get(`/api/quality/reports/${reportId}/data`)).body;
    expect(data.frame_results).toBeUndefined();
    expect(data.comparison_summary.frames).toBeUndefined();
    expect(data.comparison_summary.tasks).toEqual({ all: [t1, t2, t3], custom: [], not_configured: [t3], excluded: [] });

    // The project's iou_threshold 0.6 reaches T2 (it inherits): the 0.5 box no longer matches,
    // so T2 is valid 0 of 3 (a missing box and an extra one on frame 0, the missing one on frame 1).
    const projectSettings = await settingsOf(`project_id=${project}&parent_type=project`);
    expect((await s.admin.patch(`/api/quality/settings/${projectSettings.id}`, { iou_threshold: 0.6 })).status).toBe(200);
    let t2Report = await summaryOf(await computeReport({ task_id: t2 }));
    expect(t2Report).toMatchObject({ valid_count: 0, total_count: 3, accuracy: 0 });
    // With its own settings (defaults) it matches again, and a project report counts it as custom.
    const t2Settings = await settingsOf(`task_id=${t2}`);
    expect((await s.admin.patch(`/api/quality/settings/${t2Settings.id}`, { inherit: false })).status).toBe(200);
    t2Report = await summaryOf(await computeReport({ task_id: t2 }));
    expect(t2Report).toMatchObject({ valid_count: 1, total_count: 2 });
    const again = await summaryOf(await computeReport({ project_id: project }));
    // T1 alone: valid ceil(1·4) = 4 of 4.
    expect(again).toMatchObject({ valid_count: 4, total_count: 4, accuracy: 1, tasks: { total: 3, custom: 1, not_configured: 1, included: 1 } });
  });
});

describe('honeypots', () => {
  it('compares each job\'s honeypots with the ground truth of the validation frames they show', async () => {
    // 6 images: a pool of 2 and 4 in jobs of 2, each with 1 honeypot: jobs of 3 frames, pool 6-7.
    const params = { mode: 'gt_pool', frame_selection_method: 'random_uniform', frame_count: 2, frames_per_job_count: 1, random_seed: 3 };
    const taskId = await task(6, { segment_size: 2 }, { sorting_method: 'random', validation_params: JSON.stringify(params) });
    const { car } = await labelsOf(taskId);
    const [j1, j2] = await annotationJobs(taskId);
    const gt = await groundTruthOf(taskId);
    const layout = (await s.admin.get(`/api/tasks/${taskId}/validation_layout`)).body;
    const [h1, h2] = layout.honeypot_frames as number[];
    const [r1, r2] = layout.honeypot_real_frames as number[];
    const gtBox = (frame: number): Box => (frame === 6 ? [10, 10, 30, 30] : [40, 40, 60, 60]);
    const gtObjects = await annotate(gt.id, [box(6, car!, gtBox(6)), box(7, car!, gtBox(7))]);
    await accept(gt.id);
    // Job 1 draws its honeypot's box exactly; job 2 draws nothing on its honeypot, and a box on a
    // regular frame, which is not compared.
    await annotate(j1.id, [box(h1!, car!, gtBox(r1!))]);
    const regular = [j2.start_frame, j2.start_frame + 1, j2.start_frame + 2].find((f) => f !== h2)!;
    await annotate(j2.id, [box(regular, car!, [0, 0, 5, 5])]);

    const reportId = await computeReport({ task_id: taskId });
    expect(await summaryOf(reportId)).toMatchObject({ validation_frames: 2, total_frames: 6, valid_count: 1, total_count: 2, accuracy: 0.5, conflict_count: 1 });
    const conflicts = (await s.admin.get(`/api/quality/conflicts?report_id=${reportId}`)).body.results;
    expect(conflicts.map(({ id: _i, report_id: _r, ...c }: any) => c)).toEqual([
      { frame: h2, type: 'missing_annotation', severity: 'error', annotation_ids: [{ obj_id: idOf(gtObjects, r2!, gtBox(r2!)), job_id: gt.id, type: 'shape', shape_type: 'rectangle' }] },
    ]);

    // Job 2's validation frame disabled: it is not checkable, and the task is job 1 alone.
    expect((await s.admin.patch(`/api/tasks/${taskId}/validation_layout`, { disabled_frames: [r2] })).status).toBe(200);
    expect(await summaryOf(await computeReport({ task_id: taskId }))).toMatchObject({
      validation_frames: 1, valid_count: 1, total_count: 1, accuracy: 1, jobs: { total: 2, not_checkable: 1, included: 2 },
    });
  });
});

describe('who may', () => {
  it('shows quality data to those who manage the task, never to its annotator or a stranger', async () => {
    const owner = await s.user('q-owner');
    const annotator = await s.user('q-annotator');
    const stranger = await s.user('q-stranger');
    const taskId = await task(2, { segment_size: 1 }, {}, owner);
    const [job] = await annotationJobs(taskId);
    expect((await owner.patch(`/api/jobs/${job.id}`, { assignee: annotator.id })).status).toBe(200);
    const gt = (await owner.post('/api/jobs', { task_id: taskId, type: 'ground_truth', frame_selection_method: 'manual', frames: [0] })).body.id;
    expect((await owner.patch(`/api/jobs/${gt}`, { stage: 'acceptance', state: 'completed' })).status).toBe(200);
    const reportId = await computeReport({ task_id: taskId }, owner);
    const settings = (await owner.get(`/api/quality/settings?task_id=${taskId}`)).body.results[0].id;

    expect((await owner.get(`/api/quality/reports/${reportId}`)).status).toBe(200);
    for (const [client, status] of [[annotator, 403], [stranger, 404]] as const) {
      expect((await client.get(`/api/quality/reports/${reportId}`)).status).toBe(status);
      expect((await client.get(`/api/quality/reports/${reportId}/data`)).status).toBe(status);
      expect((await client.get(`/api/quality/settings/${settings}`)).status).toBe(status);
      expect((await client.patch(`/api/quality/settings/${settings}`, { iou_threshold: 0.5 })).status).toBe(status);
      expect((await client.post('/api/quality/reports', { task_id: taskId })).status).toBe(status);
      expect((await client.get(`/api/quality/conflicts?report_id=${reportId}`)).status).toBe(status);
    }
    // Lists simply leave them out.
    expect((await annotator.get(`/api/quality/reports?task_id=${taskId}`)).body.count).toBe(0);
    expect((await annotator.get('/api/quality/settings')).body.count).toBe(0);
    expect((await annotator.get('/api/quality/conflicts')).body.count).toBe(0);
    expect((await stranger.get(`/api/quality/reports?task_id=${taskId}`)).status).toBe(404);
    // The annotator may read their own job's feedback; the stranger may not.
    expect((await annotator.get(`/api/jobs/${job.id}/validation_feedback`)).status).toBe(200);
    expect((await stranger.get(`/api/jobs/${job.id}/validation_feedback`)).status).toBe(404);
  });
});

describe('immediate feedback', () => {
  // 4 frames in jobs A (0-1) and B (2-3); ground truth on frames 0 and 1, both in job A:
  // car [0,0,10,10] on frame 0 and [20,20,40,40] on frame 1. Target: accuracy 0.7.
  async function setUp(maxValidations: number) {
    const taskId = await task(4, { segment_size: 2 });
    const { car, person } = await labelsOf(taskId);
    const [a, b] = await annotationJobs(taskId);
    const gt = await groundTruthJob(taskId, [0, 1]);
    await annotate(gt, [box(0, car!, [0, 0, 10, 10]), box(1, car!, [20, 20, 40, 40])]);
    await accept(gt);
    const settings = await settingsOf(`task_id=${taskId}`);
    expect((await s.admin.patch(`/api/quality/settings/${settings.id}`, { max_validations_per_job: maxValidations })).status).toBe(200);
    return { taskId, car: car!, person: person!, a: a.id as number, b: b.id as number };
  }

  async function assign(jobId: number, name: string): Promise<ApiClient> {
    const annotator = await s.user(name);
    expect((await s.admin.patch(`/api/jobs/${jobId}`, { assignee: annotator.id })).status).toBe(200);
    return annotator;
  }

  it('sends a job below the target back with its failing frames, and accepts it once fixed', async () => {
    const t = await setUp(3);
    const annotator = await assign(t.a, 'fb-annotator');
    // Attempt 1: frame 0 right, frame 1 empty: valid 1 of 2, accuracy 0.5; frame 1 scores 0.
    await annotate(t.a, [box(0, t.car, [0, 0, 10, 10])], [], annotator);
    const first = await annotator.patch(`/api/jobs/${t.a}`, { state: 'completed' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ state: 'rejected', stage: 'annotation' });
    const feedback = (await annotator.get(`/api/jobs/${t.a}/validation_feedback`)).body;
    expect(feedback).toEqual({
      job_id: t.a, enabled: true, status: 'rejected', attempts: 1, max_attempts: 3, remaining_attempts: 2,
      target_metric: 'accuracy', target_metric_threshold: 0.7, score: 0.5, failing_frames: [1], rq_id: null, checked_date: expect.any(String),
    });
    // No report is made for a job sent back.
    expect((await s.admin.get(`/api/requests?task_id=${t.taskId}&action=calculate:quality`)).body.count).toBe(0);

    // Attempt 2: frame 1 fixed: 2 of 2.
    await annotate(t.a, [box(0, t.car, [0, 0, 10, 10]), box(1, t.car, [20, 20, 40, 40])], [], annotator);
    const second = await annotator.patch(`/api/jobs/${t.a}`, { state: 'completed' });
    expect(second.body).toMatchObject({ state: 'completed', stage: 'annotation' });
    expect((await annotator.get(`/api/jobs/${t.a}/validation_feedback`)).body).toMatchObject({ status: 'accepted', attempts: 2, remaining_attempts: 1, score: 1, failing_frames: [] });

    // A job without validation frames is completed as asked; so is one completed by the task's manager.
    const other = await assign(t.b, 'fb-other');
    expect((await other.patch(`/api/jobs/${t.b}`, { state: 'completed' })).body.state).toBe('completed');
    expect((await other.get(`/api/jobs/${t.b}/validation_feedback`)).body).toMatchObject({ status: null, attempts: 0 });
  });

  it('sends the job to review after the last attempt; a new assignee starts afresh', async () => {
    const t = await setUp(2);
    const first = await assign(t.a, 'fb-first');
    // Frame 1 labelled person: valid 1 of 2 (a mismatching label), twice.
    await annotate(t.a, [box(0, t.car, [0, 0, 10, 10]), box(1, t.person, [20, 20, 40, 40])], [], first);
    expect((await first.patch(`/api/jobs/${t.a}`, { state: 'completed' })).body).toMatchObject({ state: 'rejected', stage: 'annotation' });
    const last = await first.patch(`/api/jobs/${t.a}`, { state: 'completed' });
    expect(last.body).toMatchObject({ state: 'new', stage: 'validation' });
    expect((await first.get(`/api/jobs/${t.a}/validation_feedback`)).body).toMatchObject({ status: 'sent_to_review', attempts: 2, remaining_attempts: 0, failing_frames: [1] });

    // The manager hands it to someone else, back in annotation: their attempts start at 0.
    const second = await assign(t.a, 'fb-second');
    expect((await s.admin.patch(`/api/jobs/${t.a}`, { stage: 'annotation', state: 'in progress' })).status).toBe(200);
    expect((await second.get(`/api/jobs/${t.a}/validation_feedback`)).body).toMatchObject({ status: null, attempts: 0, remaining_attempts: 2 });
    // Nothing drawn: 0 of 2, both frames fail.
    await annotate(t.a, [], [], second);
    expect((await second.patch(`/api/jobs/${t.a}`, { state: 'completed' })).body.state).toBe('rejected');
    expect((await second.get(`/api/jobs/${t.a}/validation_feedback`)).body).toMatchObject({ status: 'rejected', score: 0, failing_frames: [0, 1] });
  });

  it('checks a large job in the background and holds its state meanwhile', async () => {
    const t = await setUp(1);
    const annotator = await assign(t.a, 'fb-large');
    // The exact box and 2000 one-pixel extras (below it, apart) on frame 0: 2001 + 2 objects, over the 2000 checked
    // within the request. Valid 1 of 2002 (2000 extras, frame 1 missed): rejected on the only attempt.
    const extras = Array.from({ length: 2000 }, (_, i) => {
      const x = 2 * (i % 50), y = 15 + 2 * Math.floor(i / 50);
      return box(0, t.car, [x, y, x + 1, y + 1]);
    });
    await annotate(t.a, [box(0, t.car, [0, 0, 10, 10]), ...extras], [], annotator);
    const res = await annotator.patch(`/api/jobs/${t.a}`, { state: 'completed' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'new', stage: 'annotation' });
    // The check is the annotator's request (while it runs, validation_feedback says "validating" and gives its rq_id).
    const checks = (await annotator.get(`/api/requests?job_id=${t.a}&action=check:quality`)).body.results;
    expect(checks).toHaveLength(1);
    const request = await waitForRequest(annotator, checks[0].id);
    expect(request.status, request.message).toBe('finished');
    expect((await annotator.get(`/api/jobs/${t.a}/validation_feedback`)).body).toMatchObject({ status: 'sent_to_review', attempts: 1, failing_frames: [0, 1], score: 1 / 2002 });
    expect((await s.admin.get(`/api/jobs/${t.a}`)).body).toMatchObject({ stage: 'validation', state: 'new' });
  });
});
