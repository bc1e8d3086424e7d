/**
 * The background half of an annotation import: the uploaded file (or archive, unpacked with the
 * archive reader's zip-slip and bomb checks) is read by the format's codec against the task's
 * images and labels, matched to frames and labels by name (formats/convert), and saved through
 * the same validation and transaction as a client's PUT (or PATCH create, when appending), on
 * behalf of the user who asked, whose access is checked again here.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { DatasetApplier, DatasetFormatError, findImporter, type ParsedDataset, type Skipped } from '@framewise/core';
import type { Logger } from 'pino';
import type { Db } from '../../db/database.js';
import type { JobHandler } from '../../jobs/queue.js';
import type { ArchiveLimits } from '../../repositories/archive.repository.js';
import type { FrameRepository } from '../../repositories/frame.repository.js';
import type { LabelRecord, LabelRepository } from '../../repositories/label.repository.js';
import { sharpRasterCodec } from '../../repositories/raster.repository.js';
import type { RequestRepository } from '../../repositories/request.repository.js';
import type { BlobStore } from '../../repositories/storage/blob-store.js';
import type { UserRepository } from '../../repositories/user.repository.js';
import type { AccessService } from '../access.js';
import type { AnnotationService } from '../annotations/annotation.service.js';
import type { TaskAnnotationService } from '../annotations/task-annotation.service.js';
import type { Auth } from '../auth/auth.js';
import type { CloudStorageService } from '../cloud-storage.service.js';
import type { LabelService } from '../label.service.js';
import type { ProgressReporter } from '../progress.js';
import { ExpectedFailure, problemList, requesterAuth, runRequest } from '../request-runner.js';
import { missingLabels, toLabelWrite } from './create-labels.js';
import { fetchStagedFile, openImportSource } from './import-source.js';
import type { ImportParams } from './import.service.js';
import { taskImages } from './images.js';
import { datasetLabelsOf, schemaOf } from './labels.js';

/**
 * Objects converted and saved at a time: bounds the converted copies an import holds. Small
 * enough that a batch's copies mostly die young (measured 1M shapes: the same time from 2,000
 * to 20,000, less old-generation garbage at the low end).
 */
const SAVE_BATCH = 5_000;

export class DatasetImportHandler {
  constructor(
    private readonly db: Db,
    private readonly requests: RequestRepository,
    private readonly users: UserRepository,
    private readonly frames: FrameRepository,
    private readonly labels: LabelRepository,
    private readonly labelService: LabelService,
    private readonly access: AccessService,
    private readonly annotations: AnnotationService,
    private readonly taskAnnotations: TaskAnnotationService,
    private readonly blobs: BlobStore,
    private readonly cloudStorages: CloudStorageService,
    private readonly tmpDir: string,
    private readonly limits: ArchiveLimits,
    private readonly log: Logger,
  ) {}

  handle: JobHandler<'dataset.import'> = async ({ requestId }, ctx) => {
    let params: ImportParams | undefined;
    await runRequest(
      this.requests,
      this.log,
      requestId,
      ctx,
      async (progress, request) => {
        params = request.params as unknown as ImportParams;
        return this.run(params, request.owner_id!, progress);
      },
      async () => {
        if (params?.source.kind === 'blob') await this.blobs.delete(params.source.key);
      },
    );
  };

  private async run(params: ImportParams, ownerId: number, progress: ProgressReporter) {
    const codec = findImporter(params.format);
    if (!codec?.import) throw new ExpectedFailure(`"${params.format}" is no longer an import format`);
    const auth = await requesterAuth(this.users, ownerId, 'import');

    const scope = await this.scope(params);
    const labelRows = await this.labels.listForTask(scope.taskId);
    const schema = schemaOf(labelRows);
    const images = (await taskImages(this.frames, scope.taskId, scope.start, scope.stop)).filter((im) => scope.keep(im.frame));

    const work = await fsp.mkdtemp(path.join(await this.ensureTmp(), 'import-'));
    try {
      await progress.report(0.05, `Reading ${params.filename}`, true);
      const file = path.join(work, 'upload');
      await fetchStagedFile(this.blobs, this.cloudStorages, params.source, params.filename, file);
      const source = await openImportSource(file, params.filename, work, this.limits);
      await progress.report(0.2, `Parsing ${params.filename} as ${codec.name}`, true);
      let parsed;
      try {
        parsed = await codec.import(source, { raster: sharpRasterCodec, images, labels: datasetLabelsOf(labelRows, schema) });
      } catch (e) {
        if (e instanceof DatasetFormatError) throw new ExpectedFailure(e.message);
        throw e;
      }
      let target = schema;
      let created: string[] = [];
      if (params.onUnknownLabel === 'create') {
        created = await this.createLabels(auth, scope.taskId, labelRows, parsed);
        if (created.length) target = schemaOf(await this.labels.listForTask(scope.taskId));
      }
      await progress.report(0.6, 'Matching images and labels, saving annotations', true);
      const applier = new DatasetApplier(parsed, target, images, { onUnknownLabel: params.onUnknownLabel === 'skip' ? 'skip' : 'error', consume: true });
      const { saved, skipped: skippedOf } = await this.save(auth, params, applier);
      const list = (m: Record<string, number>) => Object.entries(m).map(([k, n]) => `${k} (${n})`).join(', ');
      let skipped = created.length ? `; created labels: ${created.join(', ')}` : '';
      if (Object.keys(skippedOf.labels).length) skipped += `; skipped objects of labels the task lacks: ${list(skippedOf.labels)}`;
      if (Object.keys(skippedOf.attributes).length) skipped += `; left out values of attributes the labels lack: ${list(skippedOf.attributes)}`;
      return {
        message: `Imported ${saved.shapes} shapes, ${saved.tracks} tracks and ${saved.tags} tags from ${params.filename}${skipped}`,
      };
    } finally {
      await fsp.rm(work, { recursive: true, force: true });
      if (params.source.kind === 'blob') await this.blobs.delete(params.source.key).catch(() => undefined);
    }
  }

