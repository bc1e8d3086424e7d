import { idParams, pageSchema } from '../dtos/common.js';
import { jobPatchSchema, jobReadSchema, toJobDto } from '../dtos/job.dto.js';
import { jobCreateSchema } from '../dtos/validation.dto.js';
import { authOf } from '../http/auth-hook.js';
import { listQuerySchema, paginated } from '../http/list-query.js';
import type { App } from '../http/types.js';
import { requestUrl } from '../http/urls.js';
import type { JobService } from '../services/job.service.js';
import type { ValidationService } from '../services/validation.service.js';

export function registerJobRoutes(app: App, jobs: JobService, validation: ValidationService): void {
  app.get(
    '/api/jobs',
    { schema: { tags: ['jobs'], querystring: listQuerySchema, response: { 200: pageSchema(jobReadSchema) } } },
    async (request) => {
      const page = await jobs.list(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map((j) => toJobDto(j, request.urls)));
    },
  );

  // Only ground-truth jobs are created this way (CVAT's JobWriteRequest); annotation jobs come from the task's segments.
  app.post(
    '/api/jobs',
    { schema: { tags: ['jobs'], summary: 'Create the task\'s ground-truth job', body: jobCreateSchema, response: { 201: jobReadSchema } } },
    async (request, reply) => {
      const auth = authOf(request);
      const id = await validation.createGroundTruthJob(auth, request.body);
      return reply.status(201).send(toJobDto(await jobs.require(auth, id), request.urls));
    },
  );

  app.delete('/api/jobs/:id', { schema: { tags: ['jobs'], summary: 'Delete a ground-truth job', params: idParams } }, async (request, reply) => {
    await validation.deleteJob(authOf(request), request.params.id);
    return reply.status(204).send();
  });

  app.get(
    '/api/jobs/:id',
    { schema: { tags: ['jobs'], params: idParams, response: { 200: jobReadSchema } } },
    async (request) => toJobDto(await jobs.require(authOf(request), request.params.id), request.urls),
  );

  app.patch(
    '/api/jobs/:id',
    { schema: { tags: ['jobs'], params: idParams, body: jobPatchSchema, response: { 200: jobReadSchema } } },
    async (request) => {
      const auth = authOf(request);
      await jobs.update(auth, request.params.id, request.body);
      return toJobDto(await jobs.require(auth, request.params.id), request.urls);
    },
  );
}
