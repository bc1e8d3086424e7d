import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type ApiClient, type TestServer } from '../helpers/app.js';
import { createTaskWithImages, makeImage } from '../helpers/media.js';

let s: TestServer;
let jobId: number;
let otherJobId: number;
let labels: Record<string, any>;

beforeAll(async () => {
  s = await startTestServer();
  const files = await Promise.all(Array.from({ length: 10 }, async (_, i) => ({ name: `f${i}.png`, data: await makeImage(100, 80, 'png', i) })));
  const { taskId } = await createTaskWithImages(
    s.admin,
    files,
    {
      segment_size: 5,
      labels: [
        { name: 'car', type: 'any', attributes: [
          { name: 'color', input_type: 'select', mutable: false, values: ['red', 'blue'], default_value: 'red' },
          { name: 'parked', input_type: 'checkbox', mutable: true, values: ['false'], default_value: 'false' },
          { name: 'speed', input_type: 'number', mutable: true, values: ['0', '100', '5'], default_value: '0' },
          { name: 'note', input_type: 'text', mutable: false, values: [], default_value: '' },
        ] },
        { name: 'road', type: 'polygon' },
        { name: 'weather', type: 'tag', attributes: [{ name: 'kind', input_type: 'radio', mutable: false, values: ['sun', 'rain'] }] },
        {
          name: 'person',
          type: 'skeleton',
          sublabels: [{ name: 'head', type: 'points' }, { name: 'foot', type: 'points' }],
          svg: '<circle r="1" cx="10" cy="10" data-label-name="head"></circle><circle r="1" cx="10" cy="50" data-label-name="foot"></circle>',
        },
      ],
    },
  );
  const jobs = (await s.admin.get(`/api/jobs?task_id=${taskId}&sort=id`)).body.results;
  jobId = jobs[0].id;
  otherJobId = jobs[1].id;
  const list = (await s.admin.get(`/api/labels?task_id=${taskId}&page_size=100`)).body.results;
  labels = Object.fromEntries(list.map((l: any) => [l.name, l]));
});
afterAll(async () => {
  await s?.close();
});

const attr = (label: any, name: string) => label.attributes.find((a: any) => a.name === name).id;

function shape(type: string, points: number[], extra: Record<string, unknown> = {}) {
  return { type, frame: 0, label_id: labels.car.id, points, group: 0, source: 'manual', occluded: false, outside: false, z_order: 0, rotation: 0, attributes: [], elements: [], ...extra };
}

async function fresh(client: ApiClient = s.admin) {
  await client.delete(`/api/jobs/${jobId}/annotations`);
}