  /**
   * Converts and saves the parsed file a batch at a time inside one transaction: a problem found
   * in a later batch rolls back the earlier ones, so the target keeps what it had. Tracks are
   * built from all frames, so they come last. No progress is written meanwhile: on PGlite the
   * transaction holds the one database session, and a progress write would wait on it forever.
   */
  private async save(auth: Auth, params: ImportParams, applier: DatasetApplier) {
    const saved = { shapes: 0, tags: 0, tracks: 0 };
    let skipped: Skipped = { labels: {}, items: [], attributes: {} };
    const refuse = (problems: string[]) => {
      return new ExpectedFailure(`${params.filename}: ${problemList(problems)}`);
    };
    async function* batches() {
      for (let batch = applier.next(SAVE_BATCH); batch; batch = applier.next(SAVE_BATCH)) {
        // PGlite runs queries synchronously: without a turn of the event loop between batches
        // the server would answer nothing, not even a health check, until the import is saved.
        await new Promise((resolve) => setImmediate(resolve));
        if (applier.problems().length) throw refuse(applier.problems());
        saved.shapes += batch.shapes.length;
        saved.tags += batch.tags.length;
        yield { tags: batch.tags, shapes: batch.shapes, tracks: [] };
      }
      const rest = applier.finish();
      if (rest.problems.length) throw refuse(rest.problems);
      saved.tracks = rest.tracks.length;
      skipped = rest.skipped;
      yield { tags: [], shapes: [], tracks: rest.tracks };
    }
    const action = params.mode === 'append' ? 'create' : 'put';
    if (params.target === 'task') await this.taskAnnotations.saveBatches(auth, params.id, action, batches());
    else await this.annotations.saveBatches(auth, params.id, action, batches());
    return { saved, skipped };
  }

  /**
   * Adds to the task (or its project, which holds the labels of its tasks) every label the file
   * declares or uses that the task lacks, with the attributes and skeleton points the file gives.
   * Returns their names.
   */
  private async createLabels(auth: Auth, taskId: number, rows: LabelRecord[], parsed: ParsedDataset): Promise<string[]> {
    const wanted = missingLabels(parsed, new Set(rows.map((l) => l.name)));
    if (wanted.length === 0) return [];
    const task = await this.db.selectFrom('tasks').select(['id', 'project_id']).where('id', '=', taskId).executeTakeFirstOrThrow();
    if (task.project_id !== null) await this.access.requireProject(auth, task.project_id, 'change');
    else await this.access.requireTask(auth, taskId, 'change');
    const owner = task.project_id !== null ? { projectId: task.project_id } : { taskId };
    const specs = wanted.map(toLabelWrite);
    await this.db.transaction().execute((trx) => this.labelService.patchFor(trx, owner, specs));
    return wanted.map((l) => l.name);
  }

  private async ensureTmp(): Promise<string> {
    await fsp.mkdir(this.tmpDir, { recursive: true });
    return this.tmpDir;
  }

  /**
   * The frames a file's images are matched to. A task with honeypots is matched on its own frames
   * and validation frames (a honeypot bears its validation frame's name, and gets its annotations
   * from there); a ground-truth job of some frames on those frames.
   */
  private async scope(params: ImportParams): Promise<{ taskId: number; start: number; stop: number; keep: (frame: number) => boolean }> {
    if (params.target === 'task') {
      const t = await this.db.selectFrom('tasks').select(['id', 'size', 'validation_mode']).where('id', '=', params.id).executeTakeFirst();
      if (!t) throw new ExpectedFailure(`task ${params.id} no longer exists`);
      const honeypots =
        t.validation_mode === 'gt_pool'
          ? new Set((await this.db.selectFrom('task_frames').select('frame').where('task_id', '=', t.id).where('real_frame', 'is not', null).execute()).map((r) => r.frame))
          : new Set<number>();
      return { taskId: t.id, start: 0, stop: t.size - 1, keep: (f) => !honeypots.has(f) };
    }
    const j = await this.db
      .selectFrom('jobs as j')
      .innerJoin('segments as s', 's.id', 'j.segment_id')
      .select(['j.task_id', 's.start_frame', 's.stop_frame', 's.frames'])
      .where('j.id', '=', params.id)
      .executeTakeFirst();
    if (!j) throw new ExpectedFailure(`job ${params.id} no longer exists`);
    const only = j.frames ? new Set(j.frames) : null;
    return { taskId: j.task_id, start: j.start_frame, stop: j.stop_frame, keep: (f) => !only || only.has(f) };
  }
}
