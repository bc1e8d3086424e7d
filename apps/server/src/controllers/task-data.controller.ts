/**
 * POST /api/tasks/{id}/data/ in all of CVAT's forms: one multipart or JSON request with
 * everything, or Upload-Start, then files (Upload-Multiple multipart requests or TUS), then
 * Upload-Finish with the data parameters. The answer that starts creation is 202 {rq_id}.
 */
import { z } from 'zod';
import { idParams } from '../dtos/common.js';
import { dataRequestSchema, formFieldsToObject } from '../dtos/task-data.dto.js';
import { AppError } from '../errors.js';
import { authOf } from '../http/auth-hook.js';
import type { App } from '../http/types.js';
import type { TaskDataService } from '../services/task-data.service.js';
import { TASK_DATA_TUS_TARGET } from '../services/task-data.tus.js';
import type { TusService } from '../services/tus.service.js';
import { isTusCreation, replyTusCreate } from './tus.controller.js';
import type { FastifyRequest } from 'fastify';

/** CVAT checks only that these headers are present; its SDK sends them empty. */
export function flag(request: FastifyRequest, name: string): boolean {
  const v = request.headers[name];
  return typeof v === 'string' && !/^(false|0|no)$/i.test(v.trim());
}

/** Saves every file part and returns the form's other fields. */
async function receiveMultipart(request: FastifyRequest, taskId: number, data: TaskDataService): Promise<Record<string, unknown>> {
  const fields: Array<[string, string]> = [];
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      await data.storeFile(taskId, { filename: part.filename || part.fieldname, stream: part.file });
    } else {
      fields.push([part.fieldname, String(part.value)]);
    }
  }
  return formFieldsToObject(fields);
}

function parseParams(raw: unknown) {
  const parsed = dataRequestSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    throw AppError.invalid(field, issue.message);
  }
  return parsed.data;
}

export function registerTaskDataRoutes(app: App, data: TaskDataService, tus: TusService): void {
  app.post(
    '/api/tasks/:id/data',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Attach data to a task (multipart client_files, JSON server_files, or the Upload-Start/-Multiple/-Finish sequence)',
        params: idParams,
        response: { 200: z.object({}), 202: z.object({ rq_id: z.string() }).or(z.object({})) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const taskId = request.params.id;
      const start = flag(request, 'upload-start');
      const multiple = flag(request, 'upload-multiple');
      const finish = flag(request, 'upload-finish');
      if (isTusCreation(request) && !start && !multiple && !finish) return replyTusCreate(request, reply, tus, TASK_DATA_TUS_TARGET, taskId);

      if (start) await data.startUpload(auth, taskId);
      else await data.requireAttachable(auth, taskId);

      let body: unknown = request.body;
      if (request.isMultipart()) body = await receiveMultipart(request, taskId, data);
      // CVAT answers Upload-Start with 202 (its SDK checks) and each Upload-Multiple with 200.
      if (start && !finish) return reply.status(202).send({});
      if (multiple) return reply.status(200).send({});

      const rqId = await data.finish(auth, taskId, parseParams(body));
      return reply.status(202).send({ rq_id: rqId });
    },
  );

  app.get(
    '/api/tasks/:id/status',
    {
      schema: {
        tags: ['tasks'],
        params: idParams,
        response: { 200: z.object({ state: z.string(), message: z.string(), progress: z.number() }) },
      },
    },
    async (request) => data.status(authOf(request), request.params.id),
  );
}
