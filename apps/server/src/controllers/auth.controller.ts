import { z } from 'zod';
import { detailSchema, passwordChangeBody, registerBody, registerResponse } from '../dtos/auth.dto.js';
import { CSRF_COOKIE, SESSION_COOKIE, authOf } from '../http/auth-hook.js';
import type { App } from '../http/types.js';
import type { AccountService } from '../services/account.service.js';
import { newTokenKey } from '../services/auth/tokens.js';
import type { AuthService } from '../services/auth/auth.service.js';

const loginBody = z.object({
  username: z.string().optional(),
  email: z.string().optional(),
  password: z.string().min(1),
});

export function registerAuthRoutes(app: App, auth: AuthService, accounts: AccountService): void {
  app.post(
    '/api/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Log in with a username (or email) and password; returns a token key',
        description: 'Failed attempts are limited per account and per client address: past the limit the answer is 429 TOO_MANY_REQUESTS with Retry-After.',
        body: loginBody,
        response: { 200: z.object({ key: z.string() }) },
      },
    },
    async (request, reply) => {
      const { key } = await auth.login(request.body, request.ip);
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

  app.post(
    '/api/auth/register',
    {
      config: { public: true },
      // Closed servers answer 403 whatever the body, rather than a 400 that invites a retry; only
      // someone holding an invitation (the body names its key) gets further.
      preValidation: async (request) => {
        const invitation = (request.body as { invitation?: unknown } | null | undefined)?.invitation;
        if (invitation === undefined || invitation === null) accounts.checkRegistrationOpen();
      },
      schema: {
        tags: ['auth'],
        summary: 'Create an account (only where FRAMEWISE_REGISTRATION=open, or with an organization invitation; otherwise 403 REGISTRATION_CLOSED)',
        body: registerBody,
        response: { 201: registerResponse },
      },
    },
    async (request, reply) => {
      const user = await accounts.register(request.body, request.ip);
      reply.status(201);
      return {
        username: user.username,
        email: user.email,
        first_name: user.first_name,
        last_name: user.last_name,
        email_verification_required: false,
        key: null,
      };
    },
  );

  app.post(
    '/api/auth/password/change',
    {
      schema: {
        tags: ['auth'],
        summary: "Change the caller's password; ends their other sessions and login tokens (access tokens stay)",
        body: passwordChangeBody,
        response: { 200: detailSchema },
      },
    },
    async (request, reply) => {
      await accounts.changePassword(authOf(request), request.body, request.ip);
      return { detail: 'New password has been saved.' };
    },
  );

  // Used by clients to check that credentials still work without touching any resource.
  app.get('/api/auth/whoami', { schema: { hide: true } }, async (request) => ({ username: authOf(request).user.username }));
}
