/**
 * Frames, chunks, previews and data/meta of tasks and jobs. Compressed frames, chunks and
 * previews are derived on first request and kept in the size-capped derived cache, so a cached
 * frame costs one small read; originals are served as stored.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { zipSync } from 'fflate';
import { AppError } from '../errors.js';
import type { FrameRow } from '../db/schema.js';
import type { FrameRepository } from '../repositories/frame.repository.js';
import type { MediaRepository } from '../repositories/media.repository.js';
import type { ShareRepository } from '../repositories/share.repository.js';
import type { BlobStore } from '../repositories/storage/blob-store.js';
import type { MediaTask } from '../repositories/task.repository.js';
import type { Auth } from './auth/auth.js';
import type { TaskService } from './task.service.js';
import { DEFAULT_CHUNK_SIZE, taskKeys } from './task-storage.js';
import type { DerivedCache } from './derived-cache.js';
import type { CloudStorageService } from './cloud-storage.service.js';
import type { VideoRepository } from '../repositories/video.repository.js';
import type { VideoFileRepository } from '../repositories/video-file.repository.js';
import sharp from 'sharp';
import { FrameRowCache } from './frame-rows.js';
import { BucketError } from '../repositories/cloud-storage.repository.js';
import type { ValidationRepository } from '../repositories/validation.repository.js';
import { createHash } from 'node:crypto';

/** Originals read whole from a bucket (to compress or zip) are images: refuse what is not one. */
const CLOUD_ORIGINAL_MAX_BYTES = 512 * 1024 ** 2;
/** Lifetime of a presigned link to an original: long enough to follow, too short to share. */
const PRESIGNED_SECONDS = 60;

/** A bucket that stops answering is a clear per-frame 503, not a crash. */
function cloudError(e: unknown, key: string): unknown {
  if (e instanceof BucketError) return new AppError('UNAVAILABLE', `cloud storage: cannot read "${key}": ${e.message}`);
  return e;
}
import fs from 'node:fs';

export type Quality = 'compressed' | 'original';

export interface MediaBody {
  /** Send the client there instead (a presigned link to a cloud original). */
  redirect?: string;
  body: Buffer | Readable;
  contentType: string;
  length?: number;
  etag: string;
}

/** The frames a request may touch: a whole task, or one job's segment. */
export interface Scope {
  task: MediaTask;
  start: number;
  stop: number;
  what: string;
  /** A ground-truth job's frames, when it takes only some frames of start..stop. */
  frames?: readonly number[];
  included?: ReadonlySet<number>;
  /** The scope is a ground-truth job. */
  groundTruth?: boolean;
  /**
   * Tasks with honeypots: each honeypot of the scope and the validation frame whose image it
   * shows. A honeypot is served as that frame is (one cached copy), under its own number.
   */
  honeypots?: ReadonlyMap<number, number>;
  /** Goes up when a honeypot changes its image: part of cache keys and ETags of honeypot tasks. */
  revision?: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.jfif': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.bmp': 'image/bmp',
  '.gif': 'image/gif',
};

export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

const SCOPE_CACHE_MS = 2000;
const SCOPE_CACHE_MAX = 10_000;

/**
 * Access decisions for derived media, remembered briefly per user and task or job. A browser
 * streams a job's compressed frames and chunks tens of times a second; each would otherwise pay
 * the access query, which on embedded PGlite is the largest fixed cost of a frame. Only scopes of
 * tasks whose data is ready are kept (their frames no longer change), for SCOPE_CACHE_MS: a
 * revoked assignment stops serving frames within that delay, as a revoked token does.
 */
class ScopeCache {
  private readonly entries = new Map<string, { scope: Scope; until: number }>();

  async get(auth: Auth, key: string, recent: boolean, load: () => Promise<Scope>): Promise<Scope> {
    const k = `${auth.user.id}:${key}`;
    const now = Date.now();
    if (recent) {
      const hit = this.entries.get(k);
      if (hit && hit.until > now) return hit.scope;
    }
    const scope = await load();
    if (scope.task.data_state === 'ready') {
      if (this.entries.size >= SCOPE_CACHE_MAX) this.entries.clear();
      this.entries.set(k, { scope, until: now + SCOPE_CACHE_MS });
    }
    return scope;
  }

  /** Drops every decision about a task's frames (its honeypots changed the images they show). */
  forgetTask(taskId: number): void {
    for (const [k, e] of this.entries) if (e.scope.task.id === taskId) this.entries.delete(k);
  }
}

