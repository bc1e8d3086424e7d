/**
 * Boot-time configuration, parsed once from the environment. Nothing else in the server reads
 * process.env: everything flows from the typed Config this module returns, so a bad setting is
 * reported at start-up (all of them at once) rather than at first use.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  FRAMEWISE_ROLE: z.enum(['api', 'worker', 'both']).default('both'),
  FRAMEWISE_DATA_DIR: z.string().default('./data'),
  FRAMEWISE_SHARE_DIR: z.string().optional(),
  FRAMEWISE_PUBLIC_URL: z.string().url().optional(),
  FRAMEWISE_WEB_DIR: z.string().optional(),
  FRAMEWISE_TRUST_PROXY: z
    .string()
    .optional()
    .refine((v) => v === undefined || trustProxyProblem(v) === null, { error: 'use true, false, a hop count, or addresses and CIDRs (loopback, linklocal, uniquelocal allowed)' }),
  FRAMEWISE_CORS_ORIGINS: z
    .string()
    .optional()
    .refine((v) => (v ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean).every(isOrigin), {
      error: 'use comma-separated origins such as https://tools.example.com (scheme, host and port only)',
    }),
  FRAMEWISE_ADMIN_USERNAME: z.string().min(1).default('admin'),
  FRAMEWISE_ADMIN_PASSWORD: z.string().optional(),
  FRAMEWISE_ADMIN_EMAIL: z.string().default(''),
  FRAMEWISE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FRAMEWISE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  FRAMEWISE_WORKER_LOST_AFTER_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
  FRAMEWISE_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(4 * 1024 ** 3),
  FRAMEWISE_MAX_UPLOAD_FILES: z.coerce.number().int().positive().default(200_000),
  FRAMEWISE_CACHE_MAX_BYTES: z.coerce.number().int().min(1024 * 1024).default(10 * 1024 ** 3),
  FRAMEWISE_VIDEO_CACHE_MAX_BYTES: z.coerce.number().int().min(1024 * 1024).default(20 * 1024 ** 3),
  DATABASE_URL: z.string().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  FRAMEWISE_STORAGE: z.enum(['local', 's3']).optional(),
  FRAMEWISE_S3_BUCKET: z.string().optional(),
  FRAMEWISE_S3_REGION: z.string().optional(),
  FRAMEWISE_S3_ENDPOINT: z.string().url().optional(),
  FRAMEWISE_S3_FORCE_PATH_STYLE: bool.default(false),
  FRAMEWISE_S3_PREFIX: z.string().default(''),
  // An empty value (FRAMEWISE_SECRET_KEY= in an env file) means unset, not a 0-character key.
  FRAMEWISE_SECRET_KEY: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(32, { error: 'must be at least 32 characters' }).optional()),
  FRAMEWISE_REMOTE_ALLOW_PRIVATE: z.string().default(''),
  FRAMEWISE_REMOTE_MAX_BYTES: z.coerce.number().int().positive().default(2 * 1024 ** 3),
  FRAMEWISE_REMOTE_TIMEOUT_SECONDS: z.coerce.number().positive().max(86_400).default(900),
  FRAMEWISE_LDAP_URL: z.string().regex(/^ldaps?:\/\//, { error: 'must start with ldap:// or ldaps://' }).optional(),
  FRAMEWISE_LDAP_BIND_DN: z.string().default(''),
  FRAMEWISE_LDAP_BIND_PASSWORD: z.string().default(''),
  FRAMEWISE_LDAP_SEARCH_BASE: z.string().default(''),
  FRAMEWISE_LDAP_USER_FILTER: z.string().default('(uid={username})'),
  FRAMEWISE_LDAP_USERNAME_ATTRIBUTE: z.string().min(1).default('uid'),
  FRAMEWISE_LDAP_GROUP_SEARCH_BASE: z.string().default(''),
  FRAMEWISE_LDAP_GROUP_FILTER: z.string().default('(|(member={dn})(uniqueMember={dn})(memberUid={username}))'),
  FRAMEWISE_LDAP_ADMIN_GROUPS: z.string().default(''),
  FRAMEWISE_LDAP_ORG_ROLES: z.string().default(''),
  FRAMEWISE_LDAP_STARTTLS: bool.default(false),
  FRAMEWISE_LDAP_CA_FILE: z.string().optional(),
  FRAMEWISE_LDAP_TIMEOUT_SECONDS: z.coerce.number().positive().max(300).default(10),
  FRAMEWISE_OIDC_ISSUER: z.string().url().optional(),
  FRAMEWISE_OIDC_CLIENT_ID: z.string().default(''),
  FRAMEWISE_OIDC_CLIENT_SECRET: z.string().default(''),
  FRAMEWISE_OIDC_REDIRECT_URL: z.string().url().optional(),
  FRAMEWISE_OIDC_SCOPES: z.string().default('openid profile email'),
  FRAMEWISE_OIDC_USERNAME_CLAIM: z.string().min(1).default('preferred_username'),
  FRAMEWISE_OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  FRAMEWISE_OIDC_ADMIN_GROUPS: z.string().default(''),
  FRAMEWISE_OIDC_ORG_ROLES: z.string().default(''),
  FRAMEWISE_OIDC_DISPLAY_NAME: z.string().min(1).default('Single sign-on'),
  FRAMEWISE_REGISTRATION: z.enum(['closed', 'open']).default('closed'),
  FRAMEWISE_INVITATION_TTL_DAYS: z.coerce.number().positive().max(3650).default(7),
  FRAMEWISE_SMTP_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  FRAMEWISE_SMTP_CA_FILE: z.string().optional(),
  FRAMEWISE_MAIL_FROM: z.string().default(''),
  FRAMEWISE_PASSWORD_RESET_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
  FRAMEWISE_LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
  FRAMEWISE_LOGIN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(50),
  FRAMEWISE_LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
});

export type StorageConfig =
  | { driver: 'local'; root: string }
  | {
      driver: 's3';
      bucket: string;
      region: string;
      endpoint?: string;
      forcePathStyle: boolean;
      prefix: string;
    };

export type DatabaseConfig =
  | { driver: 'pglite'; dataDir: string | null }
  | { driver: 'postgres'; url: string; poolSize: number };

export interface Config {
  port: number;
  host: string;
  role: 'api' | 'worker' | 'both';
  dataDir: string;
  shareDir: string;
  publicUrl: string | undefined;
  /** The built web app (index.html and assets/) served at `/`; by default apps/web/dist beside this package. */
  webDir: string;
  /**
   * Which peers' X-Forwarded-* headers are believed (client address, protocol, host): true, a hop
   * count, or addresses, CIDRs and proxy-addr's names (loopback, linklocal, uniquelocal).
   */
  trustProxy: boolean | number | string[];
  /** Origins allowed to call the API from a browser on another origin; none by default. */
  corsOrigins: string[];
  admin: { username: string; password: string | undefined; email: string };
  logLevel: string;
  workerConcurrency: number;
  /** A worker instance silent this long is presumed dead and its running work is queued again. */
  workerLostAfterSeconds: number;
  upload: { maxBytes: number; maxFiles: number };
  /** Cap on derived data (compressed frames, chunks, previews) in the blob store. */
  cacheMaxBytes: number;
  /** Cap on this instance's local copies of videos kept in a bucket or a remote blob store. */
  videoCacheMaxBytes: number;
  database: DatabaseConfig;
  storage: StorageConfig;
  /**
   * Encrypts secrets at rest (cloud storage credentials). Unset: the embedded setup keeps a generated
   * key in <dataDir>/secret.key; a PostgreSQL deployment must set it, the same on every instance.
   */
  secretKey: string | undefined;
  /**
   * Fetching files from URLs clients name. `allow` lists CIDRs, addresses or host names that may
   * be reached although private/loopback/link-local (default none: no SSRF into the network the
   * server sits in); `timeoutMs` bounds one whole transfer.
   */
  remote: { allow: string[]; maxBytes: number; timeoutMs: number };
  /** Whether anyone may create an account with POST /api/auth/register (default: only admins create users). */
  registration: 'closed' | 'open';
  /** Days an organization invitation stays valid after it was (re)sent. */
  invitationTtlDays: number;
  /** Outgoing mail (password reset, invitations); null when FRAMEWISE_SMTP_URL is unset. */
  mail: MailConfig | null;
  /** Hours a password reset link stays valid. */
  passwordResetTtlHours: number;
  /** Failed logins allowed per account and per client address within one window before 429. */
  loginThrottle: { perAccount: number; perAddress: number; windowSeconds: number };
  /** Directory login; null when FRAMEWISE_LDAP_URL is unset. */
  ldap: LdapConfig | null;
  /** OpenID Connect single sign-on; null when FRAMEWISE_OIDC_ISSUER is unset. */
  oidc: OidcConfig | null;
}

