/**
 * The background half of a backup: the task (or the project with each of its tasks) written in
 * CVAT's layout (layout.ts) as a ZIP streamed into the blob store. Memory stays bounded however
 * large the task: annotations.json is written job after job, each job's shapes and tags a window
 * of frames at a time; media files flow one at a time from wherever the originals are. On
 * PostgreSQL everything is read from one snapshot, so the archive is one state of the task.
 *
 * Jobs are listed in the order CVAT's importer recreates them and pairs them with task.json's
 * and annotations.json's entries: each segment's annotation job followed by its consensus
 * replicas, segments in frame order, then the ground-truth job.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Logger } from 'pino';
import type { Db, ReadSnapshot } from '../../db/database.js';
import type { RequestRow, TaskRow, TaskValidationLayoutRow, TaskVideoRow } from '../../db/schema.js';
import type { JobHandler } from '../../jobs/queue.js';
import { LabelRepository, type LabelRecord } from '../../repositories/label.repository.js';
import type { RequestRepository } from '../../repositories/request.repository.js';
import type { ShareRepository } from '../../repositories/share.repository.js';
import type { BlobStore } from '../../repositories/storage/blob-store.js';
import type { ZipToBlob } from '../../repositories/zip-writer.js';
import type { CloudStorageService } from '../cloud-storage.service.js';
import { readFrameObjectWindows, readScopeTracks } from '../datasets/annotation-windows.js';
import type { FrameService } from '../frame.service.js';
import type { ProgressReporter } from '../progress.js';
import { ExpectedFailure, runRequest } from '../request-runner.js';
import type { BackupExportParams } from './backup.service.js';
import { jobStatus } from '../../dtos/job.dto.js';
import { deliverArchive, downloadPath, EXPORT_KEEP_SECONDS, openExportArchive } from '../export-archive.js';
import { LabelNames } from './label-names.js';
import {
  ANNOTATIONS_FILE,
  BACKUP_VERSION,
  DATA_DIR,
  MEDIA_MANIFEST,
  PROJECT_FILE,
  QUALITY_FILE,
  TASK_FILE,
  imageManifest,
  labelToBackup,
  videoManifest,
  type QualityFile,
} from './layout.js';
import { qualityFileOf } from './quality-file.js';

/** Originals opened ahead of the one being written. */
const READ_AHEAD = 16;
/** Originals up to this size are read whole when opened ahead. */
const READ_WHOLE = 1024 * 1024;

interface JobRow {
  id: number;
  start_frame: number;
  stop_frame: number;
  stage: string;
  state: string;
  type: string;
  version: number;
  /** A ground-truth job's frames when it takes some frames of its range. */
  frames: number[] | null;
}

interface FrameMeta {
  frame: number;
  name: string;
  width: number;
  height: number;
  /** A honeypot: the validation frame whose image it shows. */
  real_frame: number | null;
}

/** One task's content, read before anything is written. */
interface TaskContent {
  task: TaskRow;
  labels: LabelRecord[];
  jobs: JobRow[];
  video: TaskVideoRow | undefined;
  frames: FrameMeta[];
  layout: TaskValidationLayoutRow | undefined;
  quality: QualityFile | null;
}

/** Counts what is written, for the request's progress. */
class Tally {
  done = 0;
  constructor(
    readonly total: number,
    private readonly progress: ProgressReporter,
  ) {}
  async tick(what: string): Promise<void> {
    this.done++;
    await this.progress.report((0.95 * this.done) / Math.max(1, this.total), what);
  }
}

export class BackupExportHandler {
  constructor(
    private readonly snapshot: ReadSnapshot,
    private readonly requests: RequestRepository,
    private readonly labels: LabelRepository,
    private readonly frameService: FrameService,
    private readonly share: ShareRepository,
    private readonly blobs: BlobStore,
    private readonly cloudStorages: CloudStorageService,
    private readonly log: Logger,
  ) {}

  handle: JobHandler<'backup.export'> = async ({ requestId }, ctx) => {
    await runRequest(this.requests, this.log, requestId, ctx, (progress, request) => this.run(request, progress));
  };