export class FrameService {
  private readonly rows: FrameRowCache;
  private readonly scopes = new ScopeCache();

  constructor(
    private readonly tasks: TaskService,
    private readonly frames: FrameRepository,
    private readonly blobs: BlobStore,
    private readonly cache: DerivedCache,
    private readonly share: ShareRepository,
    private readonly media: MediaRepository,
    private readonly cloudStorages: CloudStorageService,
    private readonly video: VideoRepository,
    private readonly videoFiles: VideoFileRepository,
    private readonly validation: ValidationRepository,
  ) {
    this.rows = new FrameRowCache(frames);
  }

  /**
   * What a validation layout changes for a scope: a ground-truth job's frames, and the honeypots
   * of a task with them (with the revision their images are at). Tasks without validation pay nothing.
   */
  private async withValidation(scope: Scope, jobId?: number): Promise<Scope> {
    const mode = scope.task.validation_mode;
    if (!mode) return scope;
    if (jobId !== undefined) {
      const segment = await this.validation.jobSegment(jobId);
      if (segment?.type === 'ground_truth') {
        scope.groundTruth = true;
        if (segment.frames) {
          scope.frames = segment.frames;
          scope.included = new Set(segment.frames);
        }
      }
    }
    if (mode === 'gt_pool') {
      const [slots, layout] = await Promise.all([this.validation.honeypots(scope.task.id, scope), this.validation.layout(scope.task.id)]);
      scope.honeypots = new Map(slots.map((h) => [h.frame, h.real]));
      scope.revision = layout?.revision ?? 0;
    }
    return scope;
  }

  /** A scope made outside this service (exports) learns its honeypots on first use. */
  private async honeypotsOf(scope: Scope): Promise<ReadonlyMap<number, number> | undefined> {
    if (scope.task.validation_mode !== 'gt_pool') return undefined;
    if (!scope.honeypots) await this.withValidation(scope);
    return scope.honeypots;
  }

  /** The frame whose image frame `number` shows: itself, or a honeypot's validation frame. */
  private async realFrame(scope: Scope, number: number): Promise<number> {
    if (scope.task.validation_mode !== 'gt_pool') return number;
    if (scope.honeypots) return scope.honeypots.get(number) ?? number;
    // A scope made elsewhere (an export reading image after image) asks about this frame alone.
    const [slot] = await this.validation.honeypots(scope.task.id, { start: number, stop: number });
    return slot?.real ?? number;
  }

  /** Appended to cache keys and ETags once a honeypot task's images have changed. */
  private static rev(scope: Scope): string {
    return scope.revision ? `-r${scope.revision}` : '';
  }

  /**
   * `recent`: accept an access decision made for this user in the last SCOPE_CACHE_MS (see
   * ScopeCache). Only compressed frames and chunks ask for it; originals are checked every time.
   */
  async taskScope(auth: Auth, taskId: number, options: { recent?: boolean } = {}): Promise<Scope> {
    return this.scopes.get(auth, `t${taskId}`, options.recent ?? false, async () => {
      const task = await this.tasks.requireMedia(auth, taskId);
      return this.withValidation({ task, start: 0, stop: task.size - 1, what: `task ${taskId}` });
    });
  }

  /**
   * Called when a task's honeypots change their images: this instance stops serving what it had
   * decided about the task at once; other instances within SCOPE_CACHE_MS (see ScopeCache).
   */
  forgetTask(taskId: number): void {
    this.scopes.forgetTask(taskId);
  }

  /** A project's preview is its first task's that has media; null when none has. */
  async projectPreview(auth: Auth, projectId: number): Promise<MediaBody | null> {
    const first = await this.tasks.firstWithData(auth, projectId);
    return first ? this.preview({ task: first, start: 0, stop: first.size - 1, what: `task ${first.id}` }) : null;
  }

  async jobScope(auth: Auth, jobId: number, options: { recent?: boolean } = {}): Promise<Scope> {
    return this.scopes.get(auth, `j${jobId}`, options.recent ?? false, async () => {
      const { task, start, stop } = await this.tasks.requireForJob(auth, jobId);
      return this.withValidation({ task, start, stop, what: `job ${jobId}` }, jobId);
    });
  }

  private requireData(scope: Scope): void {
    if (scope.task.data_state !== 'ready') throw new AppError('NOT_FOUND', `task ${scope.task.id} has no data yet`);
  }

