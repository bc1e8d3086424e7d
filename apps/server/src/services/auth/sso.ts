/**
 * What the single sign-on routes need whether or not SSO is configured. Kept apart from oidc.ts
 * and ldap.ts so that a server without SSO never loads openid-client or ldapts (context.ts
 * imports those only when configured: about 15 MB of idle memory).
 */
export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';
/** How long a user has at the provider's login page before the login must be started again. */
export const SSO_LOGIN_TTL_MS = 10 * 60 * 1000;
