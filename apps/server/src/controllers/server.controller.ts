import { z } from 'zod';
import type { App } from '../http/types.js';
import type { ServerService } from '../services/server.service.js';

const aboutSchema = z.object({
  name: z.string(),
  description: z.string(),
  version: z.string(),
  subtitle: z.string(),
  logo_url: z.string(),
});

export function registerServerRoutes(app: App, server: ServerService): void {
  app.get(
    '/api/server/about',
    { config: { public: true }, schema: { tags: ['server'], response: { 200: aboutSchema } } },
    async () => server.about(),
  );

  app.get(
    '/api/server/health',
    {
      config: { public: true },
      schema: {
        tags: ['server'],
        summary: 'For load balancers: 200 when the database and the blob store answer, else 503',
      },
    },
    async (_request, reply) => {
      const report = await server.health();
      return reply.status(report.ok ? 200 : 503).send(report);
    },
  );

  app.get(
    '/api/server/share',
    {
      schema: {
        tags: ['server'],
        summary: 'List a directory of the share',
        querystring: z.object({ directory: z.string().default('/'), search: z.string().optional() }),
        response: {
          200: z.array(z.object({ name: z.string(), type: z.enum(['REG', 'DIR']), mime_type: z.string() })),
        },
      },
    },
    async (request) => server.listShare(request.query.directory, request.query.search),
  );
}
