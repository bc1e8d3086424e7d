import { z } from 'zod';
import { idParams, pageSchema } from '../dtos/common.js';
import { taskPatchSchema, taskReadSchema, taskWriteSchema, toTaskDto } from '../dtos/task.dto.js';
import { authOf } from '../http/auth-hook.js';
import { listQuerySchema, paginated } from '../http/list-query.js';
import type { App } from '../http/types.js';
import { requestUrl, type UrlBuilder } from '../http/urls.js';
import type { Auth } from '../services/auth/auth.js';
import type { TaskService } from '../services/task.service.js';

export function registerTaskRoutes(app: App, tasks: TaskService): void {
  const read = async (auth: Auth, id: number, urls: UrlBuilder) => {
    const task = await tasks.require(auth, id);
    return toTaskDto(task, (await tasks.jobCounts([id])).get(id), urls);
  };

  app.get(
    '/api/tasks',
    { schema: { tags: ['tasks'], querystring: listQuerySchema, response: { 200: pageSchema(taskReadSchema) } } },
    async (request) => {
      const page = await tasks.list(authOf(request), request.query);
      const counts = await tasks.jobCounts(page.rows.map((t) => t.id));
      return paginated(requestUrl(request), page, page.rows.map((t) => toTaskDto(t, counts.get(t.id), request.urls)));
    },
  );

  app.post(
    '/api/tasks',
    { schema: { tags: ['tasks'], body: taskWriteSchema, response: { 201: taskReadSchema } } },
    async (request, reply) => {
      const auth = authOf(request);
      const id = await tasks.create(auth, request.body);
      return reply.status(201).send(await read(auth, id, request.urls));
    },
  );

  app.get(
    '/api/tasks/:id',
    { schema: { tags: ['tasks'], params: idParams, response: { 200: taskReadSchema } } },
    async (request) => read(authOf(request), request.params.id, request.urls),
  );

  app.patch(
    '/api/tasks/:id',
    { schema: { tags: ['tasks'], params: idParams, body: taskPatchSchema, response: { 200: taskReadSchema } } },
    async (request) => {
      const auth = authOf(request);
      await tasks.update(auth, request.params.id, request.body);
      return read(auth, request.params.id, request.urls);
    },
  );

  app.delete(
    '/api/tasks/:id',
    { schema: { tags: ['tasks'], params: idParams } },
    async (request, reply) => {
      await tasks.delete(authOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