/**
 * What membership of a directory or identity-provider group grants: the global admin role, or a
 * role in an organization (named by slug). Owner is never granted: an organization has one
 * owner, its creator.
 */
export interface GroupRule {
  group: string;
  grant: { kind: 'superuser' } | { kind: 'org-role'; org: string; role: GrantableOrgRole };
}

export const GRANTABLE_ORG_ROLES = ['maintainer', 'supervisor', 'worker'] as const;
export type GrantableOrgRole = (typeof GRANTABLE_ORG_ROLES)[number];

export interface LdapConfig {
  url: string;
  /** Service account that searches for users; empty for an anonymous search. */
  bindDn: string;
  bindPassword: string;
  searchBase: string;
  /** `{username}` is replaced by the login name, escaped per RFC 4515. */
  userFilter: string;
  usernameAttribute: string;
  groupSearchBase: string;
  /** `{dn}` and `{username}` are replaced, escaped per RFC 4515. */
  groupFilter: string;
  groupRules: GroupRule[];
  startTls: boolean;
  /** PEM of the CA that signed the directory's certificate (ldaps:// or StartTLS), when not a public one. */
  ca: string | undefined;
  timeoutMs: number;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** Empty for a public client (PKCE only). */
  clientSecret: string;
  /** Unset: <public URL or request origin>/api/auth/oidc/callback. */
  redirectUrl: string | undefined;
  scopes: string;
  usernameClaim: string;
  groupsClaim: string;
  groupRules: GroupRule[];
  displayName: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const dataDir = path.resolve(e.FRAMEWISE_DATA_DIR);

