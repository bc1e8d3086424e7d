/**
 * Task and project backups, on CVAT's paths: POST /api/{tasks,projects}/{id}/backup/export starts
 * a backup (202 and a request id; the archive comes from the request's result_url), and
 * POST /api/{tasks,projects}/backup/ restores one from a multipart task_file/project_file, the
 * Upload-Start / TUS / Upload-Finish sequence of CVAT's SDK, or a cloud storage key.
 */
import { z } from 'zod';
import { idParams, queryBool } from '../dtos/common.js';
import { AppError } from '../errors.js';
import { authOf } from '../http/auth-hook.js';
import type { App } from '../http/types.js';
import { BACKUP_TUS_TARGETS, type BackupKind, type BackupService } from '../services/backups/backup.service.js';
import type { TusService } from '../services/tus.service.js';
import { flag } from './task-data.controller.js';
import { isTusCreation, replyTusCreate } from './tus.controller.js';

const rqIdSchema = z.object({ rq_id: z.string() });

/** CVAT's clients send booleans in the query as true/false (Python's True/False too). */
const exportQuery = z.object({
  filename: z.string().max(255).optional(),
  location: z.enum(['local', 'cloud_storage']).optional(),
  cloud_storage_id: z.coerce.number().int().positive().optional(),
  lightweight: queryBool.optional(),
  // CVAT's clients send it; the location given (or local) is used either way.
  use_default_location: queryBool.optional(),
});

const restoreQuery = z.object({
  filename: z.string().max(1024).optional(),
  location: z.enum(['local', 'cloud_storage']).optional(),
  cloud_storage_id: z.coerce.number().int().positive().optional(),
  use_default_location: queryBool.optional(),
  // The organization a restore goes to is read with the request's (see org-context.ts).
  org: z.string().optional(),
  org_id: z.coerce.number().int().optional(),
});

export function registerBackupRoutes(app: App, backups: BackupService, tus: TusService): void {
  const kinds: Array<[string, BackupKind]> = [['tasks', 'task'], ['projects', 'project']];
  for (const [plural, kind] of kinds) {
    app.post(
      `/api/${plural}/:id/backup/export`,
      {
        schema: {
          tags: [plural],
          summary: `Start backing up the ${kind} (its result_url gives the archive)`,
          params: idParams,
          querystring: exportQuery,
          response: { 202: rqIdSchema },
        },
      },
      async (request, reply) => {
        const rqId = await backups.startExport(authOf(request), kind, request.params.id, request.query);
        return reply.status(202).send({ rq_id: rqId });
      },
    );

    const field = `${kind}_file`;
    app.post(
      `/api/${plural}/backup`,
      {
        schema: {
          tags: [plural],
          summary: `Recreate a ${kind} from a backup (multipart ${field}, TUS, or a cloud storage key); the finished request's result_id is the new ${kind}`,
          querystring: restoreQuery,
        },
      },
      async (request, reply) => {
        const auth = authOf(request);
        backups.requireRestorable(auth, kind);
        const start = flag(request, 'upload-start');
        const finish = flag(request, 'upload-finish');
        if (isTusCreation(request) && !start && !finish) return replyTusCreate(request, reply, tus, BACKUP_TUS_TARGETS[kind], null);
        if (start && !finish) return reply.status(202).send({});
        if (request.isMultipart()) {
          let rqId: string | undefined;
          for await (const part of request.parts()) {
            if (part.type !== 'file') continue;
            if (rqId || part.fieldname !== field) {
              part.file.resume();
              continue;
            }
            rqId = await backups.restoreUpload(auth, kind, { filename: part.filename || `${kind}_backup.zip`, stream: part.file });
          }
          if (!rqId) throw AppError.invalid(field, `attach the backup archive as ${field}`);
          return reply.status(202).send({ rq_id: rqId });
        }
        return reply.status(202).send({ rq_id: await backups.restoreNamedFile(auth, kind, request.query) });
      },
    );
  }
}
