/**
 * Task and project backups on CVAT's paths, the request side. A backup is started with
 * POST /api/{tasks,projects}/{id}/backup/export and written by a background job
 * (backup-export.handler.ts) into an archive downloaded like any export. A restore takes the
 * archive as a multipart `task_file`/`project_file`, through TUS (Upload-Start, TUS, Upload-Finish
 * with `filename`, as CVAT's SDK sends it) or from a cloud storage; a background job
 * (backup-restore.handler.ts) creates the task or project, whose id the finished request reports
 * as `result_id`.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Db } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { RequestRepository } from '../../repositories/request.repository.js';
import type { BlobStore } from '../../repositories/storage/blob-store.js';
import { creationOrg, type AccessService } from '../access.js';
import type { Auth } from '../auth/auth.js';
import { enqueueRequest } from '../request-runner.js';
import type { CloudStorageService } from '../cloud-storage.service.js';
import { safeFileName } from '../datasets/export.service.js';
import type { StagedFile } from '../datasets/import-source.js';
import type { TusTarget } from '../tus.service.js';
import { replacePreviousExport, type ExportArchiveParams } from '../export-archive.js';
import { backupFileName } from './layout.js';

export type BackupKind = 'task' | 'project';

export interface BackupExportQuery {
  filename?: string;
  location?: 'local' | 'cloud_storage';
  cloud_storage_id?: number;
  lightweight?: boolean;
}

export interface BackupRestoreQuery {
  filename?: string;
  location?: 'local' | 'cloud_storage';
  cloud_storage_id?: number;
}

/** What the export job needs, kept in the request row. */
export interface BackupExportParams extends ExportArchiveParams {
  kind: BackupKind;
  id: number;
  /** Media of cloud-storage tasks stays in the storage; the archive names it. */
  lightweight: boolean;
}

/** What the restore job needs, kept in the request row. */
export interface BackupRestoreParams {
  kind: BackupKind;
  filename: string;
  source: StagedFile;
  /** What a run has created so far, so a failed or interrupted run can remove it. */
  created?: { projectId?: number; taskIds: number[] };
  /** Where the restore goes: the organization the request named (null: personal workspace). */
  organizationId?: number | null;
}

export const BACKUP_TUS_TARGETS: Record<BackupKind, string> = { task: 'task-backup', project: 'project-backup' };

export const EXPORT_BACKUP_OPERATION = 'export:backup';
export const IMPORT_BACKUP_OPERATION = 'import:backup';

export function backupExportRequestId(kind: BackupKind, id: number, userId: number): string {
  return `action=export&target=${kind}&id=${id}&user_id=${userId}&subresource=backup`;
}

function restoreRequestId(kind: BackupKind): string {
  return `action=import&target=${kind}&id=${randomUUID()}&subresource=backup`;
}

/**
 * A TUS upload finishes without the request that will use it: Upload-Finish names the file only.
 * The finished upload's key is noted here, per user, for that request to find.
 */
function uploadNoteKey(kind: BackupKind, userId: number, filename: string): string {
  return `imports/backups/${kind}s/users/${userId}/${filename}`;
}