  const database: DatabaseConfig = e.DATABASE_URL
    ? { driver: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
    : { driver: 'pglite', dataDir: path.join(dataDir, 'db') };

  const storageDriver = e.FRAMEWISE_STORAGE ?? (e.FRAMEWISE_S3_BUCKET ? 's3' : 'local');
  let storage: StorageConfig;
  if (storageDriver === 's3') {
    if (!e.FRAMEWISE_S3_BUCKET) problems.push('FRAMEWISE_S3_BUCKET: required when FRAMEWISE_STORAGE=s3');
    storage = {
      driver: 's3',
      bucket: e.FRAMEWISE_S3_BUCKET ?? '',
      // The SDK needs a region even for S3-compatible servers that ignore it.
      region: e.FRAMEWISE_S3_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      ...(e.FRAMEWISE_S3_ENDPOINT ? { endpoint: e.FRAMEWISE_S3_ENDPOINT } : {}),
      forcePathStyle: e.FRAMEWISE_S3_FORCE_PATH_STYLE,
      prefix: e.FRAMEWISE_S3_PREFIX.replace(/^\/+|\/+$/g, ''),
    };
  } else {
    storage = { driver: 'local', root: path.join(dataDir, 'blobs') };
  }
  const remoteAllow = e.FRAMEWISE_REMOTE_ALLOW_PRIVATE.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of remoteAllow) {
    if (!isAllowEntry(entry)) problems.push(`FRAMEWISE_REMOTE_ALLOW_PRIVATE: "${entry}" is not an address, a CIDR or a host name`);
  }
  if (database.driver === 'pglite' && e.FRAMEWISE_ROLE !== 'both') {
    problems.push('FRAMEWISE_ROLE: the embedded database (no DATABASE_URL) runs in one process; use "both"');
  }
  const { ldap, oidc } = ssoConfig(e, problems);
  const mail = mailConfig(e, problems);
  if (problems.length) throw new ConfigError(problems);

