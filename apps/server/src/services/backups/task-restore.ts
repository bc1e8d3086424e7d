/**
 * One task restored from a backup's files (a task backup, or one task_<n>/ of a project backup),
 * through the same paths a client's requests take: the task is created with its labels as
 * POST /api/tasks creates it, the media under data/ is uploaded and attached as
 * POST /api/tasks/{id}/data/ attaches it (so frames, chunks and jobs are made the normal way,
 * in the order the backup's manifest gives), and each job's annotations are saved in batches
 * through the same checks and transactions as a client's PATCH. Everything the file gets wrong
 * fails the restore naming the file and the field or object.
 *
 * Quality control comes back with the task: consensus replicas are made with the jobs, a
 * ground-truth job over its frames, a honeypot task laid out as its jobs' files say
 * (validation-restore.ts); every job, replicas and ground truth included, gets its stage, state
 * and annotations; quality.json's settings are applied last.
 */
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Db } from '../../db/database.js';
import { dataRequestSchema, type DataRequest } from '../../dtos/task-data.dto.js';
import type { TaskWrite } from '../../dtos/task.dto.js';
import { isAppError } from '../../errors.js';
import type { JobRepository } from '../../repositories/job.repository.js';
import type { LabelRepository } from '../../repositories/label.repository.js';
import type { ValidationRepository } from '../../repositories/validation.repository.js';
import type { RequestRepository } from '../../repositories/request.repository.js';
import type { BlobStore } from '../../repositories/storage/blob-store.js';
import type { TaskRepository } from '../../repositories/task.repository.js';
import type { AnnotationService } from '../annotations/annotation.service.js';
import type { Auth } from '../auth/auth.js';
import type { CloudStorageService } from '../cloud-storage.service.js';
import { ExpectedFailure } from '../request-runner.js';
import { safeUploadName, type TaskDataService } from '../task-data.service.js';
import { taskKeys } from '../task-storage.js';
import type { TaskService } from '../task.service.js';
import { readAnnotationBatches, type AnnotationBatch, type ListName } from './annotations-reader.js';
import type { BackupArchive } from './backup-archive.js';
import { LabelNames, NameError } from './label-names.js';
import {
  ANNOTATIONS_FILE,
  DATA_DIR,
  MEDIA_MANIFEST,
  MEDIA_MANIFEST_INDEX,
  QUALITY_FILE,
  TASK_FILE,
  isAnnotationJob,
  jobProgress,
  labelFromBackup,
  parseMediaManifest,
  readQualityFile,
  readTaskManifest,
  type BackupTask,
  type MediaManifest,
  type QualityFile,
} from './layout.js';
import { restoreQualitySettings, type QualityFileDeps } from './quality-file.js';
import { matchJobs } from './restored-jobs.js';
import { groundTruthEntry, layOutHoneypots, planHoneypotRestore, poolDeletedFrames, restoreGroundTruth, type HoneypotRestorePlan } from './validation-restore.js';

/** Stores in flight: each waits on a disk flush, which the file system batches. */
const UPLOAD_CONCURRENCY = 32;
const UPLOAD_ROWS = 1000;
const SAVES_IN_FLIGHT = 2;
/** Media files up to this size are read whole and stored in parallel; larger ones stream one at a time. */
const SMALL_FILE = 1024 * 1024;
const CREATION_POLL_MS = 50;

export interface TaskRestoreDeps extends QualityFileDeps {
  db: Db;
  tasks: TaskService;
  taskRows: TaskRepository;
  taskData: TaskDataService;
  jobs: JobRepository;
  labels: LabelRepository;
  annotations: AnnotationService;
  requests: RequestRepository;
  blobs: BlobStore;
  cloudStorages: CloudStorageService;
  validation: ValidationRepository;
}

/** What one restore passes to the tasks it restores. */
export interface RestoreRun {
  auth: Auth;
  source: BackupArchive;
  /** Called as soon as a task exists, so a failure later removes it. */
  created(taskId: number): Promise<void>;
  /** Progress within this task, 0..1; throws once the user cancelled. */
  progress(fraction: number, message: string): Promise<void>;
}

/** What a restored task says about itself in the request's message. */
export interface RestoredTask {
  taskId: number;
  frames: number;
  objects: number;
  notes: string[];
}

/** An AppError from a service, as a failure of the restore naming the file it came from. */
function blame(file: string, e: unknown): unknown {
  return isAppError(e) ? new ExpectedFailure(`${file}: ${e.message}`) : e;
}

