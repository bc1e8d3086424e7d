/**
 * Resumable uploads with the TUS 1.0.0 protocol (https://tus.io/protocols/resumable-upload), the
 * way CVAT's server speaks it (cvat/apps/engine/mixins.py, UploadMixin) and CVAT's SDK expects
 * it (cvat_sdk/core/uploading.py): POST with Upload-Length creates an upload, HEAD tells its
 * offset, PATCH appends at that offset.
 *
 * Nothing here knows about tasks. A `TusTarget` says what an upload is for (task data now;
 * annotation and dataset imports and backups later): who may upload, which file names it
 * takes, where the parts and the finished file go, and what to do once the file is complete.
 *
 * Blob stores cannot append (S3 objects are immutable), so each PATCH body is stored as its own
 * part blob and counted by a conditional update of the offset; the request that receives the
 * last byte streams the parts, in order, into the target's key, calls the target, and deletes
 * the parts and the row.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { TusUploadRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { BlobStore } from '../repositories/storage/blob-store.js';
import type { TusRepository } from '../repositories/tus.repository.js';
import type { Auth } from './auth/auth.js';

export const TUS_VERSION = '1.0.0';
export const TUS_EXTENSIONS = ['creation', 'expiration', 'termination'] as const;

/** Uploads untouched for this long are forgotten (every PATCH extends it). */
export const DEFAULT_TUS_TTL_MS = 24 * 60 * 60 * 1000;
/** How long the request assembling a finished upload holds it before another may take over. */
const ASSEMBLY_LEASE_MS = 15 * 60 * 1000;
const SWEEP_BATCH = 100;

/** A finished upload, assembled at `blobKey`. */
export interface TusCompletedFile {
  uploadId: string;
  ownerId: number | null;
  targetId: number | null;
  filename: string;
  metadata: Record<string, string>;
  blobKey: string;
  bytes: number;
}

/** What uploads to one endpoint are for. Register one per endpoint family with TusService.register. */
export interface TusTarget {
  /** Stored with each upload; uploads are only ever found again through the same target. */
  readonly name: string;
  /** Set when target ids are task ids: the upload is then deleted with its task. */
  readonly taskScoped?: boolean;
  /** Throws (404, 403, 409) unless `auth` may upload to this target now. Runs on every request. */
  authorize(auth: Auth, targetId: number | null): Promise<void>;
  /**
   * Checks the file an upload is being created for, returning the name to store it under; throws
   * a 400 naming the file for names the target does not take, or 413 past a target limit.
   */
  acceptFile(targetId: number | null, filename: string, metadata: Record<string, string>): Promise<string>;
  /** Prefix for the part blobs of one upload (deleting it removes them all). Ends with '/'. */
  partsPrefix(targetId: number | null, uploadId: string): string;
  /** Where the assembled file goes. */
  fileKey(targetId: number | null, filename: string, uploadId: string): string;
  /** Called once per upload, after the assembled file is stored at `file.blobKey`. */
  complete(file: TusCompletedFile): Promise<void>;
}

export interface TusUploadState {
  id: string;
  filename: string;
  metadata: Record<string, string>;
  length: number;
  offset: number;
  expiresAt: Date;
  /** True when this request received the last byte (or re-assembled a finished upload). */
  completed: boolean;
}

export interface TusChunk {
  /** Upload-Offset, parsed (parseTusOffset). */
  offset: number;
  /** Content-Length when the client sent one. */
  contentLength: number | undefined;
  body: Readable;
}

export interface TusLimits {
  maxBytes: number;
  ttlMs?: number;
}

/** 409 for a PATCH at an offset the upload is not at; carries the offset to resume from. */
export class TusOffsetConflict extends AppError {
  constructor(readonly currentOffset: number, sent: number) {
    super('CONFLICT', `Upload-Offset: the upload is at byte ${currentOffset}, not ${sent}; resume from Upload-Offset`, [
      { field: 'Upload-Offset', message: `expected ${currentOffset}` },
    ]);
  }
}

