/**
 * The HTTP layer: Fastify with zod-validated routes. Controllers parse, call one service and
 * reply; they hold no business rules. The OpenAPI document is generated from the same zod
 * schemas that validate requests, so it cannot drift from what the server accepts.
 */
import { registerDatasetRoutes, registerProjectDatasetImportRoutes } from './controllers/dataset.controller.js';
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { jsonSchemaTransform, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import YAML from 'yaml';
import { z } from 'zod';
import type { AppContext } from './context.js';
import { registerAuthRoutes } from './controllers/auth.controller.js';
import { registerSsoRoutes } from './controllers/sso.controller.js';
import { registerPasswordResetRoutes } from './controllers/password-reset.controller.js';
import { registerAccessTokenRoutes } from './controllers/access-token.controller.js';
import { registerAuditRoutes } from './controllers/audit.controller.js';
import { registerServerRoutes } from './controllers/server.controller.js';
import { registerUserRoutes } from './controllers/user.controller.js';
import { registerLabelRoutes } from './controllers/label.controller.js';
import { registerProjectRoutes } from './controllers/project.controller.js';
import { registerJobRoutes } from './controllers/job.controller.js';
import { registerValidationLayoutRoutes } from './controllers/validation-layout.controller.js';
import { registerAnnotationRoutes } from './controllers/annotation.controller.js';
import { registerMediaRoutes } from './controllers/media.controller.js';
import { registerRequestRoutes } from './controllers/request.controller.js';
import { registerTaskDataRoutes } from './controllers/task-data.controller.js';
import { registerTaskRoutes } from './controllers/task.controller.js';
import { registerTusRoutes } from './controllers/tus.controller.js';
import { registerCloudStorageRoutes } from './controllers/cloud-storage.controller.js';
import { registerBackupRoutes } from './controllers/backup.controller.js';
import { registerOrganizationRoutes } from './controllers/organization.controller.js';
import { registerConsensusRoutes } from './controllers/consensus.controller.js';
import { registerQualityRoutes } from './controllers/quality.controller.js';
import { installWebApp } from './http/web-app.js';
import { installAuth } from './http/auth-hook.js';
import { installErrorHandler } from './http/error-handler.js';
import { installSecurity } from './http/security.js';
import type { App } from './http/types.js';
import { baseUrl, urlBuilder } from './http/urls.js';
import { FRAMEWISE_VERSION } from './services/server.service.js';

export interface RouteEntry {
  method: string;
  url: string;
  public: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The routes registered, in order (HEAD twins of GET included). */
    routeList: readonly RouteEntry[];
  }
}

/** Fastify takes a hop count at run time but not in its types: the same rule as a function. */
function trustProxyOption(trust: AppContext['config']['trustProxy']) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

export async function buildApp(ctx: AppContext): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
    trustProxy: trustProxyOption(ctx.config.trustProxy),
    bodyLimit: 16 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 500 },
  }).withTypeProvider<ZodTypeProvider>();

  // Every route, as registered: the authorization matrix test checks each has a rule.
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, public: route.config?.public === true });
  });
  app.decorate('routeList', routes);

  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API; serializing through them would cost time on every list.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  installErrorHandler(app);
  await installSecurity(app, { corsOrigins: ctx.config.corsOrigins });
  await app.register(cookie);
  await app.register(multipart, {
    // Keep the client's relative paths ("cats/cat_1.jpg"); services/task-data.service.ts vets them.
    preservePath: true,
    limits: { fileSize: ctx.config.upload.maxBytes, files: ctx.config.upload.maxFiles, fields: 10_000, parts: ctx.config.upload.maxFiles + 10_000 },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Framewise REST API',
        version: FRAMEWISE_VERSION,
        description: "Framewise's API. Paths, payloads and field names follow CVAT's v2 API so CVAT's clients work unchanged.",
      },
      components: {
        securitySchemes: {
          tokenAuth: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Token <key> from /api/auth/login' },
          basicAuth: { type: 'http', scheme: 'basic' },
          sessionAuth: { type: 'apiKey', in: 'cookie', name: 'sessionid' },
          accessTokenAuth: { type: 'http', scheme: 'bearer', description: 'Personal access token from /api/auth/access_tokens' },
        },
      },
      security: [{ tokenAuth: [] }, { accessTokenAuth: [] }, { basicAuth: [] }, { sessionAuth: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.decorateRequest('urls', null as never);
  app.addHook('onRequest', async (request) => {
    request.urls = urlBuilder(baseUrl(request, ctx.config.publicUrl));
  });
  installAuth(app, ctx.services.auth, ctx.services.orgContext);

  registerAuthRoutes(app, ctx.services.auth, ctx.services.accounts);
  registerPasswordResetRoutes(app, ctx.services.passwordReset);
  registerAccessTokenRoutes(app, ctx.services.accessTokens);
  registerAuditRoutes(app, ctx.services.audit);
  registerSsoRoutes(app, { ldap: ctx.services.ldap, oidc: ctx.services.oidc }, ctx.services.audit);
  registerUserRoutes(app, ctx.services.users, ctx.services.accounts);
  registerServerRoutes(app, ctx.services.server);
  registerProjectRoutes(app, ctx.services.projects);
  registerLabelRoutes(app, ctx.services.labels);
  registerTaskRoutes(app, ctx.services.tasks);
  registerTaskDataRoutes(app, ctx.services.taskData, ctx.services.tus);
  registerTusRoutes(app, ctx.services.tus);
  registerJobRoutes(app, ctx.services.jobs, ctx.services.validation);
  registerValidationLayoutRoutes(app, ctx.services.validation);
  registerAnnotationRoutes(app, ctx.services.annotations, ctx.services.taskAnnotations);
  registerMediaRoutes(app, ctx.services.frames, ctx.services.access);
  registerRequestRoutes(app, ctx.services.requests);
  registerCloudStorageRoutes(app, ctx.services.cloudStorages);
  registerDatasetRoutes(app, ctx.services.datasetExports, ctx.services.datasetImports, ctx.services.tus);
  registerProjectDatasetImportRoutes(app, ctx.services.projectImports, ctx.services.tus);
  registerBackupRoutes(app, ctx.services.backups, ctx.services.tus);
  registerConsensusRoutes(app, ctx.services.consensus);
  registerQualityRoutes(app, ctx.services.quality, ctx.services.qualityFeedback, ctx.services.requests);
  registerOrganizationRoutes(app, {
    organizations: ctx.services.organizations,
    memberships: ctx.services.memberships,
    invitations: ctx.services.invitations,
  });

  app.get(
    '/api/schema',
    {
      config: { public: true },
      schema: {
        hide: true,
        querystring: z.object({ format: z.enum(['json', 'yaml']).optional() }),
      },
    },
    async (request, reply) => {
      const doc = app.swagger();
      const wantsJson = request.query.format === 'json' || (request.headers.accept ?? '').includes('application/json');
      if (wantsJson) return reply.type('application/json').send(JSON.stringify(doc));
      return reply.type('application/vnd.oai.openapi; charset=utf-8').send(YAML.stringify(doc));
    },
  );
  await installWebApp(app, ctx.config.webDir);

  return app;
}
