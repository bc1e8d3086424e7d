/**
 * CVAT's password reset endpoints (dj-rest-auth's): both public, both answer RestAuthDetail.
 * See services/auth/password-reset.service.ts for the tokens and what is mailed.
 */
import { z } from 'zod';
import { detailSchema } from '../dtos/auth.dto.js';
import type { App } from '../http/types.js';
import type { PasswordResetService } from '../services/auth/password-reset.service.js';

/** CVAT's PasswordResetSerializerExRequest. */
const resetBody = z.object({ email: z.email().max(254) });

/** CVAT's PasswordResetConfirmRequest. */
const confirmBody = z.object({
  new_password1: z.string().min(8).max(256),
  new_password2: z.string().min(8).max(256),
  uid: z.string().min(1).max(64),
  token: z.string().min(1).max(128),
});

export function registerPasswordResetRoutes(app: App, resets: PasswordResetService): void {
  app.post(
    '/api/auth/password/reset',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Mail a password reset link to the account with this email address',
        description:
          'Answers the same whether or not an account has the address. Only active accounts with a local password get a mail ' +
          '(not LDAP or single sign-on ones). Requests are limited per address and per client (429 with Retry-After). ' +
          'A server without mail (FRAMEWISE_SMTP_URL unset) answers 503 UNAVAILABLE.',
        body: resetBody,
        response: { 200: detailSchema },
      },
    },
    async (request, reply) => {
      await resets.request(request.body.email, request.ip);
      return { detail: 'Password reset e-mail has been sent.' };
    },
  );

  app.post(
    '/api/auth/password/reset/confirm',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with the uid and token of a reset mail; ends the account\'s sessions and login tokens',
        description: 'A token works once, until the password changes or the account logs in, and for FRAMEWISE_PASSWORD_RESET_TTL_HOURS; otherwise 400 naming `token`.',
        body: confirmBody,
        response: { 200: detailSchema },
      },
    },
    async (request) => {
      await resets.confirm(request.body, request.ip);
      return { detail: 'Password has been reset with the new password.' };
    },
  );
}