function headerError(header: string, message: string): AppError {
  return new AppError('VALIDATION', `${header}: ${message}`, [{ field: header, message }]);
}

/** Upload-Length: a non-negative integer. The limit is checked by create(). */
export function parseTusLength(value: string | undefined): number {
  if (value === undefined) throw headerError('Upload-Length', 'required (deferred lengths are not supported)');
  const v = value.trim();
  if (!/^\d{1,20}$/.test(v)) throw headerError('Upload-Length', `must be a non-negative integer, got "${value.slice(0, 40)}"`);
  return Number(v);
}

/** Upload-Offset: a non-negative integer. */
export function parseTusOffset(value: string | undefined): number {
  if (value === undefined) throw headerError('Upload-Offset', 'required');
  const v = value.trim();
  if (!/^\d{1,20}$/.test(v)) throw headerError('Upload-Offset', `must be a non-negative integer, got "${value.slice(0, 40)}"`);
  return Number(v);
}

/** Upload-Metadata: comma-separated `key base64value` pairs; a key may stand alone (empty value). */
export function parseTusMetadata(value: string | undefined): Record<string, string> {
  // No prototype: a client's key "__proto__" is just a key.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!value || !value.trim()) return out;
  for (const pair of value.split(',')) {
    const parts = pair.trim().split(/\s+/);
    const key = parts[0] ?? '';
    if (!key) continue;
    if (parts.length > 2 || !/^[\x21-\x7e]+$/.test(key)) {
      throw headerError('Upload-Metadata', `malformed pair "${pair.trim().slice(0, 60)}"; expected "key base64value"`);
    }
    if (key in out) throw headerError('Upload-Metadata', `key "${key}" appears twice`);
    const encoded = parts[1] ?? '';
    if (encoded && !/^[A-Za-z0-9+/_-]*={0,2}$/.test(encoded)) {
      throw headerError('Upload-Metadata', `the value of "${key}" is not base64`);
    }
    out[key] = Buffer.from(encoded, 'base64').toString('utf8');
  }
  return out;
}

export function formatTusMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([k, v]) => (v === '' ? k : `${k} ${Buffer.from(v, 'utf8').toString('base64')}`))
    .join(',');
}

function stateOf(row: TusUploadRow, completed = false): TusUploadState {
  return {
    id: row.id,
    filename: row.filename,
    metadata: row.metadata ?? {},
    length: row.length,
    offset: row.offset,
    expiresAt: row.expires_at,
    completed,
  };
}

/**
 * The request body, counted, refusing bytes past `remaining`. A connection that drops mid-body
 * ends the stream instead of failing it, so the bytes that did arrive are kept and the client
 * resumes after them (what CVAT's TUS integration tests, TestTUSUpload, expect of its server).
 */
function guardedBody(src: Readable, remaining: number, counter: { bytes: number }): Readable {
  async function* gen() {
    // destroyOnReturn: false, so refusing a body does not tear down the socket the answer goes out on.
    const it = src.iterator({ destroyOnReturn: false });
    try {
      for await (const chunk of it) {
        const buf = chunk as Buffer;
        if (counter.bytes + buf.length > remaining) {
          throw new AppError('PAYLOAD_TOO_LARGE', `request body: more bytes than the ${remaining} left before Upload-Length`);
        }
        counter.bytes += buf.length;
        yield buf;
      }
    } catch (e) {
      // Anything but our own refusal is the client going away: end here and keep what came.
      if (e instanceof AppError) throw e;
    }
  }
  return Readable.from(gen(), { objectMode: false });
}

export class TusService {
  private readonly targets = new Map<string, TusTarget>();
  private readonly ttlMs: number;

  constructor(
    private readonly repo: TusRepository,
    private readonly blobs: BlobStore,
    private readonly limits: TusLimits,
    private readonly log?: Pick<Logger, 'warn'>,
  ) {
    this.ttlMs = limits.ttlMs ?? DEFAULT_TUS_TTL_MS;
  }

