import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { startTestServer, type ApiClient, type TestServer } from '../helpers/app.js';

const SKELETON_SVG =
  '<line data-type="edge" data-node-from="1" data-node-to="2"></line>' +
  '<circle cx="36.3" cy="50.3" data-type="element node" data-element-id="1" data-node-id="1" data-label-name="head"></circle>' +
  '<circle cx="70.1" cy="21.2" data-type="element node" data-element-id="2" data-node-id="2" data-label-name="hand"></circle>';

const LABELS = [
  {
    name: 'car',
    color: '#ff0000',
    type: 'rectangle',
    attributes: [{ name: 'paint', mutable: false, input_type: 'select', values: ['red', 'blue'] }],
  },
  { name: 'person', type: 'skeleton', attributes: [], sublabels: [{ name: 'head', type: 'points' }, { name: 'hand' }], svg: SKELETON_SVG },
  { name: 'tree', attributes: [] },
];

let s: TestServer;
let bob: ApiClient & { id: number };
let project: any;
let labels: any[];

beforeAll(async () => {
  s = await startTestServer({ workers: false });
  bob = await s.user('bob');
  const res = await s.admin.post('/api/projects', { name: 'labelled', labels: LABELS });
  expect(res.status).toBe(201);
  project = res.body;
  labels = (await s.admin.get(`/api/labels?project_id=${project.id}`)).body.results;
});
afterAll(async () => {
  await s?.close();
});

/** A task straight in the database: the task endpoints are another module's. */
async function insertTask(projectId: number | null, ownerId: number | null = null) {
  const db = s.ctx.database.db;
  const task = await db.insertInto('tasks').values({ name: 'task', project_id: projectId, owner_id: ownerId }).returning('id').executeTakeFirstOrThrow();
  const segment = await db.insertInto('segments').values({ task_id: task.id, start_frame: 0, stop_frame: 9 }).returning('id').executeTakeFirstOrThrow();
  const job = await db.insertInto('jobs').values({ task_id: task.id, segment_id: segment.id }).returning('id').executeTakeFirstOrThrow();
  return { taskId: task.id, jobId: job.id };
}

const names = (res: { body: any }) => res.body.results.map((l: any) => l.name);

