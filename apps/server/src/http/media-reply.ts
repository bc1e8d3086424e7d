import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MediaBody } from '../services/frame.service.js';

/**
 * Frames never change once a task has data (the ETag carries the task's identity and creation
 * time), so clients may keep them: revalidation costs a 304 and no body.
 */
export function sendMedia(request: FastifyRequest, reply: FastifyReply, media: MediaBody) {
  if (media.redirect) {
    // Not cacheable: the link expires, and the next request must check access again.
    reply.header('cache-control', 'no-store');
    return reply.redirect(media.redirect, 302);
  }
  reply.header('etag', media.etag);
  reply.header('cache-control', 'private, max-age=86400');
  if (request.headers['if-none-match'] === media.etag) {
    if (!Buffer.isBuffer(media.body)) media.body.destroy();
    return reply.status(304).send();
  }
  reply.type(media.contentType);
  if (media.length !== undefined) reply.header('content-length', media.length);
  return reply.send(media.body);
}
