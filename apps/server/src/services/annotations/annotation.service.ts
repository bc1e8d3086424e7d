/**
 * Job annotations: read, replace (PUT), change listed objects (PATCH create/update/delete) and
 * clear. Each save is one transaction holding the job's row lock: the job's version goes up by
 * one, every touched object is stamped with it and with its author, and the change is logged.
 * A client that says which version its change is based on gets a 409 naming what changed
 * instead of overwriting someone else's work.
 */
import { assertNever, type Annotations, type LabeledShape, type LabeledTag, type LabeledTrack } from '@framewise/core';
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../errors.js';
import { readJobJson } from '../../repositories/annotations/read.js';
import {
  clearJob,
  creators,
  deleteObjects,
  insertShapes,
  insertTags,
  insertTracks,
  lockJob,
  logChange,
  setJobVersion,
  updateTags,
  type AnnotationKind,
  type Stamp,
} from '../../repositories/annotations/write.js';
import type { LabelRepository } from '../../repositories/label.repository.js';
import { ReferenceChecks } from '../../repositories/annotations/references.js';
import type { AccessService } from '../access.js';
import type { Auth } from '../auth/auth.js';
import { checkObjects, checkWholeJob } from './conflicts.js';
import { checkAnnotations, checkDeletion, type JobContext } from './validation.js';

export type PatchAction = 'create' | 'update' | 'delete';
export type SaveAction = PatchAction | 'put' | 'clear';
type Data = Omit<Annotations, 'version'>;

const EMPTY = (): Data => ({ tags: [], shapes: [], tracks: [] });

/** A save fed batch by batch (imports): one transaction, one new version, one log entry. */
export interface BatchSave {
  add(data: Data): Promise<void>;
  /** Stamps the job's new version and logs the save; returns the version. */
  finish(): Promise<number>;
}

export interface SaveResult {
  version: number;
  data: Omit<Annotations, 'version'>;
}

function idsOf(data: Omit<Annotations, 'version'>): Record<AnnotationKind, number[]> {
  return {
    tags: data.tags.map((o) => o.id!),
    shapes: data.shapes.map((o) => o.id!),
    tracks: data.tracks.map((o) => o.id!),
  };
}

function counts(data: Omit<Annotations, 'version'>) {
  return { tags: data.tags.length, shapes: data.shapes.length, tracks: data.tracks.length };
}

