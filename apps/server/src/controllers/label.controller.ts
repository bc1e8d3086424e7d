import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorSchema, idParams, pageSchema } from '../dtos/common.js';
import { labelPatchSchema, labelReadSchema, toLabelDto } from '../dtos/label.dto.js';
import { authOf } from '../http/auth-hook.js';
import { listQuerySchema, paginated, type RequestUrl } from '../http/list-query.js';
import type { App } from '../http/types.js';
import type { LabelService } from '../services/label.service.js';

/** Where a list request was made, for the absolute next/previous links. */
function requestUrl(request: FastifyRequest): RequestUrl {
  const q = request.url.indexOf('?');
  return {
    base: `${request.urls.base}${q < 0 ? request.url : request.url.slice(0, q)}`,
    query: q < 0 ? '' : request.url.slice(q + 1),
  };
}

const sourceId = z.coerce.number().int().positive().optional();

const listQuery = listQuerySchema.extend({
  project_id: sourceId.describe("The project's labels"),
  task_id: sourceId.describe("The task's labels (its project's when it is in one)"),
  job_id: sourceId.describe("The labels of the job's task"),
  parent_id: z.string().optional().describe("A skeleton's points (otherwise only top-level labels are listed)"),
  name: z.string().optional(),
  parent: z.string().optional().describe("The parent skeleton's name"),
  type: z.string().optional(),
  color: z.string().optional(),
});

export function registerLabelRoutes(app: App, labels: LabelService): void {
  app.get(
    '/api/labels',
    {
      schema: {
        tags: ['labels'],
        summary: 'List labels',
        description: 'search: name, parent. sort and filter: id, name, parent, parent_id, type, color. Default order: id.',
        querystring: listQuery,
        response: { 200: pageSchema(labelReadSchema), 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const { project_id, task_id, job_id } = request.query;
      const page = await labels.list(authOf(request), { project_id, task_id, job_id }, request.query);
      return paginated(requestUrl(request), page, page.rows.map(toLabelDto));
    },
  );

  app.get(
    '/api/labels/:id',
    { schema: { tags: ['labels'], summary: 'Get label details', params: idParams, response: { 200: labelReadSchema, 404: errorSchema } } },
    async (request) => toLabelDto(await labels.get(authOf(request), request.params.id)),
  );

  app.patch(
    '/api/labels/:id',
    {
      schema: {
        tags: ['labels'],
        summary: 'Update a label',
        description: "To modify a skeleton's point, PATCH the skeleton with the point in `sublabels`.",
        params: idParams,
        body: labelPatchSchema,
        response: { 200: labelReadSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => toLabelDto(await labels.update(authOf(request), request.params.id, request.body)),
  );

  app.delete(
    '/api/labels/:id',
    {
      schema: {
        tags: ['labels'],
        summary: 'Delete a label',
        description: "To delete a skeleton's point, PATCH the skeleton instead.",
        params: idParams,
        response: { 204: z.null().describe('The label has been deleted'), 404: errorSchema },
      },
    },
    async (request, reply) => {
      await labels.remove(authOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
