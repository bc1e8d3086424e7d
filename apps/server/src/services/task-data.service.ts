/**
 * Attaching media to a task, the request side: accept uploads (multipart, CVAT's Upload-Start /
 * Upload-Multiple / Upload-Finish sequence, TUS) into the blob store, validate the data
 * parameters, then record a request and queue the creation job in one transaction. The work
 * itself runs in task-creation.handler.ts, never in the request.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parseFrameFilter } from '@framewise/core';
import type { Db } from '../db/database.js';
import type { RequestRow } from '../db/schema.js';
import type { DataRequest } from '../dtos/task-data.dto.js';
import { AppError } from '../errors.js';
import type { JobQueue } from '../jobs/queue.js';
import type { RequestRepository } from '../repositories/request.repository.js';
import type { BlobStore } from '../repositories/storage/blob-store.js';
import type { TaskRepository } from '../repositories/task.repository.js';
import type { UploadRepository } from '../repositories/upload.repository.js';
import type { Auth } from './auth/auth.js';
import type { TaskService } from './task.service.js';
import type { CloudStorageService } from './cloud-storage.service.js';
import { discardUploads, taskKeys } from './task-storage.js';
import { checkValidationParams } from './validation-setup.js';

export const CREATE_TASK_OPERATION = 'create';

export function createTaskRequestId(taskId: number): string {
  return `action=create&target=task&id=${taskId}`;
}

/** A client's file name as a safe relative path, or a 400 naming the file. */
export function safeUploadName(name: string): string {
  const normalized = path.posix.normalize(name.replaceAll('\\', '/')).replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  if (
    !normalized ||
    normalized === '.' ||
    normalized.split('/').some((s) => s === '..') ||
    normalized.includes('\0') ||
    normalized.length > 1024
  ) {
    throw new AppError('VALIDATION', `client_files: unsafe file name "${name}"`, [{ field: 'client_files', file: name, message: 'unsafe file name' }]);
  }
  return normalized;
}

export interface IncomingFile {
  filename: string;
  stream: Readable;
}

export class TaskDataService {
  constructor(
    private readonly db: Db,
    private readonly taskService: TaskService,
    private readonly tasks: TaskRepository,
    private readonly uploads: UploadRepository,
    private readonly requests: RequestRepository,
    private readonly blobs: BlobStore,
    private readonly queue: JobQueue,
    private readonly limits: { maxFiles: number },
    private readonly cloudStorages: CloudStorageService,
  ) {}

  /** The task, if `auth` may attach data to it and it has none yet. */
  async requireAttachable(auth: Auth, taskId: number) {
    const task = await this.taskService.require(auth, taskId, 'change');
    if (task.data_state === 'ready' || task.data_state === 'queued' || task.data_state === 'processing') {
      throw new AppError('CONFLICT', `task ${taskId} already has data${task.data_state === 'ready' ? '' : ' being processed'}; data cannot be replaced`);
    }
    return task;
  }

  /** Upload-Start: forget files of an earlier, abandoned upload. */
  async startUpload(auth: Auth, taskId: number): Promise<void> {
    await this.requireAttachable(auth, taskId);
    await discardUploads(this.uploads, this.blobs, taskId);
  }

  /**
   * Streams one uploaded file to the blob store as it arrives (nothing is buffered whole). The
   * caller has checked the task with requireAttachable.
   */
  async storeFile(taskId: number, file: IncomingFile): Promise<void> {
    const name = safeUploadName(file.filename);
    if ((await this.uploads.count(taskId)) >= this.limits.maxFiles) {
      file.stream.resume();
      throw new AppError('PAYLOAD_TOO_LARGE', `client_files: more than ${this.limits.maxFiles} files in one task`);
    }
    const key = taskKeys.raw(taskId, name);
    await this.blobs.put(key, file.stream);
    if ((file.stream as Readable & { truncated?: boolean }).truncated) {
      await this.blobs.delete(key);
      throw new AppError('PAYLOAD_TOO_LARGE', `${name}: file exceeds the upload size limit`, [{ file: name, message: 'too large' }]);
    }
    const bytes = (await this.blobs.head(key))?.size ?? 0;
    await this.uploads.record(taskId, { name, blob_key: key, bytes });
  }