export class TaskRestorer {
  constructor(private readonly d: TaskRestoreDeps) {}

  /** Restores the task whose files are under `dir` ('' or 'task_<n>/'), into `projectId` when given. */
  async restore(run: RestoreRun, dir: string, projectId: number | null): Promise<RestoredTask> {
    const { source } = run;
    const taskFile = `${dir}${TASK_FILE}`;
    const annotationsFile = `${dir}${ANNOTATIONS_FILE}`;
    const qualityFile = `${dir}${QUALITY_FILE}`;
    if (!source.has(taskFile)) throw new ExpectedFailure(`${taskFile}: missing from the archive; a task backup holds task.json, annotations.json and data/`);
    const manifest = readTaskManifest(taskFile, await source.text(taskFile));
    if (!source.has(annotationsFile)) throw new ExpectedFailure(`${annotationsFile}: missing from the archive; a task backup holds task.json, annotations.json and data/`);
    const quality: QualityFile | null = source.has(qualityFile) ? readQualityFile(qualityFile, await source.text(qualityFile)) : null;
    let media = await this.mediaOf(run, dir, manifest);
    const gt = groundTruthEntry(taskFile, manifest);
    const honeypots = manifest.data.validation_layout?.mode === 'gt_pool' ? planHoneypotRestore(taskFile, manifest) : null;
    if (honeypots) media = honeypotMedia(taskFile, dir, media, honeypots);
    const layout = honeypots ? {} : segmentsOf(taskFile, manifest);
    const replicas = replicasOf(taskFile, manifest);

    const input: TaskWrite = {
      name: manifest.name,
      bug_tracker: manifest.bug_tracker ?? '',
      subset: manifest.subset ?? '',
      project_id: projectId,
      // A task in a project takes the project's labels.
      ...(projectId === null ? { labels: manifest.labels.map(labelFromBackup) } : {}),
      ...(layout.segmentSize !== undefined ? { segment_size: layout.segmentSize, overlap: layout.overlap } : {}),
      ...(replicas ? { consensus_replicas: replicas } : {}),
    };
    const taskId = await this.d.tasks.create(run.auth, input).catch((e: unknown) => {
      throw blame(taskFile, e);
    });
    await run.created(taskId);

    await run.progress(0.02, `Storing the media of task ${taskId}`);
    const params = await this.attach(run, taskId, dir, manifest, media, { fileMapping: layout.fileMapping, keepRange: !honeypots });
    let frames = await this.createData(run, taskId, dir, taskFile, params);
    await this.d.taskRows.update(taskId, { status: manifest.status, sorting_method: manifest.data.sorting_method });

    // Disabled validation frames: quality.json's, else (a CVAT backup of honeypots) its deleted pool frames.
    const poolFrames = new Set(honeypots?.pool ?? []);
    const disabled = quality?.validation_layout
      ? { file: qualityFile, frames: quality.validation_layout.disabled_frames }
      : { file: taskFile, frames: manifest.data.deleted_frames.filter((f) => poolFrames.has(f)) };
    let accounted = new Set<number>();
    if (honeypots) {
      await layOutHoneypots(this.d, taskId, honeypots, replicas, disabled);
      frames = honeypots.frames.length;
      accounted = poolDeletedFrames(honeypots, disabled.frames);
    } else if (gt) {
      await restoreGroundTruth(this.d, taskId, taskFile, gt, frames, disabled);
    }
    const targets = await matchJobs(this.d.db, taskId, taskFile, manifest.jobs);
    for (const [i, job] of manifest.jobs.entries()) await this.d.jobs.update(targets[i]!, jobProgress(job));

    const names = new LabelNames(await this.d.labels.listForTask(taskId));
    const objects = await this.restoreAnnotations(run, source.localPath(annotationsFile), annotationsFile, names, targets);
    if (quality) await restoreQualitySettings(this.d, run.auth, { taskId }, qualityFile, quality);
    const notes: string[] = [];
    const deleted = manifest.data.deleted_frames.filter((f) => !accounted.has(f));
    if (deleted.length) notes.push(`${deleted.length} deleted frames are kept (Framewise does not delete frames yet)`);
    return { taskId, frames, objects, notes };
  }

