/**
 * Starting a dataset import into a project (CVAT's POST /api/projects/{id}/dataset/): the archive,
 * with its images, arrives as a multipart `dataset_file`, through TUS (Upload-Start, TUS,
 * Upload-Finish, as CVAT's SDK sends it), or as a key in a cloud storage; it is stored, and a
 * background job (project-import.handler.ts) creates one task per subset from it. The request
 * answers 202 with a request id at once; one import per project runs at a time.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { findImporter } from '@framewise/core';
import type { Db } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { AppError } from '../../errors.js';
import type { JobQueue } from '../../jobs/queue.js';
import { archiveKind } from '../../repositories/archive.repository.js';
import type { RequestRepository } from '../../repositories/request.repository.js';
import type { BlobStore } from '../../repositories/storage/blob-store.js';
import type { AccessService } from '../access.js';
import type { Auth } from '../auth/auth.js';
import type { CloudStorageService } from '../cloud-storage.service.js';
import type { TusTarget } from '../tus.service.js';
import { safeFileName } from './export.service.js';
import type { StagedFile } from './import-source.js';

export const PROJECT_DATASET_TUS_TARGET = 'project-dataset';

/** CVAT's operation type for it. */
export const PROJECT_IMPORT_OPERATION = 'import:dataset';

export interface ProjectImportQuery {
  format?: string;
  filename?: string;
  location?: 'local' | 'cloud_storage';
  cloud_storage_id?: number;
}

export interface ProjectImportParams {
  projectId: number;
  format: string;
  filename: string;
  source: StagedFile;
  /** What the job has created so far, written as it goes, so a failure or a restart removes it. */
  createdTaskIds?: number[];
  createdLabelIds?: number[];
}

export function projectImportRequestId(projectId: number): string {
  return `action=import&target=project&id=${projectId}&subresource=dataset`;
}

function busy(projectId: number): AppError {
  const requestId = projectImportRequestId(projectId);
  return new AppError('CONFLICT', `a dataset import into project ${projectId} is already in progress (request ${requestId})`, [], { rq_id: requestId });
}

/** Where a TUS-uploaded dataset waits for Upload-Finish. */
function stagedKey(projectId: number, filename: string): string {
  return `imports/projects/${projectId}/${filename}`;
}

