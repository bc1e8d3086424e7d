/**
 * Task-level annotations, as CVAT serves them: a read merges the jobs of the task (objects on
 * frames shared by overlapping segments become one, tracks are joined across seams); a write is
 * split among the jobs by frame (tracks clipped to each job's range) or, for updates and
 * deletions, routed to the job holding each object. A task save is one transaction over all its
 * jobs, locked in id order so concurrent saves cannot deadlock.
 */
import { mergeSegments, mirrorToHoneypots, sliceAnnotations, touchesFrames, type Annotations, type HoneypotSlot } from '@framewise/core';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { AppError } from '../../errors.js';
import { readJobJson } from '../../repositories/annotations/read.js';
import type { AnnotationKind } from '../../repositories/annotations/write.js';
import type { LabelRepository } from '../../repositories/label.repository.js';
import type { ValidationRepository } from '../../repositories/validation.repository.js';
import { asAppError } from '../validation.service.js';
import type { AccessService } from '../access.js';
import type { Auth } from '../auth/auth.js';
import type { AnnotationService, PatchAction } from './annotation.service.js';
import { checkAnnotations, checkDeletion, type JobContext } from './validation.js';

type Data = Omit<Annotations, 'version'>;

interface Segment {
  jobId: number;
  start: number;
  stop: number;
  version: number;
}

const TABLES = { tags: 'labeled_tags', shapes: 'labeled_shapes', tracks: 'labeled_tracks' } as const;

interface Pool {
  honeypots: HoneypotSlot[];
  validation: ReadonlySet<number>;
}

function mirror(data: Data, pool: Pool): Data {
  try {
    return mirrorToHoneypots(data, pool.honeypots);
  } catch (e) {
    throw asAppError(e);
  }
}