describe('GET /api/labels', () => {
  it("lists a project's top-level labels with their points inside, in creation order", async () => {
    const res = await s.admin.get(`/api/labels?project_id=${project.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 3, next: null, previous: null });
    expect(names(res)).toEqual(['car', 'person', 'tree']);
    expect(res.body.results[1].sublabels).toHaveLength(2);
  });

  it("lists a skeleton's points on their own when asked by parent_id", async () => {
    const person = labels[1];
    const res = await s.admin.get(`/api/labels?project_id=${project.id}&parent_id=${person.id}`);
    expect(names(res)).toEqual(['head', 'hand']);
    expect(res.body.results[0]).toMatchObject({ parent_id: person.id, has_parent: true, project_id: project.id, sublabels: [] });
    expect(res.body.results[0]).not.toHaveProperty('svg');
    expect(names(await s.admin.get(`/api/labels?project_id=${project.id}&parent=person`))).toEqual([]);
  });

  it('filters by type, name and color, searches, sorts and pages', async () => {
    expect(names(await s.admin.get(`/api/labels?project_id=${project.id}&type=skeleton`))).toEqual(['person']);
    expect(names(await s.admin.get(`/api/labels?project_id=${project.id}&name=tree`))).toEqual(['tree']);
    expect(names(await s.admin.get(`/api/labels?project_id=${project.id}&color=%23ff0000`))).toEqual(['car']);
    expect(names(await s.admin.get(`/api/labels?project_id=${project.id}&search=ERS`))).toEqual(['person']);
    expect(names(await s.admin.get(`/api/labels?project_id=${project.id}&sort=-name`))).toEqual(['tree', 'person', 'car']);
    const page = await s.admin.get(`/api/labels?project_id=${project.id}&page_size=2&page=2`);
    expect(names(page)).toEqual(['tree']);
    expect(page.body.previous).toBe(`${s.url}/api/labels?project_id=${project.id}&page_size=2`);
    expect((await s.admin.get(`/api/labels?project_id=${project.id}&type=blob`)).status).toBe(400);
  });

  it('refuses two sources at once and unknown ones', async () => {
    const both = await s.admin.get(`/api/labels?project_id=${project.id}&task_id=1`);
    expect(both.status).toBe(400);
    expect(both.body.message).toContain('cannot be used together');
    expect((await s.admin.get('/api/labels?project_id=999999')).status).toBe(404);
    expect((await s.admin.get('/api/labels?task_id=abc')).status).toBe(400);
  });

  it("gives a task in a project, and its jobs, the project's labels", async () => {
    const { taskId, jobId } = await insertTask(project.id);
    expect(names(await s.admin.get(`/api/labels?task_id=${taskId}`))).toEqual(['car', 'person', 'tree']);
    expect(names(await s.admin.get(`/api/labels?job_id=${jobId}`))).toEqual(['car', 'person', 'tree']);
  });

  it("gives a task outside projects its own labels, with task_id instead of project_id", async () => {
    const { taskId, jobId } = await insertTask(null);
    const db = s.ctx.database.db;
    await db.transaction().execute((trx) => s.ctx.services.labels.createFor(trx, { taskId }, [{ name: 'cat', attributes: [] }]));
    const res = await s.admin.get(`/api/labels?task_id=${taskId}`);
    expect(names(res)).toEqual(['cat']);
    expect(res.body.results[0].task_id).toBe(taskId);
    expect(res.body.results[0]).not.toHaveProperty('project_id');
    expect(names(await s.admin.get(`/api/labels?job_id=${jobId}`))).toEqual(['cat']);
  });

  it('lists only the labels a user may see when no source is given', async () => {
    const all = await s.admin.get('/api/labels?page_size=100');
    expect(all.body.results.length).toBeGreaterThanOrEqual(3);
    expect(all.body.results.every((l: any) => l.parent_id === null)).toBe(true);
    expect((await bob.get('/api/labels')).body).toMatchObject({ count: 0, results: [] });
  });
});

describe('GET /api/labels/{id}', () => {
  it('answers one label, and a point with its parent', async () => {
    const res = await s.admin.get(`/api/labels/${labels[0].id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(labels[0]);
    const head = labels[1].sublabels[0];
    const point = await s.admin.get(`/api/labels/${head.id}`);
    expect(point.body).toMatchObject({ id: head.id, name: 'head', parent_id: labels[1].id, has_parent: true, type: 'points' });
  });

  it('answers 404 to a user who may not see it', async () => {
    expect((await bob.get(`/api/labels/${labels[0].id}`)).status).toBe(404);
    expect((await bob.patch(`/api/labels/${labels[0].id}`, { name: 'x' })).status).toBe(404);
    expect((await bob.delete(`/api/labels/${labels[0].id}`)).status).toBe(404);
  });
});

describe('PATCH /api/labels/{id}', () => {
  it('renames, recolors and adds an attribute, bumping the project', async () => {
    const tree = labels[2];
    const before = (await s.admin.get(`/api/projects/${project.id}`)).body.updated_date;
    const res = await s.admin.patch(`/api/labels/${tree.id}`, {
      name: 'oak',
      color: '#00aa00',
      attributes: [{ name: 'height', mutable: true, input_type: 'number', values: ['0', '50', '1'] }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ id: tree.id, name: 'oak', color: '#00aa00', project_id: project.id });
    expect(res.body.attributes).toEqual([{ id: expect.any(Number), name: 'height', mutable: true, input_type: 'number', default_value: '0', values: ['0', '50', '1'] }]);
    const after = (await s.admin.get(`/api/projects/${project.id}`)).body.updated_date;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
  });

  it('names the field without a prefix when refusing', async () => {
    const taken = await s.admin.patch(`/api/labels/${labels[0].id}`, { name: 'person' });
    expect(taken.status).toBe(400);
    expect(taken.body.details[0]).toMatchObject({ field: 'name', message: expect.stringContaining('duplicate label name "person"') });
    const color = await s.admin.patch(`/api/labels/${labels[0].id}`, { color: 'blue' });
    expect(color.body.details[0].field).toBe('color');
    const attr = await s.admin.patch(`/api/labels/${labels[0].id}`, {
      attributes: [{ name: 'n', mutable: false, input_type: 'number', values: ['1', '2'] }],
    });
    expect(attr.body.details[0].field).toBe('attributes[0].values');
    expect((await s.admin.get(`/api/labels/${labels[0].id}`)).body).toEqual(labels[0]);
  });

  it("renames a skeleton's points through the skeleton, not directly", async () => {
    const person = labels[1];
    const direct = await s.admin.patch(`/api/labels/${person.sublabels[0].id}`, { name: 'skull' });
    expect(direct.status).toBe(400);
    expect(direct.body.message).toContain('Sublabels cannot be modified this way');
    const res = await s.admin.patch(`/api/labels/${person.id}`, { sublabels: [{ id: person.sublabels[0].id, name: 'skull' }] });
    expect(res.status).toBe(200);
    expect(res.body.sublabels.map((p: any) => p.name)).toEqual(['skull', 'hand']);
    expect(res.body.svg).toBe(person.svg);
  });

  it('refuses deleted: true (DELETE does that)', async () => {
    const res = await s.admin.patch(`/api/labels/${labels[0].id}`, { deleted: true });
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('deleted');
  });
});

describe('DELETE /api/labels/{id}', () => {
  it('deletes a label with its points, then answers 404', async () => {
    const created = await s.admin.patch(`/api/projects/${project.id}`, {
      labels: [{ name: 'pose', type: 'skeleton', sublabels: [{ name: 'head' }, { name: 'hand' }], svg: SKELETON_SVG }],
    });
    expect(created.status).toBe(200);
    const pose = (await s.admin.get(`/api/labels?project_id=${project.id}&name=pose`)).body.results[0];
    expect(pose.sublabels.map((p: any) => p.type)).toEqual(['points', 'points']);

    const point = await s.admin.delete(`/api/labels/${pose.sublabels[0].id}`);
    expect(point.status).toBe(400);
    const res = await s.admin.delete(`/api/labels/${pose.id}`);
    expect(res.status).toBe(204);
    expect((await s.admin.get(`/api/labels/${pose.id}`)).status).toBe(404);
    expect((await s.admin.get(`/api/labels/${pose.sublabels[1].id}`)).status).toBe(404);
  });

  it('lets an assignee of the project change labels', async () => {
    const own = await s.admin.post('/api/projects', { name: 'shared', labels: [{ name: 'a', attributes: [] }, { name: 'b', attributes: [] }] });
    await s.admin.patch(`/api/projects/${own.body.id}`, { assignee_id: bob.id });
    const [a, b] = (await bob.get(`/api/labels?project_id=${own.body.id}`)).body.results;
    expect((await bob.patch(`/api/labels/${a.id}`, { name: 'aa' })).status).toBe(200);
    expect((await bob.delete(`/api/labels/${b.id}`)).status).toBe(204);
    expect(names(await bob.get(`/api/labels?project_id=${own.body.id}`))).toEqual(['aa']);
  });
});

describe('skeletons copied from another project', () => {
  it('rewrites data-label-id references to the ids of the copies', async () => {
    const source = labels[1];
    const copy = await s.admin.post('/api/projects', { name: 'copy', labels: [source] });
    expect(copy.status).toBe(201);
    const [person] = (await s.admin.get(`/api/labels?project_id=${copy.body.id}`)).body.results;
    expect(person.id).not.toBe(source.id);
    for (const [i, point] of person.sublabels.entries()) {
      expect(person.svg).toContain(`data-node-id="${i + 1}" data-label-id="${point.id}"`);
      expect(person.svg).not.toContain(`data-label-id="${source.sublabels[i].id}"`);
    }
  });
});

describe('LabelService for the task module', () => {
  it('validate names the field it is given', () => {
    try {
      s.ctx.services.labels.validate([{ name: 'a', attributes: [] }, { name: 'a', attributes: [] }], 'task.labels');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).details[0]!.field).toBe('task.labels[1].name');
    }
  });

  it('validate takes PATCH payloads too, checking what their entries carry', () => {
    const service = s.ctx.services.labels;
    expect(() =>
      service.validate(
        [
          { id: 1, deleted: true, attributes: [] },
          { id: 2, attributes: [{ id: 3, name: 'x', mutable: false, input_type: 'text', values: [], deleted: true }] },
          { id: 4, name: 'renamed', attributes: [] },
          { name: 'new', attributes: [] },
        ],
        'labels',
      ),
    ).not.toThrow();
    const bad = [
      { id: 2, color: 'pink', attributes: [] },
      { id: 3, attributes: [{ name: 'n', mutable: false, input_type: 'number', values: ['3', '1', '1'] }] },
      { id: 4, type: 'tag', sublabels: [{ name: 'p', attributes: [] }], attributes: [] },
      { name: 'renamed', attributes: [] },
      { name: 'ghost', deleted: true, attributes: [] },
    ];
    try {
      service.validate([{ id: 4, name: 'renamed', attributes: [] }, ...bad], 'labels');
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).details.map((d) => d.field)).toEqual([
        'labels[1].color',
        'labels[2].attributes[0].values',
        'labels[3].sublabels',
        'labels[5].id',
        'labels[4].name',
      ]);
    }
  });

  it('createFor and patchFor work on a task, and the repository lists and counts', async () => {
    const { taskId } = await insertTask(null);
    const db = s.ctx.database.db;
    const service = s.ctx.services.labels;
    await db.transaction().execute((trx) =>
      service.createFor(trx, { taskId }, [
        { name: 'dog', attributes: [{ name: 'breed', mutable: false, input_type: 'text', values: [] }] },
        { name: 'kp', type: 'skeleton', attributes: [], sublabels: [{ name: 'p', attributes: [] }], svg: '<circle data-label-name="p"></circle>' },
      ]),
    );
    const repo = s.ctx.repos.labels;
    expect(await repo.countByOwner({ taskId })).toBe(2);
    const stored = await repo.listForOwner({ taskId });
    expect(stored.map((l) => [l.name, l.task_id, l.sublabels.length])).toEqual([
      ['dog', taskId, 0],
      ['kp', taskId, 1],
    ]);
    expect(stored[1]!.svg).toBe(`<circle data-label-id="${stored[1]!.sublabels[0]!.id}"></circle>`);

    await db.transaction().execute((trx) => service.patchFor(trx, { taskId }, [{ id: stored[0]!.id, deleted: true, attributes: [] }]));
    expect(await repo.countByOwner({ taskId })).toBe(1);

    await expect(
      db.transaction().execute((trx) => service.patchFor(trx, { taskId }, [{ name: 'kp', attributes: [] }])),
    ).rejects.toMatchObject({ code: 'VALIDATION', details: [{ field: 'labels[0].name' }] });
    expect(await repo.countByOwner({ taskId })).toBe(1);
  });

  it('listForTask resolves a task in a project to the project labels', async () => {
    const { taskId, jobId } = await insertTask(project.id);
    const viaTask = await s.ctx.repos.labels.listForTask(taskId);
    const viaProject = await s.ctx.repos.labels.listForOwner({ projectId: project.id });
    expect(viaTask).toEqual(viaProject);
    expect(await s.ctx.repos.labels.listForJob(jobId)).toEqual(viaProject);
  });
});
