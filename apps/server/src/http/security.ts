/**
 * Browser-facing safety headers (helmet) and cross-origin access (closed unless configured).
 *
 * The content security policy is written for the web app the server hosts: its own scripts and
 * styles only (inline styles allowed, as UI libraries set them), images and video also from https
 * origins (frames of cloud-storage tasks may redirect to presigned bucket URLs), never framed by
 * another site (clickjacking), no plugins. It does not upgrade http requests: a one-machine
 * install on plain http must keep working. API responses carry the same headers; for JSON they
 * are inert.
 */
import helmet from '@fastify/helmet';
import type { App } from './types.js';

/** Request headers a cross-origin client may send: CVAT's and TUS's. */
const ALLOWED_HEADERS = [
  'Authorization', 'Content-Type', 'X-CSRFToken', 'X-Organization', 'X-Request-Id',
  'Tus-Resumable', 'Upload-Length', 'Upload-Offset', 'Upload-Metadata', 'Upload-Defer-Length', 'Upload-Concat',
];
const EXPOSED_HEADERS = ['Location', 'Retry-After', 'X-Request-Id', 'Tus-Resumable', 'Upload-Offset', 'Upload-Length', 'Content-Disposition'];

export async function installSecurity(app: App, options: { corsOrigins: string[] }): Promise<void> {
  const crossOrigin = options.corsOrigins.length > 0;
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
        mediaSrc: ["'self'", 'blob:', 'https:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    // Subdomains are the operator's business, not ours to pin to https.
    strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
    // Origins allowed by CORS may also embed frames and previews.
    crossOriginResourcePolicy: { policy: crossOrigin ? 'cross-origin' : 'same-origin' },
  });
  if (!crossOrigin) return;
  const { default: cors } = await import('@fastify/cors');
  await app.register(cors, {
    origin: options.corsOrigins,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
}
