/**
 * The web app (apps/web, built by Vite) served at `/` by the same server as the API, so one
 * command gives the whole product and the browser talks to its own origin (no CORS, cookies with
 * SameSite=Lax).
 *
 * Vite names every file under assets/ by its content hash: those are cached for a year and never
 * revalidated. Every other path that is not a file of the build (`/tasks/12/jobs/40`, a link
 * someone shared) gets index.html, uncached, and the app's router takes it from there. Paths
 * under /api/ never fall back to the page: an unknown API path is a JSON 404 like any other.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { AppError } from '../errors.js';
import type { FastifyRequest } from 'fastify';
import type { App } from './types.js';

const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * The files of a folder of the build, read once at boot: a build does not change under a running
 * server, and answering only names on this list keeps every request inside the folder.
 */
function filesIn(dir: string, except = ''): Set<string> {
  if (!existsSync(dir)) return new Set();
  return new Set(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== except)
      .map((e) => e.name),
  );
}

function notFound(request: FastifyRequest): AppError {
  return new AppError('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`);
}

export async function installWebApp(app: App, webDir: string): Promise<void> {
  const built = existsSync(path.join(webDir, 'index.html'));
  if (!built) app.log.warn({ webDir }, 'web app not built (npm run build): only the API is served');
  // serve: false: the routes below decide what is public and how it is cached.
  await app.register(fastifyStatic, { root: webDir, serve: false });
  const files = filesIn(webDir, 'index.html');
  const assets = filesIn(path.join(webDir, 'assets'));

  app.get<{ Params: { '*': string } }>('/assets/*', { config: { public: true }, schema: { hide: true } }, (request, reply) => {
    // A missing file must not reach sendFile: its 404 would go through the private not-found route.
    if (!assets.has(request.params['*'])) throw notFound(request);
    return reply.sendFile(`assets/${request.params['*']}`, { immutable: true, maxAge: YEAR_SECONDS * 1000, cacheControl: true });
  });

  app.get<{ Params: { '*': string } }>('/*', { config: { public: true }, schema: { hide: true } }, (request, reply) => {
    const wanted = request.params['*'];
    if (wanted === 'api' || wanted.startsWith('api/')) throw notFound(request);
    if (files.has(wanted)) return reply.sendFile(wanted, { maxAge: 3600 * 1000 });
    if (!built) {
      return reply.code(503).type('text/plain; charset=utf-8').send('The web app is not built. Run `npm run build`, or use the API under /api/.');
    }
    // The page names hashed assets, so it must be revalidated to pick up a new release.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  });
}
