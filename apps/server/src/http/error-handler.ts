import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorDetail } from '../errors.js';

export interface ErrorBody {
  code: string;
  message: string;
  details: ErrorDetail[];
}

function body(code: string, message: string, details: ErrorDetail[] = []): ErrorBody {
  return { code, message, details };
}

/** Maps every error to `{code, message, details}`; faults are logged and never leak internals. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
    if (error instanceof AppError) {
      // Whatever refused for now (the login throttle, reset requests) says when to come back.
      if (typeof error.extra.retry_after === 'number') reply.header('retry-after', String(error.extra.retry_after));
      return reply.status(error.status).send({ ...error.extra, ...body(error.code, error.message, error.details) });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'body';
      const details = error.validation.map((v) => {
        const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
        const field = path || String((v.params as { issue?: { path?: unknown[] } })?.issue?.path?.join('.') ?? where);
        return { field, message: v.message ?? 'invalid value' };
      });
      const first = details[0];
      const message = first ? `${first.field}: ${first.message}` : `invalid ${where}`;
      return reply.status(400).send(body('VALIDATION', message, details));
    }
    const fe = error as FastifyError;
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      // Fastify's own client errors (bad JSON, body too large, unsupported content type).
      const code =
        fe.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : fe.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
      return reply.status(fe.statusCode).send(body(code, fe.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(body('INTERNAL', `internal error (request ${request.id})`));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(body('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`));
  });
}