  private checkFrame(scope: Scope, number: number): void {
    this.requireData(scope);
    if (number < scope.start || number > scope.stop) {
      throw AppError.invalid('number', `frame ${number} is outside ${scope.what} (frames ${scope.start}-${scope.stop})`);
    }
    if (scope.included && !scope.included.has(number)) throw AppError.invalid('number', `frame ${number} is not one of the frames of ${scope.what}`);
  }

  /** The row of the frame whose image `number` shows (a honeypot's validation frame's: rows of those never change). */
  private async frameRow(scope: Scope, number: number): Promise<FrameRow> {
    this.checkFrame(scope, number);
    const real = await this.realFrame(scope, number);
    const row = await this.rows.get(scope.task.id, real);
    if (!row) throw AppError.notFound('frame', number);
    return row;
  }

  private async original(row: FrameRow, task?: MediaTask): Promise<Buffer> {
    if (row.source === 'share') return fs.promises.readFile(await this.share.absolutePath(row.key));
    if (row.source === 'cloud') {
      const { bucket } = await this.cloudBucket(task);
      const data = await bucket.read(row.key, { maxBytes: CLOUD_ORIGINAL_MAX_BYTES }).catch((e) => {
        throw cloudError(e, row.key);
      });
      if (!data) throw new AppError('NOT_FOUND', `the original of frame ${row.frame} ("${row.key}") is missing from its cloud storage`);
      return data;
    }
    const buf = await this.blobs.get(row.key);
    if (!buf) throw new AppError('NOT_FOUND', `the original of frame ${row.frame} is missing from storage`);
    return buf;
  }

  /**
   * The original as sharp's input: a path when it is a file here (the share, or a local blob
   * store), so libvips reads it directly instead of through a JavaScript buffer; else the bytes.
   */
  private async originalInput(row: FrameRow, task: MediaTask): Promise<Buffer | string> {
    if (row.source === 'share') return this.share.absolutePath(row.key);
    if (row.source === 'blob') {
      const local = this.blobs.localPath?.(row.key);
      if (local) return local;
    }
    return this.original(row, task);
  }

  /** The local file and seek index of a video task's source. */
  private async videoOf(task: MediaTask) {
    const video = await this.frames.video(task.id);
    if (!video) throw new AppError('NOT_FOUND', `task ${task.id} has no video`);
    const file = await this.videoFiles.path(video.source, video.key, task.id, async () => {
      if (video.source === 'cloud') return (await (await this.cloudBucket(task)).bucket.stream(video.key))?.stream ?? null;
      return (await this.blobs.getStream(video.key))?.stream ?? null;
    });
    return { video, file, seek: { keyframes: video.keyframes, keyframeTimes: video.keyframe_times } };
  }

  /** Decodes task frames [from, to] of a video task into JPEGs (compressed) or PNGs (original). */
  private async decodeVideo(task: MediaTask, from: number, to: number, quality: Quality): Promise<Buffer[]> {
    const { video, file, seek } = await this.videoOf(task);
    const out: Buffer[] = [];
    if (video.step === 1) {
      for await (const f of this.video.decodeFrames(file, { start: video.first_index + from, count: to - from + 1, seek, name: video.name })) {
        out.push(await this.encodeRgb(f, task, quality));
      }
    } else {
      for (let n = from; n <= to; n++) {
        out.push(await this.encodeRgb(await this.video.decodeFrame(file, video.first_index + n * video.step, seek, { name: video.name }), task, quality));
      }
    }
    return out;
  }

  private encodeRgb(f: { width: number; height: number; rgb: Buffer }, task: MediaTask, quality: Quality): Promise<Buffer> {
    const img = sharp(f.rgb, { raw: { width: f.width, height: f.height, channels: 3 } });
    return quality === 'compressed' ? img.jpeg({ quality: task.image_quality, mozjpeg: false }).toBuffer() : img.png({ compressionLevel: 1 }).toBuffer();
  }

  private async videoFrame(scope: Scope, number: number, quality: Quality): Promise<MediaBody> {
    this.checkFrame(scope, number);
    const key = quality === 'compressed' ? taskKeys.compressedFrame(scope.task.id, number) : `${taskKeys.compressedFrame(scope.task.id, number)}.png`;
    const etag = this.etag(scope.task, `f${number}${quality[0]}`);
    const type = quality === 'compressed' ? 'image/jpeg' : 'image/png';
    const data = await this.cache.getOrMake(key, scope.task.id, type, async () => (await this.decodeVideo(scope.task, number, number, quality))[0]!);
    return { body: data, contentType: type, etag };
  }