  /** The media files of the backup, in the order its manifest gives them (if it has one). */
  private async mediaOf(run: RestoreRun, dir: string, manifest: BackupTask): Promise<{ files: string[]; ordered: boolean }> {
    const dataDir = `${dir}${DATA_DIR}`;
    const manifestFile = `${dataDir}${MEDIA_MANIFEST}`;
    const listed: MediaManifest = run.source.has(manifestFile) ? parseMediaManifest(manifestFile, await run.source.text(manifestFile)) : null;
    const inCloud = manifest.data.storage === 'cloud_storage';
    if (inCloud) {
      // The media stayed in the storage: the manifest is all the archive has of it.
      if (!listed) throw new ExpectedFailure(`${manifestFile}: missing from the archive; a backup of a cloud-storage task lists its media there`);
      return listed.type === 'video' ? { files: [listed.name], ordered: false } : { files: listed.names, ordered: true };
    }
    const present = run.source.media(dir).filter((p) => p !== MEDIA_MANIFEST_INDEX);
    if (!listed) {
      if (present.length === 0) throw new ExpectedFailure(`${dataDir}: no media files in the archive`);
      return { files: present, ordered: false };
    }
    // CVAT keeps other files beside the media (related images): only what the manifest names is media.
    const have = new Set(present);
    const names = listed.type === 'video' ? [listed.name] : listed.names;
    const missing = names.find((n) => !have.has(n));
    if (missing !== undefined) throw new ExpectedFailure(`${manifestFile} names "${missing}", which is not in ${dataDir}`);
    if (names.length === 0) throw new ExpectedFailure(`${manifestFile}: names no media`);
    return { files: names, ordered: listed.type === 'images' };
  }

