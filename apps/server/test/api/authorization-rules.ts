/**
 * The authorization rules of every endpoint, as one table: who may call it on the fixture of
 * authorization-matrix.test.ts, and what everyone else gets. The matrix test turns each row into
 * one test per caller, and fails when the server has a route this table does not name, so a new
 * endpoint cannot ship without its rule.
 *
 * Callers (`Who`), all but `admin` and `outsider` active members of the organization "acme":
 *   admin       the global administrator (not a member)
 *   owner       the organization's owner            maintainer  a maintainer
 *   staff       a supervisor who owns the project and task (and so manages them)
 *   supervisor  another supervisor                  assignee    a worker assigned job 1
 *   worker      a worker with nothing assigned      outsider    a user in no organization
 *
 * A row's `allow` get a success (or what `ok` says), its `forbid` get 403 (they can see the
 * object but may not do this), `codes` names other exact answers, and everyone else gets 404:
 * where an object's existence would leak, "not allowed" and "missing" answer alike.
 */
import type { ApiResponse } from '../helpers/app.js';

export const WHO = ['admin', 'owner', 'maintainer', 'staff', 'supervisor', 'assignee', 'worker', 'outsider'] as const;
export type Who = (typeof WHO)[number];

export interface Fixture {
  org: { id: number; slug: string };
  ids: Record<Who, number>;
  project: number;
  task: number;
  /** Job 1 of the task, assigned to `assignee`; job 2 is nobody's. */
  job: number;
  otherJob: number;
  /** The task's ground-truth job (validation mode "gt"), nobody's. */
  gtJob: number;
  label: number;
  /**
   * Quality: the ground-truth job holds one box on frame 0 and is accepted and completed; a task
   * report was computed (job 1, empty, misses the box: its job report has a conflict).
   */
  quality: { settings: number; report: number; jobReport: number };
  storage: number;
  /** A valid body for POST /api/cloudstorages. */
  storageBody: Record<string, unknown>;
  /** An export request made by `staff`. */
  request: string;
  /** An access token of `staff`. */
  token: number;
  /** `worker`'s membership, and everyone's. */
  membership: number;
  memberships: Partial<Record<Who, number>>;
  /** A pending invitation, made by `owner`, of a user who is none of the callers. */
  invitation: string;
  /** Job 1 as it is now: a change must change something, or no rule is checked. */
  current: { job(): Promise<any>; otherJob(): Promise<any> };
  fresh: {
    project(): Promise<number>;
    task(): Promise<number>;
    /** A task of the project with its images attached, and one with a ground-truth job too. */
    taskWithData(): Promise<number>;
    gtJob(): Promise<number>;
    label(): Promise<number>;
    storage(): Promise<number>;
    org(): Promise<number>;
    membership(): Promise<number>;
    invitation(): Promise<{ key: string }>;
    user(): Promise<number>;
    token(): Promise<number>;
  };
}

export interface Call {
  method: string;
  path: string;
  json?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
  /** The organization the call names (X-Organization); none by default. */
  org?: string;
  /** Call as this token instead of the caller's (invitation acceptance by a fresh invitee). */
  token?: string;
  anonymous?: boolean;
}

export interface Rule {
  /** `METHOD /path` exactly as the route is registered. */
  route: string;
  does: string;
  allow: readonly Who[] | 'everyone' | 'public';
  forbid?: readonly Who[];
  codes?: Partial<Record<Who, number>>;
  /** What success looks like for `allow` (default: 2xx or 3xx). Denied callers must not get it. */
  ok?: (res: ApiResponse) => boolean;
  /** For lists: who finds the fixture object in the answer (everyone else must not). */
  sees?: { who: readonly Who[]; has: (body: any, fx: Fixture) => boolean };
  /** `mine` is whether the caller is allowed: allowed callers of destructive rows get a fresh object. */
  call(fx: Fixture, who: Who, mine: boolean): Call | Promise<Call>;
}

const SUPERVISORS = ['owner', 'maintainer', 'staff', 'supervisor'] as const;
const MEMBERS = [...SUPERVISORS, 'assignee', 'worker'] as const;
/** Who sees the project, its task and job 1 (workers_see_task is on by default). */
const VIEW = ['admin', ...SUPERVISORS, 'assignee'] as const;
/** Who manages the project and task: maintainers up, and their owner. */
const MANAGE = ['admin', 'owner', 'maintainer', 'staff'] as const;
/** Who exports: viewers but the worker (workers_can_export is off by default). */
const EXPORT = ['admin', ...SUPERVISORS] as const;
/** Who annotates job 1: its managers and its assignee. */
const ANNOTATE = [...MANAGE, 'assignee'] as const;
/** Who creates projects and tasks in the organization. */
const CREATE = ['admin', ...SUPERVISORS] as const;
const ORG_MANAGERS = ['admin', 'owner', 'maintainer'] as const;
/** Who sees the task's quality data: those who manage it and the organization's supervisors, not the annotator. */
const QUALITY = ['admin', ...SUPERVISORS] as const;