  private async cloudBucket(task: MediaTask | undefined) {
    if (!task?.cloud_storage_id) throw new AppError('NOT_FOUND', 'the cloud storage of this task was deleted; its frames cannot be read');
    return this.cloudStorages.bucket(task.cloud_storage_id);
  }

  private etag(task: MediaTask, kind: string): string {
    return `"${task.id}-${task.created_at.getTime().toString(36)}-${kind}"`;
  }

  private async compressed(task: MediaTask, row: FrameRow): Promise<Buffer> {
    return this.cache.getOrMake(taskKeys.compressedFrame(task.id, row.frame), task.id, 'image/jpeg', () => this.compressOriginal(row, task));
  }

  private async compressOriginal(row: FrameRow, task: MediaTask): Promise<Buffer> {
    const input = await this.originalInput(row, task);
    try {
      return await this.media.compressFrame(input, { quality: task.image_quality, name: row.name });
    } catch (e) {
      if (typeof input === 'string' && e instanceof Error && /^Input file is missing/.test(e.message)) {
        throw new AppError('NOT_FOUND', `the original of frame ${row.frame} ("${row.name}") is missing from storage`);
      }
      throw e;
    }
  }

  async frame(scope: Scope, number: number, quality: Quality): Promise<MediaBody> {
    if (scope.task.media_type === 'video') return this.videoFrame(scope, number, quality);
    if (quality === 'compressed') {
      this.checkFrame(scope, number);
      const etag = this.etag(scope.task, `f${number}c${FrameService.rev(scope)}`);
      // A cached frame needs no frame row: its key follows from the task and the number (a honeypot shares its validation frame's).
      const real = await this.realFrame(scope, number);
      const body = await this.cache.getOrMake(taskKeys.compressedFrame(scope.task.id, real), scope.task.id, 'image/jpeg', async () => {
        const row = await this.frameRow(scope, number);
        return this.compressOriginal(row, scope.task);
      });
      return { body, contentType: 'image/jpeg', etag };
    }
    const row = await this.frameRow(scope, number);
    const etag = this.etag(scope.task, `f${number}o${FrameService.rev(scope)}`);
    if (row.source === 'cloud') {
      const { bucket, originalDelivery } = await this.cloudBucket(scope.task);
      // The caller's access was checked above, on this request: the link is made for them alone and expires soon.
      if (originalDelivery === 'redirect') return { redirect: await bucket.presign(row.key, PRESIGNED_SECONDS), body: Buffer.alloc(0), contentType: contentTypeOf(row.name), etag };
    }
    return { ...(await this.originalStream(scope.task, row)), etag };
  }

  /**
   * A frame's original as a stream, whatever the storage's delivery setting: what exports with
   * images read (video frames as the lossless PNG a client would get).
   */
  async originalOf(scope: Scope, number: number): Promise<Omit<MediaBody, 'etag' | 'redirect'>> {
    if (scope.task.media_type === 'video') return this.videoFrame(scope, number, 'original');
    return this.originalStream(scope.task, await this.frameRow(scope, number));
  }

  private async originalStream(task: MediaTask, row: FrameRow): Promise<Omit<MediaBody, 'etag' | 'redirect'>> {
    if (row.source === 'share') {
      const abs = await this.share.absolutePath(row.key);
      const st = await fs.promises.stat(abs);
      return { body: fs.createReadStream(abs), length: st.size, contentType: contentTypeOf(row.name) };
    }
    if (row.source === 'cloud') {
      const { bucket } = await this.cloudBucket(task);
      const streamed = await bucket.stream(row.key).catch((e) => {
        throw cloudError(e, row.key);
      });
      if (!streamed) throw new AppError('NOT_FOUND', `the original of frame ${row.frame} ("${row.key}") is missing from its cloud storage`);
      return { body: streamed.stream, ...(streamed.size !== undefined ? { length: streamed.size } : {}), contentType: contentTypeOf(row.name) };
    }
    const s = await this.blobs.getStream(row.key);
    if (!s) throw new AppError('NOT_FOUND', `the original of frame ${row.frame} is missing from storage`);
    return { body: s.stream, length: s.length, contentType: contentTypeOf(row.name) };
  }

