import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { createTaskWithImages, makeImage } from '../helpers/media.js';

let s: TestServer;
let taskId: number;
let jobs: Array<{ id: number; start_frame: number; stop_frame: number }>;
let car: number;

beforeAll(async () => {
  s = await startTestServer();
  const files = await Promise.all(Array.from({ length: 10 }, async (_, i) => ({ name: `f${i}.png`, data: await makeImage(100, 100, 'png', i) })));
  // Frames 0-5 and 4-9: frames 4 and 5 are in both jobs.
  ({ taskId } = await createTaskWithImages(s.admin, files, { segment_size: 6, overlap: 2, labels: [{ name: 'car' }] }));
  jobs = (await s.admin.get(`/api/jobs?task_id=${taskId}&sort=id`)).body.results;
  car = (await s.admin.get(`/api/labels?task_id=${taskId}`)).body.results[0].id;
});
afterAll(async () => {
  await s?.close();
});

const box = (frame: number, points: number[]) => ({ type: 'rectangle', frame, label_id: car, points });

describe('task annotations', () => {
  it('has overlapping jobs', () => {
    expect(jobs.map((j) => [j.start_frame, j.stop_frame])).toEqual([
      [0, 5],
      [4, 9],
    ]);
  });

  it('split a PUT among the jobs by frame, shared frames to both, and merge them back on GET', async () => {
    const put = await s.admin.put(`/api/tasks/${taskId}/annotations`, {
      shapes: [box(1, [0, 0, 10, 10]), box(4, [20, 20, 40, 40]), box(8, [50, 50, 60, 60])],
      tracks: [
        {
          frame: 2,
          label_id: car,
          shapes: [
            { type: 'rectangle', frame: 2, points: [0, 0, 10, 10] },
            { type: 'rectangle', frame: 8, points: [60, 0, 70, 10] },
          ],
        },
      ],
    });
    expect(put.status).toBe(200);
    const first = (await s.admin.get(`/api/jobs/${jobs[0]!.id}/annotations`)).body;
    const second = (await s.admin.get(`/api/jobs/${jobs[1]!.id}/annotations`)).body;
    expect(first.shapes.map((x: any) => x.frame)).toEqual([1, 4]);
    expect(second.shapes.map((x: any) => x.frame)).toEqual([4, 8]);
    // The track is clipped to each job: the second job's copy starts with the interpolated box at frame 4.
    expect(second.tracks[0].shapes[0]).toMatchObject({ frame: 4, points: [20, 0, 30, 10] });

    const task = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body;
    expect(task.shapes.map((x: any) => [x.frame, x.points])).toEqual([
      [1, [0, 0, 10, 10]],
      [4, [20, 20, 40, 40]],
      [8, [50, 50, 60, 60]],
    ]);
    expect(task.tracks).toHaveLength(1);
    const keyframes = task.tracks[0].shapes.filter((k: any) => !k.outside).map((k: any) => k.frame);
    expect(keyframes[0]).toBe(2);
    expect(keyframes.at(-1)).toBe(8);
    expect(task.version).toBe(first.version + second.version);
    expect(task.intervals).toEqual([]);
  });

  it('route PATCH updates and deletes to the job holding each object', async () => {
    const second = (await s.admin.get(`/api/jobs/${jobs[1]!.id}/annotations`)).body;
    const at8 = second.shapes.find((x: any) => x.frame === 8);
    const upd = await s.admin.request('PATCH', `/api/tasks/${taskId}/annotations?action=update`, { json: { shapes: [{ ...at8, points: [51, 51, 61, 61] }] } });
    expect(upd.status).toBe(200);
    expect((await s.admin.get(`/api/jobs/${jobs[1]!.id}/annotations`)).body.shapes.find((x: any) => x.id === at8.id).points).toEqual([51, 51, 61, 61]);
    const del = await s.admin.request('PATCH', `/api/tasks/${taskId}/annotations?action=delete`, { json: { shapes: [{ id: at8.id }] } });
    expect(del.status).toBe(200);
    const task = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body;
    expect(task.shapes.map((x: any) => x.frame)).toEqual([1, 4]);
    const unknown = await s.admin.request('PATCH', `/api/tasks/${taskId}/annotations?action=update`, { json: { shapes: [{ ...at8, id: 99999999 }] } });
    expect(unknown.status).toBe(400);
  });

  it('create objects through the task, refuse frames outside it, and clear every job', async () => {
    const created = await s.admin.request('PATCH', `/api/tasks/${taskId}/annotations?action=create`, { json: { tags: [{ frame: 9, label_id: car }] } });
    expect(created.status).toBe(200);
    expect((await s.admin.get(`/api/jobs/${jobs[1]!.id}/annotations`)).body.tags.map((t: any) => t.frame)).toEqual([9]);
    const outside = await s.admin.request('PATCH', `/api/tasks/${taskId}/annotations?action=create`, { json: { shapes: [box(10, [0, 0, 1, 1])] } });
    expect(outside.status).toBe(400);
    expect(outside.body.message).toContain('shapes[0].frame');
    expect((await s.admin.delete(`/api/tasks/${taskId}/annotations`)).status).toBe(204);
    for (const j of jobs) {
      const got = (await s.admin.get(`/api/jobs/${j.id}/annotations`)).body;
      expect(got.shapes.length + got.tags.length + got.tracks.length).toBe(0);
    }
  });

  it('refuses a task PUT based on a stale task version', async () => {
    const v = (await s.admin.get(`/api/tasks/${taskId}/annotations`)).body.version;
    await s.admin.request('PATCH', `/api/jobs/${jobs[0]!.id}/annotations?action=create`, { json: { shapes: [box(0, [1, 1, 2, 2])] } });
    const stale = await s.admin.request('PUT', `/api/tasks/${taskId}/annotations`, { json: { shapes: [] }, headers: { 'if-match': String(v) } });
    expect(stale.status).toBe(409);
    expect((await s.admin.get(`/api/jobs/${jobs[0]!.id}/annotations`)).body.shapes).toHaveLength(1);
  });
});