export class ProjectImportService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly requests: RequestRepository,
    private readonly queue: JobQueue,
    private readonly blobs: BlobStore,
    private readonly cloudStorages: CloudStorageService,
  ) {}

  /** Throws unless `auth` may import into the project now (404 unseen, 403 unchangeable, 409 busy). */
  async requireImportable(auth: Auth, projectId: number): Promise<void> {
    await this.access.requireProject(auth, projectId, 'change');
    const existing = await this.requests.findById(projectImportRequestId(projectId));
    if (existing && (existing.status === 'queued' || existing.status === 'started')) throw busy(projectId);
  }

  private importer(format: string | undefined) {
    if (!format) throw AppError.invalid('format', 'is required: name an import format (GET /api/server/annotation/formats lists them)');
    const codec = findImporter(format);
    if (!codec) throw AppError.invalid('format', `"${format}" is not an import format; GET /api/server/annotation/formats lists them`);
    return codec;
  }

  /** Tasks are made of the archive's images: a lone annotation file can never make one. */
  private requireArchive(field: string, filename: string): void {
    if (!archiveKind(filename)) {
      throw AppError.invalid(field, `"${filename}" is not an archive: a dataset imported into a project is a ZIP, TAR or TAR.GZ holding its images`);
    }
  }

  /** A multipart `dataset_file`: stored, then imported. */
  async fromUpload(auth: Auth, projectId: number, q: ProjectImportQuery, file: { filename: string; stream: Readable }): Promise<string> {
    this.importer(q.format);
    await this.requireImportable(auth, projectId);
    const filename = safeFileName(path.basename(file.filename), 'dataset');
    this.requireArchive('dataset_file', filename);
    const key = `imports/projects/${projectId}/${randomUUID()}/${filename}`;
    await this.blobs.put(key, file.stream);
    if ((file.stream as Readable & { truncated?: boolean }).truncated) {
      await this.blobs.delete(key);
      throw new AppError('PAYLOAD_TOO_LARGE', `${filename}: the file exceeds the upload size limit`, [{ file: filename, message: 'too large' }]);
    }
    try {
      return await this.start(auth, projectId, q, filename, { kind: 'blob', key });
    } catch (e) {
      await this.blobs.delete(key);
      throw e;
    }
  }

  /** Upload-Finish after a TUS upload, or a file in a cloud storage (location=cloud_storage). */
  async fromNamedFile(auth: Auth, projectId: number, q: ProjectImportQuery): Promise<string> {
    this.importer(q.format);
    await this.requireImportable(auth, projectId);
    if (!q.filename) throw AppError.invalid('filename', 'name the file to import (the uploaded file, or a key in the cloud storage)');
    if (q.location === 'cloud_storage') {
      if (q.cloud_storage_id === undefined) throw AppError.invalid('cloud_storage_id', 'is required with location=cloud_storage');
      await this.cloudStorages.get(auth, q.cloud_storage_id);
      if (q.filename.split('/').some((s) => s === '..' || s === '.')) throw AppError.invalid('filename', `"${q.filename}" is not a key of the storage`);
      this.requireArchive('filename', q.filename);
      return this.start(auth, projectId, q, path.posix.basename(q.filename), { kind: 'cloud', storageId: q.cloud_storage_id, key: q.filename });
    }
    const filename = safeFileName(path.basename(q.filename), 'dataset');
    const key = stagedKey(projectId, filename);
    if (!(await this.blobs.head(key))) throw AppError.invalid('filename', `no uploaded file "${filename}" for project ${projectId}; upload it first`);
    this.requireArchive('filename', filename);
    return this.start(auth, projectId, q, filename, { kind: 'blob', key });
  }

  private async start(auth: Auth, projectId: number, q: ProjectImportQuery, filename: string, source: StagedFile): Promise<string> {
    const codec = this.importer(q.format);
    const requestId = projectImportRequestId(projectId);
    const params: ProjectImportParams = { projectId, format: codec.name, filename, source };
    try {
      await this.db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('requests').select('status').where('id', '=', requestId).forUpdate().executeTakeFirst();
        if (existing && (existing.status === 'queued' || existing.status === 'started')) throw busy(projectId);
        await this.requests.create(
          {
            id: requestId,
            operationType: PROJECT_IMPORT_OPERATION,
            target: 'project',
            ownerId: auth.user.id,
            projectId,
            format: codec.name,
            params: params as unknown as Record<string, unknown>,
          },
          trx,
        );
        await this.queue.send('dataset.import-project', { requestId }, trx);
      });
    } catch (e) {
      // Two imports racing for a project without a previous request: the second insert collides.
      if (isUniqueViolation(e)) throw busy(projectId);
      throw e;
    }
    this.queue.wake('dataset.import-project');
    return requestId;
  }

  /** TUS uploads of project datasets: a finished file waits at stagedKey for Upload-Finish. */
  tusTarget(): TusTarget {
    const idOf = (targetId: number | null) => {
      if (targetId === null) throw new Error('project dataset uploads need a project id');
      return targetId;
    };
    return {
      name: PROJECT_DATASET_TUS_TARGET,
      authorize: (auth, targetId) => this.requireImportable(auth, idOf(targetId)),
      acceptFile: async (_targetId, filename) => safeFileName(path.basename(filename), 'dataset'),
      partsPrefix: (targetId, uploadId) => `imports/projects/${idOf(targetId)}/tus/${uploadId}/`,
      fileKey: (targetId, filename) => stagedKey(idOf(targetId), filename),
      complete: async () => undefined,
    };
  }
}
