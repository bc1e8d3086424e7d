/**
 * The background half of task creation: gather the task's files (uploads in the blob store, files
 * in the share), order and select them, read each image's header for its size, record the frames,
 * cut segments and create jobs. Work grows linearly with the file count: headers are read with
 * bounded concurrency, rows go in batched INSERTs, and nothing decodes pixels.
 *
 * Expected failures (a corrupt file, a bad parameter) fail the request with a message naming the
 * file and leave the task as it was before data was attached; faults are rethrown so the queue
 * retries, and every run starts by clearing what an interrupted run left.
 */
import { unpackArchives } from './task-archives.js';
import type { ArchiveLimits } from '../repositories/archive.repository.js';
import path from 'node:path';
import { parseFrameFilter, selectFrames, sortFileNames, splitIntoSegments, type SegmentRange } from '@framewise/core';
import type { Db } from '../db/database.js';
import type { DataRequest } from '../dtos/task-data.dto.js';
import { AppError } from '../errors.js';
import type { JobHandler } from '../jobs/queue.js';
import type { FrameRepository } from '../repositories/frame.repository.js';
import type { JobRepository } from '../repositories/job.repository.js';
import type { ImageProbe, MediaRepository } from '../repositories/media.repository.js';
import type { RequestRepository } from '../repositories/request.repository.js';
import type { ShareRepository } from '../repositories/share.repository.js';
import { mimeOf } from '../repositories/share.repository.js';
import type { BlobStore } from '../repositories/storage/blob-store.js';
import type { TaskRepository } from '../repositories/task.repository.js';
import type { UploadRepository } from '../repositories/upload.repository.js';
import type { RemoteRepository } from '../repositories/remote.repository.js';
import { BucketError, type CloudBucket } from '../repositories/cloud-storage.repository.js';
import type { CloudStorageService } from './cloud-storage.service.js';
import type { VideoRepository } from '../repositories/video.repository.js';
import type { VideoFileRepository } from '../repositories/video-file.repository.js';
import { DEFAULT_CHUNK_SIZE, discardUploads, taskKeys } from './task-storage.js';
import type { Logger } from 'pino';
import type { ProgressReporter } from './progress.js';
import { runRequest } from './request-runner.js';
import type { ValidationParams } from '../dtos/validation.dto.js';
import type { ValidationRepository } from '../repositories/validation.repository.js';
import { applyValidation, checkFrameNames, honeypotsNeedImages, planHoneypots } from './validation-setup.js';

interface SourceFile {
  name: string;
  source: 'blob' | 'share' | 'cloud';
  key: string;
  /** Known from a manifest: the header need not be read. */
  size?: { width: number; height: number };
}

/** Image headers fit in the first bytes for every format but TIFF, whose IFD may sit anywhere. */
const HEADER_BYTES = 64 * 1024;
const PROBE_CONCURRENCY = 16;
const SKIPPED_EXT = new Set(['.jsonl', '.txt', '.md']);
const REMOTE_CONCURRENCY = 4;
const MANIFEST_MAX_BYTES = 256 * 1024 ** 2;

/**
 * CVAT's manifests: JSON lines, a version line and a type line. An image manifest then has one
 * line per image with its `name` (no extension), `extension`, `width` and `height`; a video
 * manifest has a `properties` line naming the video, then its keyframes, which we do not need
 * (the probe indexes keyframes itself and counts frames exactly), so it yields the video alone.
 * Names are relative to the manifest's directory.
 */
function parseManifest(text: string, file: string): Array<{ name: string; size?: { width: number; height: number } }> {
  const out: Array<{ name: string; size?: { width: number; height: number } }> = [];
  let video = false;
  text.split('\n').forEach((line, i) => {
    if (!line.trim() || (video && out.length)) return;
    let item: { name?: unknown; extension?: unknown; width?: unknown; height?: unknown; type?: unknown; properties?: { name?: unknown } };
    try {
      item = JSON.parse(line);
    } catch {
      throw new AppError('VALIDATION', `${file}:${i + 1}: not a JSON line`, [{ file, line: i + 1, message: 'not JSON' }]);
    }
    if (item.type === 'video') video = true;
    const raw = video ? item.properties?.name : item.name;
    if (typeof raw !== 'string') return;
    const name = raw + (!video && typeof item.extension === 'string' ? item.extension : '');
    if (name.split('/').some((seg) => seg === '..' || seg === '.') || name.startsWith('/')) {
      throw new AppError('VALIDATION', `${file}:${i + 1}: "${name}" leaves the manifest's directory`, [{ file, line: i + 1, message: 'unsafe name' }]);
    }
    const w = Number(item.width);
    const h = Number(item.height);
    out.push(Number.isInteger(w) && w > 0 && Number.isInteger(h) && h > 0 ? { name, size: { width: w, height: h } } : { name });
  });
  return out;
}

