/** Frames, chunks, data/meta and previews of tasks and jobs. */
import { z } from 'zod';
import { idParams } from '../dtos/common.js';
import { authOf } from '../http/auth-hook.js';
import { sendMedia } from '../http/media-reply.js';
import type { App } from '../http/types.js';
import type { AccessService } from '../services/access.js';
import type { FrameService } from '../services/frame.service.js';

const dataQuery = z.object({
  type: z.enum(['frame', 'chunk', 'context_image']),
  number: z.coerce.number().int().min(0).optional(),
  index: z.coerce.number().int().min(0).optional(),
  quality: z.enum(['compressed', 'original']).default('compressed'),
});

export function registerMediaRoutes(app: App, frames: FrameService, access: AccessService): void {
  app.get('/api/projects/:id/preview', { schema: { tags: ['projects'], params: idParams } }, async (request, reply) => {
    const auth = authOf(request);
    await access.requireProject(auth, request.params.id, 'view');
    const media = await frames.projectPreview(auth, request.params.id);
    if (!media) return reply.status(404).send({ code: 'NOT_FOUND', message: 'no preview: no task of this project has media yet', details: [] });
    return sendMedia(request, reply, media);
  });

  for (const kind of ['tasks', 'jobs'] as const) {
    const scopeOf = (auth: Parameters<FrameService['taskScope']>[0], id: number, recent = false) =>
      kind === 'tasks' ? frames.taskScope(auth, id, { recent }) : frames.jobScope(auth, id, { recent });

    app.get(
      `/api/${kind}/:id/data`,
      { schema: { tags: [kind], params: idParams, querystring: dataQuery } },
      async (request, reply) => {
        const q = request.query;
        // Derived frames may use a decision made a moment ago; originals are checked every time.
        const scope = await scopeOf(authOf(request), request.params.id, q.quality === 'compressed' && q.type !== 'context_image');
        if (q.type === 'context_image') return reply.status(404).send({ code: 'NOT_FOUND', message: 'this task has no related images', details: [] });
        if (q.type === 'frame') {
          if (q.number === undefined) return reply.status(400).send({ code: 'VALIDATION', message: 'number: required for type=frame', details: [{ field: 'number', message: 'required' }] });
          return sendMedia(request, reply, await frames.frame(scope, q.number, q.quality));
        }
        const sel = { ...(q.index !== undefined ? { index: q.index } : {}), ...(q.number !== undefined ? { number: q.number } : {}) };
        return sendMedia(request, reply, await frames.chunk(scope, sel, q.quality));
      },
    );

    app.get(`/api/${kind}/:id/data/meta`, { schema: { tags: [kind], params: idParams } }, async (request) => {
      const auth = authOf(request);
      const scope = await scopeOf(auth, request.params.id);
      // Honeypot details are for those who manage the task.
      return frames.meta(scope, () => access.requireTask(auth, scope.task.id, 'change').then(() => true, () => false));
    });

    app.get(`/api/${kind}/:id/preview`, { schema: { tags: [kind], params: idParams } }, async (request, reply) => {
      const media = await frames.preview(await scopeOf(authOf(request), request.params.id));
      if (!media) return reply.status(404).send({ code: 'NOT_FOUND', message: 'no preview: the task has no media yet', details: [] });
      return sendMedia(request, reply, media);
    });
  }
}