  private async run(request: RequestRow, progress: ProgressReporter) {
    const params = request.params as unknown as BackupExportParams;
    const { key, zip } = openExportArchive(this.blobs, params.filename);
    let summary: string;
    try {
      summary = await this.snapshot(async (db) => (params.kind === 'task' ? this.writeOneTask(db, zip, params, progress) : this.writeProject(db, zip, params, progress)));
      await zip.finish();
    } catch (e) {
      zip.abort(e as Error);
      await this.blobs.delete(key).catch(() => undefined);
      throw e;
    }
    if (params.cloudStorageId !== null) await progress.report(0.97, 'Uploading to the cloud storage', true);
    const resultKey = await deliverArchive(this.blobs, this.cloudStorages, key, params);
    await this.requests.update(request.id, { params: JSON.stringify({ ...params, resultKey }) });
    return {
      message: `Backed up ${summary}${resultKey ? '' : ` to cloud storage ${params.cloudStorageId} as ${params.filename}`}`,
      ...(resultKey ? { resultUrl: downloadPath(request.id) } : {}),
      keepSeconds: EXPORT_KEEP_SECONDS,
    };
  }

  private async writeOneTask(db: Db, zip: ZipToBlob, params: BackupExportParams, progress: ProgressReporter): Promise<string> {
    const content = await this.read(db, params.id);
    const tally = new Tally(units(content), progress);
    await progress.report(0, `Backing up task ${params.id}`, true);
    await this.writeTask(db, zip, '', content, params.lightweight, tally);
    return `task ${params.id} (${content.task.size} frames, ${content.jobs.length} jobs)`;
  }

  private async writeProject(db: Db, zip: ZipToBlob, params: BackupExportParams, progress: ProgressReporter): Promise<string> {
    const project = await db.selectFrom('projects').selectAll().where('id', '=', params.id).executeTakeFirst();
    if (!project) throw new ExpectedFailure(`project ${params.id} no longer exists`);
    const labels = await this.labels.on(db).listForOwner({ projectId: params.id });
    const manifest = { name: project.name, bug_tracker: project.bug_tracker, status: project.status, labels: labels.map(labelToBackup), version: BACKUP_VERSION };
    await zip.add(PROJECT_FILE, JSON.stringify(manifest));
    const quality = await qualityFileOf(db, { projectId: params.id });
    if (quality) await zip.add(QUALITY_FILE, JSON.stringify(quality));
    // Tasks without media have nothing to restore from (CVAT leaves them out too).
    const ids = await db.selectFrom('tasks').select('id').where('project_id', '=', params.id).where('data_state', '=', 'ready').orderBy('id').execute();
    const contents: TaskContent[] = [];
    for (const { id } of ids) contents.push(await this.read(db, id));
    const tally = new Tally(contents.reduce((n, c) => n + units(c), 0), progress);
    await progress.report(0, `Backing up project ${params.id} with ${contents.length} tasks`, true);
    for (const [i, content] of contents.entries()) await this.writeTask(db, zip, `task_${i}/`, content, params.lightweight, tally);
    return `project ${params.id} with ${contents.length} tasks`;
  }

  private async read(db: Db, taskId: number): Promise<TaskContent> {
    const task = await db.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
    if (!task) throw new ExpectedFailure(`task ${taskId} no longer exists`);
    if (task.data_state !== 'ready') throw new ExpectedFailure(`task ${taskId} has no data, so there is nothing to back up`);
    const rows = await db
      .selectFrom('jobs as j')
      .innerJoin('segments as s', 's.id', 'j.segment_id')
      .select(['j.id', 's.start_frame', 's.stop_frame', 's.frames', 'j.stage', 'j.state', 'j.type', 'j.version'])
      .where('j.task_id', '=', taskId)
      .execute();
    // A segment's replicas were made after its annotation job, so ids order them after it.
    const last = (j: { type: string }) => (j.type === 'ground_truth' ? 1 : 0);
    const jobs = rows
      .map((j) => ({ ...j, version: Number(j.version) }))
      .sort((a, b) => last(a) - last(b) || a.start_frame - b.start_frame || a.id - b.id);
    const video = await db.selectFrom('task_videos').selectAll().where('task_id', '=', taskId).executeTakeFirst();
    const frames = video
      ? []
      : await db.selectFrom('task_frames').select(['frame', 'name', 'width', 'height', 'real_frame']).where('task_id', '=', taskId).orderBy('frame').execute();
    const layout = await db.selectFrom('task_validation_layouts').selectAll().where('task_id', '=', taskId).executeTakeFirst();
    // CVAT's layout carries a honeypot pool's disabled frames (as deleted frames) but not a
    // ground-truth job's: quality.json carries both.
    const quality = await qualityFileOf(db, { taskId }, layout?.disabled_frames ?? []);
    return { task, labels: await this.labels.on(db).listForTask(taskId), jobs, video, frames, layout, quality };
  }