const FORMAT = encodeURIComponent('CVAT for images 1.1');
const IMPORT_FORMAT = encodeURIComponent('CVAT 1.1');
const has = (id: (fx: Fixture) => number | string) => (body: any, fx: Fixture) => body.results.some((r: any) => (r.id ?? r.key) === id(fx));
/** The import endpoints check access first; the missing file is then what they refuse. */
const reachedFile = (res: ApiResponse) => res.status === 400;
/** TUS chunk routes check the target first; an unknown upload is then what they refuse. */
const reachedUpload = (res: ApiResponse) => res.status === 404 && /upload/.test(String(res.body?.message));
/** HEAD has no body to tell the unknown upload by: its status is all there is. */
const reachedUploadHead = (res: ApiResponse) => res.status === 404;
const anyStatus = (res: ApiResponse) => res.status !== 401 && res.status !== 403 && res.status !== 404;

function tusRoutes(
  base: string, route: string, allow: readonly Who[], target: (fx: Fixture) => string, forbid: readonly Who[] = [], org?: string,
  ok?: (res: ApiResponse) => boolean,
): Rule[] {
  const unknown = 'a'.repeat(32);
  return (['PATCH', 'DELETE', 'HEAD'] as const).map((method) => ({
    route: `${method} ${route}/:file_id`,
    does: `${method} a TUS chunk of ${base}`,
    allow,
    forbid,
    ok: ok ?? (method === 'HEAD' ? reachedUploadHead : reachedUpload),
    call: (fx) => ({
      method,
      path: `${target(fx)}/${unknown}`,
      headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      ...(org ? { org } : {}),
    }),
  }));
}

function tusOptions(route: string, path: (fx: Fixture) => string): Rule[] {
  return [
    { route: `OPTIONS ${route}`, does: 'answers TUS discovery to anyone', allow: 'public', call: (fx) => ({ method: 'OPTIONS', path: path(fx), anonymous: true }) },
    { route: `OPTIONS ${route}/:file_id`, does: 'answers TUS discovery to anyone', allow: 'public', call: (fx) => ({ method: 'OPTIONS', path: `${path(fx)}/x`, anonymous: true }) },
  ];
}

