/**
 * /api/jobs/{id}/annotations: CVAT's shapes. Reads are sent as the JSON text the database built;
 * writes answer with the objects saved, ids included, and the new version (also as ETag, so a
 * client can send it back as If-Match).
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { idParams } from '../dtos/common.js';
import { AppError } from '../errors.js';
import { authOf } from '../http/auth-hook.js';
import type { App } from '../http/types.js';
import type { AnnotationService, PatchAction, SaveResult } from '../services/annotations/annotation.service.js';
import type { Auth } from '../services/auth/auth.js';
import { baseVersionOf } from '../services/annotations/conflicts.js';
import type { TaskAnnotationService } from '../services/annotations/task-annotation.service.js';

/** A job of 100k shapes is tens of MB of JSON; annotation bodies get their own limit. */
const ANNOTATION_BODY_LIMIT = 512 * 1024 * 1024;

const annotationsBody = z
  .looseObject({
    version: z.number().int().min(0).optional(),
    tags: z.array(z.unknown()).optional(),
    shapes: z.array(z.unknown()).optional(),
    tracks: z.array(z.unknown()).optional(),
  })
  .describe('LabeledData: {version?, tags, shapes, tracks} in CVAT\'s shapes');

const readQuery = z.object({
  provenance: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1')
    .describe('Add created_by, created_date, updated_by, updated_date and object_version to every object'),
  format: z.string().optional(),
  action: z.string().optional(),
});

function sendSaved(reply: FastifyReply, result: SaveResult) {
  reply.header('etag', `"${result.version}"`);
  return reply.type('application/json').send(JSON.stringify({ version: result.version, ...result.data }));
}

/** What the job and the task annotation services both offer: the routes below serve either. */
interface AnnotationStore {
  read(auth: Auth, id: number, options: { provenance?: boolean }): Promise<string>;
  replace(auth: Auth, id: number, input: unknown, base: number | undefined): Promise<SaveResult>;
  patch(auth: Auth, id: number, action: PatchAction, input: unknown, base: number | undefined): Promise<SaveResult>;
  clear(auth: Auth, id: number, base: number | undefined): Promise<number>;
}

function registerCrud(app: App, resource: 'jobs' | 'tasks', store: AnnotationStore): void {
  const what = resource === 'jobs' ? "the job's" : "the task's";
  const path = `/api/${resource}/:id/annotations`;
  app.get(path, { schema: { tags: [resource], summary: `${what} annotations`, params: idParams, querystring: readQuery } }, async (request, reply) => {
    if (request.query.format || request.query.action) {
      throw AppError.invalid('format', 'to get annotations in a dataset format, POST .../dataset/export?format= and download the request\'s result_url; GET without format returns the JSON');
    }
    const json = await store.read(authOf(request), request.params.id, { provenance: request.query.provenance });
    const version = /^\{"version":(\d+)/.exec(json)?.[1];
    if (version) reply.header('etag', `"${version}"`);
    return reply.type('application/json').send(json);
  });

  app.put(
    path,
    { bodyLimit: ANNOTATION_BODY_LIMIT, schema: { tags: [resource], summary: `Replace ${what} annotations`, params: idParams, body: annotationsBody } },
    async (request, reply) => {
      const base = baseVersionOf(request.headers['if-match'], request.body.version);
      return sendSaved(reply, await store.replace(authOf(request), request.params.id, request.body, base));
    },
  );

  app.patch(
    path,
    {
      bodyLimit: ANNOTATION_BODY_LIMIT,
      schema: {
        tags: [resource],
        summary: `Create, update or delete the listed objects of ${what} annotations`,
        params: idParams,
        querystring: z.object({ action: z.enum(['create', 'update', 'delete']) }),
        body: annotationsBody,
      },
    },
    async (request, reply) => {
      const base = baseVersionOf(request.headers['if-match'], request.body.version);
      return sendSaved(reply, await store.patch(authOf(request), request.params.id, request.query.action, request.body, base));
    },
  );

  app.delete(path, { schema: { tags: [resource], summary: `Delete all ${what} annotations`, params: idParams } }, async (request, reply) => {
    const version = await store.clear(authOf(request), request.params.id, baseVersionOf(request.headers['if-match'], undefined));
    reply.header('etag', `"${version}"`);
    return reply.status(204).send();
  });
}

export function registerAnnotationRoutes(app: App, annotations: AnnotationService, taskAnnotations: TaskAnnotationService): void {
  registerCrud(app, 'jobs', annotations);
  registerCrud(app, 'tasks', taskAnnotations);

  app.get(
    '/api/jobs/:id/annotations/history',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Who changed the annotations, when and how: newest first (a Framewise extension)',
        params: idParams,
        querystring: z.object({
          page: z.coerce.number().int().min(1).default(1),
          page_size: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
    },
    async (request) => {
      const { page, page_size } = request.query;
      const rows = await annotations.history(authOf(request), request.params.id, { limit: page_size, offset: (page - 1) * page_size });
      return {
        results: rows.map((r) => ({
          version: Number(r.version),
          action: r.action,
          date: r.at.toISOString(),
          user: r.user_id !== null ? { id: r.user_id, username: r.username } : null,
          summary: r.summary,
        })),
      };
    },
  );
}
