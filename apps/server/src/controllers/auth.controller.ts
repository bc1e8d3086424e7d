import { z } from 'zod';
import { CSRF_COOKIE, SESSION_COOKIE, authOf } from '../http/auth-hook.js';
import type { App } from '../http/types.js';
import { newTokenKey } from '../services/auth/tokens.js';
import type { AuthService } from '../services/auth/auth.service.js';

const loginBody = z.object({
  username: z.string().optional(),
  email: z.string().optional(),
  password: z.string().min(1),
});

export function registerAuthRoutes(app: App, auth: AuthService): void {
  app.post(
    '/api/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Log in with a username (or email) and password; returns a token key',
        body: loginBody,
        response: { 200: z.object({ key: z.string() }) },
      },
    },
    async (request, reply) => {
      const { key } = await auth.login(request.body);
      // Browser clients authenticate by cookie; the CSRF cookie is read by script and echoed.
      const secure = request.protocol === 'https';
      reply.setCookie(SESSION_COOKIE, key, { path: '/', httpOnly: true, sameSite: 'lax', secure });
      reply.setCookie(CSRF_COOKIE, newTokenKey(), { path: '/', httpOnly: false, sameSite: 'lax', secure });
      return { key };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { public: true },
      schema: { tags: ['auth'], summary: 'End the session or revoke the token used', response: { 200: z.object({ detail: z.string() }) } },
    },
    async (request, reply) => {
      if (request.auth) await auth.logout(request.auth);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.clearCookie(CSRF_COOKIE, { path: '/' });
      return { detail: 'Successfully logged out.' };
    },
  );

  // Used by clients to check that credentials still work without touching any resource.
  app.get('/api/auth/whoami', { schema: { hide: true } }, async (request) => ({ username: authOf(request).user.username }));
}
