/**
 * The background half of a project dataset import, CVAT's import_dataset_as_project: the archive
 * is unpacked (zip-slip, link and bomb checks in the archive reader), its images are probed, the
 * format's codec reads the annotations against them, and each subset becomes a task of the
 * project (project-import-plan.ts) through the ordinary task creation (uploads, then the creation
 * job, awaited here), owned by the user who asked. Labels the project lacks are created from the
 * dataset; then each task's annotations are saved through the same validation as a client's PUT.
 *
 * Everything is checked before anything is created: items without an image, labels that do not
 * fit and attributes are found on the planned frames first. Whatever the job created is noted in
 * the request as it goes and removed when it fails, is cancelled, or is started over after a crash,
 * so a failed import leaves the project as it was.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DatasetFormatError,
  applyParsedDataset,
  attributeDraftProblems,
  findImporter,
  type AppliedDataset,
  type DatasetImage,
  type DatasetLabel,
  type LabelSchema,
  type ParsedDataset,
} from '@framewise/core';
import type { Logger } from 'pino';
import type { Db } from '../../db/database.js';
import type { RequestRow } from '../../db/schema.js';
import { dataRequestSchema } from '../../dtos/task-data.dto.js';
import type { JobHandler } from '../../jobs/queue.js';
import type { ArchiveLimits } from '../../repositories/archive.repository.js';
import type { FrameRepository } from '../../repositories/frame.repository.js';
import type { LabelRepository } from '../../repositories/label.repository.js';
import type { MediaRepository } from '../../repositories/media.repository.js';
import { sharpRasterCodec } from '../../repositories/raster.repository.js';
import type { RequestRepository } from '../../repositories/request.repository.js';
import type { BlobStore } from '../../repositories/storage/blob-store.js';
import type { TaskRepository } from '../../repositories/task.repository.js';
import type { UserRepository } from '../../repositories/user.repository.js';
import type { AccessService } from '../access.js';
import type { TaskAnnotationService } from '../annotations/task-annotation.service.js';
import type { Auth } from '../auth/auth.js';
import type { CloudStorageService } from '../cloud-storage.service.js';
import type { LabelService } from '../label.service.js';
import type { ProgressReporter } from '../progress.js';
import { ExpectedFailure, problemList, requesterAuth, runRequest, type RequestOutcome } from '../request-runner.js';
import { createTaskRequestId, type TaskDataService } from '../task-data.service.js';
import type { TaskService } from '../task.service.js';
import { ArchiveImageIndex, probeArchiveImages, recordReads } from './archive-images.js';
import { missingLabels, toLabelWrite } from './create-labels.js';
import { fetchStagedFile, openImportSource } from './import-source.js';
import { taskImages } from './images.js';
import { datasetLabelsOf, schemaOf } from './labels.js';
import { expectedImages, planSubsetTasks, type SubsetTask } from './project-import-plan.js';
import type { ProjectImportParams } from './project-import.service.js';

const POLL_MS = 200;
/** How long a rollback waits for a task creation it cancelled to stop. */
const SETTLE_MS = 30_000;
// CVAT's limits on the fields the tasks take their values from.
const TASK_NAME_MAX = 256;
const SUBSET_MAX = 64;

export interface ProjectImportDeps {
  db: Db;
  requests: RequestRepository;
  users: UserRepository;
  access: AccessService;
  labels: LabelRepository;
  labelService: LabelService;
  tasks: TaskRepository;
  taskService: TaskService;
  taskData: TaskDataService;
  frames: FrameRepository;
  taskAnnotations: TaskAnnotationService;
  media: MediaRepository;
  blobs: BlobStore;
  cloudStorages: CloudStorageService;
}

/**
 * The label with only the attribute specs the server accepts: files carry specs CVAT never
 * checks (a number attribute whose minimum exceeds its maximum), and CVAT's own project import
 * takes no specs at all, so a bad one is left out (its values then are too) rather than failing
 * the import. `dropped` says which and why.
 */
