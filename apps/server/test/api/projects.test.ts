import { Assignable } from '../../src/services/assignable.js';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Auth } from '../../src/services/auth/auth.js';
import { ProjectService } from '../../src/services/project.service.js';
import { startTestServer, type ApiClient, type TestServer } from '../helpers/app.js';

// ../shared beside the repository root, as CI and developers have it; a user's clone may not.
const CVAT_ASSETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/cvat-api/assets');

/** Keys of CVAT's real responses, when the reference assets are around (they are in this workspace). */
function cvatKeys(file: string, pick: (results: any[]) => any): string[] | null {
  const p = path.join(CVAT_ASSETS, file);
  if (!fs.existsSync(p)) return null;
  return Object.keys(pick(JSON.parse(fs.readFileSync(p, 'utf8')).results)).sort();
}

const PROJECT_KEYS = [
  'assignee', 'assignee_updated_date', 'bug_tracker', 'created_date', 'dimension', 'guide_id', 'id', 'labels', 'name',
  'organization', 'organization_id', 'owner', 'source_storage', 'status', 'target_storage', 'task_subsets', 'tasks',
  'updated_date', 'url',
];

const SKELETON_SVG =
  '<line x1="36.3" y1="50.3" x2="70.1" y2="21.2" stroke="black" data-type="edge" data-node-from="1" stroke-width="0.5" data-node-to="2"></line>' +
  '<circle r="1.5" stroke="black" fill="#b3b3b3" cx="36.3" cy="50.3" stroke-width="0.1" data-type="element node" data-element-id="1" data-node-id="1" data-label-name="head"></circle>' +
  '<circle r="1.5" stroke="black" fill="#b3b3b3" cx="70.1" cy="21.2" stroke-width="0.1" data-type="element node" data-element-id="2" data-node-id="2" data-label-name="hand"></circle>';

/** One label of each attribute input type, a skeleton with two points, and a label with no color. */
const FULL_LABELS = [
  {
    name: 'car',
    color: '#ff0000',
    type: 'rectangle',
    attributes: [
      { name: 'parked', mutable: true, input_type: 'checkbox', values: ['false'] },
      { name: 'body', mutable: false, input_type: 'radio', values: ['sedan', 'suv'], default_value: 'suv' },
      { name: 'speed', mutable: true, input_type: 'number', values: ['0', '200', '5'], default_value: '60' },
      { name: 'plate', mutable: false, input_type: 'text', values: [''] },
      { name: 'paint', mutable: false, input_type: 'select', values: ['red', 'blue'] },
    ],
  },
  {
    name: 'person',
    color: '#00ff00',
    type: 'skeleton',
    attributes: [],
    sublabels: [
      { name: 'head', type: 'points', attributes: [{ name: 'visible', mutable: true, input_type: 'checkbox', values: ['true'], default_value: 'true' }] },
      { name: 'hand', type: 'points' },
    ],
    svg: SKELETON_SVG,
  },
  { name: 'tree', attributes: [] },
];

let s: TestServer;
let bob: ApiClient & { id: number };
let carol: ApiClient & { id: number };

beforeAll(async () => {
  s = await startTestServer({ workers: false });
  bob = await s.user('bob');
  carol = await s.user('carol');
});
afterAll(async () => {
  await s?.close();
});

