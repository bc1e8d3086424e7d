/**
 * Starting annotation imports into tasks and jobs (CVAT's flow): the file arrives as a multipart
 * `annotation_file`, through TUS (Upload-Start, TUS, Upload-Finish, as CVAT's SDK sends it), or
 * as a key in a cloud storage; it is stored, and a background job (import.handler.ts) parses it
 * and saves the annotations. The request answers 202 with a request id at once.
 */
import { findImporter } from '@framewise/core';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { RequestRepository } from '../../repositories/request.repository.js';
import type { BlobStore } from '../../repositories/storage/blob-store.js';
import type { AccessService } from '../access.js';
import type { Auth } from '../auth/auth.js';
import { enqueueRequest } from '../request-runner.js';
import type { CloudStorageService } from '../cloud-storage.service.js';
import type { TusTarget } from '../tus.service.js';
import { safeFileName } from './export.service.js';
import type { StagedFile } from './import-source.js';

export type ImportTarget = 'task' | 'job';

export interface ImportQuery {
  format?: string;
  filename?: string;
  location?: 'local' | 'cloud_storage';
  cloud_storage_id?: number;
  /** Framewise: 'replace' (default, as CVAT) or 'append'. */
  import_mode?: 'replace' | 'append';
  /** Framewise: what to do with labels the task lacks: fail (default), skip their objects, or create them. */
  on_unknown_label?: 'error' | 'skip' | 'create';
}

export interface ImportParams {
  target: ImportTarget;
  id: number;
  format: string;
  filename: string;
  source: StagedFile;
  mode: 'replace' | 'append';
  onUnknownLabel: 'error' | 'skip' | 'create';
}

export const TUS_TARGETS: Record<ImportTarget, string> = { task: 'task-annotations', job: 'job-annotations' };

export function importRequestId(target: ImportTarget, id: number): string {
  return `action=import&target=${target}&id=${id}&subresource=annotations`;
}

/** Where an uploaded annotation file waits for its import. */
function stagedKey(target: ImportTarget, id: number, filename: string): string {
  return `imports/${target}s/${id}/${filename}`;
}

export class DatasetImportService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly requests: RequestRepository,
    private readonly queue: JobQueue,
    private readonly blobs: BlobStore,
    private readonly cloudStorages: CloudStorageService,
  ) {}

  /** Throws unless `auth` may import annotations into the target now. */
  async requireImportable(auth: Auth, target: ImportTarget, id: number): Promise<void> {
    const taskId = target === 'task' ? (await this.access.requireTask(auth, id, 'change')).id : (await this.access.requireJob(auth, id, 'annotate')).task_id;
    const row = await this.db.selectFrom('tasks').select('data_state').where('id', '=', taskId).executeTakeFirst();
    if (row?.data_state !== 'ready') throw new AppError('CONFLICT', `task ${taskId} has no data yet, so no frames to annotate`);
  }

  private importer(format: string | undefined) {
    if (!format) throw AppError.invalid('format', 'is required: name an import format (GET /api/server/annotation/formats lists them)');
    const codec = findImporter(format);
    if (!codec) throw AppError.invalid('format', `"${format}" is not an import format; GET /api/server/annotation/formats lists them`);
    return codec;
  }

  /** A multipart `annotation_file`: stored, then imported. */
  async fromUpload(auth: Auth, target: ImportTarget, id: number, q: ImportQuery, file: { filename: string; stream: Readable }): Promise<string> {
    this.importer(q.format);
    await this.requireImportable(auth, target, id);
    const filename = safeFileName(path.basename(file.filename), 'annotations');
    const key = `imports/${target}s/${id}/${randomUUID()}/${filename}`;
    await this.blobs.put(key, file.stream);
    if ((file.stream as Readable & { truncated?: boolean }).truncated) {
      await this.blobs.delete(key);
      throw new AppError('PAYLOAD_TOO_LARGE', `${filename}: the file exceeds the upload size limit`, [{ file: filename, message: 'too large' }]);
    }
    return this.start(auth, target, id, q, filename, { kind: 'blob', key });
  }

  /** Upload-Finish after a TUS upload, or a file in a cloud storage (location=cloud_storage). */
  async fromNamedFile(auth: Auth, target: ImportTarget, id: number, q: ImportQuery): Promise<string> {
    this.importer(q.format);
    await this.requireImportable(auth, target, id);
    if (!q.filename) throw AppError.invalid('filename', 'name the file to import (the uploaded file, or a key in the cloud storage)');
    if (q.location === 'cloud_storage') {
      if (q.cloud_storage_id === undefined) throw AppError.invalid('cloud_storage_id', 'is required with location=cloud_storage');
      await this.cloudStorages.get(auth, q.cloud_storage_id);
      if (q.filename.split('/').some((s) => s === '..' || s === '.')) throw AppError.invalid('filename', `"${q.filename}" is not a key of the storage`);
      return this.start(auth, target, id, q, path.posix.basename(q.filename), { kind: 'cloud', storageId: q.cloud_storage_id, key: q.filename });
    }
    const filename = safeFileName(path.basename(q.filename), 'annotations');
    const key = stagedKey(target, id, filename);
    if (!(await this.blobs.head(key))) throw AppError.invalid('filename', `no uploaded file "${filename}" for ${target} ${id}; upload it first`);
    return this.start(auth, target, id, q, filename, { kind: 'blob', key });
  }

  private async start(auth: Auth, target: ImportTarget, id: number, q: ImportQuery, filename: string, source: ImportParams['source']): Promise<string> {
    const codec = this.importer(q.format);
    const requestId = importRequestId(target, id);
    const existing = await this.requests.findById(requestId);
    if (existing && (existing.status === 'queued' || existing.status === 'started')) {
      throw new AppError('CONFLICT', `an import into ${target} ${id} is already in progress (request ${requestId})`, [], { rq_id: requestId });
    }
    const params: ImportParams = { target, id, format: codec.name, filename, source, mode: q.import_mode ?? 'replace', onUnknownLabel: q.on_unknown_label ?? 'error' };
    const taskId = target === 'task' ? id : (await this.db.selectFrom('jobs').select('task_id').where('id', '=', id).executeTakeFirstOrThrow()).task_id;
    return enqueueRequest(this.db, this.requests, this.queue, 'dataset.import', {
      id: requestId,
      operationType: 'import:annotations',
      target,
      ownerId: auth.user.id,
      taskId,
      jobId: target === 'job' ? id : null,
      format: codec.name,
      params: params as unknown as Record<string, unknown>,
    });
  }

  /** TUS uploads of annotation files: a finished file waits at stagedKey for Upload-Finish. */
  tusTarget(target: ImportTarget): TusTarget {
    const idOf = (targetId: number | null) => {
      if (targetId === null) throw new Error('annotation uploads need a target id');
      return targetId;
    };
    return {
      name: TUS_TARGETS[target],
      taskScoped: target === 'task',
      authorize: (auth, targetId) => this.requireImportable(auth, target, idOf(targetId)),
      acceptFile: async (_targetId, filename) => safeFileName(path.basename(filename), 'annotations'),
      partsPrefix: (targetId, uploadId) => `imports/${target}s/${idOf(targetId)}/tus/${uploadId}/`,
      fileKey: (targetId, filename) => stagedKey(target, idOf(targetId), filename),
      complete: async () => undefined,
    };
  }
}