  return {
    port: e.PORT,
    host: e.HOST,
    role: e.FRAMEWISE_ROLE,
    dataDir,
    shareDir: path.resolve(e.FRAMEWISE_SHARE_DIR ?? path.join(dataDir, 'share')),
    publicUrl: e.FRAMEWISE_PUBLIC_URL?.replace(/\/+$/, ''),
    webDir: path.resolve(e.FRAMEWISE_WEB_DIR ?? fileURLToPath(new URL('../../../web/dist', import.meta.url))),
    trustProxy: parseTrustProxy(e.FRAMEWISE_TRUST_PROXY),
    corsOrigins: (e.FRAMEWISE_CORS_ORIGINS ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean),
    admin: { username: e.FRAMEWISE_ADMIN_USERNAME, password: e.FRAMEWISE_ADMIN_PASSWORD, email: e.FRAMEWISE_ADMIN_EMAIL },
    logLevel: e.FRAMEWISE_LOG_LEVEL,
    workerConcurrency: e.FRAMEWISE_WORKER_CONCURRENCY,
    workerLostAfterSeconds: e.FRAMEWISE_WORKER_LOST_AFTER_SECONDS,
    upload: { maxBytes: e.FRAMEWISE_MAX_UPLOAD_BYTES, maxFiles: e.FRAMEWISE_MAX_UPLOAD_FILES },
    cacheMaxBytes: e.FRAMEWISE_CACHE_MAX_BYTES,
    videoCacheMaxBytes: e.FRAMEWISE_VIDEO_CACHE_MAX_BYTES,
    database,
    storage,
    secretKey: e.FRAMEWISE_SECRET_KEY,
    remote: {
      allow: remoteAllow,
      maxBytes: e.FRAMEWISE_REMOTE_MAX_BYTES,
      timeoutMs: Math.round(e.FRAMEWISE_REMOTE_TIMEOUT_SECONDS * 1000),
    },
    registration: e.FRAMEWISE_REGISTRATION,
    invitationTtlDays: e.FRAMEWISE_INVITATION_TTL_DAYS,
    mail,
    passwordResetTtlHours: e.FRAMEWISE_PASSWORD_RESET_TTL_HOURS,
    loginThrottle: {
      perAccount: e.FRAMEWISE_LOGIN_FAILURES_PER_ACCOUNT,
      perAddress: e.FRAMEWISE_LOGIN_FAILURES_PER_ADDRESS,
      windowSeconds: e.FRAMEWISE_LOGIN_FAILURE_WINDOW_SECONDS,
    },
    ldap,
    oidc,
  };
}

/** Checked here so a typo in the allow list stops the boot instead of silently allowing nothing. */
function isAllowEntry(entry: string): boolean {
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const family = net.isIP(entry.slice(0, slash));
    const prefix = entry.slice(slash + 1);
    return family !== 0 && /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  }
  return net.isIP(entry) !== 0 || /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i.test(entry);
}

/** Group DNs contain commas, so lists of groups are separated by semicolons (OIDC also takes commas). */
function superuserRules(list: string, separators: RegExp): GroupRule[] {
  return list
    .split(separators)
    .map((g) => g.trim())
    .filter(Boolean)
    .map((group) => ({ group, grant: { kind: 'superuser' as const } }));
}

/**
 * `<group> => <org slug>:<role>` rules separated by semicolons. The arrow is the last "=>" of an
 * entry, because group DNs contain "=" and commas; slugs are checked as the API checks them.
 */
function orgRoleRules(variable: string, list: string, problems: string[]): GroupRule[] {
  const rules: GroupRule[] = [];
  for (const entry of list.split(';').map((r) => r.trim()).filter(Boolean)) {
    const arrow = entry.lastIndexOf('=>');
    const group = arrow < 0 ? '' : entry.slice(0, arrow).trim();
    const target = arrow < 0 ? '' : entry.slice(arrow + 2).trim();
    const colon = target.indexOf(':');
    const org = colon < 0 ? target : target.slice(0, colon).trim();
    const role = colon < 0 ? '' : target.slice(colon + 1).trim().toLowerCase();
    const bad = (why: string) => problems.push(`${variable}: "${entry}" ${why}`);
    if (arrow < 0) bad('has no "=>"; write <group> => <organization slug>:<role>');
    else if (!group) bad('names no group before "=>"');
    else if (!/^[-a-zA-Z0-9_]{1,16}$/.test(org)) bad(`names "${org}", not an organization slug (1-16 letters, digits, "-" and "_")`);
    else if (colon < 0) bad(`has no role after "${org}"; write ${org}:worker, :supervisor or :maintainer`);
    else if (role === 'owner') bad('grants owner, which no group can: an organization has one owner, its creator');
    else if (!(GRANTABLE_ORG_ROLES as readonly string[]).includes(role)) bad(`has role "${role}"; use maintainer, supervisor or worker`);
    else rules.push({ group, grant: { kind: 'org-role', org, role: role as GrantableOrgRole } });
  }
  return rules;
}

