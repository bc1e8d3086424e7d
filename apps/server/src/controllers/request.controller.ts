import { z } from 'zod';
import { pageSchema } from '../dtos/common.js';
import { requestReadSchema, toRequestDto } from '../dtos/request.dto.js';
import { authOf } from '../http/auth-hook.js';
import { listQuerySchema, paginated } from '../http/list-query.js';
import type { App } from '../http/types.js';
import { requestUrl } from '../http/urls.js';
import type { RequestService } from '../services/request.service.js';

const rqParams = z.object({ id: z.string().min(1).max(512) });

export function registerRequestRoutes(app: App, requests: RequestService): void {
  app.get(
    '/api/requests',
    { schema: { tags: ['requests'], querystring: listQuerySchema, response: { 200: pageSchema(requestReadSchema) } } },
    async (request) => {
      const page = await requests.list(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map((r) => toRequestDto(r, request.urls.base)));
    },
  );

  app.get(
    '/api/requests/:id',
    { schema: { tags: ['requests'], params: rqParams, response: { 200: requestReadSchema } } },
    async (request) => toRequestDto(await requests.get(authOf(request), request.params.id), request.urls.base),
  );

  app.post(
    '/api/requests/:id/cancel',
    { schema: { tags: ['requests'], params: rqParams } },
    async (request, reply) => {
      await requests.cancel(authOf(request), request.params.id);
      return reply.status(200).send();
    },
  );
}
