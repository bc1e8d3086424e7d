import { z } from 'zod';
import {
  cloudStorageContentSchema,
  cloudStorageCreateSchema,
  cloudStoragePatchSchema,
  cloudStorageReadSchema,
  contentQuerySchema,
  toCloudStorageDto,
} from '../dtos/cloud-storage.dto.js';
import { errorSchema, idParams, pageSchema } from '../dtos/common.js';
import { authOf } from '../http/auth-hook.js';
import { listQuerySchema, paginated } from '../http/list-query.js';
import type { App } from '../http/types.js';
import { requestUrl } from '../http/urls.js';
import type { CloudStorageService } from '../services/cloud-storage.service.js';

const tags = ['cloudstorages'];

const listQuery = listQuerySchema.extend({
  name: z.string().optional().describe('Exact display name'),
  owner: z.string().optional().describe("Owner's username"),
  resource: z.string().optional().describe('Exact bucket name'),
  provider_type: z.string().optional().describe('AWS_S3_BUCKET, AZURE_CONTAINER or GOOGLE_CLOUD_STORAGE'),
  credentials_type: z.string().optional().describe('One of the credentials types'),
});

export function registerCloudStorageRoutes(app: App, storages: CloudStorageService): void {
  app.get(
    '/api/cloudstorages',
    {
      schema: {
        tags,
        summary: 'List cloud storages',
        description:
          'search: name, resource, owner, description. sort and filter: id, name, resource, owner, provider_type, credentials_type, description. Default order: -id.',
        querystring: listQuery,
        response: { 200: pageSchema(cloudStorageReadSchema), 400: errorSchema },
      },
    },
    async (request) => {
      const page = await storages.list(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map((s) => toCloudStorageDto(s, request.urls)));
    },
  );

  app.post(
    '/api/cloudstorages',
    {
      schema: {
        tags,
        summary: 'Create a cloud storage',
        description: 'The bucket must be reachable with the given credentials (HeadBucket) and every manifest must exist.',
        body: cloudStorageCreateSchema,
        response: { 201: cloudStorageReadSchema, 400: errorSchema, 403: errorSchema },
      },
    },
    async (request, reply) => {
      const created = await storages.create(authOf(request), request.body);
      return reply.status(201).send(toCloudStorageDto(created, request.urls));
    },
  );

  app.get(
    '/api/cloudstorages/:id',
    { schema: { tags, summary: 'Get cloud storage details', params: idParams, response: { 200: cloudStorageReadSchema, 404: errorSchema } } },
    async (request) => toCloudStorageDto(await storages.get(authOf(request), request.params.id), request.urls),
  );

  app.patch(
    '/api/cloudstorages/:id',
    {
      schema: {
        tags,
        summary: 'Update a cloud storage',
        description: 'Changing the bucket, its attributes or credentials checks the bucket again. Omitted credential fields keep their stored values.',
        params: idParams,
        body: cloudStoragePatchSchema,
        response: { 200: cloudStorageReadSchema, 400: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (request) => toCloudStorageDto(await storages.update(authOf(request), request.params.id, request.body), request.urls),
  );

  app.delete(
    '/api/cloudstorages/:id',
    {
      schema: {
        tags,
        summary: 'Delete a cloud storage',
        description: 'Only the record goes; the bucket and its objects are left as they are.',
        params: idParams,
        response: { 204: z.null().describe('The cloud storage has been removed'), 404: errorSchema },
      },
    },
    async (request, reply) => {
      await storages.remove(authOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/cloudstorages/:id/content-v2',
    {
      schema: {
        tags,
        summary: 'Get cloud storage content',
        description: 'One directory level (keys split at "/"), directories first; `next` continues the listing.',
        params: idParams,
        querystring: contentQuerySchema,
        response: { 200: cloudStorageContentSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => storages.content(authOf(request), request.params.id, request.query),
  );

  app.get(
    '/api/cloudstorages/:id/status',
    {
      schema: {
        tags,
        summary: 'Get the status of a cloud storage',
        params: idParams,
        response: { 200: z.string().describe('"AVAILABLE", "NOT_FOUND" or "FORBIDDEN" as a JSON string'), 404: errorSchema },
      },
    },
    async (request, reply) => {
      const status = await storages.status(authOf(request), request.params.id);
      // A JSON string, as CVAT answers; Fastify would send a bare string as text.
      return reply.type('application/json').send(JSON.stringify(status));
    },
  );

  app.get(
    '/api/cloudstorages/:id/actions',
    {
      schema: {
        tags,
        summary: 'Get allowed actions for a cloud storage',
        description: 'What the bucket policy allows: "read", "write". As in CVAT, a JSON list sent as text/plain.',
        params: idParams,
        response: { 200: z.string(), 404: errorSchema },
      },
    },
    async (request, reply) => {
      const actions = await storages.actions(authOf(request), request.params.id);
      return reply.type('text/plain; charset=utf-8').send(JSON.stringify(actions));
    },
  );

  app.get(
    '/api/cloudstorages/:id/preview',
    {
      schema: {
        tags,
        summary: 'Get a preview image for a cloud storage',
        description: "A JPEG of the first image of the storage's first manifest, or else of the first image key in the storage.",
        params: idParams,
        response: { 200: z.any().describe('image/jpeg'), 400: errorSchema, 404: errorSchema },
      },
    },
    async (request, reply) => {
      const jpeg = await storages.preview(authOf(request), request.params.id);
      // Read from the bucket each time (the first image can change); a short private cache spares
      // a browser that shows the same list twice.
      reply.header('cache-control', 'private, max-age=60');
      return reply.type('image/jpeg').send(jpeg);
    },
  );
}
