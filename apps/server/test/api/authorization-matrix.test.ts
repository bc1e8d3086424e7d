/**
 * The authorization matrix: every row of authorization-rules.ts, called by every kind of caller
 * against one organization's project, task and jobs, on a real server and database. A route
 * without a row fails the first test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type ApiResponse, type TestServer } from '../helpers/app.js';
import { testBackend } from '../helpers/database.js';
import { createTaskWithImages, makeImage, waitForRequest } from '../helpers/media.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { RULES, WHO, type Call, type Fixture, type Rule, type Who } from './authorization-rules.js';

const POSTGRES = testBackend() === 'postgres';
const SLUG = 'acme';
const ROLES: Partial<Record<Who, 'owner' | 'maintainer' | 'supervisor' | 'worker'>> = {
  owner: 'owner',
  maintainer: 'maintainer',
  staff: 'supervisor',
  supervisor: 'supervisor',
  assignee: 'worker',
  worker: 'worker',
};

let s: TestServer;
let s3: S3rverHandle;
let fx: Fixture;
const clients = {} as Record<Who, ApiClient>;

async function ok201(res: ApiResponse, what: string): Promise<any> {
  if (res.status < 200 || res.status > 202) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function join(userId: number, role: 'owner' | 'maintainer' | 'supervisor' | 'worker'): Promise<number> {
  const row = await s.ctx.database.db
    .insertInto('memberships')
    .values({ organization_id: fx.org.id, user_id: userId, role, is_active: true, joined_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  s3 = await startS3rver();
  s = await startTestServer({
    env: { FRAMEWISE_REMOTE_ALLOW_PRIVATE: '127.0.0.1', ...(POSTGRES ? { FRAMEWISE_SECRET_KEY: 'test-only-secret-key-0123456789-abcdefghij' } : {}) },
  });
  const ids = {} as Record<Who, number>;
  clients.admin = s.admin;
  ids.admin = (await s.admin.get('/api/users/self')).body.id;
  for (const who of WHO) {
    if (who === 'admin') continue;
    const c = await s.user(who);
    clients[who] = c;
    ids[who] = c.id;
  }
  const db = s.ctx.database.db;
  const org = await db.insertInto('organizations').values({ slug: SLUG, name: 'Acme', owner_id: ids.owner }).returning('id').executeTakeFirstOrThrow();
  fx = { org: { id: org.id, slug: SLUG }, ids } as Fixture;
  const memberships = {} as Record<Who, number>;
  for (const [who, role] of Object.entries(ROLES) as Array<[Who, NonNullable<(typeof ROLES)[Who]>]>) memberships[who] = await join(ids[who], role);

  const staff = clients.staff;
  const inOrg = staff.inOrg(SLUG);
  const storageBody = {
    provider_type: 'AWS_S3_BUCKET',
    resource: s3.bucket,
    display_name: 'Bucket',
    credentials_type: 'KEY_SECRET_KEY_PAIR',
    key: s3.credentials.accessKeyId,
    secret_key: s3.credentials.secretAccessKey,
    specific_attributes: `endpoint_url=${encodeURIComponent(s3.endpoint)}`,
  };
  const newProject = async () => (await ok201(await inOrg.post('/api/projects', { name: 'P', labels: [{ name: 'car' }] }), 'project')).id as number;
  const labelOf = async (projectId: number) => (await staff.get(`/api/labels?project_id=${projectId}`)).body.results[0].id as number;
  const newStorage = async () => (await ok201(await clients.maintainer.inOrg(SLUG).post('/api/cloudstorages', storageBody), 'cloud storage')).id as number;
  let made = 0;

  fx.project = await newProject();
  fx.label = await labelOf(fx.project);
  const images = [await makeImage(40, 30, 'png', 1), await makeImage(40, 30, 'png', 2)];
  const { taskId } = await createTaskWithImages(staff, images.map((data, i) => ({ name: `img_${i}.png`, data })), { project_id: fx.project, labels: [], segment_size: 1 });
  fx.task = taskId;
  const jobs = (await staff.get(`/api/jobs?task_id=${taskId}&sort=id`)).body.results;
  [fx.job, fx.otherJob] = [jobs[0].id, jobs[1].id];
  await ok201(await staff.patch(`/api/jobs/${fx.job}`, { assignee: ids.assignee }), 'assign');
  const groundTruth = async (task: number) =>
    (await ok201(await staff.post('/api/jobs', { task_id: task, type: 'ground_truth', frame_selection_method: 'manual', frames: [0] }), 'ground-truth job')).id as number;
  fx.gtJob = await groundTruth(taskId);
  // Quality: one ground-truth box on frame 0, accepted; job 1 (frame 0) has nothing, so it misses it.
  const gtBox = { type: 'rectangle', frame: 0, label_id: fx.label, points: [1, 1, 9, 9], group: 0, source: 'manual', attributes: [], occluded: false, outside: false, z_order: 0, rotation: 0 };
  await ok201(await staff.put(`/api/jobs/${fx.gtJob}/annotations`, { version: 0, tags: [], shapes: [gtBox], tracks: [] }), 'ground truth');
  await ok201(await staff.patch(`/api/jobs/${fx.gtJob}`, { stage: 'acceptance', state: 'completed' }), 'ground truth accepted');
  const computed = await waitForRequest(staff, (await ok201(await staff.post('/api/quality/reports', { task_id: taskId }), 'quality report')).rq_id);
  const children = (await staff.get(`/api/quality/reports?parent_id=${computed.result_id}`)).body.results;
  fx.quality = {
    settings: (await staff.get(`/api/quality/settings?task_id=${taskId}`)).body.results[0].id,
    report: computed.result_id,
    jobReport: children.find((r: any) => r.job_id === fx.job).id,
  };
  const taskWithData = async () =>
    (await createTaskWithImages(staff, images.map((data, i) => ({ name: `img_${i}.png`, data })), { project_id: fx.project, labels: [], segment_size: 1 })).taskId;
  fx.storageBody = storageBody;
  fx.storage = await newStorage();
  const exported = await ok201(await staff.post(`/api/tasks/${taskId}/dataset/export?format=${encodeURIComponent('CVAT for images 1.1')}&save_images=false`), 'export');
  await waitForRequest(staff, exported.rq_id);
  fx.request = exported.rq_id;
  fx.token = (await ok201(await staff.post('/api/auth/access_tokens', { name: 'matrix' }), 'token')).id;
  fx.membership = memberships.worker;
  fx.memberships = memberships;
  const invite = async (email: string) =>
    (await ok201(await clients.owner.inOrg(SLUG).post('/api/invitations', { role: 'worker', email }), 'invitation')).key as string;
  await s.ctx.services.users.create({ username: 'invitee', password: 'long-password-1', email: 'invitee@example.com' });
  fx.invitation = await invite('invitee@example.com');
  fx.current = {
    job: async () => (await s.admin.get(`/api/jobs/${fx.job}`)).body,
    otherJob: async () => (await s.admin.get(`/api/jobs/${fx.otherJob}`)).body,
  };
  fx.fresh = {
    project: newProject,
    task: async () => (await ok201(await staff.post('/api/tasks', { name: 'fresh', project_id: fx.project }), 'task')).id,
    taskWithData,
    gtJob: async () => groundTruth(await taskWithData()),
    label: async () => labelOf(await newProject()),
    storage: newStorage,
    org: async () => {
      const row = await db.insertInto('organizations').values({ slug: `fresh${++made}`, owner_id: ids.owner }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('memberships').values({ organization_id: row.id, user_id: ids.owner, role: 'owner', is_active: true, joined_at: new Date() }).execute();
      return row.id;
    },
    membership: async () => {
      const user = await s.ctx.services.users.create({ username: `member${++made}`, password: 'long-password-1' });
      return join(user.id, 'worker');
    },
    invitation: async () => ({ key: await invite(`fresh${++made}@example.com`) }),
    user: async () => {
      const user = await s.ctx.services.users.create({ username: `doomed${++made}`, password: 'long-password-1' });
      await join(user.id, 'worker');
      return user.id;
    },
    token: async () => (await ok201(await staff.post('/api/auth/access_tokens', { name: `t${++made}` }), 'token')).id,
  };
}, 120_000);

afterAll(async () => {
  await s?.close();
  await s3?.stop();
});

function expectation(rule: Rule, who: Who): 'ok' | number {
  if (rule.allow === 'everyone' || rule.allow === 'public' || rule.allow.includes(who)) return 'ok';
  if (rule.codes?.[who] !== undefined) return rule.codes[who]!;
  if (rule.forbid?.includes(who)) return 403;
  return 404;
}

async function send(call: Call, who: Who | null): Promise<ApiResponse> {
  let client = call.anonymous || who === null ? new ApiClient(s.url) : call.token ? new ApiClient(s.url, call.token) : clients[who];
  if (call.org !== undefined) client = client.inOrg(call.org);
  return client.request(call.method, call.path, {
    ...(call.json !== undefined ? { json: call.json } : {}),
    ...(call.form ? { body: call.form } : {}),
    ...(call.headers ? { headers: call.headers } : {}),
  });
}

const succeeded = (res: ApiResponse) => res.status >= 200 && res.status < 400;

describe('every route', () => {
  it('has a rule, every rule names a route, and exactly the public routes are public', () => {
    const routes = s.app.routeList.filter((r) => !(r.method === 'HEAD' && s.app.routeList.some((g) => g.method === 'GET' && g.url === r.url)));
    const keys = routes.map((r) => `${r.method} ${r.url}`);
    const named = new Set(RULES.map((r) => r.route));
    expect(keys.filter((k) => !named.has(k)), 'routes without a rule in authorization-rules.ts').toEqual([]);
    expect([...named].filter((k) => !keys.includes(k)), 'rules naming no route').toEqual([]);
    const publicRoutes = routes.filter((r) => r.public).map((r) => `${r.method} ${r.url}`).sort();
    const publicRules = [...new Set(RULES.filter((r) => r.allow === 'public').map((r) => r.route))].sort();
    expect(publicRoutes).toEqual(publicRules);
  });
});

for (const rule of RULES) {
  describe(`${rule.route}: ${rule.does}`, () => {
    if (rule.allow === 'public') {
      it('answers anyone, signed in or not', async () => {
        const res = await send(await rule.call(fx, 'outsider', true), null);
        expect((rule.ok ?? succeeded)(res), `${res.status} ${JSON.stringify(res.body)}`).toBe(true);
      });
      return;
    }
    for (const who of WHO) {
      const expected = expectation(rule, who);
      it(`${who}: ${expected === 'ok' ? 'allowed' : expected}`, async () => {
        const mine = expected === 'ok';
        const res = await send(await rule.call(fx, who, mine), who);
        const detail = `${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
        if (mine) {
          expect((rule.ok ?? succeeded)(res), detail).toBe(true);
          if (rule.sees) expect(rule.sees.has(res.body, fx), `finds the object: ${detail}`).toBe(rule.sees.who.includes(who));
        } else {
          expect(res.status, detail).toBe(expected);
          // A denial must not be the allowed outcome under the same status (e.g. TUS's unknown upload).
          if (rule.ok && rule.route.split(' ')[0] !== 'HEAD') expect(rule.ok(res), detail).toBe(false);
        }
      });
    }
  });
}

describe("an organization's worker settings", () => {
  const setting = (values: Record<string, boolean>) => s.ctx.database.db.updateTable('organizations').set(values).where('id', '=', fx.org.id).execute();
  afterAll(() => setting({ workers_can_export: false, workers_see_task: true, workers_change_completed_jobs: true }));

  it('workers_can_export lets the assignee export their job, not the task they may only view', async () => {
    const exportJob = () => clients.assignee.post(`/api/jobs/${fx.job}/dataset/export?format=${encodeURIComponent('CVAT for images 1.1')}&save_images=false`);
    expect((await exportJob()).status).toBe(403);
    await setting({ workers_can_export: true });
    expect((await exportJob()).status).toBe(202);
    expect((await clients.worker.post(`/api/jobs/${fx.job}/dataset/export?format=${encodeURIComponent('CVAT for images 1.1')}`)).status).toBe(404);
  });

  it('workers_see_task off hides the task and project of the assignee\'s job, never the job', async () => {
    await setting({ workers_see_task: false });
    expect((await clients.assignee.get(`/api/tasks/${fx.task}`)).status).toBe(404);
    expect((await clients.assignee.get(`/api/projects/${fx.project}`)).status).toBe(404);
    expect((await clients.assignee.get('/api/tasks')).body.results).toEqual([]);
    expect((await clients.assignee.get(`/api/jobs/${fx.job}`)).status).toBe(200);
    expect((await clients.assignee.get(`/api/jobs/${fx.job}/data?type=frame&number=0`)).status).toBe(200);
    await setting({ workers_see_task: true });
    expect((await clients.assignee.get(`/api/tasks/${fx.task}`)).status).toBe(200);
  });

  it('workers_change_completed_jobs off freezes a completed job for its assignee, not for its manager', async () => {
    await setting({ workers_change_completed_jobs: false });
    const body = { version: 0, tags: [{ frame: 0, label_id: fx.label, attributes: [] }], shapes: [], tracks: [] };
    expect((await clients.assignee.patch(`/api/jobs/${fx.job}/annotations?action=create`, body)).status).toBe(200);
    expect((await clients.assignee.patch(`/api/jobs/${fx.job}`, { state: 'completed' })).status).toBe(200);
    expect((await clients.assignee.patch(`/api/jobs/${fx.job}/annotations?action=create`, body)).status).toBe(403);
    expect((await clients.assignee.patch(`/api/jobs/${fx.job}`, { state: 'in progress' })).status).toBe(403);
    expect((await clients.staff.patch(`/api/jobs/${fx.job}`, { state: 'in progress' })).status).toBe(200);
    expect((await clients.assignee.patch(`/api/jobs/${fx.job}/annotations?action=create`, body)).status).toBe(200);
  });

  it('a member removed from the organization loses what they owned in it', async () => {
    const ghost = await s.user('ghost');
    const membership = await join(ghost.id, 'supervisor');
    const project = (await ok201(await ghost.inOrg(SLUG).post('/api/projects', { name: 'mine', labels: [] }), 'project')).id;
    expect((await ghost.get(`/api/projects/${project}`)).status).toBe(200);
    await s.ctx.database.db.deleteFrom('memberships').where('id', '=', membership).execute();
    expect((await ghost.get(`/api/projects/${project}`)).status).toBe(404);
    expect((await ghost.get('/api/projects')).body.results).toEqual([]);
    // It stays the organization's: its maintainers still have it.
    expect((await clients.maintainer.get(`/api/projects/${project}`)).status).toBe(200);
  });

  it('scopes lists to the organization the request names, or to the personal workspace', async () => {
    const mine = (await ok201(await clients.staff.post('/api/projects', { name: 'personal', labels: [] }), 'project')).id;
    const ids = async (client: ApiClient) => (await client.get('/api/projects?page_size=100')).body.results.map((p: any) => p.id);
    expect(await ids(clients.staff)).toEqual(expect.arrayContaining([mine, fx.project]));
    expect(await ids(clients.staff.inOrg(SLUG))).not.toContain(mine);
    expect(await ids(clients.staff.inOrg(SLUG))).toContain(fx.project);
    expect(await ids(clients.staff.inOrg(''))).toEqual([mine]);
    expect((await clients.staff.get(`/api/projects?org_id=${fx.org.id}&page_size=100`)).body.results.map((p: any) => p.id)).not.toContain(mine);
    expect((await clients.outsider.inOrg(SLUG).get('/api/projects')).status).toBe(404);
  });

  it('lets the assignee move their job\'s state but never hand it on or promote it', async () => {
    const res = await clients.assignee.patch(`/api/jobs/${fx.job}`, { assignee: fx.ids.worker });
    expect(res.status).toBe(403);
    expect((await clients.assignee.patch(`/api/jobs/${fx.job}`, { stage: 'acceptance' })).status).toBe(403);
    expect((await s.admin.get(`/api/jobs/${fx.job}`)).body.assignee.id).toBe(fx.ids.assignee);
  });

  it('refuses to assign work to someone outside the organization', async () => {
    const res = await clients.staff.patch(`/api/jobs/${fx.otherJob}`, { assignee: fx.ids.outsider });
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('assignee');
  });
});