export class AnnotationService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly labels: LabelRepository,
    private readonly references: ReferenceChecks = new ReferenceChecks('per-row'),
  ) {}

  /** The frames and label schema a job's annotations are checked against. */
  async jobContext(jobId: number): Promise<JobContext> {
    const seg = await this.db
      .selectFrom('jobs as j')
      .innerJoin('segments as s', 's.id', 'j.segment_id')
      .innerJoin('tasks as t', 't.id', 'j.task_id')
      .select(['s.start_frame', 's.stop_frame', 's.frames', 'j.task_id', 't.validation_mode'])
      .where('j.id', '=', jobId)
      .executeTakeFirstOrThrow();
    const labels = await this.labels.listForTask(seg.task_id);
    return { jobId, start: seg.start_frame, stop: seg.stop_frame, labels, frames: seg.frames, noTracks: seg.validation_mode === 'gt_pool' };
  }

  async read(auth: Auth, jobId: number, options: { provenance?: boolean } = {}): Promise<string> {
    await this.access.requireJob(auth, jobId, 'view');
    // One snapshot for the four reads, so a save landing meanwhile cannot tear the answer.
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const row = await trx.selectFrom('jobs').select('version').where('id', '=', jobId).executeTakeFirstOrThrow();
        return readJobJson(trx, jobId, Number(row.version), options.provenance ?? false);
      });
  }

  /** PUT: the job's annotations become exactly `input`. */
  async replace(auth: Auth, jobId: number, input: unknown, base: number | undefined): Promise<SaveResult> {
    await this.access.requireJob(auth, jobId, 'annotate');
    const data = checkAnnotations(input, await this.jobContext(jobId), 'create');
    return this.db.transaction().execute(async (trx) => ({ version: await this.apply(trx, auth, jobId, 'put', data, base), data }));
  }

  async clear(auth: Auth, jobId: number, base: number | undefined): Promise<number> {
    await this.access.requireJob(auth, jobId, 'annotate');
    return this.db.transaction().execute((trx) => this.apply(trx, auth, jobId, 'clear', EMPTY(), base));
  }

  async patch(auth: Auth, jobId: number, action: PatchAction, input: unknown, base: number | undefined): Promise<SaveResult> {
    await this.access.requireJob(auth, jobId, 'annotate');
    const data =
      action === 'delete' ? checkDeletion(input) : checkAnnotations(input, await this.jobContext(jobId), action === 'create' ? 'create' : 'update');
    return this.db.transaction().execute(async (trx) => ({ version: await this.apply(trx, auth, jobId, action, data, base), data }));
  }

  /**
   * One save of one job inside the caller's transaction: lock, check conflicts, write, stamp the
   * new version, log. Returns the new version. Task-level saves call it for each job in one
   * transaction, so a task save is as atomic as a job save.
   */
  async apply(trx: Transaction<DB>, auth: Auth, jobId: number, action: SaveAction, data: Data, base: number | undefined): Promise<number> {
    const current = await lockJob(trx, jobId);
    const stamp: Stamp = { jobId, version: current + 1, userId: auth.user.id, at: new Date() };
    switch (action) {
      case 'put':
      case 'clear':
        if (base !== undefined) await checkWholeJob(trx, jobId, base, current);
        await clearJob(trx, jobId);
        if (action === 'put') await this.insertAll(trx, stamp, data);
        break;
      case 'create':
        await this.insertAll(trx, stamp, data);
        break;
      case 'update': {
        const ids = idsOf(data);
        const found = await checkObjects(trx, jobId, ids, base, current, true);
        for (const kind of ['tags', 'shapes', 'tracks'] as const) {
          const missing = ids[kind].findIndex((id) => !found[kind].has(id));
          if (missing >= 0) {
            throw new AppError('VALIDATION', `${kind}[${missing}].id: there is no ${kind.slice(0, -1)} ${ids[kind][missing]} in job ${jobId}`, [
              { field: `${kind}[${missing}].id`, message: 'not in this job' },
            ]);
          }
        }
        await updateTags(trx, stamp, data.tags);
        // Shapes and tracks are replaced whole under their ids (children included), keeping who created them.
        const shapeCreators = await creators(trx, 'shapes', ids.shapes);
        const trackCreators = await creators(trx, 'tracks', ids.tracks);
        await deleteObjects(trx, 'shapes', jobId, ids.shapes);
        await deleteObjects(trx, 'tracks', jobId, ids.tracks);
        await this.references.inserting(trx, { tags: [], shapes: data.shapes, tracks: data.tracks }, stamp.userId, async () => {
          await insertShapes(trx, stamp, data.shapes, { keepIds: true, created: shapeCreators });
          await insertTracks(trx, stamp, data.tracks, { keepIds: true, created: trackCreators });
        });
        break;
      }
      case 'delete': {
        const ids = idsOf(data);
        await checkObjects(trx, jobId, ids, base, current, false);
        for (const kind of ['tags', 'shapes', 'tracks'] as const) await deleteObjects(trx, kind, jobId, ids[kind]);
        break;
      }
      default:
        assertNever(action, 'save action');
    }
    await setJobVersion(trx, jobId, stamp.version, stamp.at);
    await logChange(trx, stamp, action, action === 'put' || action === 'clear' ? counts(data) : { ...counts(data), ids: idsOf(data) });
    return stamp.version;
  }

  /**
   * Starts a save of many batches in the caller's transaction: the job is locked and, for 'put',
   * cleared; each batch is inserted under the same new version. The caller has checked the data.
   */
  async beginBatches(trx: Transaction<DB>, auth: Auth, jobId: number, action: 'put' | 'create'): Promise<BatchSave> {
    const current = await lockJob(trx, jobId);
    const stamp: Stamp = { jobId, version: current + 1, userId: auth.user.id, at: new Date() };
    if (action === 'put') await clearJob(trx, jobId);
    const total = { tags: 0, shapes: 0, tracks: 0 };
    return {
      add: async (data) => {
        await this.insertAll(trx, stamp, data);
        total.tags += data.tags.length;
        total.shapes += data.shapes.length;
        total.tracks += data.tracks.length;
      },
      finish: async () => {
        await setJobVersion(trx, jobId, stamp.version, stamp.at);
        await logChange(trx, stamp, action, total);
        return stamp.version;
      },
    };
  }

  /** Saves an import into one job, batch by batch, as one save ('put' replaces what the job had). */
  async saveBatches(auth: Auth, jobId: number, action: 'put' | 'create', batches: AsyncIterable<unknown> | Iterable<unknown>): Promise<number> {
    await this.access.requireJob(auth, jobId, 'annotate');
    const context = await this.jobContext(jobId);
    return this.db.transaction().execute(async (trx) => {
      const save = await this.beginBatches(trx, auth, jobId, action);
      for await (const batch of batches) await save.add(checkAnnotations(batch, context, 'create'));
      return save.finish();
    });
  }

  /** Inserts every object; the write functions put the ids they got into the objects themselves. */
  private async insertAll(trx: Parameters<typeof insertTags>[0], stamp: Stamp, data: { tags: LabeledTag[]; shapes: LabeledShape[]; tracks: LabeledTrack[] }) {
    await this.references.inserting(trx, data, stamp.userId, async () => {
      await insertTags(trx, stamp, data.tags);
      await insertShapes(trx, stamp, data.shapes);
      await insertTracks(trx, stamp, data.tracks);
    });
  }


  /** The append-only log of changes to a job's annotations, newest first. */
  history(auth: Auth, jobId: number, page: { limit: number; offset: number }) {
    return this.access.requireJob(auth, jobId, 'view').then(() =>
      this.db
        .selectFrom('annotation_changes as c')
        .leftJoin('users as u', 'u.id', 'c.user_id')
        .select(['c.version', 'c.action', 'c.at', 'c.summary', 'c.user_id', 'u.username'])
        .where('c.job_id', '=', jobId)
        .orderBy('c.version', 'desc')
        .limit(page.limit)
        .offset(page.offset)
        .execute(),
    );
  }
}