export class TaskAnnotationService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly labels: LabelRepository,
    private readonly jobs: AnnotationService,
    private readonly validation: ValidationRepository,
  ) {}

  /**
   * The jobs whose annotations are the task's: its annotation jobs, and with honeypots the
   * ground-truth job too, which alone holds the validation frames (CVAT's TaskAnnotation).
   */
  private async segments(db: Db, taskId: number): Promise<Segment[]> {
    const rows = await db
      .selectFrom('jobs as j')
      .innerJoin('segments as s', 's.id', 'j.segment_id')
      .innerJoin('tasks as t', 't.id', 'j.task_id')
      .select(['j.id', 's.start_frame', 's.stop_frame', 'j.version'])
      .where('j.task_id', '=', taskId)
      .where((eb) => eb.or([eb('j.type', '=', 'annotation'), eb.and([eb('j.type', '=', 'ground_truth'), eb('t.validation_mode', '=', 'gt_pool')])]))
      .orderBy('s.start_frame')
      .orderBy('j.id')
      .execute();
    return rows.map((r) => ({ jobId: r.id, start: r.start_frame, stop: r.stop_frame, version: Number(r.version) }));
  }

  /** The task's version: the sum of its jobs', so any save to any job moves it. */
  private static version(segments: Segment[]): number {
    return segments.reduce((n, s) => n + s.version, 0);
  }

  async read(auth: Auth, taskId: number): Promise<string> {
    await this.access.requireTask(auth, taskId, 'view');
    const merged = await this.readMerged(taskId);
    return JSON.stringify({ version: merged.version, tags: merged.tags, shapes: merged.shapes, tracks: merged.tracks, intervals: [] });
  }

  /** The task's annotations, jobs merged, from one snapshot; no access check (background work). */
  async readMerged(taskId: number): Promise<Annotations> {
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const segments = await this.segments(trx, taskId);
        const jobs = [];
        for (const s of segments) {
          jobs.push({ start: s.start, stop: s.stop, annotations: JSON.parse(await readJobJson(trx, s.jobId, s.version)) as Annotations });
        }
        const merged = mergeSegments(jobs);
        return { version: TaskAnnotationService.version(segments), tags: merged.tags, shapes: merged.shapes, tracks: merged.tracks };
      });
  }

  /** The task's jobs, and the frames and labels its annotations are checked against. */
  private async taskContext(taskId: number): Promise<{ context: JobContext; segments: Segment[]; pool: Pool | null }> {
    const segments = await this.segments(this.db, taskId);
    if (segments.length === 0) throw new AppError('CONFLICT', `task ${taskId} has no data yet, so no frames to annotate`);
    const start = Math.min(...segments.map((s) => s.start));
    const stop = Math.max(...segments.map((s) => s.stop));
    const pool = await this.pool(taskId);
    return { context: { jobId: 0, start, stop, labels: await this.labels.listForTask(taskId), noTracks: pool !== null }, segments, pool };
  }

  /** A task with honeypots: its honeypots and validation frames; null for any other task. */
  private async pool(taskId: number): Promise<Pool | null> {
    const layout = await this.validation.layout(taskId);
    if (layout?.mode !== 'gt_pool') return null;
    return { honeypots: await this.validation.honeypots(taskId), validation: new Set(layout.frames) };
  }

  private async check(taskId: number, input: unknown, mode: 'create' | 'update'): Promise<{ data: Data; segments: Segment[] }> {
    const { context, segments, pool } = await this.taskContext(taskId);
    const data = checkAnnotations(input, context, mode);
    if (!pool) return { data, segments };
    if (mode === 'create') return { data: mirror(data, pool), segments };
    if (touchesFrames(data, pool.validation)) {
      throw AppError.invalid('shapes', 'annotations on validation frames can only be changed through the ground-truth job or a task import or replace');
    }
    return { data, segments };
  }

  /** Locks every job of the task (in id order) and checks a client's base version of the whole task. */
  private async lockAll(trx: Db, segments: Segment[], base: number | undefined): Promise<void> {
    const ids = segments.map((s) => s.jobId).sort((a, b) => a - b);
    const rows = await trx.selectFrom('jobs').select(['id', 'version']).where('id', 'in', ids).orderBy('id').forUpdate().execute();
    const current = rows.reduce((n, r) => n + Number(r.version), 0);
    if (base !== undefined && base !== current) {
      throw new AppError('CONFLICT', `the task's annotations changed since version ${base} (now ${current}); reload them, then apply your change again`, [], {
        version: current,
        base_version: base,
      });
    }
  }

  async replace(auth: Auth, taskId: number, input: unknown, base: number | undefined): Promise<{ version: number; data: Data }> {
    await this.access.requireTask(auth, taskId, 'change');
    const { data, segments } = await this.check(taskId, input, 'create');
    return this.db.transaction().execute(async (trx) => {
      await this.lockAll(trx, segments, base);
      let version = 0;
      for (const s of segments) version += await this.jobs.apply(trx, auth, s.jobId, 'put', sliceAnnotations(data, s.start, s.stop), undefined);
      return { version, data };
    });
  }

  /**
   * Saves an import into the task batch by batch, each batch checked and split among the jobs by
   * frame as a PUT is; one transaction and one new version per job, so a failed batch leaves the
   * task as it was.
   */
  async saveBatches(auth: Auth, taskId: number, action: 'put' | 'create', batches: AsyncIterable<unknown> | Iterable<unknown>): Promise<number> {
    await this.access.requireTask(auth, taskId, 'change');
    const { context, segments, pool } = await this.taskContext(taskId);
    return this.db.transaction().execute(async (trx) => {
      await this.lockAll(trx, segments, undefined);
      const saves = [];
      for (const s of segments) saves.push({ segment: s, save: await this.jobs.beginBatches(trx, auth, s.jobId, action) });
      for await (const batch of batches) {
        const checked = checkAnnotations(batch, context, 'create');
        // With honeypots, what lands on a validation frame lands on its honeypots too.
        const data = pool ? mirror(checked, pool) : checked;
        for (const { segment, save } of saves) {
          // A job holding every frame takes the batch as it is (slicing copies every object).
          const whole = segment.start <= context.start && segment.stop >= context.stop;
          const part = whole ? data : sliceAnnotations(data, segment.start, segment.stop);
          if (part.tags.length + part.shapes.length + part.tracks.length > 0) await save.add(part);
        }
      }
      let version = 0;
      for (const { save } of saves) version += await save.finish();
      return version;
    });
  }

  async clear(auth: Auth, taskId: number, base: number | undefined): Promise<number> {
    await this.access.requireTask(auth, taskId, 'change');
    const segments = await this.segments(this.db, taskId);
    return this.db.transaction().execute(async (trx) => {
      await this.lockAll(trx, segments, base);
      let version = 0;
      for (const s of segments) version += await this.jobs.apply(trx, auth, s.jobId, 'clear', { tags: [], shapes: [], tracks: [] }, undefined);
      return version;
    });
  }

  async patch(auth: Auth, taskId: number, action: PatchAction, input: unknown, base: number | undefined): Promise<{ version: number; data: Data }> {
    await this.access.requireTask(auth, taskId, 'change');
    let data: Data;
    let segments: Segment[];
    if (action === 'delete') {
      data = checkDeletion(input);
      segments = await this.segments(this.db, taskId);
    } else {
      ({ data, segments } = await this.check(taskId, input, action === 'create' ? 'create' : 'update'));
    }
    return this.db.transaction().execute(async (trx) => {
      await this.lockAll(trx, segments, base);
      const perJob = action === 'create' ? this.split(data, segments) : await this.route(trx, data, segments, action === 'update');
      for (const s of segments) {
        const part = perJob.get(s.jobId);
        if (part && part.tags.length + part.shapes.length + part.tracks.length > 0) await this.jobs.apply(trx, auth, s.jobId, action, part, undefined);
      }
      const after = await this.segments(trx, taskId);
      return { version: TaskAnnotationService.version(after), data };
    });
  }

  private split(data: Data, segments: Segment[]): Map<number, Data> {
    return new Map(segments.map((s) => [s.jobId, sliceAnnotations(data, s.start, s.stop)]));
  }

  /** Objects by the job that holds them; an unknown id is a 400 for an update, ignored for a delete. */
  private async route(trx: Db, data: Data, segments: Segment[], strict: boolean): Promise<Map<number, Data>> {
    const jobIds = segments.map((s) => s.jobId);
    const out = new Map<number, Data>(jobIds.map((id) => [id, { tags: [], shapes: [], tracks: [] }]));
    for (const kind of ['tags', 'shapes', 'tracks'] as const satisfies readonly AnnotationKind[]) {
      const ids = data[kind].map((o) => o.id!);
      if (ids.length === 0) continue;
      const rows = await trx
        .selectFrom(TABLES[kind])
        .select(['id', 'job_id'])
        .where('id', 'in', ids)
        .where('job_id', 'in', jobIds)
        .$if(kind !== 'tags', (q) => q.where(sql.ref('parent_id'), 'is', null))
        .execute();
      const jobOf = new Map(rows.map((r) => [Number(r.id), r.job_id]));
      data[kind].forEach((o, i) => {
        const job = jobOf.get(o.id!);
        if (job === undefined) {
          if (strict) throw new AppError('VALIDATION', `${kind}[${i}].id: there is no ${kind.slice(0, -1)} ${o.id} in this task`, [{ field: `${kind}[${i}].id`, message: 'not in this task' }]);
          return;
        }
        (out.get(job)![kind] as unknown[]).push(o);
      });
    }
    return out;
  }
}