export class TaskCreationHandler {
  constructor(
    private readonly db: Db,
    private readonly tasks: TaskRepository,
    private readonly frames: FrameRepository,
    private readonly jobs: JobRepository,
    private readonly uploads: UploadRepository,
    private readonly requests: RequestRepository,
    private readonly share: ShareRepository,
    private readonly blobs: BlobStore,
    private readonly media: MediaRepository,
    private readonly remote: RemoteRepository,
    private readonly cloudStorages: CloudStorageService,
    private readonly video: VideoRepository,
    private readonly videoFiles: VideoFileRepository,
    private readonly log: Logger,
    private readonly archives: { tmpDir: string; limits: ArchiveLimits },
    private readonly validation: ValidationRepository,
  ) {}

  readonly handleCreateTaskData: JobHandler<'task.create-data'> = async ({ requestId, taskId }, ctx) => {
    const task = await this.tasks.findById(taskId);
    if (!task) return;
    await runRequest(
      this.requests,
      this.log,
      requestId,
      ctx,
      async (progress, request) => {
        await this.tasks.update(taskId, { data_state: 'processing' });
        await this.clearPartial(taskId);
        const size = await this.create(taskId, task.segment_size, task.overlap, request.params as unknown as DataRequest, progress, task.consensus_replicas);
        return { message: `Created ${size} frames`, resultId: taskId };
      },
      () => this.undo(taskId),
      'Reading files',
    );
  };

  /** Ends a creation as failed (its worker was lost), leaving the task as before data was attached. */
  async abandon(requestId: string, taskId: number, message: string): Promise<void> {
    await this.undo(taskId);
    await this.requests.update(requestId, { status: 'failed', message, finished_at: new Date(), worker_id: null });
  }

  private async undo(taskId: number): Promise<void> {
    await this.clearPartial(taskId);
    await discardUploads(this.uploads, this.blobs, taskId);
    await this.tasks.update(taskId, { data_state: 'failed', size: 0, media_type: null });
  }

  private async clearPartial(taskId: number): Promise<void> {
    await this.frames.deleteForTask(taskId);
    await this.db.deleteFrom('task_videos').where('task_id', '=', taskId).execute();
    await this.jobs.deleteForTask(this.db, taskId);
    await this.validation.deleteLayout(this.db, taskId);
  }

