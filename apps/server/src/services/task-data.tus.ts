/**
 * TUS uploads of a task's media (POST /api/tasks/{id}/data/ with Upload-Length, then HEAD/PATCH
 * /api/tasks/{id}/data/{file_id}): the first user of the generic machinery in tus.service.ts.
 * A finished file lands where multipart uploads land (taskKeys.raw) and is recorded the same
 * way, so the following Upload-Finish request creates the task from it.
 */
import { AppError } from '../errors.js';
import type { UploadRepository } from '../repositories/upload.repository.js';
import { safeUploadName, type TaskDataService } from './task-data.service.js';
import { taskKeys } from './task-storage.js';
import type { TusTarget } from './tus.service.js';

export const TASK_DATA_TUS_TARGET = 'task-data';

function taskIdOf(targetId: number | null): number {
  if (targetId === null) throw new Error('task-data TUS uploads need a task id');
  return targetId;
}

export function taskDataTusTarget(data: TaskDataService, uploads: UploadRepository, limits: { maxFiles: number }): TusTarget {
  return {
    name: TASK_DATA_TUS_TARGET,
    taskScoped: true,
    async authorize(auth, targetId) {
      await data.requireAttachable(auth, taskIdOf(targetId));
    },
    async acceptFile(targetId, filename) {
      const name = safeUploadName(filename);
      if ((await uploads.count(taskIdOf(targetId))) >= limits.maxFiles) {
        throw new AppError('PAYLOAD_TOO_LARGE', `client_files: more than ${limits.maxFiles} files in one task`, [
          { file: name, message: 'too many files' },
        ]);
      }
      return name;
    },
    // Under the task's own prefix, so deleting the task deletes unfinished parts too.
    partsPrefix: (targetId, uploadId) => `tasks/${taskIdOf(targetId)}/tus/${uploadId}/`,
    fileKey: (targetId, filename) => taskKeys.raw(taskIdOf(targetId), filename),
    async complete(file) {
      await data.recordUpload(taskIdOf(file.targetId), file.filename, file.blobKey, file.bytes);
    },
  };
}