  private async writeTask(db: Db, zip: ZipToBlob, dir: string, c: TaskContent, lightweight: boolean, tally: Tally): Promise<void> {
    const { task, video } = c;
    // Media in a cloud storage stays there in a lightweight backup; the archive names the storage.
    const inCloud = task.cloud_storage_id !== null && lightweight;
    // A task made of files per job (job_file_mapping) has no segment size: its jobs name their files.
    const customSegments = !video && task.segment_size === 0;
    const honeypots = c.layout?.mode === 'gt_pool' ? c.layout : null;
    const data = {
      chunk_size: task.chunk_size,
      image_quality: task.image_quality,
      storage_method: 'cache',
      storage: inCloud ? 'cloud_storage' : 'local',
      sorting_method: task.sorting_method,
      chunk_type: video ? 'video' : 'imageset',
      deleted_frames: honeypots ? poolDeletedFrames(honeypots, c.frames) : [],
      // The archive holds a video whole, so which of its frames the task takes goes with it; of
      // images it holds the task's frames only (as CVAT does for shared and cloud files).
      ...(video ? { start_frame: task.start_frame, stop_frame: task.stop_frame, ...(task.frame_filter ? { frame_filter: task.frame_filter } : {}) } : {}),
      ...(customSegments ? { custom_segments: true } : {}),
      ...(inCloud ? { cloud_storage_id: task.cloud_storage_id } : {}),
      // CVAT's importer lays the task out again from the pool's files and the jobs' files.
      ...(honeypots
        ? { validation_layout: { mode: 'gt_pool', frames: honeypots.frames.map((f) => c.frames[f]!.name), frames_per_job_count: honeypots.frames_per_job_count } }
        : {}),
    };
    const manifest = {
      name: task.name,
      bug_tracker: task.bug_tracker,
      status: task.status,
      subset: task.subset,
      labels: c.labels.map(labelToBackup),
      version: BACKUP_VERSION,
      data,
      jobs: c.jobs.map((j) => ({
        start_frame: j.start_frame,
        stop_frame: j.stop_frame,
        status: jobStatus(j.stage, j.state),
        stage: j.stage,
        state: j.state,
        type: j.type,
        ...(j.frames ? { frames: j.frames } : {}),
        // As CVAT: a ground-truth job of some frames names none; the pool of a honeypot task names its files.
        ...(customSegments && (j.type !== 'ground_truth' || honeypots) ? { files: c.frames.slice(j.start_frame, j.stop_frame + 1).map((f) => f.name) } : {}),
      })),
      segment_size: task.segment_size,
      overlap: task.overlap,
      mode: task.mode,
      ...(task.consensus_replicas > 0 ? { consensus_replicas: task.consensus_replicas } : {}),
    };
    await zip.add(`${dir}${TASK_FILE}`, JSON.stringify(manifest));
    await zip.add(`${dir}${ANNOTATIONS_FILE}`, this.annotationsJson(db, c, tally));
    if (c.quality) await zip.add(`${dir}${QUALITY_FILE}`, JSON.stringify(c.quality));
    if (video) await this.writeVideo(zip, `${dir}${DATA_DIR}`, task, video, inCloud, tally);
    else await this.writeImages(zip, `${dir}${DATA_DIR}`, task, c.frames, inCloud, tally);
  }

  /** annotations.json: one entry per job, in the order of task.json's jobs, with names for ids. */
  private async *annotationsJson(db: Db, c: TaskContent, tally: Tally): AsyncGenerator<string> {
    const names = new LabelNames(c.labels);
    // Skeleton points are child shapes: read only when there are skeletons.
    const skeletons = c.labels.some((l) => l.type === 'skeleton');
    yield '[';
    for (const [i, j] of c.jobs.entries()) {
      const scope = { start: j.start_frame, stop: j.stop_frame, jobs: [{ jobId: j.id, start: j.start_frame, stop: j.stop_frame }], skeletons };
      // Shapes go out window by window; the job's tags (small objects) are kept until its shapes are out.
      yield `${i ? ',' : ''}{"version":${j.version},"shapes":[`;
      const tags: string[] = [];
      let sep = '';
      for await (const w of readFrameObjectWindows(db, scope)) {
        if (w.shapes.length) {
          yield sep + JSON.stringify(w.shapes.map((s) => names.shapeOut(s))).slice(1, -1);
          sep = ',';
        }
        for (const t of w.tags) tags.push(JSON.stringify(names.tagOut(t)));
      }
      const tracks = await readScopeTracks(db, scope);
      yield `],"tags":[${tags.join(',')}],"tracks":${JSON.stringify(tracks.map((t) => names.trackOut(t)))}}`;
      await tally.tick(`Wrote the annotations of job ${j.id}`);
    }
    yield ']';
  }

