/**
 * TUS 1.0.0 over HTTP, as CVAT's server answers it (cvat/apps/engine/mixins.py, UploadMixin):
 * creation is a POST to the endpoint the file is for (see replyTusCreate, called by that
 * endpoint's controller), then HEAD/PATCH/DELETE on `<endpoint>/<file_id>`, the absolute URL
 * the creation answered in Location. PATCH bodies (application/offset+octet-stream) reach the
 * service as the raw request stream and go to the blob store without being buffered.
 */
import { TUS_TARGETS } from '../services/datasets/import.service.js';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { authOf } from '../http/auth-hook.js';
import type { App } from '../http/types.js';
import { TASK_DATA_TUS_TARGET } from '../services/task-data.tus.js';
import { PROJECT_DATASET_TUS_TARGET } from '../services/datasets/project-import.service.js';
import { BACKUP_TUS_TARGETS } from '../services/backups/backup.service.js';
import {
  TUS_EXTENSIONS,
  TUS_VERSION,
  TusOffsetConflict,
  formatTusMetadata,
  parseTusLength,
  parseTusMetadata,
  parseTusOffset,
  type TusService,
  type TusUploadState,
} from '../services/tus.service.js';

export const TUS_CONTENT_TYPE = 'application/offset+octet-stream';

const uploadParams = z.object({
  // Absent on endpoints that create something new (backup restores) rather than add to it.
  id: z.coerce.number().int().positive().optional(),
  file_id: z.string().min(1).max(100),
});

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Sent with every TUS answer, errors included. */
function baseHeaders(reply: FastifyReply): void {
  reply.header('Tus-Resumable', TUS_VERSION);
  reply.header('Cache-Control', 'no-store');
}

function discoveryHeaders(reply: FastifyReply, tus: TusService): void {
  reply.header('Tus-Version', TUS_VERSION);
  reply.header('Tus-Extension', TUS_EXTENSIONS.join(','));
  reply.header('Tus-Max-Size', String(tus.maxBytes));
}

/** Clients that say which TUS they speak must speak 1.0.0 (CVAT's SDK and UI send the header). */
function checkVersion(request: FastifyRequest, reply: FastifyReply): void {
  const v = header(request, 'tus-resumable');
  if (v !== undefined && v.trim() !== TUS_VERSION) {
    reply.header('Tus-Version', TUS_VERSION);
    throw new AppError('BAD_REQUEST', `Tus-Resumable: version "${v.slice(0, 20)}" is not supported; this server speaks ${TUS_VERSION}`, [
      { field: 'Tus-Resumable', message: `must be ${TUS_VERSION}` },
    ]);
  }
}

/**
 * A file name as a header value. Names outside printable Latin-1 go as an RFC 2047 encoded word,
 * which is what CVAT's server (Django) sends for them; CVAT's SDK only checks the header is there.
 */
function headerSafeName(name: string): string {
  return /^[\x20-\x7e\xa0-\xff]*$/.test(name) ? name : `=?utf-8?b?${Buffer.from(name, 'utf8').toString('base64')}?=`;
}

function stateHeaders(reply: FastifyReply, state: TusUploadState): void {
  reply.header('Upload-Offset', String(state.offset));
  reply.header('Upload-Length', String(state.length));
  reply.header('Upload-Expires', state.expiresAt.toUTCString());
}

/** `<this request's path>/<file id>` as an absolute URL: where CVAT's SDK sends HEAD and PATCH. */
function uploadLocation(request: FastifyRequest, uploadId: string): string {
  const pathname = (request.url.split('?', 1)[0] ?? '').replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  return `${request.urls.base}${pathname}/${encodeURIComponent(uploadId)}`;
}

/** True for a POST that creates a TUS upload: it carries Upload-Length (CVAT's test, UploadMixin.upload_data). */
export function isTusCreation(request: FastifyRequest): boolean {
  return request.headers['upload-length'] !== undefined;
}

/**
 * Answers a TUS creation POST for `target` (201, Location, Upload-Filename). The endpoint's own
 * controller calls this when isTusCreation(request) and no Upload-Start/-Multiple/-Finish is set.
 */
