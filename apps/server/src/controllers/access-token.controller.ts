import { accessTokenPatchBody, accessTokenSchema, accessTokenWriteBody, toAccessTokenDto } from '../dtos/auth.dto.js';
import { idParams, pageSchema } from '../dtos/common.js';
import { authOf } from '../http/auth-hook.js';
import { listQuerySchema, paginated } from '../http/list-query.js';
import type { App } from '../http/types.js';
import { requestUrl } from '../http/urls.js';
import type { AccessTokenService } from '../services/auth/access-token.service.js';

/** CVAT's personal access tokens. */
export function registerAccessTokenRoutes(app: App, tokens: AccessTokenService): void {
  app.get(
    '/api/auth/access_tokens',
    { schema: { tags: ['auth'], summary: "The caller's access tokens", querystring: listQuerySchema, response: { 200: pageSchema(accessTokenSchema) } } },
    async (request) => {
      const page = await tokens.list(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map((t) => toAccessTokenDto(t, request.urls)));
    },
  );

  app.post(
    '/api/auth/access_tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an access token; its key (`value`) is returned only in this response. Send it as `Authorization: Bearer <key>`',
        body: accessTokenWriteBody,
        response: { 201: accessTokenSchema },
      },
    },
    async (request, reply) => {
      const { row, key } = await tokens.create(authOf(request), request.body, request.ip);
      reply.status(201);
      return toAccessTokenDto(row, request.urls, key);
    },
  );

  // Registered before /{id} is matched: "self" is not an id.
  app.get(
    '/api/auth/access_tokens/self',
    { schema: { tags: ['auth'], summary: 'The access token this request is authenticated with', response: { 200: accessTokenSchema } } },
    async (request) => toAccessTokenDto(await tokens.self(authOf(request)), request.urls),
  );

  app.get(
    '/api/auth/access_tokens/:id',
    { schema: { tags: ['auth'], params: idParams, response: { 200: accessTokenSchema } } },
    async (request) => toAccessTokenDto(await tokens.get(authOf(request), request.params.id), request.urls),
  );

  app.patch(
    '/api/auth/access_tokens/:id',
    { schema: { tags: ['auth'], params: idParams, body: accessTokenPatchBody, response: { 200: accessTokenSchema } } },
    async (request) => toAccessTokenDto(await tokens.update(authOf(request), request.params.id, request.body, request.ip), request.urls),
  );

  app.delete(
    '/api/auth/access_tokens/:id',
    { schema: { tags: ['auth'], summary: 'Revoke an access token', params: idParams } },
    async (request, reply) => {
      await tokens.revoke(authOf(request), request.params.id, request.ip);
      return reply.status(204).send();
    },
  );
}