  /**
   * Each image once (a honeypot shows its validation frame's file, written with that frame), and
   * the manifest with a line per task frame, as CVAT's importer checks the frames against it.
   */
  private async writeImages(zip: ZipToBlob, dir: string, task: TaskRow, frames: FrameMeta[], inCloud: boolean, tally: Tally): Promise<void> {
    const sums = new Map<number, string>();
    if (!inCloud) {
      const scope = { task, start: 0, stop: task.size - 1, what: `task ${task.id}` };
      const files = frames.filter((f) => f.real_frame === null);
      // The archive takes one file at a time; the next ones are opened (small ones read) meanwhile.
      const open = (f: FrameMeta): Promise<Buffer | Readable> => {
        const p = this.frameService.originalOf(scope, f.frame).then(({ body, length }) =>
          Buffer.isBuffer(body) || length === undefined || length > READ_WHOLE ? body : buffer(body),
        );
        p.catch(() => undefined);
        return p;
      };
      const ahead = new Map<number, Promise<Buffer | Readable>>();
      try {
        for (let i = 0; i < files.length; i++) {
          for (let k = i; k < Math.min(files.length, i + READ_AHEAD); k++) if (!ahead.has(k)) ahead.set(k, open(files[k]!));
          const body = await ahead.get(i)!;
          ahead.delete(i);
          const f = files[i]!;
          const hash = createHash('md5');
          // Images are compressed already: stored, not deflated.
          await zip.add(`${dir}${f.name}`, hashing(body, hash), { compress: false });
          sums.set(f.frame, hash.digest('hex'));
          await tally.tick(`Wrote image ${i + 1} of ${files.length}`);
        }
      } finally {
        for (const p of ahead.values()) void p.then((b) => !Buffer.isBuffer(b) && b.destroy(), () => undefined);
      }
    }
    await zip.add(
      `${dir}${MEDIA_MANIFEST}`,
      imageManifest(frames.map((f) => ({ name: f.name, width: f.width, height: f.height, checksum: sums.get(f.real_frame ?? f.frame) }))),
    );
  }

  private async writeVideo(zip: ZipToBlob, dir: string, task: TaskRow, video: TaskVideoRow, inCloud: boolean, tally: Tally): Promise<void> {
    if (!inCloud) await zip.add(`${dir}${video.name}`, await this.openVideo(task, video), { compress: false });
    await zip.add(`${dir}${MEDIA_MANIFEST}`, videoManifest({ name: video.name, width: video.width, height: video.height, frameCount: video.frame_count }));
    await tally.tick('Wrote the video');
  }

  private async openVideo(task: TaskRow, video: TaskVideoRow): Promise<Readable> {
    if (video.source === 'share') return fs.createReadStream(await this.share.absolutePath(video.key));
    if (video.source === 'cloud') {
      const { bucket } = await this.cloudStorages.bucket(task.cloud_storage_id!);
      const s = await bucket.stream(video.key);
      if (!s) throw new ExpectedFailure(`${video.name}: the video is missing from cloud storage ${task.cloud_storage_id}`);
      return s.stream;
    }
    const s = await this.blobs.getStream(video.key);
    if (!s) throw new ExpectedFailure(`${video.name}: the video is missing from storage`);
    return s.stream;
  }
}

/** The bytes of `body` as they pass, into `hash` (CVAT's manifest keeps each image's MD5). */
function hashing(body: Buffer | Readable, hash: Hash): Buffer | Readable {
  if (Buffer.isBuffer(body)) {
    hash.update(body);
    return body;
  }
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  body.once('error', (e) => out.destroy(e));
  return body.pipe(out);
}

/** Steps of a task's backup: a job's annotations, an image (or the video). */
function units(c: TaskContent): number {
  return c.jobs.length + (c.video ? 1 : c.frames.filter((f) => f.real_frame === null).length);
}

/**
 * CVAT's deleted frames of a task with honeypots: its disabled validation frames and the
 * honeypots showing them (what CVAT's ground-truth job's data/meta deletes, and the task's
 * data/meta shows as deleted).
 */
function poolDeletedFrames(layout: TaskValidationLayoutRow, frames: readonly FrameMeta[]): number[] {
  if (layout.disabled_frames.length === 0) return [];
  const disabled = new Set(layout.disabled_frames);
  return frames.filter((f) => disabled.has(f.frame) || (f.real_frame !== null && disabled.has(f.real_frame))).map((f) => f.frame);
}
