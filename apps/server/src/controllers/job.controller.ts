import { z } from 'zod';
import { idParams, pageSchema } from '../dtos/common.js';
import { jobPatchSchema, jobReadSchema, toJobDto } from '../dtos/job.dto.js';
import { AppError } from '../errors.js';
import { authOf } from '../http/auth-hook.js';
import { listQuerySchema, paginated } from '../http/list-query.js';
import type { App } from '../http/types.js';
import { requestUrl } from '../http/urls.js';
import type { JobService } from '../services/job.service.js';

export function registerJobRoutes(app: App, jobs: JobService): void {
  app.get(
    '/api/jobs',
    { schema: { tags: ['jobs'], querystring: listQuerySchema, response: { 200: pageSchema(jobReadSchema) } } },
    async (request) => {
      const page = await jobs.list(authOf(request), request.query);
      return paginated(requestUrl(request), page, page.rows.map((j) => toJobDto(j, request.urls)));
    },
  );

  app.post('/api/jobs', { schema: { tags: ['jobs'], body: z.object({ task_id: z.number(), type: z.string() }).loose() } }, async () => {
    throw AppError.invalid('type', 'ground-truth jobs are not supported yet; annotation jobs are created from the task\'s segments');
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