async function create(client: ApiClient, body: Record<string, unknown>) {
  const res = await client.post('/api/projects', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function labelsOf(client: ApiClient, projectId: number) {
  const res = await client.get(`/api/labels?project_id=${projectId}&page_size=100`);
  expect(res.status).toBe(200);
  return res.body.results as any[];
}

describe('creating and reading a project', () => {
  let project: any;
  beforeAll(async () => {
    project = await create(s.admin, {
      name: 'vehicles',
      labels: FULL_LABELS,
      bug_tracker: 'https://bugs.example/1',
      source_storage: { location: 'local' },
    });
  });

  it('answers 201 with every field CVAT returns for a project', async () => {
    expect(Object.keys(project).sort()).toEqual(PROJECT_KEYS);
    const fromCvat = cvatKeys('projects.json', (r) => r[0]);
    if (fromCvat) expect(Object.keys(project).sort()).toEqual(fromCvat);
    expect(project).toMatchObject({
      name: 'vehicles',
      url: `${s.url}/api/projects/${project.id}`,
      labels: { url: `${s.url}/api/labels?project_id=${project.id}` },
      tasks: { count: 0, url: `${s.url}/api/tasks?project_id=${project.id}` },
      owner: { username: 'admin', url: expect.stringMatching(/\/api\/users\/\d+$/), first_name: '', last_name: '' },
      assignee: null,
      assignee_updated_date: null,
      bug_tracker: 'https://bugs.example/1',
      task_subsets: [],
      status: 'annotation',
      dimension: null,
      organization: null,
      organization_id: null,
      guide_id: null,
      source_storage: { id: expect.any(Number), location: 'local', cloud_storage_id: null },
      target_storage: null,
    });
    expect(Object.keys(project.owner).sort()).toEqual(['first_name', 'id', 'last_name', 'url', 'username']);
    expect(Date.parse(project.created_date)).not.toBeNaN();
    expect(Date.parse(project.updated_date)).toBeGreaterThanOrEqual(Date.parse(project.created_date));
  });

  it('reads back the same project', async () => {
    const res = await s.admin.get(`/api/projects/${project.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(project);
  });

  it('stores the labels in CVAT shape, filling defaults and colors', async () => {
    const labels = await labelsOf(s.admin, project.id);
    expect(labels.map((l) => l.name)).toEqual(['car', 'person', 'tree']);
    const [car, person, tree] = labels;

    const plainKeys = cvatKeys('labels.json', (r) => r.find((l: any) => l.project_id && l.type !== 'skeleton'));
    expect(Object.keys(car).sort()).toEqual(plainKeys ?? ['attributes', 'color', 'has_parent', 'id', 'name', 'parent_id', 'project_id', 'sublabels', 'type']);
    const skeletonKeys = cvatKeys('labels.json', (r) => r.find((l: any) => l.project_id && l.type === 'skeleton'));
    expect(Object.keys(person).sort()).toEqual(skeletonKeys ?? [...Object.keys(car), 'svg'].sort());

    expect(car).toMatchObject({ color: '#ff0000', type: 'rectangle', project_id: project.id, parent_id: null, has_parent: false, sublabels: [] });
    expect(car.attributes.map((a: any) => [a.name, a.input_type, a.default_value, a.values, a.mutable])).toEqual([
      ['parked', 'checkbox', 'false', ['false'], true],
      ['body', 'radio', 'suv', ['sedan', 'suv'], false],
      ['speed', 'number', '60', ['0', '200', '5'], true],
      ['plate', 'text', '', [''], false],
      ['paint', 'select', 'red', ['red', 'blue'], false],
    ]);
    for (const a of car.attributes) expect(Object.keys(a).sort()).toEqual(['default_value', 'id', 'input_type', 'mutable', 'name', 'values']);

    expect(tree.type).toBe('any');
    expect(tree.color).toMatch(/^#[0-9a-f]{6}$/);

    expect(person.type).toBe('skeleton');
    expect(person.sublabels.map((sl: any) => [sl.name, sl.type, sl.has_parent])).toEqual([
      ['head', 'points', true],
      ['hand', 'points', true],
    ]);
    const sublabelKeys = cvatKeys('labels.json', (r) => r.find((l: any) => l.sublabels.length > 0).sublabels[0]);
    expect(Object.keys(person.sublabels[0]).sort()).toEqual(sublabelKeys ?? ['attributes', 'color', 'has_parent', 'id', 'name', 'type']);
    expect(person.sublabels[0].attributes[0]).toMatchObject({ name: 'visible', default_value: 'true' });
    const [head, hand] = person.sublabels;
    expect(person.svg).toContain(`data-node-id="1" data-label-id="${head.id}"`);
    expect(person.svg).toContain(`data-node-id="2" data-label-id="${hand.id}"`);
    expect(person.svg).not.toContain('data-label-name');
    const colors = new Set([car.color, person.color, tree.color, head.color, hand.color]);
    expect(colors.size).toBe(5);
  });
});

describe('listing projects', () => {
  beforeAll(async () => {
    for (const name of ['list-alpha', 'list-beta', 'list-gamma']) await create(s.admin, { name, labels: [] });
    await create(bob, { name: 'list-bob', labels: [] });
  });

  it('pages with absolute next and previous links, newest first', async () => {
    const first = await s.admin.get('/api/projects?search=list-&page_size=2');
    expect(first.status).toBe(200);
    expect(first.body.count).toBe(4);
    expect(first.body.results.map((p: any) => p.name)).toEqual(['list-bob', 'list-gamma']);
    expect(first.body.previous).toBeNull();
    expect(first.body.next).toBe(`${s.url}/api/projects?search=list-&page_size=2&page=2`);
    const second = await s.admin.get(new URL(first.body.next).pathname + new URL(first.body.next).search);
    expect(second.body.results.map((p: any) => p.name)).toEqual(['list-beta', 'list-alpha']);
    expect(second.body.next).toBeNull();
    expect(second.body.previous).toBe(`${s.url}/api/projects?search=list-&page_size=2`);
    for (const p of second.body.results) expect(Object.keys(p).sort()).toEqual(PROJECT_KEYS);
  });

  it('sorts, searches by owner and filters by field', async () => {
    const sorted = await s.admin.get('/api/projects?search=list-&sort=name');
    expect(sorted.body.results.map((p: any) => p.name)).toEqual(['list-alpha', 'list-beta', 'list-bob', 'list-gamma']);
    const byOwner = await s.admin.get('/api/projects?owner=bob');
    expect(byOwner.body.results.map((p: any) => p.name)).toEqual(['list-bob']);
    const searched = await s.admin.get('/api/projects?search=bob');
    expect(searched.body.results.map((p: any) => p.name)).toEqual(['list-bob']);
    const filter = encodeURIComponent(JSON.stringify({ and: [{ '==': [{ var: 'name' }, 'list-beta'] }] }));
    const filtered = await s.admin.get(`/api/projects?filter=${filter}`);
    expect(filtered.body.results.map((p: any) => p.name)).toEqual(['list-beta']);
    const bad = await s.admin.get('/api/projects?sort=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('sort');
  });

  it('shows a user only what they may see', async () => {
    const mine = await bob.get('/api/projects?page_size=100');
    expect(mine.body.results.map((p: any) => p.name)).toEqual(['list-bob']);
  });
});

describe('updating a project', () => {
  let project: any;
  let labels: any[];
  beforeAll(async () => {
    project = await create(s.admin, { name: 'to patch', labels: FULL_LABELS });
    labels = await labelsOf(s.admin, project.id);
  });

  it('renames a label, updates, adds and deletes attributes, adds and deletes labels', async () => {
    const [car, person, tree] = labels;
    const speed = car.attributes.find((a: any) => a.name === 'speed');
    const plate = car.attributes.find((a: any) => a.name === 'plate');
    const before = Date.parse(project.updated_date);
    const res = await s.admin.patch(`/api/projects/${project.id}`, {
      labels: [
        {
          id: car.id,
          name: 'automobile',
          attributes: [
            { id: speed.id, name: 'velocity', mutable: true, input_type: 'number', values: ['0', '300', '10'] },
            { id: plate.id, name: 'plate', mutable: false, input_type: 'text', values: [''], deleted: true },
            { name: 'doors', mutable: false, input_type: 'select', values: ['2', '4'], default_value: '4' },
          ],
        },
        { id: tree.id, deleted: true },
        { name: 'bike', color: '#0000ff', type: 'polygon', attributes: [] },
        { id: person.id, sublabels: [{ id: person.sublabels[1].id, name: 'arm', color: '#123456' }] },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Date.parse(res.body.updated_date)).toBeGreaterThan(before);

    const after = await labelsOf(s.admin, project.id);
    expect(after.map((l) => l.name)).toEqual(['automobile', 'person', 'bike']);
    const automobile = after[0];
    expect(automobile.id).toBe(car.id);
    expect(automobile.color).toBe('#ff0000');
    expect(automobile.attributes.map((a: any) => a.name)).toEqual(['parked', 'body', 'velocity', 'paint', 'doors']);
    const velocity = automobile.attributes.find((a: any) => a.name === 'velocity');
    // The stored default 60 still fits [0, 300, 10], so it is kept.
    expect(velocity).toMatchObject({ id: speed.id, values: ['0', '300', '10'], default_value: '60' });
    expect(automobile.attributes.find((a: any) => a.name === 'doors').default_value).toBe('4');
    expect(after[1].sublabels.map((sl: any) => [sl.name, sl.color])).toEqual([
      ['head', person.sublabels[0].color],
      ['arm', '#123456'],
    ]);
    expect(after[1].svg).toBe(person.svg);
    expect(after[2]).toMatchObject({ name: 'bike', color: '#0000ff', type: 'polygon' });
  });

  it('updates the name, the bug tracker and the assignee', async () => {
    const res = await s.admin.patch(`/api/projects/${project.id}`, { name: 'patched', assignee_id: bob.id, bug_tracker: 'x' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'patched', bug_tracker: 'x', assignee: { id: bob.id, username: 'bob' } });
    expect(Date.parse(res.body.assignee_updated_date)).not.toBeNaN();
    const cleared = await s.admin.patch(`/api/projects/${project.id}`, { assignee_id: null });
    expect(cleared.body.assignee).toBeNull();
  });

  it('lets only one of two concurrent requests add the same label name', async () => {
    const add = () => s.admin.patch(`/api/projects/${project.id}`, { labels: [{ name: 'racer', attributes: [] }] });
    const statuses = (await Promise.all([add(), add(), add()])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400, 400]);
    expect((await labelsOf(s.admin, project.id)).filter((l) => l.name === 'racer')).toHaveLength(1);
  });

  it('refuses an assignee or owner who does not exist', async () => {
    const res = await s.admin.patch(`/api/projects/${project.id}`, { assignee_id: 999_999 });
    expect(res.status).toBe(400);
    expect(res.body.details[0]).toEqual({ field: 'assignee_id', message: 'user 999999 does not exist' });
  });

  it('refuses cloud storages, which do not exist yet', async () => {
    const res = await s.admin.patch(`/api/projects/${project.id}`, { target_storage: { location: 'cloud_storage', cloud_storage_id: 3 } });
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('target_storage.cloud_storage_id');
  });
});

describe('label rules', () => {
  const bad = (over: Record<string, unknown>) => ({ name: 'l', attributes: [], ...over });
  const cases: Array<[string, unknown[], string, string]> = [
    ['duplicate label names', [bad({ name: 'a' }), bad({ name: 'a' })], 'labels[1].name', 'duplicate label name "a"'],
    ['a bad color', [bad({ color: 'red' })], 'labels[0].color', 'is not a #rrggbb color'],
    ['a select with no values', [bad({ attributes: [{ name: 'x', mutable: false, input_type: 'select', values: [] }] })], 'labels[0].attributes[0].values', 'select needs at least one value'],
    ['a number with min > max', [bad({ attributes: [{ name: 'x', mutable: false, input_type: 'number', values: ['9', '1', '1'] }] })], 'labels[0].attributes[0].values', 'min must not exceed max'],
    [
      'a default not among the values',
      [bad({ attributes: [{ name: 'x', mutable: false, input_type: 'radio', values: ['a'], default_value: 'b' }] })],
      'labels[0].attributes[0].default_value',
      '"b" is not one of the values',
    ],
    ['an unknown type', [bad({ type: 'blob' })], 'labels[0].type', 'unknown label type "blob"'],
    ['sublabels on a non-skeleton', [bad({ type: 'rectangle', sublabels: [{ name: 'p' }] })], 'labels[0].sublabels', 'only skeleton labels have sublabels'],
    [
      'duplicate attribute names',
      [bad({ attributes: [{ name: 'x', mutable: false, input_type: 'text', values: [] }, { name: 'x', mutable: false, input_type: 'text', values: [] }] })],
      'labels[0].attributes[1].name',
      'duplicate attribute name "x"',
    ],
    ['an unknown input type', [bad({ attributes: [{ name: 'x', mutable: false, input_type: 'slider', values: [] }] })], 'labels[0].attributes[0].input_type', 'unknown input type'],
    ['duplicate sublabel names', [bad({ type: 'skeleton', sublabels: [{ name: 'p' }, { name: 'p' }], svg: '' })], 'labels[0].sublabels[1].name', 'duplicate sublabel name "p"'],
    ['a label deleted on creation', [bad({ deleted: true })], 'labels[0].deleted', 'only be deleted when updating'],
  ];

  it.each(cases)('refuses a new project with %s and stores nothing', async (_what, labels, field, message) => {
    const before = (await s.admin.get('/api/projects?page_size=1')).body.count;
    const res = await s.admin.post('/api/projects', { name: 'refused', labels });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION');
    expect(res.body.details[0].field).toBe(field);
    expect(res.body.details[0].message).toContain(message);
    expect(res.body.message).toBe(`${field}: ${res.body.details[0].message}`);
    expect((await s.admin.get('/api/projects?page_size=1')).body.count).toBe(before);
  });

  it('reports every problem of a request at once', async () => {
    const res = await s.admin.post('/api/projects', { name: 'refused', labels: [bad({ color: 'x' }), bad({ name: 'b', type: 'nope' })] });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: any) => d.field)).toEqual(['labels[0].color', 'labels[1].type']);
  });

  describe('on PATCH', () => {
    let project: any;
    let labels: any[];
    beforeAll(async () => {
      project = await create(s.admin, { name: 'rules', labels: FULL_LABELS });
      labels = await labelsOf(s.admin, project.id);
    });

    const patchCases: Array<[string, (l: any[]) => unknown[], string, string]> = [
      ['a rename onto another label', (l) => [{ id: l[0].id, name: 'tree' }], 'labels[0].name', 'duplicate label name "tree"'],
      ['a new label with a taken name', (l) => [{ id: l[0].id, color: '#abcdef' }, { name: 'person', attributes: [] }], 'labels[1].name', 'duplicate label name "person"'],
      ['an unknown label id', () => [{ id: 987_654, name: 'x' }], 'labels[0].id', 'no label 987654 here'],
      ['a deletion without id', () => [{ name: 'car', deleted: true }], 'labels[0].id', 'a deleted label needs its id'],
      [
        'an attribute update that breaks its spec',
        (l) => [{ id: l[0].id, attributes: [{ id: l[0].attributes[4].id, name: 'paint', mutable: false, input_type: 'select', values: [] }] }],
        'labels[0].attributes[0].values',
        'select needs at least one value',
      ],
      [
        'an added attribute clashing with a stored one after a rename',
        (l) => [{ id: l[0].id, attributes: [{ id: l[0].attributes[0].id, name: 'body', mutable: true, input_type: 'checkbox', values: ['false'] }] }],
        'labels[0].attributes[0].name',
        'duplicate attribute name "body"',
      ],
      ['a skeleton turned into a rectangle', (l) => [{ id: l[1].id, type: 'rectangle' }], 'labels[0].type', 'skeletons keep their type'],
      ['a point added to a stored skeleton', (l) => [{ id: l[1].id, sublabels: [{ name: 'foot' }] }], 'labels[0].sublabels[0].name', 'points cannot be added'],
      ['a bad color', (l) => [{ id: l[2].id, color: '#12345' }], 'labels[0].color', 'is not a #rrggbb color'],
    ];

    it.each(patchCases)('refuses %s and changes nothing', async (_what, make, field, message) => {
      const res = await s.admin.patch(`/api/projects/${project.id}`, { name: 'renamed?', labels: make(labels) });
      expect(res.status).toBe(400);
      expect(res.body.details[0].field).toBe(field);
      expect(res.body.details[0].message).toContain(message);
      expect(await labelsOf(s.admin, project.id)).toEqual(labels);
      expect((await s.admin.get(`/api/projects/${project.id}`)).body).toEqual(project);
    });
  });
});

describe('access', () => {
  let project: any;
  beforeAll(async () => {
    project = await create(s.admin, { name: 'private', labels: [{ name: 'x', attributes: [] }] });
  });

  it('hides a project from a user who has no part in it, whatever the method', async () => {
    expect((await bob.get(`/api/projects/${project.id}`)).status).toBe(404);
    expect((await bob.patch(`/api/projects/${project.id}`, { name: 'mine' })).status).toBe(404);
    expect((await bob.delete(`/api/projects/${project.id}`)).status).toBe(404);
    expect((await bob.get(`/api/labels?project_id=${project.id}`)).status).toBe(404);
    const missing = await bob.get('/api/projects/999999');
    const hidden = await bob.get(`/api/projects/${project.id}`);
    expect(hidden.body.code).toBe(missing.body.code);
    expect((await s.admin.get(`/api/projects/${project.id}`)).body.name).toBe('private');
  });

  it('lets the assignee see and change it, but not delete it or hand it over', async () => {
    await s.admin.patch(`/api/projects/${project.id}`, { assignee_id: bob.id });
    expect((await bob.get(`/api/projects/${project.id}`)).status).toBe(200);
    expect((await bob.get('/api/projects?page_size=100')).body.results.map((p: any) => p.id)).toContain(project.id);
    const patched = await bob.patch(`/api/projects/${project.id}`, { name: 'renamed by bob', labels: [{ name: 'y', attributes: [] }] });
    expect(patched.status).toBe(200);
    expect(patched.body.name).toBe('renamed by bob');
    expect((await bob.patch(`/api/projects/${project.id}`, { owner_id: bob.id })).status).toBe(403);
    expect((await bob.delete(`/api/projects/${project.id}`)).status).toBe(403);
    expect((await carol.get(`/api/projects/${project.id}`)).status).toBe(404);
  });

  it('shows a project to whoever owns or is assigned a task in it, or a job of one, read-only', async () => {
    const other = await create(s.admin, { name: 'with tasks', labels: [] });
    const db = s.ctx.database.db;
    const task = await db
      .insertInto('tasks')
      .values({ name: 't', project_id: other.id, owner_id: other.owner.id, subset: 'Train' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const segment = await db.insertInto('segments').values({ task_id: task.id, start_frame: 0, stop_frame: 0 }).returning('id').executeTakeFirstOrThrow();
    expect((await carol.get(`/api/projects/${other.id}`)).status).toBe(404);
    await db.insertInto('jobs').values({ task_id: task.id, segment_id: segment.id, assignee_id: carol.id }).execute();
    const seen = await carol.get(`/api/projects/${other.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ tasks: { count: 1 }, task_subsets: ['Train'], dimension: '2d' });
    expect((await carol.patch(`/api/projects/${other.id}`, { name: 'no' })).status).toBe(403);
  });

  it('refuses to let a user create a project for someone else', async () => {
    const res = await bob.post('/api/projects', { name: 'for carol', owner_id: carol.id, labels: [] });
    expect(res.status).toBe(403);
  });
});

describe('deleting a project', () => {
  it('answers 204, then 404, and takes the labels with it', async () => {
    const project = await create(s.admin, { name: 'doomed', labels: FULL_LABELS });
    const labels = await labelsOf(s.admin, project.id);
    const del = await s.admin.delete(`/api/projects/${project.id}`);
    expect(del.status).toBe(204);
    expect(del.raw.length).toBe(0);
    expect((await s.admin.get(`/api/projects/${project.id}`)).status).toBe(404);
    expect((await s.admin.get(`/api/labels/${labels[0].id}`)).status).toBe(404);
    expect((await s.admin.delete(`/api/projects/${project.id}`)).status).toBe(404);
  });

  it('deletes its tasks and reports their ids to the hook', async () => {
    const project = await create(s.admin, { name: 'with a task', labels: [] });
    const db = s.ctx.database.db;
    const task = await db.insertInto('tasks').values({ name: 't', project_id: project.id, owner_id: null }).returning('id').executeTakeFirstOrThrow();
    const removed: number[][] = [];
    const service = new ProjectService(s.ctx.repos.projects, s.ctx.services.labels, s.ctx.services.access, new Assignable(s.ctx.repos.users, s.ctx.repos.organizations), async (ids) => {
      removed.push(ids);
    });
    const admin: Auth = { user: { id: project.owner.id, username: 'admin', isSuperuser: true, isStaff: true }, tokenId: null, via: 'token' };
    await service.remove(admin, project.id);
    expect(removed).toEqual([[task.id]]);
    expect(await db.selectFrom('tasks').select('id').where('id', '=', task.id).executeTakeFirst()).toBeUndefined();
  });
});

describe('OpenAPI', () => {
  it('documents the project and label endpoints', async () => {
    const res = await s.client().get('/api/schema/?format=json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/api/projects']!).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/projects/{id}']!).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(paths['/api/labels']!)).toEqual(['get']);
    expect(Object.keys(paths['/api/labels/{id}']!).sort()).toEqual(['delete', 'get', 'patch']);
  });
});
