import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorSchema, idParams, pageSchema } from '../dtos/common.js';
import { projectCreateSchema, projectPatchSchema, projectReadSchema, toProjectDto } from '../dtos/project.dto.js';
import { authOf } from '../http/auth-hook.js';
import { listQuerySchema, paginated, type RequestUrl } from '../http/list-query.js';
import type { App } from '../http/types.js';
import type { ProjectService } from '../services/project.service.js';

/** Where a list request was made, for the absolute next/previous links. */
function requestUrl(request: FastifyRequest): RequestUrl {
  const q = request.url.indexOf('?');
  return {
    base: `${request.urls.base}${q < 0 ? request.url : request.url.slice(0, q)}`,
    query: q < 0 ? '' : request.url.slice(q + 1),
  };
}

const listQuery = listQuerySchema.extend({
  name: z.string().optional().describe('Exact name'),
  owner: z.string().optional().describe("Owner's username"),
  assignee: z.string().optional().describe("Assignee's username"),
  status: z.string().optional().describe('annotation, validation or completed'),
});

export function registerProjectRoutes(app: App, projects: ProjectService): void {
  app.get(
    '/api/projects',
    {
      schema: {
        tags: ['projects'],
        summary: 'List projects',
        description: 'search: name, owner, assignee. sort and filter: id, name, owner, assignee, status, updated_date. Default order: -id.',
        querystring: listQuery,
        response: { 200: pageSchema(projectReadSchema), 400: errorSchema },
      },
    },
    async (request) => {
      const page = await projects.list(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map((p) => toProjectDto(p, request.urls)));
    },
  );

  app.post(
    '/api/projects',
    {
      schema: {
        tags: ['projects'],
        summary: 'Create a project with its labels',
        body: projectCreateSchema,
        response: { 201: projectReadSchema, 400: errorSchema },
      },
    },
    async (request, reply) => {
      const project = await projects.create(authOf(request), request.body);
      return reply.status(201).send(toProjectDto(project, request.urls));
    },
  );

  app.get(
    '/api/projects/:id',
    { schema: { tags: ['projects'], summary: 'Get project details', params: idParams, response: { 200: projectReadSchema, 404: errorSchema } } },
    async (request) => toProjectDto(await projects.get(authOf(request), request.params.id), request.urls),
  );

  app.patch(
    '/api/projects/:id',
    {
      schema: {
        tags: ['projects'],
        summary: 'Update a project and its labels',
        params: idParams,
        body: projectPatchSchema,
        response: { 200: projectReadSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => toProjectDto(await projects.update(authOf(request), request.params.id, request.body), request.urls),
  );

  app.delete(
    '/api/projects/:id',
    {
      schema: {
        tags: ['projects'],
        summary: 'Delete a project with its tasks',
        params: idParams,
        response: { 204: z.null().describe('The project has been deleted'), 404: errorSchema },
      },
    },
    async (request, reply) => {
      await projects.remove(authOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
