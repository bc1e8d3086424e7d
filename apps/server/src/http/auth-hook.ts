/**
 * Resolves the caller of every request, the ways CVAT's clients authenticate:
 * `Authorization: Token <key>` (SDK, CLI, scripts), `Authorization: Basic` (curl), and the
 * `sessionid` cookie set at login (browser), which needs a matching CSRF header on writes.
 * Routes are private unless their config says `public: true`.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { Auth } from '../services/auth/auth.js';
import type { AuthService } from '../services/auth/auth.service.js';
import { orgRefOf, type OrgContext } from '../services/organizations/org-context.js';
import type { App } from './types.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

export const SESSION_COOKIE = 'sessionid';
export const CSRF_COOKIE = 'csrftoken';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function resolve(request: FastifyRequest, auth: AuthService): Promise<Auth | null> {
  const header = request.headers.authorization;
  if (header) {
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'token' || scheme === 'bearer') {
      const found = await auth.authenticateToken(value, 'token');
      if (!found) throw new AppError('UNAUTHENTICATED', 'invalid or expired token');
      if (found.accessToken?.readOnly && !SAFE_METHODS.has(request.method)) {
        throw AppError.forbidden('this access token is read-only: it may only GET, HEAD and OPTIONS');
      }
      return found;
    }
    if (scheme === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new AppError('UNAUTHENTICATED', 'malformed basic credentials');
      return auth.authenticateBasic(decoded.slice(0, colon), decoded.slice(colon + 1), request.ip);
    }
    throw new AppError('UNAUTHENTICATED', `unsupported authorization scheme "${scheme}"`);
  }
  const session = request.cookies?.[SESSION_COOKIE];
  if (session) {
    const found = await auth.authenticateToken(session, 'session');
    if (!found) return null;
    if (!SAFE_METHODS.has(request.method)) {
      const cookie = request.cookies[CSRF_COOKIE];
      const sent = request.headers['x-csrftoken'];
      if (!cookie || cookie !== sent) throw AppError.forbidden('CSRF check failed: send the csrftoken cookie as X-CSRFToken');
    }
    return found;
  }
  return null;
}

/** The organization the request names, read from the raw URL: route schemas drop unknown query keys. */
function orgQuery(url: string): Record<string, string> | undefined {
  const q = url.indexOf('?');
  if (q < 0 || !url.includes('org', q)) return undefined;
  const params = new URLSearchParams(url.slice(q + 1));
  const out: Record<string, string> = {};
  for (const name of ['org', 'org_id']) {
    const v = params.get(name);
    if (v !== null) out[name] = v;
  }
  return out;
}

export function installAuth(app: App, auth: AuthService, orgs: OrgContext): void {
  app.decorateRequest('auth', null);
  app.addHook('preHandler', async (request) => {
    const isPublic = request.routeOptions.config?.public === true;
    try {
      request.auth = await resolve(request, auth);
    } catch (e) {
      // Bad credentials on a public route (e.g. logging in with a stale token header) are ignored.
      if (!isPublic) throw e;
    }
    if (!isPublic && !request.auth) throw new AppError('UNAUTHENTICATED', 'authentication credentials were not provided');
    if (request.auth) {
      const org = await orgs.resolve(request.auth, orgRefOf(request.headers['x-organization'], orgQuery(request.url)));
      // The authenticated caller is cached across requests; the scope belongs to this one only.
      if (org !== undefined) request.auth = { ...request.auth, org };
    }
  });
}

/** The caller of a private route (the hook guarantees it is set). */
export function authOf(request: FastifyRequest): Auth {
  if (!request.auth) throw new AppError('UNAUTHENTICATED', 'authentication credentials were not provided');
  return request.auth;
}