describe('job annotations', () => {
  it('round-trip every shape kind, tags and tracks unchanged', async () => {
    await fresh();
    const data = {
      tags: [{ frame: 1, label_id: labels.weather.id, group: 0, source: 'manual', attributes: [{ spec_id: attr(labels.weather, 'kind'), value: 'rain' }] }],
      shapes: [
        shape('rectangle', [10.5, 20.25, 50.125, 60.0625], {
          rotation: 30,
          attributes: [
            { spec_id: attr(labels.car, 'color'), value: 'blue' },
            // Quotes, braces, commas, backslashes and newlines survive the array-literal path of bulk inserts.
            { spec_id: attr(labels.car, 'note'), value: 'he said "hi", {ok} \\ NULL\nünï' },
          ],
        }),
        shape('rectangle', [0.1, 0.2, 1e-7, 123456789.123456], { frame: 4 }),
        shape('polygon', [1, 1, 20, 1, 20, 20, 1, 20], { label_id: labels.road.id, frame: 2, z_order: 3 }),
        shape('polyline', [0, 0, 10, 10, 20, 0]),
        shape('points', [5, 5, 6, 6, 7.000001, 7]),
        shape('ellipse', [50, 50, 70, 40], { rotation: 45 }),
        shape('cuboid', [10, 10, 10, 30, 30, 10, 30, 30, 35, 8, 35, 28, 15, 8, 15, 28]),
        shape('mask', [0, 4, 2, 10, 12, 12, 13], { occluded: true }),
        {
          ...shape('skeleton', [], { label_id: labels.person.id }),
          elements: labels.person.sublabels.map((sl: any, i: number) => ({
            type: 'points', frame: 0, label_id: sl.id, points: [10 + i, 20 + i], group: 0, source: 'manual', occluded: false, outside: i === 1, z_order: 0, rotation: 0, attributes: [],
          })),
        },
      ],
      tracks: [
        {
          frame: 0,
          label_id: labels.car.id,
          group: 1,
          source: 'manual',
          attributes: [{ spec_id: attr(labels.car, 'color'), value: 'red' }],
          shapes: [
            { type: 'rectangle', frame: 0, points: [0, 0, 10, 10], rotation: 0, occluded: false, outside: false, z_order: 0, attributes: [{ spec_id: attr(labels.car, 'speed'), value: '10' }] },
            { type: 'rectangle', frame: 3, points: [30, 0, 40, 10], rotation: 0, occluded: true, outside: false, z_order: 0, attributes: [{ spec_id: attr(labels.car, 'speed'), value: '20' }] },
            { type: 'rectangle', frame: 4, points: [30, 0, 40, 10], rotation: 0, occluded: false, outside: true, z_order: 0, attributes: [] },
          ],
          elements: [],
        },
      ],
    };
    const put = await s.admin.put(`/api/jobs/${jobId}/annotations`, data);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.version).toBeGreaterThan(0);
    expect(put.headers.get('etag')).toBe(`"${put.body.version}"`);
    expect(put.body.shapes.every((x: any) => Number.isInteger(x.id))).toBe(true);

    const got = await s.admin.get(`/api/jobs/${jobId}/annotations`);
    expect(got.status).toBe(200);
    expect(got.body.version).toBe(put.body.version);
    const strip = (o: any): any => {
      if (Array.isArray(o)) return o.map(strip);
      if (o && typeof o === 'object') {
        const { id: _id, ...rest } = o;
        return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, strip(v)]));
      }
      return o;
    };
    const norm = (d: any) => ({
      tags: strip(d.tags),
      shapes: strip(d.shapes).map((x: any) => ({ score: 1, ...x })),
      tracks: strip(d.tracks),
    });
    const expected = norm(data);
    expected.shapes.forEach((x: any) => x.elements.forEach((e: any) => (e.score = 1)));
    expect(norm(got.body).tags).toEqual(expected.tags);
    expect(norm(got.body).shapes).toEqual(expected.shapes);
    expect(norm(got.body).tracks).toEqual(expected.tracks);

    // Saving again replaces everything, children too: no skeleton points, keyframes or sub-tracks
    // of the first save are left behind (deletes cascade even where inserts skip per-row checks).
    const count = async () => {
      const db = s.ctx.database.db;
      const shapes = await db.selectFrom('labeled_shapes').select((e) => e.fn.countAll<number>().as('n')).where('job_id', '=', jobId).executeTakeFirstOrThrow();
      const keyframes = await db.selectFrom('tracked_shapes').innerJoin('labeled_tracks', 'labeled_tracks.id', 'tracked_shapes.track_id').select((e) => e.fn.countAll<number>().as('n')).where('labeled_tracks.job_id', '=', jobId).executeTakeFirstOrThrow();
      const all = await db.selectFrom('tracked_shapes').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return [Number(shapes.n), Number(keyframes.n), Number(all.n)];
    };
    const once = await count();
    expect((await s.admin.put(`/api/jobs/${jobId}/annotations`, data)).status).toBe(200);
    expect(await count()).toEqual(once);
  });

  it('refuses invalid objects with 400 naming the object and field, storing nothing', async () => {
    await fresh();
    const before = (await s.admin.get(`/api/jobs/${jobId}/annotations`)).body;
    const cases: Array<[unknown, string]> = [
      [{ shapes: [shape('rectangle', [0, 0, 1])] }, 'shapes[0].points'],
      [{ shapes: [shape('rectangle', [0, 0, 1, 1]), shape('polygon', [0, 0, 1, Number.NaN, 2, 2] as number[])] }, 'shapes[1].points'],
      [{ shapes: [shape('rectangle', [0, 0, 1, 1], { label_id: 999999 })] }, 'shapes[0].label_id'],
      [{ shapes: [shape('rectangle', [0, 0, 1, 1], { frame: 7 })] }, 'shapes[0].frame'],
      [{ shapes: [shape('rectangle', [0, 0, 1, 1], { attributes: [{ spec_id: 123456, value: 'x' }] })] }, 'shapes[0].attributes[0]'],
      [{ shapes: [shape('rectangle', [0, 0, 1, 1], { attributes: [{ spec_id: 0, value: 'x' }].map(() => ({ spec_id: attr(labels.car, 'color'), value: 'green' })) })] }, 'shapes[0].attributes[0]'],
      [{ tracks: [{ frame: 0, label_id: labels.car.id, group: 0, source: 'manual', attributes: [], shapes: [], elements: [] }] }, 'tracks[0].shapes'],
    ];
    for (const [body, path] of cases) {
      const res = await s.admin.put(`/api/jobs/${jobId}/annotations`, body);
      expect(res.status, path).toBe(400);
      expect(res.body.code).toBe('VALIDATION');
      expect(JSON.stringify(res.body.details) + res.body.message).toContain(path);
    }
    const after = (await s.admin.get(`/api/jobs/${jobId}/annotations`)).body;
    expect(after).toEqual(before);
  });

  it('patches: create, update, delete, each raising the version by one', async () => {
    await fresh();
    const v0 = (await s.admin.get(`/api/jobs/${jobId}/annotations`)).body.version;
    const created = await s.admin.request('PATCH', `/api/jobs/${jobId}/annotations?action=create`, {
      json: { shapes: [shape('rectangle', [0, 0, 5, 5]), shape('rectangle', [1, 1, 6, 6])] },
    });
    expect(created.status).toBe(200);
    expect(created.body.version).toBe(v0 + 1);
    const [a, b] = created.body.shapes;
    const updated = await s.admin.request('PATCH', `/api/jobs/${jobId}/annotations?action=update`, { json: { shapes: [{ ...a, points: [2, 2, 8, 8] }] } });
    expect(updated.body.version).toBe(v0 + 2);
    const deleted = await s.admin.request('PATCH', `/api/jobs/${jobId}/annotations?action=delete`, { json: { shapes: [{ id: b.id }] } });
    expect(deleted.body.version).toBe(v0 + 3);
    const got = (await s.admin.get(`/api/jobs/${jobId}/annotations`)).body;
    expect(got.shapes.map((x: any) => [x.id, x.points])).toEqual([[a.id, [2, 2, 8, 8]]]);

    const missing = await s.admin.request('PATCH', `/api/jobs/${jobId}/annotations?action=update`, { json: { shapes: [{ ...a, id: 987654321 }] } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('shapes[0].id');
    // An object of another job cannot be reached through this one.
    const other = await s.admin.request('PATCH', `/api/jobs/${otherJobId}/annotations?action=update`, { json: { shapes: [{ ...a, frame: 5 }] } });
    expect(other.status).toBe(400);
  });

  it('answers 409 with what changed when a client saves on top of a version someone else moved past', async () => {
    await fresh();
    const created = await s.admin.request('PATCH', `/api/jobs/${jobId}/annotations?action=create`, {
      json: { shapes: [shape('rectangle', [0, 0, 5, 5]), shape('rectangle', [1, 1, 6, 6])] },
    });
    const base = created.body.version;
    const [a, b] = created.body.shapes;
    // Alice moves box a.
    const alice = await s.admin.request('PATCH', `/api/jobs/${jobId}/annotations?action=update`, {
      json: { version: base, shapes: [{ ...a, points: [3, 3, 9, 9] }] },
    });
    expect(alice.status).toBe(200);
    // Bob, still on `base`, edits box b: no conflict, different object.
    const bob = await s.admin.request('PATCH', `/api/jobs/${jobId}/annotations?action=update`, {
      json: { shapes: [{ ...b, points: [4, 4, 7, 7] }] },
      headers: { 'if-match': `"${base}"` },
    });
    expect(bob.status).toBe(200);
    // Bob then edits box a from his stale copy: conflict, naming box a; nothing stored.
    const stale = await s.admin.request('PATCH', `/api/jobs/${jobId}/annotations?action=update`, {
      json: { version: base, shapes: [{ ...a, points: [0, 0, 1, 1] }] },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('CONFLICT');
    expect(stale.body.changed.shapes).toEqual([a.id]);
    expect(stale.body.version).toBe(bob.body.version);
    const got = (await s.admin.get(`/api/jobs/${jobId}/annotations`)).body;
    expect(got.shapes.find((x: any) => x.id === a.id).points).toEqual([3, 3, 9, 9]);
    // PUT from a stale version conflicts; without a version it replaces, as in CVAT.
    expect((await s.admin.put(`/api/jobs/${jobId}/annotations`, { version: base, shapes: [] })).status).toBe(409);
    expect((await s.admin.put(`/api/jobs/${jobId}/annotations`, { shapes: [] })).status).toBe(200);
  });

  it('records who created and changed each object, and keeps a history of changes', async () => {
    await fresh();
    const workerName = `annotator${Date.now() % 100000}`;
    const worker = await s.user(workerName);
    await s.admin.patch(`/api/jobs/${jobId}`, { assignee: worker.id });
    const created = await s.admin.request('PATCH', `/api/jobs/${jobId}/annotations?action=create`, { json: { shapes: [shape('rectangle', [0, 0, 5, 5])] } });
    const a = created.body.shapes[0];
    const edit = await worker.request('PATCH', `/api/jobs/${jobId}/annotations?action=update`, { json: { shapes: [{ ...a, points: [1, 1, 5, 5] }] } });
    expect(edit.status).toBe(200);
    const got = (await s.admin.get(`/api/jobs/${jobId}/annotations?provenance=true`)).body;
    const self = (await s.admin.get('/api/users/self')).body;
    expect(got.shapes[0]).toMatchObject({ id: a.id, created_by: self.id, updated_by: worker.id, object_version: edit.body.version });
    const history = (await s.admin.get(`/api/jobs/${jobId}/annotations/history`)).body.results;
    expect(history.slice(0, 3).map((h: any) => [h.action, h.user?.username])).toEqual([
      ['update', workerName],
      ['create', 'admin'],
      ['clear', 'admin'],
    ]);
    const stranger = await s.user(`stranger${Date.now() % 100000}`);
    expect((await stranger.get(`/api/jobs/${jobId}/annotations`)).status).toBe(404);
    await s.admin.patch(`/api/jobs/${jobId}`, { assignee: null });
  });
});
