/**
 * CVAT's own annotation payloads (../shared/cvat-api/assets, recorded from a real CVAT server)
 * through Framewise: every job of annotations.json `job` that holds anything is saved to a
 * Framewise job with the same labels and frames (PUT /api/jobs/{id}/annotations), read back and
 * compared with CVAT's payload; every task of annotations.json `task` whose segment layout is
 * reproduced is read back merged (GET /api/tasks/{id}/annotations) and compared with CVAT's.
 *
 * The labels are checked first: GET /api/labels of each Framewise task against CVAT's
 * labels.json entries (ids aside, skeleton svg included).
 *
 * What is compared: everything but object ids (dropped everywhere; label and attribute ids are
 * translated between the two servers by name). Differences are listed field by field; the ones
 * that are known and accepted are in KNOWN_DIFFERENCES below, each with its reason. Any other
 * difference fails the test and is printed.
 *
 * How CVAT's layout is rebuilt:
 * - A CVAT task whose annotation jobs are the segments its size, segment_size and overlap give
 *   (tasks.json) becomes one Framewise task with those settings and its annotation jobs map one
 *   to one by frame range. Only these tasks are compared at task level.
 * - Jobs this comparison does not rebuild in place (ground-truth and consensus-replica jobs, and
 *   the jobs of tasks with a ground-truth pool, whose segments CVAT cuts around the pool: each
 *   has its own tests in validation.test.ts and consensus.test.ts) are saved in turn to one scratch task per CVAT task: one
 *   job over frames 0..(the largest stop_frame among them), segment_size 0. A PUT replaces all of
 *   a job's annotations, so each comparison sees only its own payload.
 * - Labels: a task in a CVAT project gets a Framewise project with the project's labels, other
 *   tasks their own; skeleton layouts refer to points by data-label-name (CVAT's svg names them
 *   by CVAT's ids, which mean nothing to Framewise).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { createTaskWithImages, makeImage } from '../helpers/media.js';

const ASSETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/cvat-api/assets');
const HAVE_ASSETS = fs.existsSync(path.join(ASSETS, 'annotations.json'));

// ---------------------------------------------------------------------------------------------
// CVAT's records

interface CvatAttribute {
  id: number;
  name: string;
  mutable: boolean;
  input_type: string;
  default_value: string;
  values: string[];
}

interface CvatLabel {
  id: number;
  name: string;
  color: string;
  type: string;
  attributes: CvatAttribute[];
  sublabels: CvatLabel[];
  svg?: string;
  task_id?: number | null;
  project_id?: number | null;
}

interface CvatTask {
  id: number;
  name: string;
  project_id: number | null;
  size?: number;
  segment_size: number;
  overlap: number | null;
  media_type: string;
  validation_mode: string | null;
}

interface CvatJob {
  id: number;
  task_id: number;
  type: string;
  start_frame: number;
  stop_frame: number;
}

type Payload = Record<string, unknown> & { tags: unknown[]; shapes: unknown[]; tracks: unknown[]; intervals?: unknown[] };

const read = (file: string): any => JSON.parse(fs.readFileSync(path.join(ASSETS, file), 'utf8'));
const annotations: { job: Record<string, Payload>; task: Record<string, Payload> } = HAVE_ASSETS ? read('annotations.json') : { job: {}, task: {} };
const cvatJobs: CvatJob[] = HAVE_ASSETS ? read('jobs.json').results : [];
const cvatTasks = new Map<number, CvatTask>(HAVE_ASSETS ? read('tasks.json').results.map((t: CvatTask) => [t.id, t]) : []);
const cvatLabels: CvatLabel[] = HAVE_ASSETS ? read('labels.json').results : [];

const isEmpty = (p: Payload) => p.tags.length + p.shapes.length + p.tracks.length + (p.intervals?.length ?? 0) === 0;

/** The jobs to compare: every job CVAT returned something for. */
const JOBS = cvatJobs.filter((j) => annotations.job[String(j.id)] && !isEmpty(annotations.job[String(j.id)]!)).sort((a, b) => a.id - b.id);

