/** GET and PATCH /api/tasks/{id}/validation_layout and /api/jobs/{id}/validation_layout (CVAT's). */
import { idParams } from '../dtos/common.js';
import { jobLayoutPatchSchema, jobLayoutReadSchema, taskLayoutPatchSchema, taskLayoutReadSchema } from '../dtos/validation.dto.js';
import { authOf } from '../http/auth-hook.js';
import type { App } from '../http/types.js';
import type { ValidationService } from '../services/validation.service.js';

export function registerValidationLayoutRoutes(app: App, validation: ValidationService): void {
  app.get(
    '/api/tasks/:id/validation_layout',
    { schema: { tags: ['tasks'], summary: 'The task\'s validation frames and honeypots', params: idParams, response: { 200: taskLayoutReadSchema } } },
    async (request) => validation.taskLayout(authOf(request), request.params.id),
  );

  app.patch(
    '/api/tasks/:id/validation_layout',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Disable validation frames, or give honeypots new validation frames (random_uniform or manual)',
        params: idParams,
        body: taskLayoutPatchSchema,
        response: { 200: taskLayoutReadSchema },
      },
    },
    async (request) => validation.patchTaskLayout(authOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/jobs/:id/validation_layout',
    { schema: { tags: ['jobs'], summary: 'The job\'s honeypots', params: idParams, response: { 200: jobLayoutReadSchema } } },
    async (request) => validation.jobLayout(authOf(request), request.params.id),
  );

  app.patch(
    '/api/jobs/:id/validation_layout',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Give the job\'s honeypots new validation frames (random_uniform or manual)',
        params: idParams,
        body: jobLayoutPatchSchema,
        response: { 200: jobLayoutReadSchema },
      },
    },
    async (request) => validation.patchJobLayout(authOf(request), request.params.id, request.body),
  );
}