export class BackupService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly requests: RequestRepository,
    private readonly queue: JobQueue,
    private readonly blobs: BlobStore,
    private readonly cloudStorages: CloudStorageService,
  ) {}

  /** Backing up copies everything, so it takes the right to change the task or project (CVAT's rule too). */
  private async requireExportable(auth: Auth, kind: BackupKind, id: number): Promise<{ name: string; projectId: number | null; taskId: number | null }> {
    if (kind === 'project') {
      const project = await this.access.requireProject(auth, id, 'change');
      return { name: project.name, projectId: id, taskId: null };
    }
    const task = await this.access.requireTask(auth, id, 'change');
    const row = await this.db.selectFrom('tasks').select(['name', 'data_state']).where('id', '=', id).executeTakeFirstOrThrow();
    if (row.data_state !== 'ready') throw new AppError('CONFLICT', `task ${id} has no data yet, so there is nothing to back up`);
    return { name: row.name, projectId: task.project_id, taskId: id };
  }

  async startExport(auth: Auth, kind: BackupKind, id: number, q: BackupExportQuery): Promise<string> {
    const scope = await this.requireExportable(auth, kind, id);
    let cloudStorageId: number | null = null;
    if (q.location === 'cloud_storage') {
      if (q.cloud_storage_id === undefined) throw AppError.invalid('cloud_storage_id', 'is required with location=cloud_storage');
      await this.cloudStorages.get(auth, q.cloud_storage_id);
      cloudStorageId = q.cloud_storage_id;
    }
    const filename = safeFileName(q.filename ?? '', backupFileName(kind, scope.name));
    const requestId = backupExportRequestId(kind, id, auth.user.id);
    await replacePreviousExport(this.requests, this.blobs, requestId, `a backup of ${kind} ${id}`);
    const params: BackupExportParams = { kind, id, filename, cloudStorageId, lightweight: q.lightweight ?? true };
    return enqueueRequest(this.db, this.requests, this.queue, 'backup.export', {
      id: requestId,
      operationType: EXPORT_BACKUP_OPERATION,
      target: kind,
      ownerId: auth.user.id,
      projectId: scope.projectId,
      taskId: scope.taskId,
      params: params as unknown as Record<string, unknown>,
    });
  }

  /** A multipart `task_file` / `project_file`: stored, then restored. */
  async restoreUpload(auth: Auth, kind: BackupKind, file: { filename: string; stream: Readable }): Promise<string> {
    const filename = safeFileName(path.basename(file.filename), `${kind}_backup.zip`);
    const key = `imports/backups/${kind}s/${randomUUID()}/${filename}`;
    await this.blobs.put(key, file.stream);
    if ((file.stream as Readable & { truncated?: boolean }).truncated) {
      await this.blobs.delete(key);
      throw new AppError('PAYLOAD_TOO_LARGE', `${filename}: the file exceeds the upload size limit`, [{ file: filename, message: 'too large' }]);
    }
    return this.startRestore(auth, kind, filename, { kind: 'blob', key });
  }

  /** Upload-Finish after a TUS upload (`filename` as the upload answered it), or a key in a cloud storage. */
  async restoreNamedFile(auth: Auth, kind: BackupKind, q: BackupRestoreQuery): Promise<string> {
    const field = `${kind}_file`;
    if (!q.filename) throw AppError.invalid(q.location === 'cloud_storage' ? 'filename' : field, `attach the backup as ${field}, or name an uploaded file or a key in a cloud storage with filename`);
    if (q.location === 'cloud_storage') {
      if (q.cloud_storage_id === undefined) throw AppError.invalid('cloud_storage_id', 'is required with location=cloud_storage');
      await this.cloudStorages.get(auth, q.cloud_storage_id);
      if (q.filename.split('/').some((s) => s === '..' || s === '.')) throw AppError.invalid('filename', `"${q.filename}" is not a key of the storage`);
      return this.startRestore(auth, kind, path.posix.basename(q.filename), { kind: 'cloud', storageId: q.cloud_storage_id, key: q.filename });
    }
    const filename = safeFileName(path.basename(q.filename), `${kind}_backup.zip`);
    const note = uploadNoteKey(kind, auth.user.id, filename);
    const key = (await this.blobs.get(note))?.toString('utf8');
    if (!key) throw AppError.invalid('filename', `no uploaded file "${filename}"; upload it first`);
    await this.blobs.delete(note);
    return this.startRestore(auth, kind, filename, { kind: 'blob', key });
  }

  /**
   * Where a restore by `auth` goes, or 403 if they may not create there. Checked before an upload
   * is read, and again when the restore is queued.
   */
  requireRestorable(auth: Auth, kind: BackupKind): number | null {
    return creationOrg(auth, kind === 'project' ? 'projects' : 'tasks');
  }

  private async startRestore(auth: Auth, kind: BackupKind, filename: string, source: StagedFile): Promise<string> {
    const organizationId = this.requireRestorable(auth, kind);
    const requestId = restoreRequestId(kind);
    const params: BackupRestoreParams = { kind, filename, source, organizationId };
    return enqueueRequest(this.db, this.requests, this.queue, 'backup.restore', {
      id: requestId,
      operationType: IMPORT_BACKUP_OPERATION,
      target: kind,
      ownerId: auth.user.id,
      params: params as unknown as Record<string, unknown>,
    });
  }

  /** TUS uploads of backups: whoever may create a task or project where the request works. */
  tusTarget(kind: BackupKind): TusTarget {
    return {
      name: BACKUP_TUS_TARGETS[kind],
      authorize: async (auth) => {
        this.requireRestorable(auth, kind);
      },
      acceptFile: async (_targetId, filename) => safeFileName(path.basename(filename), `${kind}_backup.zip`),
      partsPrefix: (_targetId, uploadId) => `imports/backups/tus/${uploadId}/`,
      fileKey: (_targetId, filename, uploadId) => `imports/backups/${kind}s/${uploadId}/${filename}`,
      complete: async (file) => {
        if (file.ownerId === null) return;
        const note = uploadNoteKey(kind, file.ownerId, file.filename);
        // A newer upload of the same name replaces the one not restored yet.
        const previous = (await this.blobs.get(note))?.toString('utf8');
        if (previous && previous !== file.blobKey) await this.blobs.delete(previous);
        await this.blobs.put(note, file.blobKey);
      },
    };
  }
}