  get maxBytes(): number {
    return this.limits.maxBytes;
  }

  register(target: TusTarget): void {
    if (this.targets.has(target.name)) throw new Error(`TUS target "${target.name}" registered twice`);
    this.targets.set(target.name, target);
  }

  private target(name: string): TusTarget {
    const t = this.targets.get(name);
    if (!t) throw new Error(`no TUS target "${name}" is registered`);
    return t;
  }

  /** POST with Upload-Length: a new, empty upload owned by the caller. */
  async create(auth: Auth, targetName: string, targetId: number | null, length: number, metadata: Record<string, string>): Promise<TusUploadState> {
    const target = this.target(targetName);
    await target.authorize(auth, targetId);
    if (!Number.isSafeInteger(length) || length > this.limits.maxBytes) {
      throw new AppError('PAYLOAD_TOO_LARGE', `Upload-Length: ${length} bytes exceeds the upload limit of ${this.limits.maxBytes} bytes`, [
        { field: 'Upload-Length', message: `at most ${this.limits.maxBytes}` },
      ]);
    }
    const given = metadata.filename;
    if (!given) throw headerError('Upload-Metadata', 'a "filename" is required');
    const filename = await target.acceptFile(targetId, given, metadata);
    await this.sweepExpired().catch((e: unknown) => this.log?.warn({ err: e }, 'sweeping expired TUS uploads failed'));

    const id = randomUUID();
    const blobPrefix = target.partsPrefix(targetId, id);
    // forget() deletes this prefix: it must be the upload's own folder and nothing wider.
    if (!blobPrefix.endsWith(`${id}/`)) throw new Error(`TUS target "${target.name}": parts prefix must end with "<upload id>/"`);
    const row = await this.repo.create({
      id,
      target: target.name,
      targetId,
      taskId: target.taskScoped ? targetId : null,
      ownerId: auth.user.id,
      filename,
      metadata,
      length,
      blobPrefix,
      expiresAt: new Date(Date.now() + this.ttlMs),
    });
    return stateOf(row);
  }

  /** HEAD: where the upload stands. */
  async status(auth: Auth, targetName: string, targetId: number | null, uploadId: string): Promise<TusUploadState> {
    return stateOf(await this.require(auth, targetName, targetId, uploadId));
  }