  /** Records one finished upload that arrived another way (TUS). */
  async recordUpload(taskId: number, name: string, blobKey: string, bytes: number): Promise<void> {
    await this.uploads.record(taskId, { name: safeUploadName(name), blob_key: blobKey, bytes });
  }

  /** Validates the data parameters and queues the creation; returns the request id. */
  async finish(auth: Auth, taskId: number, params: DataRequest): Promise<string> {
    const task = await this.requireAttachable(auth, taskId);
    params.remote_files.forEach((url, i) => {
      // The full check (addresses, redirects, limits) runs when the worker downloads; refuse the obvious now.
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw AppError.invalid(`remote_files[${i}]`, `"${url}" is not a URL`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw AppError.invalid(`remote_files[${i}]`, 'only http and https URLs are accepted');
    });
    let cloudStorageId: number | null = null;
    if (params.cloud_storage_id != null) {
      try {
        cloudStorageId = (await this.cloudStorages.requireForTask(auth, params.cloud_storage_id)).id;
      } catch (e) {
        if (e instanceof AppError && e.code === 'NOT_FOUND') throw AppError.invalid('cloud_storage_id', `cloud storage ${params.cloud_storage_id} not found`);
        throw e;
      }
      if (params.server_files.length === 0) throw AppError.invalid('server_files', 'name the keys, prefixes (ending in "/") or manifest to take from the cloud storage');
      params.server_files.forEach((key, i) => {
        if (key.split('/').some((seg) => seg === '..' || seg === '.')) throw AppError.invalid(`server_files[${i}]`, `"${key}" is not a key of the storage`);
      });
    }
    if (parseFrameFilter(params.frame_filter) === null) {
      throw AppError.invalid('frame_filter', 'the only supported syntax is "step=N" with N >= 1');
    }
    if (params.stop_frame !== undefined && params.stop_frame < params.start_frame) {
      throw AppError.invalid('stop_frame', 'must not be less than start_frame');
    }
    if (params.upload_file_order.length && params.sorting_method !== 'predefined') {
      throw AppError.invalid('upload_file_order', 'only valid with sorting_method "predefined"');
    }
    const uploads = await this.uploads.list(taskId);
    if (uploads.length === 0 && params.server_files.length === 0 && params.remote_files.length === 0) {
      throw AppError.invalid('client_files', 'no files: upload client_files, or name server_files or remote_files');
    }
    params.validation_params = checkValidationParams(params.validation_params, params, task, [
      ...uploads.map((u) => u.name),
      ...params.server_files,
      ...params.remote_files.map((u) => new URL(u).pathname),
    ]);

    const requestId = createTaskRequestId(taskId);
    await this.db.transaction().execute(async (trx) => {
      const locked = await this.tasks.lockById(trx, taskId);
      if (!locked || locked.data_state === 'queued' || locked.data_state === 'processing' || locked.data_state === 'ready') {
        throw new AppError('CONFLICT', `task ${taskId} already has data being processed`);
      }
      await this.requests.create(
        {
          id: requestId,
          operationType: 'create',
          target: 'task',
          ownerId: auth.user.id,
          taskId,
          projectId: task.project_id,
          params: params as unknown as Record<string, unknown>,
        },
        trx,
      );
      await this.tasks.update(
        taskId,
        {
          data_state: 'queued',
          image_quality: params.image_quality,
          start_frame: params.start_frame,
          stop_frame: params.stop_frame ?? 0,
          frame_filter: params.frame_filter,
          sorting_method: params.sorting_method,
          chunk_size: params.chunk_size ?? null,
          cloud_storage_id: cloudStorageId,
        },
        trx,
      );
      await this.queue.send('task.create-data', { requestId, taskId }, trx);
    });
    this.queue.wake('task.create-data');
    return requestId;
  }

  /** CVAT's older `GET /api/tasks/{id}/status`, from the latest creation request. */
  async status(auth: Auth, taskId: number): Promise<{ state: string; message: string; progress: number }> {
    const task = await this.taskService.require(auth, taskId);
    const req: RequestRow | undefined = await this.requests.latestForTask(taskId, CREATE_TASK_OPERATION);
    if (!req) return { state: task.data_state === 'ready' ? 'Finished' : 'Unknown', message: '', progress: 0 };
    const state = { queued: 'Queued', started: 'Started', finished: 'Finished', failed: 'Failed' }[req.status];
    return { state, message: req.message, progress: Math.round(req.progress * 100) };
  }
}
