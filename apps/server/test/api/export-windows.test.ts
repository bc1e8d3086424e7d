import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFrameObjectWindows } from '../../src/services/datasets/annotation-windows.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { createTaskWithImages, makeImage, waitForRequest } from '../helpers/media.js';

// Exports read a task's shapes and tags a window of frames at a time, merging overlapping jobs
// per window: what they see must be exactly the merged task that GET /annotations gives.

let s: TestServer;
let taskId: number;
let jobs: Array<{ id: number; start_frame: number; stop_frame: number }>;
let car: number;

const box = (frame: number, points: number[]) => ({ type: 'rectangle', frame, label_id: car, points });

beforeAll(async () => {
  s = await startTestServer();
  const files = await Promise.all(Array.from({ length: 10 }, async (_, i) => ({ name: `f${i}.png`, data: await makeImage(100, 100, 'png', i) })));
  // Jobs 0-3, 3-6, 6-9: frames 3 and 6 are each in two jobs.
  ({ taskId } = await createTaskWithImages(s.admin, files, { segment_size: 4, overlap: 1, labels: [{ name: 'car' }] }));
  jobs = (await s.admin.get(`/api/jobs?task_id=${taskId}&sort=id`)).body.results;
  car = (await s.admin.get(`/api/labels?task_id=${taskId}`)).body.results[0].id;
  const shapes = Array.from({ length: 10 }, (_, f) => [box(f, [f, f, f + 10, f + 10]), box(f, [50, 50, 60 + f, 60])]).flat();
  const put = await s.admin.put(`/api/tasks/${taskId}/annotations`, {
    shapes,
    tags: [{ frame: 3, label_id: car }, { frame: 8, label_id: car }],
    tracks: [{ frame: 1, label_id: car, shapes: [{ type: 'rectangle', frame: 1, points: [0, 0, 10, 10] }, { type: 'rectangle', frame: 8, points: [70, 0, 80, 10] }] }],
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
});
afterAll(async () => {
  await s?.close();
});

const key = (o: { frame: number; points?: number[] }) => `${o.frame}:${o.points?.join(',') ?? ''}`;

describe('windowed annotation reads for exports', () => {
  it('has overlapping jobs, each holding its own copy of the shared frames', async () => {
    expect(jobs.map((j) => [j.start_frame, j.stop_frame])).toEqual([[0, 3], [3, 6], [6, 9]]);
    const second = (await s.admin.get(`/api/jobs/${jobs[1]!.id}/annotations`)).body;
    expect(second.shapes.filter((x: any) => x.frame === 3)).toHaveLength(2);
  });

  it('gives, window after window, exactly the shapes and tags of the merged task', async () => {
    const merged = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body;
    expect(merged.shapes).toHaveLength(20);
    const scope = { start: 0, stop: 9, jobs: jobs.map((j) => ({ jobId: j.id, start: j.start_frame, stop: j.stop_frame })), skeletons: false };
    const windows = [];
    // Two objects to a window: one frame at a time, so every seam between jobs is a window edge.
    for await (const w of readFrameObjectWindows(s.ctx.database.db, scope, 2)) windows.push(w);
    expect(windows.map((w) => [w.from, w.to])).toEqual(Array.from({ length: 10 }, (_, f) => [f, f]));
    const shapes = windows.flatMap((w) => w.shapes);
    expect(shapes.map(key).sort()).toEqual(merged.shapes.map(key).sort());
    expect(windows.flatMap((w) => w.tags).map(key).sort()).toEqual(merged.tags.map(key).sort());
    // A window that spans a seam merges too.
    const wide = [];
    for await (const w of readFrameObjectWindows(s.ctx.database.db, scope, 9)) wide.push(w);
    expect(wide.length).toBeGreaterThan(1);
    expect(wide.flatMap((w) => w.shapes).map(key).sort()).toEqual(merged.shapes.map(key).sort());
  });

  it('exports each object of the overlap frames once, and the track on every frame it shows', async () => {
    const res = await s.admin.post(`/api/tasks/${taskId}/dataset/export?format=${encodeURIComponent('Datumaro 1.0')}`);
    expect(res.status).toBe(202);
    const request = await waitForRequest(s.admin, res.body.rq_id);
    expect(request.status, request.message).toBe('finished');
    const files = unzipSync(new Uint8Array((await s.admin.get(new URL(request.result_url).pathname)).raw));
    const doc = JSON.parse(new TextDecoder().decode(files['annotations/default.json']!));
    const perFrame = doc.items.map((item: any) => ({
      frame: item.attr.frame,
      boxes: item.annotations.filter((a: any) => a.type === 'bbox' && a.attributes.track_id === undefined).length,
      tracked: item.annotations.filter((a: any) => a.attributes.track_id !== undefined).length,
      labels: item.annotations.filter((a: any) => a.type === 'label').length,
    }));
    expect(perFrame.map((f: any) => f.boxes)).toEqual(Array(10).fill(2));
    expect(perFrame.map((f: any) => f.tracked)).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(perFrame.filter((f: any) => f.labels === 1).map((f: any) => f.frame)).toEqual([3, 8]);
  });
});

describe('windowed exports of skeletons', () => {
  it('reads each skeleton with its points and writes them as COCO keypoints', async () => {
    const svg = '<circle r="1" cx="10" cy="10" data-type="element node" data-element-id="1" data-node-id="1" data-label-name="head"></circle>' +
      '<circle r="1" cx="20" cy="20" data-type="element node" data-element-id="2" data-node-id="2" data-label-name="foot"></circle>';
    const files = await Promise.all([0, 1].map(async (i) => ({ name: `k${i}.png`, data: await makeImage(60, 40, 'png', i) })));
    const { taskId: task } = await createTaskWithImages(s.admin, files, {
      labels: [{ name: 'person', type: 'skeleton', sublabels: [{ name: 'head', type: 'points' }, { name: 'foot', type: 'points' }], svg }],
    });
    const [person] = (await s.admin.get(`/api/labels?task_id=${task}`)).body.results.filter((l: any) => l.name === 'person');
    const put = await s.admin.put(`/api/tasks/${task}/annotations`, {
      shapes: [0, 1].map((frame) => ({
        type: 'skeleton', frame, label_id: person.id, points: [],
        elements: person.sublabels.map((p: any, i: number) => ({ type: 'points', frame, label_id: p.id, points: [5 + i * 10 + frame, 6 + i * 10], outside: frame === 1 && i === 1 })),
      })),
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const res = await s.admin.post(`/api/tasks/${task}/dataset/export?format=${encodeURIComponent('COCO Keypoints 1.0')}`);
    const request = await waitForRequest(s.admin, res.body.rq_id);
    expect(request.status, request.message).toBe('finished');
    const zip = unzipSync(new Uint8Array((await s.admin.get(new URL(request.result_url).pathname)).raw));
    const doc = JSON.parse(new TextDecoder().decode(zip['annotations/person_keypoints_default.json']!));
    expect(doc.annotations.map((a: any) => [a.image_id, a.keypoints, a.num_keypoints])).toEqual([
      [1, [5, 6, 2, 15, 16, 2], 2],
      // An outside point keeps its coordinates, with visibility 0.
      [2, [6, 6, 2, 16, 16, 0], 1],
    ]);
  });
});