  /**
   * Downloads remote_files into the task's uploads (CVAT copies them too), named after the last
   * segment of their path; the fetcher refuses private addresses and enforces size and time limits.
   */
  private async download(taskId: number, urls: string[], progress: ProgressReporter): Promise<void> {
    const taken = new Set((await this.uploads.list(taskId)).map((u) => u.name));
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < urls.length) {
        const i = next++;
        const url = urls[i]!;
        const base = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? '') || `file_${i}`;
        const clean = base.replace(/[\\/\0]/g, '_');
        const name = taken.has(clean) ? `${i}_${clean}` : clean;
        taken.add(name);
        const key = taskKeys.raw(taskId, name);
        const remote = await this.remote.open(url);
        await this.blobs.put(key, remote.stream, remote.size !== undefined ? { contentLength: remote.size } : {});
        const bytes = (await this.blobs.head(key))?.size ?? 0;
        await this.uploads.record(taskId, { name, blob_key: key, bytes });
        done++;
        await progress.report(0.3 * (done / urls.length), `Downloading: ${done} of ${urls.length}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(REMOTE_CONCURRENCY, urls.length) }, worker));
  }

  private async gather(taskId: number, params: DataRequest, progress: ProgressReporter): Promise<SourceFile[]> {
    if (params.remote_files.length) await this.download(taskId, params.remote_files, progress);
    const uploaded: SourceFile[] = (await this.uploads.list(taskId)).map((u) => ({ name: u.name, source: 'blob', key: u.blob_key }));
    const excluded = new Set(params.server_files_exclude.map((p) => p.replace(/^\/+/, '')));
    if (params.cloud_storage_id != null) return this.gatherCloud(params, excluded);
    const shared: SourceFile[] = params.server_files.length
      ? (await this.share.expand(params.server_files))
          .filter((p) => !excluded.has(p) && ![...excluded].some((ex) => p.startsWith(ex.replace(/\/?$/, '/'))))
          .map((p) => ({ name: p, source: 'share', key: p }))
      : [];
    const given = [...uploaded, ...shared].filter((f) => !SKIPPED_EXT.has(path.extname(f.name).toLowerCase()));
    const all = await unpackArchives(
      { uploads: this.uploads, blobs: this.blobs, share: this.share, tmpDir: this.archives.tmpDir, limits: this.archives.limits },
      taskId, given, progress,
    );
    if (all.length === 0) throw AppError.invalid('client_files', 'none of the files is an image');
    return all;
  }

  private order(files: SourceFile[], params: DataRequest): { ordered: SourceFile[]; segments: SegmentRange[] | null } {
    const byName = new Map(files.map((f) => [f.name, f]));
    if (byName.size !== files.length) {
      const dup = files.find((f, i) => files.findIndex((g) => g.name === f.name) !== i)!;
      throw new AppError('VALIDATION', `${dup.name}: the same file is given twice`, [{ file: dup.name, message: 'duplicate' }]);
    }
    const pick = (names: string[], field: string) =>
      names.map((n) => {
        const f = byName.get(n.replace(/^\/+/, ''));
        if (!f) throw new AppError('VALIDATION', `${field}: "${n}" is not among the task's files`, [{ field, file: n, message: 'unknown file' }]);
        return f;
      });
    if (params.job_file_mapping.length) {
      const ordered = pick(params.job_file_mapping.flat(), 'job_file_mapping');
      if (new Set(ordered).size !== ordered.length) throw AppError.invalid('job_file_mapping', 'a file appears in more than one job');
      let start = 0;
      const segments = params.job_file_mapping.map((files) => {
        const seg = { start, stop: start + files.length - 1 };
        start += files.length;
        return seg;
      });
      return { ordered, segments };
    }
    if (params.sorting_method === 'predefined' && params.upload_file_order.length) {
      const ordered = pick(params.upload_file_order, 'upload_file_order');
      if (ordered.length !== files.length) throw AppError.invalid('upload_file_order', `names ${ordered.length} files but ${files.length} were uploaded`);
      return { ordered, segments: null };
    }
    const names = sortFileNames(files.map((f) => f.name), params.sorting_method, params.random_seed ?? 0);
    return { ordered: names.map((n) => byName.get(n)!), segments: null };
  }

  /**
   * Files of a cloud storage, read in place: keys as given, every key under a prefix ending in
   * '/', and the images a manifest (.jsonl, CVAT's format) names, with their sizes, so a
   * 100,000-image task needs no read of any image.
   */
  private async gatherCloud(params: DataRequest, excluded: Set<string>): Promise<SourceFile[]> {
    const { bucket, prefix } = await this.cloudStorages.bucket(params.cloud_storage_id!);
    const out: SourceFile[] = [];
    const seen = new Set<string>();
    const add = (key: string, size?: { width: number; height: number }) => {
      const name = key.startsWith(prefix) ? key.slice(prefix.length) : key;
      if (seen.has(key) || excluded.has(name) || SKIPPED_EXT.has(path.extname(name).toLowerCase())) return;
      seen.add(key);
      out.push({ name, source: 'cloud', key, ...(size ? { size } : {}) });
    };
    try {
      for (const entry of params.server_files) {
        const key = prefix + entry.replace(/^\/+/, '');
        if (entry.endsWith('.jsonl')) {
          const text = await bucket.read(key, { maxBytes: MANIFEST_MAX_BYTES });
          if (!text) throw new AppError('VALIDATION', `${entry}: no such manifest in the cloud storage`, [{ file: entry, message: 'not found' }]);
          const dir = key.slice(0, key.lastIndexOf('/') + 1);
          for (const item of parseManifest(text.toString('utf8'), entry)) add(dir + item.name, item.size);
        } else if (entry.endsWith('/') || entry === '') {
          for await (const k of bucket.listAll(key)) add(k);
        } else {
          add(key);
        }
      }
    } catch (e) {
      if (e instanceof BucketError) throw new AppError('UNAVAILABLE', `cloud storage ${params.cloud_storage_id}: ${e.message}`);
      throw e;
    }
    if (out.length === 0) throw AppError.invalid('server_files', 'no images found in the cloud storage under the given keys');
    return out;
  }

  /**
   * A video task: the probe counts the frames exactly and indexes the keyframes (stored, so a
   * job's first frame decodes from the nearest keyframe); start/stop/step pick the task's frames.
   * Frames are decoded on demand, never all at creation.
   */
  private async createVideo(taskId: number, segmentSize: number, overlap: number | null, params: DataRequest, file: SourceFile, progress: ProgressReporter, replicas: number): Promise<number> {
    const validation = params.validation_params as ValidationParams | null | undefined;
    if (validation?.mode === 'gt_pool') throw honeypotsNeedImages(file.name);
    await progress.report(0.1, `Reading ${file.name}`, true);
    const local = await this.videoFiles.path(file.source, file.key, taskId, async () => {
      if (file.source === 'cloud') return (await (await this.cloudStorages.bucket(params.cloud_storage_id!)).bucket.stream(file.key))?.stream ?? null;
      return (await this.blobs.getStream(file.key))?.stream ?? null;
    });
    const probe = await this.video.probe(local, file.name);
    const step = parseFrameFilter(params.frame_filter) ?? 1;
    if (params.start_frame >= probe.frameCount) {
      throw AppError.invalid('start_frame', `is ${params.start_frame} but ${file.name} has ${probe.frameCount} frames`);
    }
    const stop = Math.min(params.stop_frame ?? probe.frameCount - 1, probe.frameCount - 1);
    const size = Math.floor((stop - params.start_frame) / step) + 1;
    // CVAT overlaps video jobs by 5 frames by default, so tracks survive the seam.
    const ov = overlap ?? (segmentSize > 0 && segmentSize < size ? 5 : 0);
    const segments = splitIntoSegments(size, segmentSize, ov);
    await progress.report(0.9, 'Creating jobs', true);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('task_videos').where('task_id', '=', taskId).execute();
      await trx
        .insertInto('task_videos')
        .values({
          task_id: taskId,
          name: file.name,
          source: file.source,
          key: file.key,
          width: probe.width,
          height: probe.height,
          frame_count: probe.frameCount,
          fps: probe.fps,
          first_index: params.start_frame,
          step,
          keyframes: `{${probe.keyframes.join(',')}}`,
          keyframe_times: `{${probe.keyframeTimes.join(',')}}`,
        })
        .execute();
      await this.jobs.createForSegments(trx, taskId, segments, replicas);
      if (validation) {
        const effective = segmentSize > 0 && segmentSize < size ? segmentSize : size;
        await applyValidation(trx, this.validation, taskId, validation, { size, segments, overlap: ov, segmentSize: effective, names: null }, null);
      }
      await this.tasks.update(
        taskId,
        {
          size,
          media_type: 'video',
          mode: 'interpolation',
          data_state: 'ready',
          segment_size: segmentSize > 0 && segmentSize < size ? segmentSize : size,
          overlap: ov,
          stop_frame: stop,
          chunk_size: params.chunk_size ?? DEFAULT_CHUNK_SIZE,
        },
        trx,
      );
    });
    await this.uploads.clear(taskId);
    return size;
  }

  private async probe(file: SourceFile, cloud: CloudBucket | null): Promise<ImageProbe> {
    if (file.size) return { ...file.size, orientation: 1, format: 'jpeg' };
    if (file.source === 'share') return this.media.probeImage(await this.share.absolutePath(file.key), file.name);
    if (file.source === 'cloud') {
      // A ranged read of the first bytes; the whole object only when its header lies further in.
      const head = await cloud!.read(file.key, { maxBytes: MANIFEST_MAX_BYTES, firstBytes: HEADER_BYTES });
      if (!head) throw new AppError('INVALID_MEDIA', `${file.name}: not found in the cloud storage`, [{ file: file.name, message: 'missing' }]);
      try {
        return await this.media.probeImage(head, file.name);
      } catch (e) {
        if (head.length < HEADER_BYTES) throw e;
        const whole = await cloud!.read(file.key, { maxBytes: 512 * 1024 ** 2 });
        return this.media.probeImage(whole ?? Buffer.alloc(0), file.name);
      }
    }
    const head = await this.blobs.getStream(file.key, { start: 0, end: HEADER_BYTES - 1 });
    if (!head) throw new AppError('INVALID_MEDIA', `${file.name}: the uploaded file is missing`, [{ file: file.name, message: 'missing' }]);
    const chunks: Buffer[] = [];
    for await (const c of head.stream) chunks.push(c as Buffer);
    const buf = Buffer.concat(chunks);
    if (head.size <= buf.length) return { ...(await this.media.probeImage(buf, file.name)), bytes: head.size };
    try {
      return { ...(await this.media.probeImage(buf, file.name)), bytes: head.size };
    } catch {
      // A header past the first bytes (TIFF) or a cut-off marker segment: read the whole file.
      const whole = await this.blobs.get(file.key);
      return { ...(await this.media.probeImage(whole ?? Buffer.alloc(0), file.name)), bytes: head.size };
    }
  }

  private async create(taskId: number, segmentSize: number, overlap: number | null, params: DataRequest, progress: ProgressReporter, replicas: number): Promise<number> {
    const files = await this.gather(taskId, params, progress);
    const videos = files.filter((f) => mimeOf(f.name) === 'video');
    if (videos.length > 0) {
      if (files.length !== 1) {
        throw new AppError('VALIDATION', `${videos[0]!.name}: a video task takes exactly one video and no other file (got ${files.length} files)`, [
          { file: videos[0]!.name, message: 'one video per task' },
        ]);
      }
      return this.createVideo(taskId, segmentSize, overlap, params, videos[0]!, progress, replicas);
    }
    const { ordered, segments: mapped } = this.order(files, params);
    const step = parseFrameFilter(params.frame_filter) ?? 1;
    if (params.start_frame >= ordered.length) {
      throw AppError.invalid('start_frame', `is ${params.start_frame} but there are only ${ordered.length} files`);
    }
    const indexes = mapped ? ordered.map((_, i) => i) : selectFrames(ordered.length, { start: params.start_frame, ...(params.stop_frame !== undefined ? { stop: params.stop_frame } : {}), step });
    const selected = indexes.map((i) => ordered[i]!);
    // Validation settings that name files or shape the layout are checked before any image is read.
    const validation = params.validation_params as ValidationParams | null | undefined;
    const plan = validation?.mode === 'gt_pool' ? planHoneypots(validation, selected.map((f) => f.name), segmentSize) : null;
    if (validation?.mode === 'gt') checkFrameNames(validation, selected.map((f) => f.name));

    const cloud = params.cloud_storage_id != null ? (await this.cloudStorages.bucket(params.cloud_storage_id)).bucket : null;
    const probes: ImageProbe[] = new Array(selected.length);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < selected.length) {
        const i = next++;
        probes[i] = await this.probe(selected[i]!, cloud);
        done++;
        await progress.report(0.9 * (done / selected.length), `Reading image headers: ${done} of ${selected.length}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PROBE_CONCURRENCY, selected.length) }, worker));

    await progress.report(0.9, 'Saving frames', true);
    // Honeypots reorder the frames: jobs of shuffled frames with pool copies, then the pool.
    const order = plan ? plan.frames.map((p) => p.source) : selected.map((_, i) => i);
    await this.frames.insertMany(
      order.map((i, frame) => ({
        task_id: taskId,
        frame,
        name: selected[i]!.name,
        source: selected[i]!.source,
        key: selected[i]!.key,
        width: probes[i]!.width,
        height: probes[i]!.height,
        orientation: probes[i]!.orientation,
        bytes: probes[i]!.bytes ?? 0,
      })),
    );
    if (plan) {
      const honeypots = plan.frames.flatMap((p, frame) => (p.honeypotOf !== undefined ? [{ frame, real: p.honeypotOf }] : []));
      await this.validation.setHoneypotReals(this.db, taskId, honeypots);
    }
    const size = order.length;
    await progress.report(0.97, 'Creating jobs', true);
    const segments = plan?.jobs ?? mapped ?? splitIntoSegments(size, segmentSize, overlap ?? 0);
    // CVAT reports the effective segment size: the whole task when none was asked for; 0 when the
    // jobs were laid out otherwise (job_file_mapping, honeypots).
    const effectiveSegmentSize = mapped || plan ? 0 : segmentSize > 0 && segmentSize < size ? segmentSize : size;
    await this.db.transaction().execute(async (trx) => {
      await this.jobs.createForSegments(trx, taskId, segments, replicas);
      if (validation) {
        const task = { size, segments, overlap: overlap ?? 0, segmentSize: effectiveSegmentSize, names: selected.map((f) => f.name) };
        await applyValidation(trx, this.validation, taskId, validation, task, plan);
      }
      await this.tasks.update(
        taskId,
        {
          size,
          media_type: 'image',
          mode: 'annotation',
          data_state: 'ready',
          segment_size: effectiveSegmentSize,
          overlap: overlap ?? 0,
          // A honeypot task's frames are its own order, not a range of the files.
          ...(plan
            ? { start_frame: 0, stop_frame: size - 1, frame_filter: '' }
            : { stop_frame: params.stop_frame !== undefined ? Math.min(params.stop_frame, ordered.length - 1) : ordered.length - 1 }),
          chunk_size: params.chunk_size ?? DEFAULT_CHUNK_SIZE,
        },
        trx,
      );
    });
    await this.uploads.clear(taskId);
    return size;
  }
}