  /**
   * PATCH: stores the body as the next part if `chunk.offset` is where the upload is; assembles
   * the file when this was the last byte. The body is streamed to the blob store, never held.
   */
  async append(auth: Auth, targetName: string, targetId: number | null, uploadId: string, chunk: TusChunk): Promise<TusUploadState> {
    const target = this.target(targetName);
    const row = await this.require(auth, targetName, targetId, uploadId);
    if (chunk.offset !== row.offset) throw new TusOffsetConflict(row.offset, chunk.offset);
    const remaining = row.length - row.offset;
    if (chunk.contentLength !== undefined && chunk.contentLength > remaining) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `Content-Length: ${chunk.contentLength} bytes at offset ${row.offset} would pass Upload-Length ${row.length}`,
        [{ field: 'Content-Length', message: `at most ${remaining}` }],
      );
    }
    if (remaining === 0) return this.finishComplete(target, row);
    if (chunk.contentLength === 0) return stateOf(row);

    const partKey = `${row.blob_prefix}${String(row.offset).padStart(15, '0')}-${randomUUID().slice(0, 8)}`;
    const counter = { bytes: 0 };
    try {
      await this.blobs.put(partKey, guardedBody(chunk.body, remaining, counter));
    } catch (e) {
      await this.blobs.delete(partKey).catch(() => undefined);
      throw e;
    }
    if (counter.bytes === 0) {
      await this.blobs.delete(partKey);
      return stateOf(row);
    }

    const now = new Date();
    const advanced = await this.repo.advance(
      row.id,
      row.offset,
      counter.bytes,
      partKey,
      now,
      new Date(now.getTime() + this.ttlMs),
      new Date(now.getTime() + ASSEMBLY_LEASE_MS),
    );
    if (!advanced) {
      // Another request stored these bytes first, or the upload expired meanwhile.
      await this.blobs.delete(partKey);
      const current = await this.repo.findById(row.id);
      if (!current || current.expires_at <= now) throw AppError.notFound('upload', uploadId);
      throw new TusOffsetConflict(current.offset, chunk.offset);
    }
    if (advanced.offset < advanced.length) return stateOf(advanced);
    await this.assemble(target, advanced);
    return stateOf(advanced, true);
  }

  /** DELETE (termination extension): forgets the upload and its parts. */
  async terminate(auth: Auth, targetName: string, targetId: number | null, uploadId: string): Promise<void> {
    const row = await this.require(auth, targetName, targetId, uploadId);
    await this.forget(row);
  }

  /** Deletes uploads that expired, with their parts. Runs on each creation; safe to call from a periodic job. */
  async sweepExpired(now = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const gone = await this.repo.deleteExpired(now, SWEEP_BATCH);
      for (const g of gone) if (g.blob_prefix.endsWith(`${g.id}/`)) await this.blobs.deletePrefix(g.blob_prefix);
      total += gone.length;
      if (gone.length < SWEEP_BATCH) return total;
    }
  }

  /** The caller's live upload on this target, or a 404 that does not say which of those failed. */
  private async require(auth: Auth, targetName: string, targetId: number | null, uploadId: string): Promise<TusUploadRow> {
    const target = this.target(targetName);
    await target.authorize(auth, targetId);
    const row = await this.repo.findById(uploadId);
    if (!row || row.target !== target.name || row.target_id !== targetId || row.owner_id !== auth.user.id) {
      throw AppError.notFound('upload', uploadId);
    }
    if (row.expires_at <= new Date()) {
      await this.forget(row);
      throw AppError.notFound('upload', uploadId);
    }
    return row;
  }

  /**
   * A PATCH at the end of an upload whose row still exists: the upload is complete and either
   * being assembled by another request (nothing to do) or its assembly failed (retry it). A
   * zero-length upload is assembled here by its first PATCH.
   */
  private async finishComplete(target: TusTarget, row: TusUploadRow): Promise<TusUploadState> {
    const now = new Date();
    const claimed = await this.repo.claimAssembly(row.id, now, new Date(now.getTime() + ASSEMBLY_LEASE_MS));
    if (!claimed) return stateOf(row);
    await this.assemble(target, claimed);
    return stateOf(claimed, true);
  }

  /** Streams the parts into the target's key, hands the file over, and forgets the upload. */
  private async assemble(target: TusTarget, row: TusUploadRow): Promise<void> {
    const key = target.fileKey(row.target_id, row.filename, row.id);
    const blobs = this.blobs;
    const partKeys = row.part_keys ?? [];
    async function* concatenated() {
      for (const part of partKeys) {
        const got = await blobs.getStream(part);
        if (!got) throw new Error(`TUS upload ${row.id}: part ${part} is missing`);
        yield* got.stream;
      }
    }
    try {
      await this.blobs.put(key, Readable.from(concatenated(), { objectMode: false }), { contentLength: row.length });
      await target.complete({
        uploadId: row.id,
        ownerId: row.owner_id,
        targetId: row.target_id,
        filename: row.filename,
        metadata: row.metadata ?? {},
        blobKey: key,
        bytes: row.length,
      });
    } catch (e) {
      // The parts are intact: the next PATCH at the final offset retries the assembly.
      await this.repo.releaseAssembly(row.id).catch(() => undefined);
      throw e;
    }
    await this.forget(row);
  }

  private async forget(row: Pick<TusUploadRow, 'id' | 'blob_prefix'>): Promise<void> {
    await this.repo.delete(row.id);
    if (row.blob_prefix.endsWith(`${row.id}/`)) await this.blobs.deletePrefix(row.blob_prefix);
  }
}