function ssoConfig(e: z.infer<typeof envSchema>, problems: string[]): { ldap: LdapConfig | null; oidc: OidcConfig | null } {
  let ldap: LdapConfig | null = null;
  if (e.FRAMEWISE_LDAP_URL) {
    if (!e.FRAMEWISE_LDAP_SEARCH_BASE) problems.push('FRAMEWISE_LDAP_SEARCH_BASE: required when FRAMEWISE_LDAP_URL is set');
    if (!e.FRAMEWISE_LDAP_USER_FILTER.includes('{username}')) problems.push('FRAMEWISE_LDAP_USER_FILTER: must contain {username}');
    let ca: string | undefined;
    if (e.FRAMEWISE_LDAP_CA_FILE) {
      try {
        ca = readFileSync(e.FRAMEWISE_LDAP_CA_FILE, 'utf8');
      } catch (err) {
        problems.push(`FRAMEWISE_LDAP_CA_FILE: cannot read ${e.FRAMEWISE_LDAP_CA_FILE} (${(err as Error).message})`);
      }
    }
    ldap = {
      url: e.FRAMEWISE_LDAP_URL,
      bindDn: e.FRAMEWISE_LDAP_BIND_DN,
      bindPassword: e.FRAMEWISE_LDAP_BIND_PASSWORD,
      searchBase: e.FRAMEWISE_LDAP_SEARCH_BASE,
      userFilter: e.FRAMEWISE_LDAP_USER_FILTER,
      usernameAttribute: e.FRAMEWISE_LDAP_USERNAME_ATTRIBUTE,
      groupSearchBase: e.FRAMEWISE_LDAP_GROUP_SEARCH_BASE || e.FRAMEWISE_LDAP_SEARCH_BASE,
      groupFilter: e.FRAMEWISE_LDAP_GROUP_FILTER,
      groupRules: [
        ...superuserRules(e.FRAMEWISE_LDAP_ADMIN_GROUPS, /;/),
        ...orgRoleRules('FRAMEWISE_LDAP_ORG_ROLES', e.FRAMEWISE_LDAP_ORG_ROLES, problems),
      ],
      startTls: e.FRAMEWISE_LDAP_STARTTLS,
      ca,
      timeoutMs: Math.round(e.FRAMEWISE_LDAP_TIMEOUT_SECONDS * 1000),
    };
  }
  let oidc: OidcConfig | null = null;
  if (e.FRAMEWISE_OIDC_ISSUER) {
    if (!e.FRAMEWISE_OIDC_CLIENT_ID) problems.push('FRAMEWISE_OIDC_CLIENT_ID: required when FRAMEWISE_OIDC_ISSUER is set');
    if (!e.FRAMEWISE_OIDC_SCOPES.split(/\s+/).includes('openid')) problems.push('FRAMEWISE_OIDC_SCOPES: must include openid');
    oidc = {
      issuer: e.FRAMEWISE_OIDC_ISSUER,
      clientId: e.FRAMEWISE_OIDC_CLIENT_ID,
      clientSecret: e.FRAMEWISE_OIDC_CLIENT_SECRET,
      redirectUrl: e.FRAMEWISE_OIDC_REDIRECT_URL,
      scopes: e.FRAMEWISE_OIDC_SCOPES,
      usernameClaim: e.FRAMEWISE_OIDC_USERNAME_CLAIM,
      groupsClaim: e.FRAMEWISE_OIDC_GROUPS_CLAIM,
      groupRules: [
        ...superuserRules(e.FRAMEWISE_OIDC_ADMIN_GROUPS, /[;,]/),
        ...orgRoleRules('FRAMEWISE_OIDC_ORG_ROLES', e.FRAMEWISE_OIDC_ORG_ROLES, problems),
      ],
      displayName: e.FRAMEWISE_OIDC_DISPLAY_NAME,
    };
  }
  return { ldap, oidc };
}