  /** Uploads the media as task files (or names it in its cloud storage); returns the data parameters. */
  private async attach(
    run: RestoreRun,
    taskId: number,
    dir: string,
    manifest: BackupTask,
    media: { files: string[]; ordered: boolean },
    layout: { fileMapping: string[][] | undefined; keepRange: boolean },
  ): Promise<DataRequest> {
    const { data } = manifest;
    const { fileMapping } = layout;
    const taskFile = `${dir}${TASK_FILE}`;
    let cloudStorageId: number | undefined;
    if (data.storage === 'cloud_storage') {
      if (!data.cloud_storage_id) {
        throw new ExpectedFailure(`${taskFile}: data.cloud_storage_id: the task's media stays in a cloud storage, but the backup does not say which`);
      }
      await this.d.cloudStorages.requireForTask(run.auth, data.cloud_storage_id).catch((e: unknown) => {
        throw blame(`${taskFile}: data.cloud_storage_id`, e);
      });
      cloudStorageId = data.cloud_storage_id;
    } else {
      await this.upload(run, taskId, dir, media.files);
    }
    // The backup's frame range applies to what its archive holds: a video whole, or every
    // uploaded image; CVAT leaves it out when the archive holds the task's frames only. A
    // honeypot task's range counts its honeypots, which are not files.
    const range = fileMapping || !layout.keepRange
      ? {}
      : {
          ...(data.start_frame !== undefined ? { start_frame: data.start_frame } : {}),
          ...(data.stop_frame !== undefined ? { stop_frame: data.stop_frame } : {}),
          ...(data.frame_filter ? { frame_filter: data.frame_filter } : {}),
        };
    const parsed = dataRequestSchema.safeParse({
      image_quality: data.image_quality,
      ...(data.chunk_size ? { chunk_size: data.chunk_size } : {}),
      ...range,
      ...(media.ordered ? { sorting_method: 'predefined', upload_file_order: media.files } : { sorting_method: data.sorting_method === 'predefined' ? 'lexicographical' : data.sorting_method }),
      ...(fileMapping ? { job_file_mapping: fileMapping } : {}),
      ...(cloudStorageId !== undefined ? { cloud_storage_id: cloudStorageId, server_files: media.files } : {}),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ExpectedFailure(`${taskFile}: data.${issue.path.join('.')}: ${issue.message}`);
    }
    return parsed.data;
  }

  /** Stores the media files as the task's uploads, reading the archive once. */
  private async upload(run: RestoreRun, taskId: number, dir: string, files: string[]): Promise<void> {
    const pending = new Set<Promise<void>>();
    const stored: Array<{ name: string; blob_key: string; bytes: number }> = [];
    let failure: unknown = null;
    const store = async (name: string, body: Buffer | Readable, size: number) => {
      const key = taskKeys.raw(taskId, name);
      await this.d.blobs.put(key, body, { contentLength: size });
      stored.push({ name, blob_key: key, bytes: size });
      await run.progress(0.02 + 0.28 * (stored.length / files.length), `Stored ${stored.length} of ${files.length} media files`);
    };
    await run.source.eachMedia(dir, new Set(files), async (name, content, size) => {
      if (failure) throw failure;
      try {
        safeUploadName(name);
      } catch (e) {
        throw blame(`${dir}${DATA_DIR}${name}`, e);
      }
      if (!Buffer.isBuffer(content) && size > SMALL_FILE) {
        await store(name, content, size);
        return;
      }
      // Small files (the usual image) are written while the next ones are read.
      const body = Buffer.isBuffer(content) ? content : await buffer(content);
      const p = store(name, body, body.length).catch((e: unknown) => {
        failure ??= e;
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
      if (pending.size >= UPLOAD_CONCURRENCY) await Promise.race(pending);
    });
    await Promise.all(pending);
    if (failure) throw failure;
    if (stored.length !== files.length) throw new Error(`stored ${stored.length} of the ${files.length} media files of the backup`);
    // Recorded as uploads of the task, as TaskDataService.recordUpload records them, many rows a statement.
    for (let i = 0; i < stored.length; i += UPLOAD_ROWS) {
      await this.d.db
        .insertInto('task_uploads')
        .values(stored.slice(i, i + UPLOAD_ROWS).map((u) => ({ task_id: taskId, ...u })))
        .execute();
    }
  }

  /** Attaches the data as a client's Upload-Finish does and waits for the creation it starts. */
  private async createData(run: RestoreRun, taskId: number, dir: string, taskFile: string, params: DataRequest): Promise<number> {
    const requestId = await this.d.taskData.finish(run.auth, taskId, params).catch((e: unknown) => {
      throw blame(`${taskFile}: data`, e);
    });
    for (;;) {
      const r = await this.d.requests.findById(requestId);
      if (!r) throw new Error(`the creation request of task ${taskId} vanished`);
      if (r.status === 'failed') throw new ExpectedFailure(`${dir}${DATA_DIR}: ${r.message}`);
      if (r.status === 'finished') break;
      await run.progress(0.3 + 0.3 * r.progress, `Creating task ${taskId}: ${r.message}`);
      await new Promise((resolve) => setTimeout(resolve, CREATION_POLL_MS));
    }
    const row = await this.d.taskRows.findById(taskId);
    return row?.size ?? 0;
  }

  /**
   * Saves annotations.json job by job, batch by batch, as a client's PATCH ?action=create does.
   * Two saves are in flight: one is checked while the other waits on the database (a job's row
   * lock orders them); the next batch is read and given ids meanwhile.
   */
  private async restoreAnnotations(
    run: RestoreRun,
    file: string,
    name: string,
    names: LabelNames,
    targets: number[],
  ): Promise<number> {
    const batches = readAnnotationBatches(file, name)[Symbol.asyncIterator]();
    const prepare = async () => {
      const r = await batches.next();
      if (r.done) return null;
      const batch = r.value;
      if (batch.job >= targets.length) throw new ExpectedFailure(`${name}: has more entries than task.json has jobs (${targets.length})`);
      const count = batch.tags.length + batch.shapes.length + batch.tracks.length;
      const jobId = targets[batch.job]!;
      return { batch, count, jobId, data: count ? this.withIds(batch, names, name) : null };
    };
    let objects = 0;
    let failure: unknown = null;
    const saving = new Set<Promise<void>>();
    try {
      let next = prepare();
      for (;;) {
        const item = await next;
        if (!item || failure) break;
        next = prepare();
        // Should it fail while saves are awaited, the read ahead is awaited (and thrown) next round.
        next.catch(() => undefined);
        const { batch, count, jobId, data } = item;
        if (!data) continue;
        const saved = this.d.annotations
          .patch(run.auth, jobId, 'create', data, undefined)
          .then(async () => {
            objects += count;
            await run.progress(0.6 + 0.4 * ((batch.job + (batch.last ? 1 : 0.5)) / targets.length), `Saved ${objects} annotations`);
          })
          .catch((e: unknown) => {
            failure ??= isAppError(e) ? new ExpectedFailure(`${name}: job ${batch.job}: ${shiftIndexes(e.message, batch.first)}`) : e;
          });
        saving.add(saved);
        void saved.finally(() => saving.delete(saved));
        if (saving.size >= SAVES_IN_FLIGHT) await Promise.race(saving);
      }
    } finally {
      await Promise.all(saving);
    }
    if (failure) throw failure;
    return objects;
  }

  private withIds(batch: AnnotationBatch, names: LabelNames, file: string) {
    try {
      return {
        tags: batch.tags.map((o, i) => names.tagIn(o, `tags[${batch.first.tags + i}]`)),
        shapes: batch.shapes.map((o, i) => names.shapeIn(o, `shapes[${batch.first.shapes + i}]`)),
        tracks: batch.tracks.map((o, i) => names.trackIn(o, `tracks[${batch.first.tracks + i}]`)),
      };
    } catch (e) {
      if (e instanceof NameError) throw new ExpectedFailure(`${file}: job ${batch.job}: ${e.message}`);
      throw e;
    }
  }
}

/** The annotation checks name objects by their place in the batch; the file's reader wants their place in the job. */
function shiftIndexes(message: string, first: Record<ListName, number>): string {
  return message.replace(/\b(tags|shapes|tracks)\[(\d+)\]/g, (_m, list: ListName, n: string) => `${list}[${Number(n) + first[list]}]`);
}

/**
 * How the task is cut into jobs: as the backup says (Framewise's), or as CVAT reads it from the
 * jobs: the first annotation job's length is the segment size and its overlap with the second
 * the overlap. With custom segments each job names its files. Either way the jobs the media then
 * makes must be the backup's (restoreJobs checks).
 */
function segmentsOf(taskFile: string, manifest: BackupTask): { segmentSize?: number; overlap?: number; fileMapping?: string[][] } {
  const annotation = manifest.jobs.map((j, i) => ({ j, i })).filter(({ j }) => isAnnotationJob(j));
  if (annotation.length === 0) throw new ExpectedFailure(`${taskFile}: jobs: no annotation job`);
  for (const { j, i } of annotation) {
    if (j.stop_frame < j.start_frame) throw new ExpectedFailure(`${taskFile}: jobs.${i}: stop_frame is before start_frame`);
  }
  if (manifest.data.custom_segments) {
    return {
      fileMapping: annotation.map(({ j, i }) => {
        if (!j.files?.length) throw new ExpectedFailure(`${taskFile}: jobs.${i}.files: a task with custom segments names each job's files`);
        if (j.files.length !== j.stop_frame - j.start_frame + 1) {
          throw new ExpectedFailure(`${taskFile}: jobs.${i}.files: ${j.files.length} files for frames ${j.start_frame}-${j.stop_frame}`);
        }
        return j.files;
      }),
    };
  }
  if (manifest.segment_size && manifest.overlap != null) return { segmentSize: manifest.segment_size, overlap: manifest.overlap };
  const [a, b] = annotation;
  const segmentSize = a!.j.stop_frame - a!.j.start_frame + 1;
  const overlap = b ? Math.max(0, a!.j.stop_frame - b.j.start_frame + 1) : 0;
  return { segmentSize, overlap };
}

/**
 * Replica jobs per annotation job: task.json's consensus_replicas, else as many as the jobs list
 * per annotation job (CVAT writes the field for consensus tasks; older backups may lack it).
 */
function replicasOf(taskFile: string, manifest: BackupTask): number {
  if (manifest.consensus_replicas !== undefined) return manifest.consensus_replicas;
  const listed = manifest.jobs.filter((j) => j.type === 'consensus_replica').length;
  const parents = manifest.jobs.filter(isAnnotationJob).length;
  if (listed === 0 || parents === 0) return 0;
  if (listed % parents !== 0) {
    throw new ExpectedFailure(`${taskFile}: jobs: ${listed} consensus replica jobs for ${parents} annotation jobs; without consensus_replicas, each job must have as many`);
  }
  return listed / parents;
}

/** A honeypot task's media: each file once, in the plan's order, every one of them in the archive. */
function honeypotMedia(taskFile: string, dir: string, media: { files: string[] }, plan: HoneypotRestorePlan): { files: string[]; ordered: boolean } {
  const have = new Set(media.files);
  const missing = plan.files.find((f) => !have.has(f));
  if (missing !== undefined) throw new ExpectedFailure(`${taskFile}: jobs name "${missing}", which is not in ${dir}${DATA_DIR}`);
  return { files: plan.files, ordered: true };
}