  /**
   * A zip of a chunk's frames. For a job, `index` counts the job's own chunks from 0; `number`
   * (CVAT's older parameter) counts chunks of the task, as it does on the task endpoint.
   */
  async chunk(scope: Scope, sel: { index?: number; number?: number }, quality: Quality): Promise<MediaBody> {
    this.requireData(scope);
    if (scope.frames) return this.specificChunk(scope, scope.frames, sel, quality);
    const size = scope.task.chunk_size ?? DEFAULT_CHUNK_SIZE;
    let first: number;
    if (sel.index !== undefined) first = scope.start + sel.index * size;
    else if (sel.number !== undefined) first = sel.number * size;
    else throw AppError.invalid('index', 'index (or number) is required for type=chunk');
    const last = Math.min(first + size - 1, scope.stop);
    const from = Math.max(first, scope.start);
    if (from > last) throw AppError.invalid(sel.index !== undefined ? 'index' : 'number', `no such chunk in ${scope.what}`);
    const rev = FrameService.rev(scope);
    const key = taskKeys.chunk(scope.task.id, quality, from) + (last - from + 1 === size ? '' : `-${last}`) + rev;
    const etag = this.etag(scope.task, `c${from}-${last}${quality[0]}${rev}`);
    const honeypots = await this.honeypotsOf(scope);
    const frames = honeypots?.size ? Array.from({ length: last - from + 1 }, (_, i) => from + i) : undefined;
    const body = await this.cache.getOrMake(key, scope.task.id, 'application/zip', () =>
      frames ? this.makeListChunk(scope.task, frames.map((f) => honeypots!.get(f) ?? f), quality) : this.makeChunk(scope.task, from, last, quality),
    );
    return { body, contentType: 'application/zip', etag };
  }

  /**
   * A chunk of a ground-truth job that takes some frames: its chunks hold its frames only, `index`
   * counting them from 0 (CVAT's job chunks of specific frames); `number` picks those of a task chunk.
   */
  private async specificChunk(scope: Scope, frames: readonly number[], sel: { index?: number; number?: number }, quality: Quality): Promise<MediaBody> {
    const size = scope.task.chunk_size ?? DEFAULT_CHUNK_SIZE;
    let part: readonly number[];
    if (sel.index !== undefined) part = frames.slice(sel.index * size, (sel.index + 1) * size);
    else if (sel.number !== undefined) part = frames.filter((f) => f >= sel.number! * size && f < (sel.number! + 1) * size);
    else throw AppError.invalid('index', 'index (or number) is required for type=chunk');
    if (part.length === 0) throw AppError.invalid(sel.index !== undefined ? 'index' : 'number', `no such chunk in ${scope.what}`);
    // The frame list names the chunk; a hash keeps the key short.
    const digest = createHash('sha1').update(part.join(',')).digest('hex').slice(0, 16);
    const key = `${taskKeys.chunk(scope.task.id, quality, part[0]!)}-f${digest}`;
    const etag = this.etag(scope.task, `cf${digest}${quality[0]}`);
    const body = await this.cache.getOrMake(key, scope.task.id, 'application/zip', () => this.makeListChunk(scope.task, part, quality));
    return { body, contentType: 'application/zip', etag };
  }

  /** A zip of the images of the listed frames, in order (video or image task). */
  private async makeListChunk(task: MediaTask, frames: readonly number[], quality: Quality): Promise<Buffer> {
    const entries: Record<string, [Uint8Array, { level: 0 }]> = {};
    for (const [i, frame] of frames.entries()) {
      let data: Buffer;
      let ext: string;
      if (task.media_type === 'video') {
        data = (await this.decodeVideo(task, frame, frame, quality))[0]!;
        ext = quality === 'compressed' ? '.jpg' : '.png';
      } else {
        const row = await this.rows.get(task.id, frame);
        if (!row) throw AppError.notFound('frame', frame);
        data = quality === 'compressed' ? await this.compressed(task, row) : await this.original(row, task);
        ext = quality === 'compressed' ? '.jpg' : path.extname(row.name).toLowerCase() || '.bin';
      }
      entries[`${String(i).padStart(6, '0')}${ext}`] = [data, { level: 0 }];
    }
    return Buffer.from(zipSync(entries));
  }

  private async makeChunk(task: MediaTask, from: number, last: number, quality: Quality): Promise<Buffer> {
    // Images are already compressed; storing them saves the CPU deflate would waste.
    const entries: Record<string, [Uint8Array, { level: 0 }]> = {};
    if (task.media_type === 'video') {
      const frames = await this.decodeVideo(task, from, last, quality);
      frames.forEach((data, i) => (entries[`${String(i).padStart(6, '0')}${quality === 'compressed' ? '.jpg' : '.png'}`] = [data, { level: 0 }]));
      return Buffer.from(zipSync(entries));
    }
    const rows = await this.frames.range(task.id, from, last);
    for (const [i, row] of rows.entries()) {
      const data = quality === 'compressed' ? await this.compressed(task, row) : await this.original(row, task);
      const ext = quality === 'compressed' ? '.jpg' : path.extname(row.name).toLowerCase() || '.bin';
      entries[`${String(i).padStart(6, '0')}${ext}`] = [data, { level: 0 }];
    }
    return Buffer.from(zipSync(entries));
  }