/** A job's labels are its task's, or its project's when the task is in one (CVAT's JobAnnotation.db_labels). */
function labelsOfTask(task: CvatTask): CvatLabel[] {
  return cvatLabels.filter((l) => (task.project_id !== null ? l.project_id === task.project_id : l.task_id === task.id));
}

/** The segments CVAT cuts a task of `size` frames into (annotation jobs), by segment_size and overlap. */
function cvatSegments(size: number, segmentSize: number, overlap: number | null): Array<[number, number]> {
  const seg = segmentSize > 0 && segmentSize < size ? segmentSize : size;
  const step = seg - Math.max(0, Math.min(overlap ?? 0, seg - 1));
  const out: Array<[number, number]> = [];
  for (let start = 0; start < size; start += step) {
    const stop = Math.min(start + seg - 1, size - 1);
    out.push([start, stop]);
    if (stop === size - 1) break;
  }
  return out;
}

interface TaskPlan {
  task: CvatTask;
  /** CVAT's annotation jobs in segment order, when Framewise reproduces the layout; else null. */
  layout: CvatJob[] | null;
  /** Why the layout is not reproduced. */
  noLayout?: string;
  /** Jobs compared through the scratch task. */
  scratch: CvatJob[];
}

function planTask(task: CvatTask, jobs: CvatJob[]): TaskPlan {
  const annotationJobs = cvatJobs.filter((j) => j.task_id === task.id && j.type === 'annotation').sort((a, b) => a.start_frame - b.start_frame);
  const ranges = annotationJobs.map((j) => [j.start_frame, j.stop_frame]);
  let noLayout: string | undefined;
  if (task.media_type !== 'image') noLayout = `its media is ${task.media_type}; Framewise tasks hold images`;
  else if (task.validation_mode === 'gt_pool') noLayout = 'its ground-truth pool (honeypots) shapes its segments; Framewise has no validation pools';
  else if (JSON.stringify(ranges) !== JSON.stringify(cvatSegments(task.size ?? 0, task.segment_size, task.overlap))) {
    noLayout = `its jobs ${JSON.stringify(ranges)} are not what size ${task.size}, segment_size ${task.segment_size}, overlap ${task.overlap} give`;
  }
  const layout = noLayout ? null : annotationJobs;
  const inLayout = new Set(layout?.map((j) => j.id) ?? []);
  return { task, layout, ...(noLayout ? { noLayout } : {}), scratch: jobs.filter((j) => !inLayout.has(j.id)) };
}

const PLANS: TaskPlan[] = [...new Set(JOBS.map((j) => j.task_id))].map((taskId) =>
  planTask(cvatTasks.get(taskId)!, JOBS.filter((j) => j.task_id === taskId)),
);
const planOfTask = new Map(PLANS.map((p) => [p.task.id, p]));

// ---------------------------------------------------------------------------------------------
// Differences

/**
 * Differences between CVAT's payloads and Framewise's that are known, with why. A test fails on
 * any difference not matched here; each entry is a finding to settle, not a tolerance.
 */
const KNOWN_DIFFERENCES: Array<{ pattern: RegExp; why: string }> = [
  {
    pattern: /^version: CVAT 0, Framewise \d+$/,
    why: "every CVAT payload recorded has version 0; Framewise counts saves (a job: its saves; a task: the sum of its jobs')",
  },
];

