import { idParams, pageSchema } from '../dtos/common.js';
import { listQuerySchema, paginated } from '../http/list-query.js';
import { requestUrl } from '../http/urls.js';
import { toUserDto, userCreateBody, userPatchBody, userSchema } from '../dtos/user.dto.js';
import { authOf } from '../http/auth-hook.js';
import type { App } from '../http/types.js';
import type { UrlBuilder } from '../http/urls.js';
import type { AccountService } from '../services/account.service.js';
import type { UserService } from '../services/user.service.js';

export function registerUserRoutes(app: App, users: UserService, accounts: AccountService): void {
  app.get(
    '/api/users/self',
    { schema: { tags: ['users'], summary: 'The user making the request', response: { 200: userSchema } } },
    async (request) => toUserDto(await users.self(authOf(request)), request.urls),
  );

  app.get(
    '/api/users',
    { schema: { tags: ['users'], querystring: listQuerySchema, response: { 200: pageSchema(userSchema) } } },
    async (request) => {
      const auth = authOf(request);
      const page = await users.list(auth, request.query);
      const rows = page.rows.map((u) => {
        const dto = toUserDto(u, request.urls);
        return auth.user.isSuperuser || u.id === auth.user.id ? dto : { ...dto, email: '', last_login: null };
      });
      return paginated(requestUrl(request), page, rows);
    },
  );

  app.get(
    '/api/users/:id',
    { schema: { tags: ['users'], params: idParams, response: { 200: userSchema } } },
    async (request) => toUserDto(await users.get(authOf(request), request.params.id), request.urls),
  );

  app.post(
    '/api/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (administrators only; an extension of CVAT\'s API)',
        body: userCreateBody,
        response: { 201: userSchema },
      },
    },
    async (request, reply) => {
      const user = await accounts.createUser(authOf(request), request.body, request.ip);
      reply.status(201);
      return toUserDto(user, request.urls);
    },
  );

  app.patch(
    '/api/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Change a user: names and email of your own account; administrators also username, is_active, is_superuser, is_staff',
        params: idParams,
        body: userPatchBody,
        response: { 200: userSchema },
      },
    },
    async (request) => toUserDto(await accounts.updateUser(authOf(request), request.params.id, request.body, request.ip), request.urls),
  );

  app.delete(
    '/api/users/:id',
    { schema: { tags: ['users'], summary: 'Delete a user (administrators only)', params: idParams } },
    async (request, reply) => {
      await accounts.deleteUser(authOf(request), request.params.id, request.ip);
      return reply.status(204).send();
    },
  );
}

declare module 'fastify' {
  interface FastifyRequest {
    urls: UrlBuilder;
  }
}
