/**
 * Single sign-on routes (an extension: CVAT has no such API) and the list of login methods the
 * web app shows. The OIDC callback ends like a password login from a browser: session and CSRF
 * cookies, then a redirect to the page the user came from.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../http/auth-hook.js';
import type { App } from '../http/types.js';
import type { AuditService } from '../services/audit.service.js';
import type { LdapLogin } from '../services/auth/ldap.js';
import type { OidcLogin } from '../services/auth/oidc.js';
import { OIDC_CALLBACK_PATH, SSO_LOGIN_TTL_MS } from '../services/auth/sso.js';
import { newTokenKey } from '../services/auth/tokens.js';

/** Binds a login to the browser that started it; lives as long as a pending login row. */
const STATE_COOKIE = 'framewise_oidc_state';
const STATE_COOKIE_PATH = '/api/auth/oidc';

const methodsSchema = z.object({
  password: z.boolean(),
  ldap: z.boolean(),
  oidc: z.object({ name: z.string(), login_url: z.string() }).nullable(),
});

export function registerSsoRoutes(app: App, sso: { ldap: LdapLogin | null; oidc: OidcLogin | null }, audit: AuditService): void {
  const { oidc } = sso;

  app.get(
    '/api/auth/methods',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Login methods this server offers (extension), so a login page can show a single sign-on button',
        response: { 200: methodsSchema },
      },
    },
    async () => ({
      password: true,
      ldap: sso.ldap !== null,
      oidc: oidc ? { name: oidc.config.displayName, login_url: '/api/auth/oidc/login' } : null,
    }),
  );

  const notConfigured = () => new AppError('NOT_FOUND', 'single sign-on is not configured on this server');

  app.get(
    '/api/auth/oidc/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Start OpenID Connect single sign-on (extension): redirects to the provider',
        querystring: z.object({ next: z.string().max(2048).optional() }),
      },
    },
    async (request, reply) => {
      if (!oidc) throw notConfigured();
      const { url, state } = await oidc.start(request.query.next, request.urls.base);
      reply.setCookie(STATE_COOKIE, state, {
        path: STATE_COOKIE_PATH,
        httpOnly: true,
        sameSite: 'lax',
        secure: request.protocol === 'https',
        maxAge: SSO_LOGIN_TTL_MS / 1000,
      });
      return reply.redirect(url, 302);
    },
  );

  app.get(
    OIDC_CALLBACK_PATH,
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Where the OpenID provider returns (extension): logs in and redirects to the page asked for',
      },
    },
    async (request, reply) => {
      if (!oidc) throw notConfigured();
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      reply.clearCookie(STATE_COOKIE, { path: STATE_COOKIE_PATH });
      const { key, next, user } = await oidc.finish(query, request.cookies[STATE_COOKIE]);
      await audit.record({ action: 'login', actor: user, user, address: request.ip, details: { method: 'oidc' } });
      const secure = request.protocol === 'https';
      reply.setCookie(SESSION_COOKIE, key, { path: '/', httpOnly: true, sameSite: 'lax', secure });
      reply.setCookie(CSRF_COOKIE, newTokenKey(), { path: '/', httpOnly: false, sameSite: 'lax', secure });
      return reply.redirect(next, 302);
    },
  );
}