/** Per job: differences expected for that job alone, with why. */
const KNOWN_JOB_DIFFERENCES: Record<number, Array<{ pattern: RegExp; why: string }>> = {};
for (const j of JOBS) {
  const p = annotations.job[String(j.id)]!;
  if (p.intervals?.length) {
    KNOWN_JOB_DIFFERENCES[j.id] = [
      {
        pattern: /^intervals: /,
        why: 'audio intervals are refused with 400 (Framewise has no audio tasks); the job is saved without them',
      },
    ];
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function brief(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.length} items]`;
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** Field-by-field differences of CVAT's `expected` and Framewise's `got`, one line each. */
function differences(expected: unknown, got: unknown, at = ''): string[] {
  const here = at || '(root)';
  if (Array.isArray(expected) && Array.isArray(got)) {
    const out: string[] = [];
    if (expected.length !== got.length) out.push(`${here}: CVAT has ${expected.length} items, Framewise ${got.length}`);
    for (let i = 0; i < Math.min(expected.length, got.length); i++) out.push(...differences(expected[i], got[i], `${at}[${i}]`));
    return out;
  }
  if (isObject(expected) && isObject(got)) {
    const out: string[] = [];
    const dot = at ? `${at}.` : '';
    for (const k of Object.keys(expected)) {
      if (!(k in got)) out.push(`${dot}${k}: only in CVAT: ${brief(expected[k])}`);
      else out.push(...differences(expected[k], got[k], `${dot}${k}`));
    }
    for (const k of Object.keys(got)) if (!(k in expected)) out.push(`${dot}${k}: only in Framewise: ${brief(got[k])}`);
    return out;
  }
  return Object.is(expected, got) || (expected === 0 && got === 0) ? [] : [`${here}: CVAT ${brief(expected)}, Framewise ${brief(got)}`];
}

/** The known differences met, with how often and a first example: printed after the run. */
const seen = new Map<string, { count: number; example: string }>();

function unexplained(diffs: string[], where: string, jobId?: number): string[] {
  const known = [...KNOWN_DIFFERENCES, ...(jobId !== undefined ? (KNOWN_JOB_DIFFERENCES[jobId] ?? []) : [])];
  return diffs.filter((d) => {
    const k = known.find((x) => x.pattern.test(d));
    if (!k) return true;
    const entry = seen.get(k.why) ?? { count: 0, example: `${where}: ${d}` };
    entry.count++;
    seen.set(k.why, entry);
    return false;
  });
}

// ---------------------------------------------------------------------------------------------
// Ids: CVAT's label and attribute ids to Framewise's and back, by name

interface IdMaps {
  labels: Map<number, number>;
  specs: Map<number, number>;
}

function invert(m: IdMaps): IdMaps {
  return { labels: new Map([...m.labels].map(([a, b]) => [b, a])), specs: new Map([...m.specs].map(([a, b]) => [b, a])) };
}

/** A copy of `v` with object ids dropped and label_id / spec_id translated (unless `maps` is null); an unknown id throws. */
function translate(v: unknown, maps: IdMaps | null, at = ''): unknown {
  if (Array.isArray(v)) return v.map((x, i) => translate(x, maps, `${at}[${i}]`));
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'id') continue;
    if (maps && (k === 'label_id' || k === 'spec_id')) {
      const mapped = (k === 'label_id' ? maps.labels : maps.specs).get(x as number);
      if (mapped === undefined) throw new Error(`${at}.${k}: no counterpart for id ${String(x)}`);
      out[k] = mapped;
    } else {
      out[k] = translate(x, maps, at ? `${at}.${k}` : k);
    }
  }
  return out;
}

const stripIds = (v: unknown) => translate(v, null);

// ---------------------------------------------------------------------------------------------
// Labels for Framewise

const attributeWrite = (a: CvatAttribute) => ({ name: a.name, input_type: a.input_type, mutable: a.mutable, values: a.values, default_value: a.default_value });

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function labelWrite(l: CvatLabel) {
  const base = { name: l.name, type: l.type, color: l.color, attributes: l.attributes.map(attributeWrite) };
  if (l.type !== 'skeleton') return base;
  const pointName = new Map(l.sublabels.map((s) => [String(s.id), s.name]));
  const svg = (l.svg ?? '').replace(/data-label-id="(\d+)"/g, (_m, id: string) => {
    const name = pointName.get(id);
    if (name === undefined) throw new Error(`label ${l.id}: svg refers to ${id}, not one of its points`);
    return `data-label-name="${escapeAttr(name)}"`;
  });
  return {
    ...base,
    sublabels: l.sublabels.map((s) => ({ name: s.name, type: s.type, color: s.color, attributes: s.attributes.map(attributeWrite) })),
    svg,
  };
}

/** CVAT's ids to Framewise's, matching labels by name, points by skeleton and name, attributes by label and name. */
function mapLabels(cvat: CvatLabel[], framewise: any[]): IdMaps {
  const maps: IdMaps = { labels: new Map(), specs: new Map() };
  const pair = (c: CvatLabel, f: any, what: string) => {
    maps.labels.set(c.id, f.id);
    for (const a of c.attributes) {
      const fa = f.attributes.find((x: any) => x.name === a.name);
      if (!fa) throw new Error(`${what}: attribute "${a.name}" missing in Framewise`);
      maps.specs.set(a.id, fa.id);
    }
  };
  for (const c of cvat) {
    const f = framewise.find((x) => x.name === c.name);
    if (!f) throw new Error(`label "${c.name}" missing in Framewise`);
    pair(c, f, `label "${c.name}"`);
    for (const s of c.sublabels) {
      const fs_ = f.sublabels.find((x: any) => x.name === s.name);
      if (!fs_) throw new Error(`point "${s.name}" of "${c.name}" missing in Framewise`);
      pair(s, fs_, `point "${s.name}" of "${c.name}"`);
    }
  }
  return maps;
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(!HAVE_ASSETS)("CVAT's recorded annotations through Framewise", () => {
  let s: TestServer;
  const images: Array<{ name: string; data: Buffer }> = [];
  const projects = new Map<number, Promise<number>>();

  interface FwTask {
    taskId: number;
    jobs: Array<{ id: number; start: number; stop: number }>;
    maps: IdMaps;
    /** GET /api/labels?task_id= of the task. */
    labels: any[];
  }
  /** Per CVAT task: the Framewise task of its layout, and its scratch task. */
  const layoutTasks = new Map<number, FwTask>();
  const scratchTasks = new Map<number, FwTask>();
  /** CVAT job id -> Framewise job id, for the jobs of reproduced layouts. */
  const layoutJob = new Map<number, number>();
  const saved = new Map<number, Promise<void>>();
  let setupMs = 0;

  async function frames(n: number) {
    for (let i = images.length; i < n; i++) images.push({ name: `f${String(i).padStart(5, '0')}.png`, data: await makeImage(16, 12, 'png', i) });
    return images.slice(0, n);
  }

  function project(projectId: number): Promise<number> {
    let p = projects.get(projectId);
    if (!p) {
      p = (async () => {
        const labels = cvatLabels.filter((l) => l.project_id === projectId).map(labelWrite);
        const res = await s.admin.post('/api/projects', { name: `cvat project ${projectId}`, labels });
        if (res.status !== 201) throw new Error(`project ${projectId}: ${res.status} ${JSON.stringify(res.body)}`);
        return res.body.id as number;
      })();
      projects.set(projectId, p);
    }
    return p;
  }

  async function createTask(task: CvatTask, name: string, frameCount: number, segmentSize: number, overlap: number | null): Promise<FwTask> {
    const spec: Record<string, unknown> = { name, segment_size: segmentSize, ...(overlap !== null ? { overlap } : {}) };
    if (task.project_id !== null) Object.assign(spec, { project_id: await project(task.project_id), labels: [] });
    else spec.labels = labelsOfTask(task).map(labelWrite);
    const { taskId, request } = await createTaskWithImages(s.admin, await frames(frameCount), spec);
    if (request.status !== 'finished') throw new Error(`${name}: data ${JSON.stringify(request)}`);
    const jobs = (await s.admin.get(`/api/jobs?task_id=${taskId}&sort=id&page_size=100`)).body.results.map((j: any) => ({
      id: j.id as number,
      start: j.start_frame as number,
      stop: j.stop_frame as number,
    }));
    const labels = (await s.admin.get(`/api/labels?task_id=${taskId}&page_size=100`)).body.results;
    return { taskId, jobs, maps: mapLabels(labelsOfTask(task), labels), labels };
  }

  async function setUp(plan: TaskPlan) {
    const { task } = plan;
    if (plan.layout) {
      const fw = await createTask(task, `cvat task ${task.id}`, task.size!, task.segment_size, task.overlap);
      const want = plan.layout.map((j) => [j.start_frame, j.stop_frame]);
      const have = fw.jobs.map((j) => [j.start, j.stop]).sort((a, b) => a[0]! - b[0]!);
      if (JSON.stringify(have) !== JSON.stringify(want)) {
        throw new Error(`task ${task.id}: Framewise cut jobs ${JSON.stringify(have)}, CVAT ${JSON.stringify(want)}`);
      }
      for (const j of plan.layout) layoutJob.set(j.id, fw.jobs.find((x) => x.start === j.start_frame && x.stop === j.stop_frame)!.id);
      layoutTasks.set(task.id, fw);
    }
    if (plan.scratch.length) {
      // Audio has no Framewise counterpart: one image stands in, as nothing in its payload but
      // intervals (start/stop, not frames) refers to frames.
      const count = task.media_type === 'image' ? Math.max(...plan.scratch.map((j) => j.stop_frame)) + 1 : 1;
      scratchTasks.set(task.id, await createTask(task, `cvat task ${task.id} scratch`, count, 0, 0));
    }
  }

  beforeAll(async () => {
    const t0 = performance.now();
    s = await startTestServer();
    await frames(Math.max(...PLANS.map((p) => (p.layout ? p.task.size! : 0)), ...JOBS.map((j) => j.stop_frame + 1).filter((n) => n < 1000)));
    const queue = [...PLANS];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let plan = queue.shift(); plan; plan = queue.shift()) await setUp(plan);
      }),
    );
    setupMs = performance.now() - t0;
  });
  afterAll(async () => {
    console.log(`setup: ${PLANS.length} CVAT tasks, ${projects.size} projects, ${layoutTasks.size + scratchTasks.size} Framewise tasks in ${setupMs.toFixed(0)} ms`);
    for (const [why, { count, example }] of seen) console.log(`known difference, ${count}x: ${why}\n  e.g. ${example}`);
    await s?.close();
  });

  /** Writes CVAT's payload of `job` to the Framewise job standing for it; returns that job's id and maps. */
  async function save(job: CvatJob): Promise<{ jobId: number; maps: IdMaps }> {
    const plan = planOfTask.get(job.task_id)!;
    const layout = layoutJob.get(job.id);
    const fw = layout !== undefined ? layoutTasks.get(job.task_id)! : scratchTasks.get(job.task_id)!;
    const jobId = layout ?? fw.jobs[0]!.id;
    const put = async () => {
      // Sent as recorded, `version: 0` included: Framewise reads 0 as "no base version", so CVAT's
      // payloads save as they do on CVAT. Audio intervals have no place in Framewise and are refused.
      const body = annotations.job[String(job.id)]!;
      if (body.intervals?.length) {
        const refused = await s.admin.put(`/api/jobs/${jobId}/annotations`, translate(body, fw.maps));
        expect(refused.status).toBe(400);
        expect(refused.body.message).toContain('intervals');
        const { intervals: _intervals, ...rest } = body;
        const res = await s.admin.put(`/api/jobs/${jobId}/annotations`, translate({ ...rest, intervals: [] }, fw.maps));
        if (res.status !== 200) throw new Error(`PUT job ${job.id} (task ${job.task_id}) -> ${res.status} ${JSON.stringify(res.body)}`);
        return;
      }
      const res = await s.admin.put(`/api/jobs/${jobId}/annotations`, translate(body, fw.maps));
      if (res.status !== 200) throw new Error(`PUT job ${job.id} (task ${job.task_id}) -> ${res.status} ${JSON.stringify(res.body)}`);
    };
    if (layout !== undefined) {
      // Layout jobs are saved once; the task-level comparison needs them all.
      let p = saved.get(job.id);
      if (!p) saved.set(job.id, (p = put()));
      await p;
    } else {
      expect(plan.scratch).toContain(job);
      await put();
    }
    return { jobId, maps: fw.maps };
  }

  function describeJob(j: CvatJob): string {
    const p = annotations.job[String(j.id)]!;
    const counts = `${p.tags.length} tags, ${p.shapes.length} shapes, ${p.tracks.length} tracks${p.intervals?.length ? `, ${p.intervals.length} intervals` : ''}`;
    const how = planOfTask.get(j.task_id)!.layout?.some((x) => x.id === j.id) ? 'layout' : 'scratch';
    return `job ${j.id} (task ${j.task_id}, ${j.type}, frames ${j.start_frame}-${j.stop_frame}, ${counts}) [${how}]`;
  }

  it('has the jobs and tasks to compare', () => {
    expect(JOBS.length).toBeGreaterThan(40);
    expect(PLANS.filter((p) => p.layout).length).toBeGreaterThan(10);
  });

  describe('labels: as CVAT lists them', () => {
    /**
     * Ids dropped; label and point ids in the svg translated back; task_id / project_id compared
     * for presence only (they name different tasks and projects on each server).
     */
    const comparable = (labels: unknown[], svgIds: Map<number, number> | null) =>
      (stripIds(labels) as any[]).map((l) => {
        const out = { ...l };
        for (const k of ['task_id', 'project_id']) if (k in out) out[k] = '(owner)';
        if (typeof out.svg === 'string' && svgIds) {
          out.svg = out.svg.replace(/data-label-id="(\d+)"/g, (_m: string, id: string) => `data-label-id="${svgIds.get(Number(id)) ?? `unknown ${id}`}"`);
        }
        return out;
      });
    it.each(PLANS.map((p) => [p.task.id, p] as const))('task %i', (_id, plan) => {
      const fw = layoutTasks.get(plan.task.id) ?? scratchTasks.get(plan.task.id)!;
      const diffs = differences(comparable(labelsOfTask(plan.task), null), comparable(fw.labels, invert(fw.maps).labels));
      expect(unexplained(diffs, `labels of task ${plan.task.id}`), `labels of task ${plan.task.id}`).toEqual([]);
    });
  });

  describe('job annotations: PUT CVAT payload, GET, compare', () => {
    it.each(JOBS.map((j) => [j.id, j] as const))('job %i', async (_id, job) => {
      const { jobId, maps } = await save(job);
      const got = await s.admin.get(`/api/jobs/${jobId}/annotations`);
      expect(got.status).toBe(200);
      const back = translate(got.body, invert(maps));
      const diffs = differences(stripIds(annotations.job[String(job.id)]), back);
      expect(unexplained(diffs, `job ${job.id}`, job.id), describeJob(job)).toEqual([]);
    });
  });

  describe('task annotations: GET the merged task, compare', () => {
    const tasks = PLANS.filter((p) => annotations.task[String(p.task.id)]);
    for (const plan of tasks) {
      const { task } = plan;
      if (!plan.layout) {
        // Not comparable: the Framewise jobs are not CVAT's segments, so there is nothing CVAT's
        // merge can be checked against.
        it.skip(`task ${task.id}: layout not reproduced (${plan.noLayout})`, () => {});
        continue;
      }
      it(`task ${task.id} (${plan.layout.length} annotation jobs, segment_size ${task.segment_size}, overlap ${task.overlap})`, async () => {
        // Every job of the layout holds CVAT's payload (the empty ones stay empty).
        for (const j of plan.layout!) if (annotations.job[String(j.id)] && !isEmpty(annotations.job[String(j.id)]!)) await save(j);
        const fw = layoutTasks.get(task.id)!;
        const got = await s.admin.get(`/api/tasks/${fw.taskId}/annotations`);
        expect(got.status, JSON.stringify(got.body)).toBe(200);
        const back = translate(got.body, invert(fw.maps));
        const diffs = differences(stripIds(annotations.task[String(task.id)]), back);
        expect(unexplained(diffs, `task ${task.id}`), `task ${task.id}`).toEqual([]);
      });
    }
  });
});