function withSoundAttributes(label: DatasetLabel, dropped: string[], prefix = ''): DatasetLabel {
  const seen = new Set<string>();
  const attributes = label.attributes.filter((a) => {
    const problems = attributeDraftProblems(a, '');
    const why = seen.has(a.name) ? 'a second attribute of that name' : problems.map((p) => `${p.path.replace(/^\./, '')}: ${p.message}`).join(', ');
    seen.add(a.name);
    if (why) dropped.push(`${prefix}${label.name}.${a.name} (${why})`);
    return !why;
  });
  const sublabels = label.sublabels?.map((s) => withSoundAttributes(s, dropped, `${label.name}.`));
  return { ...label, attributes, ...(sublabels ? { sublabels } : {}) };
}

export class ProjectImportHandler {
  constructor(
    private readonly deps: ProjectImportDeps,
    private readonly tmpDir: string,
    private readonly limits: ArchiveLimits,
    private readonly log: Logger,
  ) {}

  handle: JobHandler<'dataset.import-project'> = async ({ requestId }, ctx) => {
    let params: ProjectImportParams | undefined;
    await runRequest(
      this.deps.requests,
      this.log,
      requestId,
      ctx,
      async (progress, request) => {
        params = request.params as unknown as ProjectImportParams;
        // An attempt cut short by a crash left its tasks behind: this one starts from nothing.
        await this.rollback(requestId, params);
        const outcome = await this.run(request, params, progress);
        await this.discardUpload(params);
        return outcome;
      },
      async () => {
        if (params) await this.discardUpload(params);
      },
      'Reading the dataset',
    );
  };

  /** Ends an import whose worker was lost for good, removing what it had created. */
  async abandon(request: Pick<RequestRow, 'id'>, message: string): Promise<void> {
    const row = await this.deps.requests.findById(request.id);
    const params = row?.params as unknown as ProjectImportParams | undefined;
    if (params) {
      await this.rollback(request.id, params);
      await this.discardUpload(params);
    }
    await this.deps.requests.update(request.id, { status: 'failed', message, finished_at: new Date(), worker_id: null });
  }

  private async discardUpload(params: ProjectImportParams): Promise<void> {
    if (params.source.kind === 'blob') await this.deps.blobs.delete(params.source.key).catch(() => undefined);
  }

  private async run(request: RequestRow, params: ProjectImportParams, progress: ProgressReporter): Promise<RequestOutcome> {
    const { deps } = this;
    const codec = findImporter(params.format);
    if (!codec?.import) throw new ExpectedFailure(`"${params.format}" is no longer an import format`);
    const auth = await requesterAuth(deps.users, request.owner_id ?? -1, 'import');
    // Checked again: access may have changed while the request waited.
    await deps.access.requireProject(auth, params.projectId, 'change');

    await fsp.mkdir(this.tmpDir, { recursive: true });
    const work = await fsp.mkdtemp(path.join(this.tmpDir, 'project-import-'));
    try {
      await progress.report(0.02, `Reading ${params.filename}`, true);
      const file = path.join(work, 'upload');
      await fetchStagedFile(deps.blobs, deps.cloudStorages, params.source, params.filename, file);
      const source = await openImportSource(file, params.filename, work, this.limits);
      const images = await probeArchiveImages(source, deps.media, (done, total) => progress.report(0.05 + (0.1 * done) / total, `Reading image headers: ${done} of ${total}`));
      if (images.length === 0) {
        throw new ExpectedFailure(
          `${params.filename}: the archive has no images. Importing a dataset into a project creates its tasks from the images, ` +
            `so a ${codec.name} archive must include them (export with save_images=true); to import annotations alone, import them into a task`,
        );
      }

      await progress.report(0.15, `Parsing ${params.filename} as ${codec.name}`, true);
      const projectLabels = await deps.labels.listForOwner({ projectId: params.projectId });
      const tracked = recordReads(source);
      const readable: DatasetImage[] = images.filter((i) => !i.unreadable).map((i) => ({ frame: -1, name: i.path, width: i.width, height: i.height }));
      let parsed: ParsedDataset;
      try {
        parsed = await codec.import(tracked.source, { raster: sharpRasterCodec, images: readable, labels: datasetLabelsOf(projectLabels, schemaOf(projectLabels)) });
      } catch (e) {
        if (e instanceof DatasetFormatError) throw new ExpectedFailure(e.message);
        throw e;
      }
      const plan = planSubsetTasks(parsed, new ArchiveImageIndex(images, tracked.read));
      if (plan.problems.length) throw new ExpectedFailure(`${params.filename}: ${problemList(plan.problems)}`);
      if (plan.tasks.length === 0) throw new ExpectedFailure(`${params.filename}: the dataset has no items, so there is nothing to make tasks of`);

      try {
        return await this.createAll(request.id, params, auth, parsed, plan.tasks, (p) => source.localPath(p), progress);
      } catch (e) {
        await this.rollback(request.id, params);
        throw e;
      }
    } finally {
      await fsp.rm(work, { recursive: true, force: true });
    }
  }