  /**
   * data/meta. A ground-truth job of some frames lists every frame of its range, the others as
   * CVAT's "placeholder.jpg", and names its own in included_frames. Deleted frames are disabled
   * validation frames (in a ground-truth job) and, for those who manage the task, the honeypots
   * showing them: an annotator is told nothing that sets honeypots apart.
   */
  async meta(scope: Scope, privileged: () => Promise<boolean> = async () => false) {
    const t = scope.task;
    const hasData = t.data_state === 'ready';
    const video = hasData && t.media_type === 'video' ? await this.frames.video(t.id) : undefined;
    const frames = !hasData
      ? []
      : video
        ? Array.from({ length: scope.stop - scope.start + 1 }, (_, i) => ({ frame: scope.start + i, width: video.width, height: video.height, name: video.name }))
        : await this.frames.meta(t.id, scope.start, scope.stop);
    const included = scope.included;
    return {
      chunk_size: hasData ? (t.chunk_size ?? DEFAULT_CHUNK_SIZE) : null,
      size: hasData ? (scope.frames?.length ?? scope.stop - scope.start + 1) : 0,
      image_quality: t.image_quality,
      start_frame: hasData ? scope.start : 0,
      stop_frame: hasData ? scope.stop : 0,
      frame_filter: t.frame_filter,
      frames: frames.map((f) => ({
        width: f.width,
        height: f.height,
        name: included && !included.has(f.frame) ? 'placeholder.jpg' : f.name,
        related_files: 0,
        has_related_context: false,
      })),
      deleted_frames: hasData ? await this.deletedFrames(scope, privileged) : [],
      included_frames: scope.frames ? [...scope.frames] : null,
      chunks_updated_date: t.updated_at.toISOString(),
      storage: t.cloud_storage_id !== null ? 'cloud_storage' : frames.length && (await this.frames.find(t.id, scope.start))?.source === 'share' ? 'share' : 'local',
      cloud_storage_id: t.cloud_storage_id,
      chapters: null,
    };
  }

  private async deletedFrames(scope: Scope, privileged: () => Promise<boolean>): Promise<number[]> {
    if (!scope.task.validation_mode) return [];
    const layout = await this.validation.layout(scope.task.id);
    if (!layout || layout.disabled_frames.length === 0) return [];
    const disabled = new Set(layout.disabled_frames);
    const inScope = (f: number) => f >= scope.start && f <= scope.stop && (!scope.included || scope.included.has(f));
    if (scope.groundTruth) return layout.disabled_frames.filter(inScope);
    if (layout.mode !== 'gt_pool' || !(await privileged())) return [];
    const honeypots = [...((await this.honeypotsOf(scope)) ?? new Map<number, number>())].filter(([, real]) => disabled.has(real)).map(([frame]) => frame);
    return [...honeypots, ...layout.disabled_frames].filter(inScope).sort((a, b) => a - b);
  }

  /** A thumbnail of the first frame of the scope; null when there is no media yet. */
  async preview(scope: Scope): Promise<MediaBody | null> {
    if (scope.task.data_state !== 'ready' || scope.task.size === 0) return null;
    const first = scope.frames?.[0] ?? scope.start;
    const real = await this.realFrame(scope, first);
    const key = (first === 0 ? taskKeys.preview(scope.task.id) : `${taskKeys.preview(scope.task.id)}.${first}`) + FrameService.rev(scope);
    const etag = this.etag(scope.task, `p${first}${FrameService.rev(scope)}`);
    const body = await this.cache.getOrMake(key, scope.task.id, 'image/jpeg', async () => {
      if (scope.task.media_type === 'video') {
        const image = (await this.videoFrame(scope, first, 'compressed')).body as Buffer;
        return this.media.makePreview(image, { name: `frame ${first}` });
      }
      const row = await this.frames.find(scope.task.id, real);
      if (!row) throw new AppError('NOT_FOUND', `task ${scope.task.id} has no frame ${first}`);
      return this.media.makePreview(await this.original(row, scope.task), { name: row.name });
    });
    return { body, contentType: 'image/jpeg', etag };
  }
}