/**
 * Trusting every peer's X-Forwarded-For lets any client choose the address it is counted under
 * (login throttling, audit). The default believes proxies on loopback and private networks, where
 * load balancers sit, and not clients reaching the server directly.
 */
function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  const v = (value ?? 'loopback,linklocal,uniquelocal').trim();
  if (v === 'true') return true;
  if (v === 'false' || v === '') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',').map((x) => x.trim()).filter(Boolean);
}

const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** What is wrong with a FRAMEWISE_TRUST_PROXY value, or null: caught here, not as a crash in the HTTP layer. */
function trustProxyProblem(value: string): string | null {
  const v = value.trim();
  if (v === 'true' || v === 'false' || v === '' || /^\d+$/.test(v)) return null;
  for (const entry of v.split(',').map((x) => x.trim()).filter(Boolean)) {
    if (PROXY_RANGES.has(entry)) continue;
    const [address = '', bits, extra] = entry.split('/');
    const family = net.isIP(address);
    const max = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))) return entry;
  }
  return null;
}

function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

export interface MailConfig {
  host: string;
  port: number;
  /** smtps:// (TLS from the first byte); smtp:// upgrades with STARTTLS when the server offers it. */
  secure: boolean;
  user: string;
  password: string;
  /** The From header, `Name <address>` or a bare address. */
  from: string;
  /** PEM of the CA that signed the mail server's certificate, when not a public one. */
  ca: string | undefined;
}

const MAIL_FROM = /^(?:[^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/;

/**
 * Mail needs FRAMEWISE_PUBLIC_URL: links in mails must not come from a request's Host header,
 * which a client chooses (a reset link pointing at an attacker's host would hand them the token).
 * Reset links are signed with the server secret, which PostgreSQL deployments must set.
 */
function mailConfig(e: z.infer<typeof envSchema>, problems: string[]): MailConfig | null {
  if (!e.FRAMEWISE_SMTP_URL) return null;
  let url: URL | null = null;
  try {
    url = new URL(e.FRAMEWISE_SMTP_URL);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname || (url.pathname !== '' && url.pathname !== '/')) {
    problems.push('FRAMEWISE_SMTP_URL: use smtp://[user:password@]host[:port] or smtps://[user:password@]host[:port]');
    return null;
  }
  if (!MAIL_FROM.test(e.FRAMEWISE_MAIL_FROM.trim())) {
    problems.push('FRAMEWISE_MAIL_FROM: required when FRAMEWISE_SMTP_URL is set: an address, or Name <address>');
  }
  if (!e.FRAMEWISE_PUBLIC_URL) problems.push('FRAMEWISE_PUBLIC_URL: required when FRAMEWISE_SMTP_URL is set (links in mails point there)');
  if (e.DATABASE_URL && !e.FRAMEWISE_SECRET_KEY) {
    problems.push('FRAMEWISE_SECRET_KEY: required when FRAMEWISE_SMTP_URL and DATABASE_URL are set (it signs password reset links)');
  }
  let ca: string | undefined;
  if (e.FRAMEWISE_SMTP_CA_FILE) {
    try {
      ca = readFileSync(e.FRAMEWISE_SMTP_CA_FILE, 'utf8');
    } catch (err) {
      problems.push(`FRAMEWISE_SMTP_CA_FILE: cannot read ${e.FRAMEWISE_SMTP_CA_FILE} (${(err as Error).message})`);
    }
  }
  const secure = url.protocol === 'smtps:';
  let user = '';
  let password = '';
  try {
    user = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    problems.push('FRAMEWISE_SMTP_URL: the user or password is not valid percent-encoding');
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    user,
    password,
    from: e.FRAMEWISE_MAIL_FROM.trim(),
    ca,
  };
}