  private async createAll(
    requestId: string,
    params: ProjectImportParams,
    auth: Auth,
    parsed: ParsedDataset,
    tasks: SubsetTask[],
    localPath: (archivePath: string) => string,
    progress: ProgressReporter,
  ): Promise<RequestOutcome> {
    const { deps } = this;
    const created = await this.createLabels(requestId, params, parsed);
    const labelRows = await deps.labels.listForOwner({ projectId: params.projectId });
    const schema = schemaOf(labelRows);

    // Every subset's annotations against the frames its task will have, before any task exists.
    const problems = tasks.flatMap((t) => this.convert(t, schema, expectedImages(t)).problems.map((p) => `task "${t.subset}": ${p}`));
    if (problems.length) throw new ExpectedFailure(`${params.filename}: ${problemList(problems)}`);

    const totalFrames = tasks.reduce((n, t) => n + t.media.length, 0);
    let framesDone = 0;
    const counts = { shapes: 0, tracks: 0, tags: 0 };
    const skippedValues: Record<string, number> = {};
    const summary: string[] = [];
    for (const task of tasks) {
      const at = (f: number) => 0.2 + (0.75 * (framesDone + f * task.media.length)) / totalFrames;
      const taskId = await this.createTask(requestId, params, auth, task, localPath, (f, message) => progress.report(at(f), message));
      const applied = this.convert(task, schema, await taskImages(deps.frames, taskId, 0, task.media.length - 1));
      if (applied.problems.length) throw new ExpectedFailure(`${params.filename}: task "${task.subset}": ${problemList(applied.problems)}`);
      await progress.report(at(0.95), `Saving the annotations of task "${task.subset}"`, true);
      const { tags, shapes, tracks } = applied.annotations;
      await deps.taskAnnotations.replace(auth, taskId, { version: 0, tags, shapes, tracks }, undefined);
      counts.shapes += shapes.length;
      counts.tracks += tracks.length;
      counts.tags += tags.length;
      for (const [k, n] of Object.entries(applied.skipped.attributes)) skippedValues[k] = (skippedValues[k] ?? 0) + n;
      framesDone += task.media.length;
      summary.push(`"${task.subset}" (${task.media.length} images)`);
    }
    let labels = created.names.length ? `; created labels: ${created.names.join(', ')}` : '';
    if (created.dropped.length) labels += `; left out attribute specs the server refuses: ${created.dropped.join('; ')}`;
    const skipped = Object.entries(skippedValues).map(([k, n]) => `${k} (${n})`);
    if (skipped.length) labels += `; left out values of attributes the labels lack: ${skipped.join(', ')}`;
    return {
      message:
        `Created ${tasks.length} task(s) from ${params.filename}: ${summary.join(', ')}, ` +
        `with ${counts.shapes} shapes, ${counts.tracks} tracks and ${counts.tags} tags${labels}`,
    };
  }

  private convert(task: SubsetTask, schema: LabelSchema, images: readonly DatasetImage[]): AppliedDataset {
    // Attributes the project's labels lack are left out, as CVAT's project import does (soft_attribute_import).
    return applyParsedDataset(task.dataset, schema, images, { onUnknownLabel: 'error' });
  }

  /**
   * Adds the labels the dataset declares or uses that the project lacks. Returns their names, and
   * the attribute specs left out of them.
   */
  private async createLabels(requestId: string, params: ProjectImportParams, parsed: ParsedDataset): Promise<{ names: string[]; dropped: string[] }> {
    const { deps } = this;
    const before = await deps.labels.listForOwner({ projectId: params.projectId });
    const dropped: string[] = [];
    const wanted = missingLabels(parsed, new Set(before.map((l) => l.name))).map((l) => withSoundAttributes(l, dropped));
    if (wanted.length === 0) return { names: [], dropped };
    const known = new Set(before.map((l) => l.id));
    await deps.db.transaction().execute((trx) => deps.labelService.patchFor(trx, { projectId: params.projectId }, wanted.map(toLabelWrite)));
    const added = (await deps.labels.listForOwner({ projectId: params.projectId })).filter((l) => !known.has(l.id)).map((l) => l.id);
    await this.noteCreated(requestId, params, { createdLabelIds: added });
    return { names: wanted.map((l) => l.name), dropped };
  }