export async function replyTusCreate(request: FastifyRequest, reply: FastifyReply, tus: TusService, target: string, targetId: number | null): Promise<void> {
  baseHeaders(reply);
  checkVersion(request, reply);
  const length = parseTusLength(header(request, 'upload-length'));
  const metadata = parseTusMetadata(header(request, 'upload-metadata'));
  const state = await tus.create(authOf(request), target, targetId, length, metadata);
  reply.header('Location', uploadLocation(request, state.id));
  reply.header('Upload-Filename', headerSafeName(state.filename));
  reply.header('Upload-Expires', state.expiresAt.toUTCString());
  await reply.status(201).send();
}

interface TusEndpoint {
  /** The endpoint uploads are created at; HEAD/PATCH/DELETE go to `${path}/:file_id`. */
  path: string;
  target: string;
}

const ENDPOINTS: TusEndpoint[] = [
  { path: '/api/tasks/:id/data', target: TASK_DATA_TUS_TARGET },
  { path: '/api/tasks/:id/annotations', target: TUS_TARGETS.task },
  { path: '/api/jobs/:id/annotations', target: TUS_TARGETS.job },
  { path: '/api/projects/:id/dataset', target: PROJECT_DATASET_TUS_TARGET },
  { path: '/api/tasks/backup', target: BACKUP_TUS_TARGETS.task },
  { path: '/api/projects/backup', target: BACKUP_TUS_TARGETS.project },
];

export function registerTusRoutes(app: App, tus: TusService): void {
  // Own scope, so only these routes take application/offset+octet-stream, as a raw stream.
  app.register(async (plugin) => {
    plugin.addContentTypeParser(TUS_CONTENT_TYPE, (_request, payload, done) => done(null, payload));
    const scope = plugin.withTypeProvider<ZodTypeProvider>();

    for (const { path, target } of ENDPOINTS) {
      const filePath = `${path}/:file_id`;
      const tags = [path.split('/')[2] ?? 'tus'];

      for (const p of [path, filePath]) {
        scope.options(p, { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
          baseHeaders(reply);
          discoveryHeaders(reply, tus);
          return reply.status(204).send();
        });
      }

      scope.head(
        filePath,
        { schema: { tags, summary: 'TUS: the offset of an upload in progress', params: uploadParams } },
        async (request, reply) => {
          baseHeaders(reply);
          checkVersion(request, reply);
          const state = await tus.status(authOf(request), target, request.params.id ?? null, request.params.file_id);
          stateHeaders(reply, state);
          const meta = formatTusMetadata(state.metadata);
          if (meta) reply.header('Upload-Metadata', meta);
          return reply.status(200).send();
        },
      );

      scope.patch(
        filePath,
        { schema: { tags, summary: `TUS: append bytes at Upload-Offset (Content-Type ${TUS_CONTENT_TYPE})`, params: uploadParams } },
        async (request, reply) => {
          baseHeaders(reply);
          // The raw stream for application/offset+octet-stream; other types were parsed (and are refused below).
          const body = request.body instanceof Readable ? request.body : undefined;
          try {
            checkVersion(request, reply);
            const type = (header(request, 'content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
            if (type !== TUS_CONTENT_TYPE) {
              throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Type: must be ${TUS_CONTENT_TYPE}, got "${type.slice(0, 60)}"`, [
                { field: 'Content-Type', message: `must be ${TUS_CONTENT_TYPE}` },
              ]);
            }
            const offset = parseTusOffset(header(request, 'upload-offset'));
            const rawLength = header(request, 'content-length');
            const contentLength = rawLength !== undefined && /^\d+$/.test(rawLength.trim()) ? Number(rawLength) : undefined;
            const state = await tus.append(authOf(request), target, request.params.id ?? null, request.params.file_id, {
              offset,
              contentLength,
              body: body ?? Readable.from([]),
            });
            stateHeaders(reply, state);
            reply.header('Upload-Filename', headerSafeName(state.filename));
            return reply.status(204).send();
          } catch (e) {
            // CVAT's SDK resumes from the Upload-Offset of a 409.
            if (e instanceof TusOffsetConflict) reply.header('Upload-Offset', String(e.currentOffset));
            throw e;
          } finally {
            // A refused body is read and dropped, so the answer reaches the client and the connection stays usable.
            if (body && !body.readableEnded && !body.destroyed) body.resume();
          }
        },
      );

      scope.delete(
        filePath,
        { schema: { tags, summary: 'TUS: abandon an upload in progress', params: uploadParams } },
        async (request, reply) => {
          baseHeaders(reply);
          checkVersion(request, reply);
          await tus.terminate(authOf(request), target, request.params.id ?? null, request.params.file_id);
          return reply.status(204).send();
        },
      );
    }
  });
}
