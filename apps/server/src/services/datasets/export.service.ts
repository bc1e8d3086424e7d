/**
 * Starting dataset exports and handing out their results (CVAT's flow): POST .../dataset/export
 * answers 202 with a request id at once; the archive is built by a background job
 * (export.handler.ts); GET /api/requests/{id} reports progress and, when done, a result_url
 * that streams the archive.
 */
import { findExporter } from '@framewise/core';
import type { Db } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { RequestRepository } from '../../repositories/request.repository.js';
import type { BlobStore, BlobStream } from '../../repositories/storage/blob-store.js';
import type { AccessService } from '../access.js';
import type { Auth } from '../auth/auth.js';
import { replacePreviousExport } from '../export-archive.js';
import { enqueueRequest } from '../request-runner.js';
import type { CloudStorageService } from '../cloud-storage.service.js';
import type { RequestService } from '../request.service.js';

export type ExportTarget = 'task' | 'job' | 'project';

export interface ExportQuery {
  format: string;
  save_images?: boolean;
  filename?: string;
  location?: 'local' | 'cloud_storage';
  cloud_storage_id?: number;
}

/** What the background job needs, kept in the request row. */
export interface ExportParams {
  target: ExportTarget;
  id: number;
  format: string;
  saveImages: boolean;
  filename: string;
  cloudStorageId: number | null;
}

export function exportRequestId(target: ExportTarget, id: number, userId: number, format: string, saveImages: boolean): string {
  return `action=export&target=${target}&id=${id}&user_id=${userId}&subresource=${saveImages ? 'dataset' : 'annotations'}&format=${format}`;
}

/** A file name the user may pick, made safe: no directories, no control characters. */
export function safeFileName(name: string, fallback: string): string {
  const base = name.replace(/[\\/]/g, '_').replace(/[\u0000-\u001f]/g, '').trim();
  return base && base !== '.' && base !== '..' ? base : fallback;
}

export class DatasetExportService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly requests: RequestRepository,
    private readonly requestService: RequestService,
    private readonly queue: JobQueue,
    private readonly blobs: BlobStore,
    private readonly cloudStorages: CloudStorageService,
  ) {}

  async start(auth: Auth, target: ExportTarget, id: number, q: ExportQuery): Promise<string> {
    const format = findExporter(q.format);
    if (!format) throw AppError.invalid('format', `"${q.format}" is not an export format; GET /api/server/annotation/formats lists them`);
    const scope = await this.scope(auth, target, id);
    const saveImages = q.save_images ?? false;
    let cloudStorageId: number | null = null;
    if (q.location === 'cloud_storage') {
      if (q.cloud_storage_id === undefined) throw AppError.invalid('cloud_storage_id', 'is required with location=cloud_storage');
      await this.cloudStorages.get(auth, q.cloud_storage_id);
      cloudStorageId = q.cloud_storage_id;
    }
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '_');
    const fallback = `${target}_${id}_${saveImages ? 'dataset' : 'annotations'}_${stamp}_${format.name.replace(/[^\w.]+/g, '-').toLowerCase()}.zip`;
    const filename = safeFileName(q.filename ?? '', fallback);
    const requestId = exportRequestId(target, id, auth.user.id, format.name, saveImages);
    await replacePreviousExport(this.requests, this.blobs, requestId, 'this export');
    const params: ExportParams = { target, id, format: format.name, saveImages, filename, cloudStorageId };
    return enqueueRequest(this.db, this.requests, this.queue, 'dataset.export', {
      id: requestId,
      operationType: `export:${saveImages ? 'dataset' : 'annotations'}`,
      target,
      ownerId: auth.user.id,
      projectId: scope.projectId,
      taskId: scope.taskId,
      jobId: scope.jobId,
      format: format.name,
      params: params as unknown as Record<string, unknown>,
    });
  }

  private async scope(auth: Auth, target: ExportTarget, id: number) {
    if (target === 'task') {
      const task = await this.access.requireTask(auth, id, 'export');
      const row = await this.db.selectFrom('tasks').select('data_state').where('id', '=', id).executeTakeFirst();
      if (row?.data_state !== 'ready') throw new AppError('CONFLICT', `task ${id} has no data yet, so nothing to export`);
      return { projectId: task.project_id, taskId: id, jobId: null };
    }
    if (target === 'job') {
      const job = await this.access.requireJob(auth, id, 'export');
      return { projectId: job.project_id, taskId: job.task_id, jobId: id };
    }
    await this.access.requireProject(auth, id, 'export');
    return { projectId: id, taskId: null, jobId: null };
  }

  /** Deletes the archives of exports past their expiry; returns how many. */
  async deleteExpired(): Promise<number> {
    const rows = await this.db
      .selectFrom('requests')
      .select(['id', 'params'])
      .where('operation_type', 'like', 'export:%')
      .where('expires_at', '<', new Date())
      .execute();
    let n = 0;
    for (const r of rows) {
      const key = (r.params as { resultKey?: string | null }).resultKey;
      if (key) {
        await this.blobs.delete(key);
        n++;
      }
      await this.db.deleteFrom('requests').where('id', '=', r.id).execute();
    }
    return n;
  }

  /** The finished export's archive, for its owner. */
  async download(auth: Auth, requestId: string): Promise<{ stream: BlobStream; filename: string }> {
    const request = await this.requestService.get(auth, requestId);
    if (!request.operation_type.startsWith('export:')) throw AppError.notFound('export', requestId);
    if (request.status !== 'finished') throw new AppError('CONFLICT', `request ${requestId} is ${request.status}, not finished`);
    const params = request.params as unknown as ExportParams & { resultKey?: string };
    if (!params.resultKey) throw new AppError('NOT_FOUND', `request ${requestId} saved its result to a cloud storage; fetch it from there`);
    const stream = await this.blobs.getStream(params.resultKey);
    if (!stream) throw new AppError('NOT_FOUND', `the result of request ${requestId} has expired`);
    return { stream, filename: params.filename };
  }
}