export const RULES: Rule[] = [
  // ---- accounts and server
  { route: 'POST /api/auth/login', does: 'logs in', allow: 'public', ok: (r) => r.status === 400 || r.status === 401, call: () => ({ method: 'POST', path: '/api/auth/login', json: { username: 'nobody', password: 'wrong-password' }, anonymous: true }) },
  { route: 'POST /api/auth/logout', does: 'logs out', allow: 'public', call: () => ({ method: 'POST', path: '/api/auth/logout', anonymous: true }) },
  { route: 'POST /api/auth/register', does: 'registers (closed by default)', allow: 'public', ok: (r) => r.status === 403 && r.body.code === 'REGISTRATION_CLOSED', call: () => ({ method: 'POST', path: '/api/auth/register', json: { username: 'newbie', email: 'n@example.com', password1: 'long-password-1', password2: 'long-password-1' }, anonymous: true }) },
  { route: 'POST /api/auth/password/change', does: 'changes one\'s own password', allow: 'everyone', ok: (r) => r.status === 400, call: () => ({ method: 'POST', path: '/api/auth/password/change', json: { old_password: 'not-it-at-all', new_password1: 'another-long-pw-1', new_password2: 'another-long-pw-1' } }) },
  { route: 'POST /api/auth/password/reset', does: 'mails a password reset link (no mail server here: 503)', allow: 'public', ok: (r) => r.status === 503 && r.body.code === 'UNAVAILABLE', call: () => ({ method: 'POST', path: '/api/auth/password/reset', json: { email: 'nobody@example.com' }, anonymous: true }) },
  { route: 'POST /api/auth/password/reset/confirm', does: 'sets a password with a mailed token (a forged one here)', allow: 'public', ok: (r) => r.status === 400 && r.body.details?.[0]?.field === 'token', call: () => ({ method: 'POST', path: '/api/auth/password/reset/confirm', json: { uid: 'MQ', token: 'tow1so-forged', new_password1: 'another-long-pw-1', new_password2: 'another-long-pw-1' }, anonymous: true }) },
  { route: 'GET /api/auth/whoami', does: 'says who is calling', allow: 'everyone', call: () => ({ method: 'GET', path: '/api/auth/whoami' }) },
  { route: 'GET /api/auth/methods', does: 'lists login methods', allow: 'public', call: () => ({ method: 'GET', path: '/api/auth/methods', anonymous: true }) },
  { route: 'GET /api/auth/oidc/login', does: 'starts single sign-on (off here)', allow: 'public', ok: (r) => r.status === 404 || r.status === 400, call: () => ({ method: 'GET', path: '/api/auth/oidc/login', anonymous: true }) },
  { route: 'GET /api/auth/oidc/callback', does: 'ends single sign-on (off here)', allow: 'public', ok: (r) => r.status === 404 || r.status === 400, call: () => ({ method: 'GET', path: '/api/auth/oidc/callback', anonymous: true }) },
  { route: 'GET /api/auth/access_tokens', does: 'lists one\'s own tokens', allow: 'everyone', sees: { who: ['staff'], has: has((fx) => fx.token) }, call: () => ({ method: 'GET', path: '/api/auth/access_tokens' }) },
  { route: 'POST /api/auth/access_tokens', does: 'creates a token', allow: 'everyone', call: () => ({ method: 'POST', path: '/api/auth/access_tokens', json: { name: 'matrix' } }) },
  { route: 'GET /api/auth/access_tokens/self', does: 'describes the token in use (none: a login token)', allow: 'everyone', ok: (r) => r.status === 400 || r.status === 404, call: () => ({ method: 'GET', path: '/api/auth/access_tokens/self' }) },
  { route: 'GET /api/auth/access_tokens/:id', does: 'reads a token, its owner\'s only', allow: ['staff'], call: (fx) => ({ method: 'GET', path: `/api/auth/access_tokens/${fx.token}` }) },
  { route: 'PATCH /api/auth/access_tokens/:id', does: 'renames a token, its owner\'s only', allow: ['staff'], call: (fx) => ({ method: 'PATCH', path: `/api/auth/access_tokens/${fx.token}`, json: { name: 'renamed' } }) },
  { route: 'DELETE /api/auth/access_tokens/:id', does: 'revokes a token, its owner\'s only', allow: ['staff'], call: async (fx, _w, mine) => ({ method: 'DELETE', path: `/api/auth/access_tokens/${mine ? await fx.fresh.token() : fx.token}` }) },
  { route: 'GET /api/audit-events', does: 'reads the audit log', allow: ['admin'], forbid: [...MEMBERS, 'outsider'], call: () => ({ method: 'GET', path: '/api/audit-events' }) },
  { route: 'GET /api/users/self', does: 'reads oneself', allow: 'everyone', call: () => ({ method: 'GET', path: '/api/users/self' }) },
  { route: 'GET /api/users', does: 'lists people to assign work to', allow: 'everyone', sees: { who: ['admin', ...MEMBERS], has: has((fx) => fx.ids.staff) }, call: () => ({ method: 'GET', path: '/api/users?page_size=100' }) },
  { route: 'GET /api/users/:id', does: 'reads a fellow member', allow: ['admin', ...MEMBERS], call: (fx) => ({ method: 'GET', path: `/api/users/${fx.ids.staff}` }) },
  { route: 'POST /api/users', does: 'creates a user', allow: ['admin'], forbid: [...MEMBERS, 'outsider'], call: (_fx, who) => ({ method: 'POST', path: '/api/users', json: { username: `made-by-${who}`, password: 'long-password-1' } }) },
  { route: 'PATCH /api/users/:id', does: 'changes a user: themself or an admin', allow: ['admin', 'staff'], forbid: ['owner', 'maintainer', 'supervisor', 'assignee', 'worker'], call: (fx) => ({ method: 'PATCH', path: `/api/users/${fx.ids.staff}`, json: { first_name: 'Stef' } }) },
  { route: 'DELETE /api/users/:id', does: 'deletes a user', allow: ['admin'], forbid: [...MEMBERS, 'outsider'], call: async (fx, _w, mine) => ({ method: 'DELETE', path: `/api/users/${mine ? await fx.fresh.user() : fx.ids.worker}` }) },
  { route: 'GET /api/server/about', does: 'describes the server', allow: 'public', call: () => ({ method: 'GET', path: '/api/server/about', anonymous: true }) },
  { route: 'GET /api/server/health', does: 'reports health', allow: 'public', call: () => ({ method: 'GET', path: '/api/server/health', anonymous: true }) },
  { route: 'GET /api/server/share', does: 'lists the share', allow: 'everyone', call: () => ({ method: 'GET', path: '/api/server/share' }) },
  { route: 'GET /api/server/annotation/formats', does: 'lists formats', allow: 'everyone', call: () => ({ method: 'GET', path: '/api/server/annotation/formats' }) },
  { route: 'GET /assets/*', does: 'serves the web app\'s assets', allow: 'public', ok: (r) => r.status === 404, call: () => ({ method: 'GET', path: '/assets/none.js', anonymous: true }) },
  { route: 'GET /*', does: 'serves the web app\'s page for any other path', allow: 'public', ok: (r) => r.status === 200 || r.status === 503, call: () => ({ method: 'GET', path: '/tasks/1/jobs/1', anonymous: true }) },
  { route: 'GET /api/schema', does: 'serves the OpenAPI schema', allow: 'public', call: () => ({ method: 'GET', path: '/api/schema?format=json', anonymous: true }) },

  // ---- projects
  { route: 'GET /api/projects', does: 'lists projects', allow: 'everyone', sees: { who: VIEW, has: has((fx) => fx.project) }, call: () => ({ method: 'GET', path: '/api/projects?page_size=100' }) },
  { route: 'POST /api/projects', does: 'creates a project in the organization', allow: CREATE, forbid: ['assignee', 'worker'], call: (fx, who) => ({ method: 'POST', path: '/api/projects', org: fx.org.slug, json: { name: `by ${who}`, labels: [{ name: 'x' }] } }) },
  { route: 'GET /api/projects/:id', does: 'reads the project', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/projects/${fx.project}` }) },
  { route: 'PATCH /api/projects/:id', does: 'renames the project', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'PATCH', path: `/api/projects/${fx.project}`, json: { name: 'renamed' } }) },
  { route: 'DELETE /api/projects/:id', does: 'deletes the project', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: async (fx, _w, mine) => ({ method: 'DELETE', path: `/api/projects/${mine ? await fx.fresh.project() : fx.project}` }) },
  { route: 'GET /api/projects/:id/preview', does: 'previews the project', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/projects/${fx.project}/preview` }) },
  { route: 'POST /api/projects/:id/dataset/export', does: 'exports the project', allow: EXPORT, forbid: ['assignee'], call: (fx) => ({ method: 'POST', path: `/api/projects/${fx.project}/dataset/export?format=${FORMAT}&save_images=false` }) },
  { route: 'POST /api/projects/:id/dataset', does: 'imports a dataset into the project', allow: MANAGE, forbid: ['supervisor', 'assignee'], ok: reachedFile, call: (fx) => ({ method: 'POST', path: `/api/projects/${fx.project}/dataset?format=${IMPORT_FORMAT}` }) },
  { route: 'POST /api/projects/:id/backup/export', does: 'backs the project up', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'POST', path: `/api/projects/${fx.project}/backup/export` }) },
  { route: 'POST /api/projects/backup', does: 'restores a project into the organization', allow: CREATE, forbid: ['assignee', 'worker'], ok: reachedFile, call: (fx) => ({ method: 'POST', path: '/api/projects/backup', org: fx.org.slug }) },
  ...tusOptions('/api/projects/:id/dataset', (fx) => `/api/projects/${fx.project}/dataset`),
  ...tusRoutes('a project import', '/api/projects/:id/dataset', MANAGE, (fx) => `/api/projects/${fx.project}/dataset`, ['supervisor', 'assignee']),
  ...tusOptions('/api/projects/backup', () => '/api/projects/backup'),
  ...tusRoutes('a project restore', '/api/projects/backup', CREATE, () => '/api/projects/backup', ['assignee', 'worker'], 'acme'),

  // ---- labels
  { route: 'GET /api/labels', does: 'lists labels', allow: 'everyone', sees: { who: VIEW, has: has((fx) => fx.label) }, call: () => ({ method: 'GET', path: '/api/labels?page_size=100' }) },
  { route: 'GET /api/labels/:id', does: 'reads a label', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/labels/${fx.label}` }) },
  { route: 'PATCH /api/labels/:id', does: 'changes a label', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'PATCH', path: `/api/labels/${fx.label}`, json: { color: '#123456' } }) },
  { route: 'DELETE /api/labels/:id', does: 'deletes a label', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: async (fx, _w, mine) => ({ method: 'DELETE', path: `/api/labels/${mine ? await fx.fresh.label() : fx.label}` }) },

  // ---- tasks
  { route: 'GET /api/tasks', does: 'lists tasks', allow: 'everyone', sees: { who: VIEW, has: has((fx) => fx.task) }, call: () => ({ method: 'GET', path: '/api/tasks?page_size=100' }) },
  { route: 'POST /api/tasks', does: 'adds a task to the project', allow: CREATE, forbid: ['assignee'], codes: { worker: 400, outsider: 400 }, call: (fx, who) => ({ method: 'POST', path: '/api/tasks', json: { name: `by ${who}`, project_id: fx.project } }) },
  { route: 'GET /api/tasks/:id', does: 'reads the task', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/tasks/${fx.task}` }) },
  { route: 'PATCH /api/tasks/:id', does: 'renames the task', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'PATCH', path: `/api/tasks/${fx.task}`, json: { name: 'renamed' } }) },
  { route: 'DELETE /api/tasks/:id', does: 'deletes the task', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: async (fx, _w, mine) => ({ method: 'DELETE', path: `/api/tasks/${mine ? await fx.fresh.task() : fx.task}` }) },
  { route: 'POST /api/tasks/:id/data', does: 'attaches media', allow: MANAGE, forbid: ['supervisor', 'assignee'], ok: reachedFile, call: async (fx, _w, mine) => ({ method: 'POST', path: `/api/tasks/${mine ? await fx.fresh.task() : fx.task}/data`, json: {} }) },
  { route: 'GET /api/tasks/:id/status', does: 'reads the task\'s creation status', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/tasks/${fx.task}/status` }) },
  { route: 'GET /api/tasks/:id/validation_layout', does: 'reads the task\'s validation frames', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'GET', path: `/api/tasks/${fx.task}/validation_layout` }) },
  { route: 'PATCH /api/tasks/:id/validation_layout', does: 'disables validation frames of the task', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'PATCH', path: `/api/tasks/${fx.task}/validation_layout`, json: { disabled_frames: [] } }) },
  { route: 'GET /api/tasks/:id/data', does: 'reads a frame of the task', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/tasks/${fx.task}/data?type=frame&number=0` }) },
  { route: 'GET /api/tasks/:id/data/meta', does: 'reads the task\'s media meta', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/tasks/${fx.task}/data/meta` }) },
  { route: 'GET /api/tasks/:id/preview', does: 'previews the task', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/tasks/${fx.task}/preview` }) },
  { route: 'GET /api/tasks/:id/annotations', does: 'reads the task\'s annotations', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/tasks/${fx.task}/annotations` }) },
  { route: 'PUT /api/tasks/:id/annotations', does: 'replaces the task\'s annotations', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'PUT', path: `/api/tasks/${fx.task}/annotations`, json: { version: 0, tags: [], shapes: [], tracks: [] } }) },
  { route: 'PATCH /api/tasks/:id/annotations', does: 'adds to the task\'s annotations', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'PATCH', path: `/api/tasks/${fx.task}/annotations?action=create`, json: { version: 0, tags: [], shapes: [], tracks: [] } }) },
  { route: 'DELETE /api/tasks/:id/annotations', does: 'clears the task\'s annotations', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'DELETE', path: `/api/tasks/${fx.task}/annotations` }) },
  { route: 'POST /api/tasks/:id/annotations', does: 'imports annotations into the task', allow: MANAGE, forbid: ['supervisor', 'assignee'], ok: reachedFile, call: (fx) => ({ method: 'POST', path: `/api/tasks/${fx.task}/annotations?format=${IMPORT_FORMAT}` }) },
  { route: 'POST /api/tasks/:id/dataset/export', does: 'exports the task', allow: EXPORT, forbid: ['assignee'], call: (fx) => ({ method: 'POST', path: `/api/tasks/${fx.task}/dataset/export?format=${FORMAT}&save_images=false` }) },
  { route: 'POST /api/tasks/:id/backup/export', does: 'backs the task up', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'POST', path: `/api/tasks/${fx.task}/backup/export` }) },
  { route: 'POST /api/tasks/backup', does: 'restores a task into the organization', allow: CREATE, forbid: ['assignee', 'worker'], ok: reachedFile, call: (fx) => ({ method: 'POST', path: '/api/tasks/backup', org: fx.org.slug }) },
  ...tusOptions('/api/tasks/:id/data', (fx) => `/api/tasks/${fx.task}/data`),
  // The task has its media already: who passes the access check is told so.
  ...tusRoutes('task media', '/api/tasks/:id/data', MANAGE, (fx) => `/api/tasks/${fx.task}/data`, ['supervisor', 'assignee'], undefined, (r) => r.status === 409),
  ...tusOptions('/api/tasks/:id/annotations', (fx) => `/api/tasks/${fx.task}/annotations`),
  ...tusRoutes('a task import', '/api/tasks/:id/annotations', MANAGE, (fx) => `/api/tasks/${fx.task}/annotations`, ['supervisor', 'assignee']),
  ...tusOptions('/api/tasks/backup', () => '/api/tasks/backup'),
  ...tusRoutes('a task restore', '/api/tasks/backup', CREATE, () => '/api/tasks/backup', ['assignee', 'worker'], 'acme'),

  // ---- jobs
  { route: 'GET /api/jobs', does: 'lists job 1', allow: 'everyone', sees: { who: VIEW, has: has((fx) => fx.job) }, call: () => ({ method: 'GET', path: '/api/jobs?page_size=100' }) },
  { route: 'GET /api/jobs', does: 'lists job 2 (nobody\'s) to managers only', allow: 'everyone', sees: { who: ['admin', ...SUPERVISORS], has: has((fx) => fx.otherJob) }, call: () => ({ method: 'GET', path: '/api/jobs?page_size=100' }) },
  // CVAT: the task's staff who are supervisors or more, and the organization's maintainers; a
  // supervisor who does not manage the task sees it but may not (403), nor may the assignee.
  { route: 'POST /api/jobs', does: 'creates a ground-truth job', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: async (fx, _w, mine) => ({ method: 'POST', path: '/api/jobs', json: { task_id: mine ? await fx.fresh.taskWithData() : fx.task, type: 'ground_truth', frame_selection_method: 'random_uniform', frame_count: 1 } }) },
  { route: 'DELETE /api/jobs/:id', does: 'deletes a ground-truth job', allow: MANAGE, forbid: ['supervisor'], call: async (fx, _w, mine) => ({ method: 'DELETE', path: `/api/jobs/${mine ? await fx.fresh.gtJob() : fx.gtJob}` }) },
  { route: 'GET /api/jobs/:id/validation_layout', does: 'reads job 1\'s honeypots (none: not a honeypot task)', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'GET', path: `/api/jobs/${fx.job}/validation_layout` }) },
  { route: 'PATCH /api/jobs/:id/validation_layout', does: 'reselects job 1\'s honeypots (refused: not a honeypot task)', allow: MANAGE, forbid: ['supervisor', 'assignee'], ok: (r) => r.status === 400 && r.body.details?.[0]?.field === 'frame_selection_method', call: (fx) => ({ method: 'PATCH', path: `/api/jobs/${fx.job}/validation_layout`, json: { frame_selection_method: 'random_uniform' } }) },
  { route: 'GET /api/jobs/:id', does: 'reads job 1', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/jobs/${fx.job}` }) },
  { route: 'GET /api/jobs/:id', does: 'reads job 2, which is not the assignee\'s', allow: ['admin', ...SUPERVISORS], call: (fx) => ({ method: 'GET', path: `/api/jobs/${fx.otherJob}` }) },
  { route: 'PATCH /api/jobs/:id', does: 'moves the state of job 1', allow: ANNOTATE, forbid: ['supervisor'], call: async (fx) => ({ method: 'PATCH', path: `/api/jobs/${fx.job}`, json: { state: (await fx.current.job()).state === 'new' ? 'in progress' : 'new' } }) },
  { route: 'PATCH /api/jobs/:id', does: 'moves the stage of job 1', allow: [...MANAGE, 'supervisor'], forbid: ['assignee'], call: async (fx) => ({ method: 'PATCH', path: `/api/jobs/${fx.job}`, json: { stage: (await fx.current.job()).stage === 'annotation' ? 'validation' : 'annotation' } }) },
  // Job 2, so job 1 stays the assignee's; that its assignee cannot hand it on is tested beside the matrix.
  { route: 'PATCH /api/jobs/:id', does: 'reassigns job 2', allow: [...MANAGE, 'supervisor'], call: async (fx) => ({ method: 'PATCH', path: `/api/jobs/${fx.otherJob}`, json: { assignee: (await fx.current.otherJob()).assignee ? null : fx.ids.staff } }) },
  { route: 'GET /api/jobs/:id/annotations', does: 'reads job 1\'s annotations', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/jobs/${fx.job}/annotations` }) },
  { route: 'PUT /api/jobs/:id/annotations', does: 'replaces job 1\'s annotations', allow: ANNOTATE, forbid: ['supervisor'], call: (fx) => ({ method: 'PUT', path: `/api/jobs/${fx.job}/annotations`, json: { version: 0, tags: [], shapes: [], tracks: [] } }) },
  { route: 'PATCH /api/jobs/:id/annotations', does: 'adds to job 1\'s annotations', allow: ANNOTATE, forbid: ['supervisor'], call: (fx) => ({ method: 'PATCH', path: `/api/jobs/${fx.job}/annotations?action=create`, json: { version: 0, tags: [], shapes: [], tracks: [] } }) },
  { route: 'DELETE /api/jobs/:id/annotations', does: 'clears job 1\'s annotations', allow: ANNOTATE, forbid: ['supervisor'], call: (fx) => ({ method: 'DELETE', path: `/api/jobs/${fx.job}/annotations` }) },
  { route: 'POST /api/jobs/:id/annotations', does: 'imports annotations into job 1', allow: ANNOTATE, forbid: ['supervisor'], ok: reachedFile, call: (fx) => ({ method: 'POST', path: `/api/jobs/${fx.job}/annotations?format=${IMPORT_FORMAT}` }) },
  { route: 'GET /api/jobs/:id/annotations/history', does: 'reads job 1\'s history', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/jobs/${fx.job}/annotations/history` }) },
  { route: 'GET /api/jobs/:id/data', does: 'reads a frame of job 1', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/jobs/${fx.job}/data?type=frame&number=0` }) },
  { route: 'GET /api/jobs/:id/data/meta', does: 'reads job 1\'s media meta', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/jobs/${fx.job}/data/meta` }) },
  { route: 'GET /api/jobs/:id/preview', does: 'previews job 1', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/jobs/${fx.job}/preview` }) },
  { route: 'POST /api/jobs/:id/dataset/export', does: 'exports job 1', allow: EXPORT, forbid: ['assignee'], call: (fx) => ({ method: 'POST', path: `/api/jobs/${fx.job}/dataset/export?format=${FORMAT}&save_images=false` }) },
  ...tusOptions('/api/jobs/:id/annotations', (fx) => `/api/jobs/${fx.job}/annotations`),
  ...tusRoutes('a job import', '/api/jobs/:id/annotations', ANNOTATE, (fx) => `/api/jobs/${fx.job}/annotations`, ['supervisor']),

  // ---- quality: settings, reports and conflicts of the task; job 1's validation feedback
  { route: 'GET /api/quality/settings', does: 'lists quality settings', allow: 'everyone', sees: { who: QUALITY, has: has((fx) => fx.quality.settings) }, call: () => ({ method: 'GET', path: '/api/quality/settings?page_size=100' }) },
  { route: 'GET /api/quality/settings/:id', does: 'reads the task\'s quality settings', allow: QUALITY, forbid: ['assignee'], call: (fx) => ({ method: 'GET', path: `/api/quality/settings/${fx.quality.settings}` }) },
  { route: 'PATCH /api/quality/settings/:id', does: 'changes the task\'s quality settings', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'PATCH', path: `/api/quality/settings/${fx.quality.settings}`, json: { iou_threshold: 0.4 } }) },
  { route: 'GET /api/quality/reports', does: 'lists quality reports', allow: 'everyone', sees: { who: QUALITY, has: has((fx) => fx.quality.report) }, call: () => ({ method: 'GET', path: '/api/quality/reports?page_size=100' }) },
  { route: 'POST /api/quality/reports', does: 'requests a report of the task', allow: MANAGE, forbid: ['supervisor', 'assignee'], ok: (r) => r.status === 202, call: (fx) => ({ method: 'POST', path: '/api/quality/reports', json: { task_id: fx.task } }) },
  { route: 'GET /api/quality/reports/:id', does: 'reads the task\'s report', allow: QUALITY, forbid: ['assignee'], call: (fx) => ({ method: 'GET', path: `/api/quality/reports/${fx.quality.report}` }) },
  { route: 'GET /api/quality/reports/:id/data', does: 'downloads the task\'s report', allow: QUALITY, forbid: ['assignee'], call: (fx) => ({ method: 'GET', path: `/api/quality/reports/${fx.quality.report}/data?format=csv` }) },
  { route: 'GET /api/quality/conflicts', does: 'lists conflicts', allow: 'everyone', sees: { who: QUALITY, has: (body, fx) => body.results.some((c: any) => c.report_id === fx.quality.jobReport) }, call: () => ({ method: 'GET', path: '/api/quality/conflicts?page_size=100' }) },
  { route: 'GET /api/jobs/:id/validation_feedback', does: 'reads job 1\'s immediate feedback', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/jobs/${fx.job}/validation_feedback` }) },

  // ---- consensus: settings of the fixture task (every task has them); it has no replicas, so merges are refused after the access check
  { route: 'GET /api/consensus/settings', does: 'lists consensus settings, one per task', allow: 'everyone', sees: { who: VIEW, has: has((fx) => fx.task) }, call: () => ({ method: 'GET', path: '/api/consensus/settings?page_size=100' }) },
  { route: 'GET /api/consensus/settings/:id', does: 'reads the task\'s consensus settings', allow: VIEW, call: (fx) => ({ method: 'GET', path: `/api/consensus/settings/${fx.task}` }) },
  { route: 'PATCH /api/consensus/settings/:id', does: 'changes the task\'s consensus settings', allow: MANAGE, forbid: ['supervisor', 'assignee'], call: (fx) => ({ method: 'PATCH', path: `/api/consensus/settings/${fx.task}`, json: { quorum: 0.5 } }) },
  { route: 'POST /api/consensus/merges', does: 'merges the task\'s replicas (refused: it has none)', allow: MANAGE, forbid: ['supervisor', 'assignee'], ok: (r) => r.status === 400 && r.body.details?.[0]?.field === 'task_id', call: (fx) => ({ method: 'POST', path: '/api/consensus/merges', json: { task_id: fx.task } }) },
  { route: 'POST /api/consensus/merges', does: 'merges job 1\'s replicas (refused: it has none)', allow: MANAGE, forbid: ['supervisor', 'assignee'], ok: (r) => r.status === 400 && r.body.details?.[0]?.field === 'job_id', call: (fx) => ({ method: 'POST', path: '/api/consensus/merges', json: { job_id: fx.job } }) },
  { route: 'GET /api/consensus/merges', does: 'lists merge reports (of the tasks one manages)', allow: 'everyone', call: () => ({ method: 'GET', path: '/api/consensus/merges?page_size=100' }) },

  // ---- background requests: their requester's (and the admin's)
  { route: 'GET /api/requests', does: 'lists requests', allow: 'everyone', sees: { who: ['admin', 'staff'], has: has((fx) => fx.request) }, call: () => ({ method: 'GET', path: '/api/requests?page_size=100' }) },
  { route: 'GET /api/requests/:id', does: 'reads a request', allow: ['admin', 'staff'], call: (fx) => ({ method: 'GET', path: `/api/requests/${encodeURIComponent(fx.request)}` }) },
  { route: 'POST /api/requests/:id/cancel', does: 'cancels a request (finished: refused)', allow: ['admin', 'staff'], ok: anyStatus, call: (fx) => ({ method: 'POST', path: `/api/requests/${encodeURIComponent(fx.request)}/cancel` }) },
  { route: 'GET /api/requests/:id/download', does: 'downloads a request\'s result', allow: ['admin', 'staff'], call: (fx) => ({ method: 'GET', path: `/api/requests/${encodeURIComponent(fx.request)}/download` }) },

  // ---- cloud storages (made by the maintainer in the organization)
  { route: 'GET /api/cloudstorages', does: 'lists cloud storages', allow: 'everyone', sees: { who: ['admin', ...SUPERVISORS], has: has((fx) => fx.storage) }, call: () => ({ method: 'GET', path: '/api/cloudstorages?page_size=100' }) },
  { route: 'POST /api/cloudstorages', does: 'adds a cloud storage to the organization', allow: ORG_MANAGERS, forbid: ['staff', 'supervisor', 'assignee', 'worker'], call: (fx) => ({ method: 'POST', path: '/api/cloudstorages', org: fx.org.slug, json: fx.storageBody }) },
  { route: 'GET /api/cloudstorages/:id', does: 'reads a cloud storage', allow: ['admin', ...SUPERVISORS], call: (fx) => ({ method: 'GET', path: `/api/cloudstorages/${fx.storage}` }) },
  { route: 'PATCH /api/cloudstorages/:id', does: 'changes a cloud storage', allow: ORG_MANAGERS, forbid: ['staff', 'supervisor'], call: (fx) => ({ method: 'PATCH', path: `/api/cloudstorages/${fx.storage}`, json: { display_name: 'renamed' } }) },
  { route: 'DELETE /api/cloudstorages/:id', does: 'removes a cloud storage', allow: ORG_MANAGERS, forbid: ['staff', 'supervisor'], call: async (fx, _w, mine) => ({ method: 'DELETE', path: `/api/cloudstorages/${mine ? await fx.fresh.storage() : fx.storage}` }) },
  { route: 'GET /api/cloudstorages/:id/content-v2', does: 'lists a bucket', allow: ['admin', ...SUPERVISORS], call: (fx) => ({ method: 'GET', path: `/api/cloudstorages/${fx.storage}/content-v2` }) },
  { route: 'GET /api/cloudstorages/:id/status', does: 'checks a bucket', allow: ['admin', ...SUPERVISORS], call: (fx) => ({ method: 'GET', path: `/api/cloudstorages/${fx.storage}/status` }) },
  { route: 'GET /api/cloudstorages/:id/actions', does: 'reads a bucket\'s permissions', allow: ['admin', ...SUPERVISORS], call: (fx) => ({ method: 'GET', path: `/api/cloudstorages/${fx.storage}/actions` }) },
  { route: 'GET /api/cloudstorages/:id/preview', does: 'previews a bucket (empty: says so)', allow: ['admin', ...SUPERVISORS], ok: (r) => r.status === 404 && /no preview/.test(String(r.body?.message)), call: (fx) => ({ method: 'GET', path: `/api/cloudstorages/${fx.storage}/preview` }) },

  // ---- organizations, memberships, invitations (a pending invitation of `invitee`, by the owner)
  { route: 'GET /api/organizations', does: 'lists organizations', allow: 'everyone', sees: { who: ['admin', ...MEMBERS], has: has((fx) => fx.org.id) }, call: () => ({ method: 'GET', path: '/api/organizations?page_size=100' }) },
  { route: 'POST /api/organizations', does: 'creates an organization', allow: 'everyone', call: (_fx, who) => ({ method: 'POST', path: '/api/organizations', json: { slug: `o-${who}`, name: `of ${who}` } }) },
  { route: 'GET /api/organizations/:id', does: 'reads the organization', allow: ['admin', ...MEMBERS], call: (fx) => ({ method: 'GET', path: `/api/organizations/${fx.org.id}` }) },
  { route: 'PATCH /api/organizations/:id', does: 'changes the organization', allow: ORG_MANAGERS, forbid: ['staff', 'supervisor', 'assignee', 'worker'], call: (fx) => ({ method: 'PATCH', path: `/api/organizations/${fx.org.id}`, json: { description: 'changed' } }) },
  { route: 'DELETE /api/organizations/:id', does: 'deletes an organization', allow: ['admin', 'owner'], forbid: ['maintainer', 'staff', 'supervisor', 'assignee', 'worker'], call: async (fx, _w, mine) => ({ method: 'DELETE', path: `/api/organizations/${mine ? await fx.fresh.org() : fx.org.id}` }) },
  { route: 'GET /api/organizations/:id/settings', does: 'reads the worker settings', allow: ['admin', ...MEMBERS], call: (fx) => ({ method: 'GET', path: `/api/organizations/${fx.org.id}/settings` }) },
  { route: 'PATCH /api/organizations/:id/settings', does: 'changes the worker settings', allow: ORG_MANAGERS, forbid: ['staff', 'supervisor', 'assignee', 'worker'], call: (fx) => ({ method: 'PATCH', path: `/api/organizations/${fx.org.id}/settings`, json: { workers_can_export: false } }) },
  { route: 'GET /api/memberships', does: 'lists memberships', allow: 'everyone', sees: { who: ['admin', ...MEMBERS], has: has((fx) => fx.membership) }, call: () => ({ method: 'GET', path: '/api/memberships?page_size=100' }) },
  { route: 'GET /api/memberships/:id', does: 'reads a membership', allow: ['admin', ...MEMBERS], call: (fx) => ({ method: 'GET', path: `/api/memberships/${fx.membership}` }) },
  { route: 'PATCH /api/memberships/:id', does: 'sets a member\'s role', allow: ORG_MANAGERS, forbid: ['staff', 'supervisor', 'assignee', 'worker'], call: (fx) => ({ method: 'PATCH', path: `/api/memberships/${fx.membership}`, json: { role: 'worker' } }) },
  // Someone else's membership: leaving (deleting one's own) is open to every member.
  { route: 'DELETE /api/memberships/:id', does: 'removes a member', allow: ORG_MANAGERS, forbid: ['staff', 'supervisor', 'assignee', 'worker'], call: async (fx, who, mine) => ({ method: 'DELETE', path: `/api/memberships/${mine ? await fx.fresh.membership() : who === 'worker' ? fx.memberships.assignee : fx.membership}` }) },
  { route: 'GET /api/invitations', does: 'lists invitations', allow: 'everyone', sees: { who: ORG_MANAGERS, has: has((fx) => fx.invitation) }, call: () => ({ method: 'GET', path: '/api/invitations?page_size=100' }) },
  { route: 'POST /api/invitations', does: 'invites someone into the organization', allow: ORG_MANAGERS, forbid: ['staff', 'supervisor', 'assignee', 'worker'], call: (fx, who) => ({ method: 'POST', path: '/api/invitations', org: fx.org.slug, json: { role: 'worker', email: `invited-by-${who}@example.com` } }) },
  { route: 'GET /api/invitations/:key', does: 'reads an invitation', allow: ORG_MANAGERS, call: (fx) => ({ method: 'GET', path: `/api/invitations/${fx.invitation}` }) },
  { route: 'PATCH /api/invitations/:key', does: 'changes an invitation\'s role', allow: ORG_MANAGERS, call: (fx) => ({ method: 'PATCH', path: `/api/invitations/${fx.invitation}`, json: { role: 'worker' } }) },
  { route: 'DELETE /api/invitations/:key', does: 'withdraws an invitation', allow: ORG_MANAGERS, call: async (fx, _w, mine) => ({ method: 'DELETE', path: `/api/invitations/${mine ? (await fx.fresh.invitation()).key : fx.invitation}` }) },
  { route: 'POST /api/invitations/:key/resend', does: 'resends an invitation', allow: ORG_MANAGERS, call: (fx) => ({ method: 'POST', path: `/api/invitations/${fx.invitation}/resend` }) },
  // Only the invitee answers an invitation (organizations.test.ts follows them); those who see it get 403.
  { route: 'POST /api/invitations/:key/accept', does: 'accepts someone else\'s invitation', allow: [], forbid: ORG_MANAGERS, call: (fx) => ({ method: 'POST', path: `/api/invitations/${fx.invitation}/accept` }) },
  { route: 'POST /api/invitations/:key/decline', does: 'declines someone else\'s invitation', allow: [], forbid: ORG_MANAGERS, call: (fx) => ({ method: 'POST', path: `/api/invitations/${fx.invitation}/decline` }) },
];