  /**
   * One subset's task, made the way a client makes one: the task, its images as uploads, then
   * the creation job, awaited. Returns the task's id once its frames exist.
   */
  private async createTask(
    requestId: string,
    params: ProjectImportParams,
    auth: Auth,
    task: SubsetTask,
    localPath: (archivePath: string) => string,
    report: (fraction: number, message: string) => Promise<void>,
  ): Promise<number> {
    const { deps } = this;
    const taskId = await deps.taskService.create(auth, {
      name: task.subset.slice(0, TASK_NAME_MAX),
      project_id: params.projectId,
      subset: task.subset.slice(0, SUBSET_MAX),
    });
    await this.noteCreated(requestId, params, { createdTaskIds: [...(params.createdTaskIds ?? []), taskId] });
    for (const [i, m] of task.media.entries()) {
      await deps.taskData.storeFile(taskId, { filename: m.name, stream: fs.createReadStream(localPath(m.path)) });
      await report((0.3 * (i + 1)) / task.media.length, `Uploading the images of task "${task.subset}": ${i + 1} of ${task.media.length}`);
    }
    const creation = await deps.taskData.finish(auth, taskId, dataRequestSchema.parse({ image_quality: 70, sorting_method: 'lexicographical' }));
    for (;;) {
      const r = await deps.requests.findById(creation);
      if (!r) throw new Error(`the creation request of task ${taskId} is gone`);
      if (r.status === 'finished') break;
      if (r.status === 'failed') throw new ExpectedFailure(`task "${task.subset}": ${r.message}`);
      await report(0.3 + 0.6 * r.progress, `Creating task "${task.subset}": ${r.message || r.status}`);
      await sleep(POLL_MS);
    }
    return taskId;
  }

  /** Notes what the job created in its request, so a failure, a cancel or a restart finds it. */
  private async noteCreated(requestId: string, params: ProjectImportParams, change: Pick<ProjectImportParams, 'createdTaskIds' | 'createdLabelIds'>): Promise<void> {
    Object.assign(params, change);
    await this.deps.requests.update(requestId, { params: JSON.stringify(params) });
  }

  /** Removes the tasks and labels `params` says this import created. */
  private async rollback(requestId: string, params: ProjectImportParams): Promise<void> {
    const { deps } = this;
    const taskIds = params.createdTaskIds ?? [];
    const labelIds = params.createdLabelIds ?? [];
    if (taskIds.length === 0 && labelIds.length === 0) return;
    for (const id of taskIds) await this.settleCreation(id);
    for (const id of taskIds) await deps.tasks.delete(id);
    if (taskIds.length) {
      await deps.taskService.freeStorage(taskIds);
      // Their creation requests name tasks that no longer exist.
      await deps.db.deleteFrom('requests').where('id', 'in', taskIds.map(createTaskRequestId)).execute();
    }
    if (labelIds.length) {
      const owner = { projectId: params.projectId };
      await deps.db.transaction().execute(async (trx) => {
        const repo = deps.labels.on(trx);
        if (!(await repo.lockOwner(owner))) return;
        for (const id of labelIds) await repo.deleteLabel(id);
        await repo.touchOwner(owner);
      });
    }
    await this.noteCreated(requestId, params, { createdTaskIds: [], createdLabelIds: [] });
  }

  /** Lets a task creation in flight stop (cancelled) before its task is deleted under it. */
  private async settleCreation(taskId: number): Promise<void> {
    const id = createTaskRequestId(taskId);
    if (!(await this.deps.requests.requestCancel(id))) return;
    const until = Date.now() + SETTLE_MS;
    while (Date.now() < until) {
      const r = await this.deps.requests.findById(id);
      if (!r || r.status === 'finished' || r.status === 'failed') return;
      // A creation still queued behind others would wait long; it finds no task and stops.
      if (r.status === 'queued') return;
      await sleep(POLL_MS);
    }
  }
}
