/**
 * Boot-time configuration, parsed once from the environment. Nothing else in the server reads
 * process.env: everything flows from the typed Config this module returns, so a bad setting is
 * reported at start-up (all of them at once) rather than at first use.
 */
import path from 'node:path';
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
  FRAMEWISE_ADMIN_USERNAME: z.string().min(1).default('admin'),
  FRAMEWISE_ADMIN_PASSWORD: z.string().optional(),
  FRAMEWISE_ADMIN_EMAIL: z.string().default(''),
  FRAMEWISE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FRAMEWISE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  FRAMEWISE_WORKER_LOST_AFTER_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
  FRAMEWISE_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(4 * 1024 ** 3),
  FRAMEWISE_MAX_UPLOAD_FILES: z.coerce.number().int().positive().default(200_000),
  DATABASE_URL: z.string().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  FRAMEWISE_STORAGE: z.enum(['local', 's3']).optional(),
  FRAMEWISE_S3_BUCKET: z.string().optional(),
  FRAMEWISE_S3_REGION: z.string().optional(),
  FRAMEWISE_S3_ENDPOINT: z.string().url().optional(),
  FRAMEWISE_S3_FORCE_PATH_STYLE: bool.default(false),
  FRAMEWISE_S3_PREFIX: z.string().default(''),
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
  admin: { username: string; password: string | undefined; email: string };
  logLevel: string;
  workerConcurrency: number;
  /** A worker instance silent this long is presumed dead and its running work is queued again. */
  workerLostAfterSeconds: number;
  upload: { maxBytes: number; maxFiles: number };
  database: DatabaseConfig;
  storage: StorageConfig;
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
  if (database.driver === 'pglite' && e.FRAMEWISE_ROLE !== 'both') {
    problems.push('FRAMEWISE_ROLE: the embedded database (no DATABASE_URL) runs in one process; use "both"');
  }
  if (problems.length) throw new ConfigError(problems);

  return {
    port: e.PORT,
    host: e.HOST,
    role: e.FRAMEWISE_ROLE,
    dataDir,
    shareDir: path.resolve(e.FRAMEWISE_SHARE_DIR ?? path.join(dataDir, 'share')),
    publicUrl: e.FRAMEWISE_PUBLIC_URL?.replace(/\/+$/, ''),
    admin: { username: e.FRAMEWISE_ADMIN_USERNAME, password: e.FRAMEWISE_ADMIN_PASSWORD, email: e.FRAMEWISE_ADMIN_EMAIL },
    logLevel: e.FRAMEWISE_LOG_LEVEL,
    workerConcurrency: e.FRAMEWISE_WORKER_CONCURRENCY,
    workerLostAfterSeconds: e.FRAMEWISE_WORKER_LOST_AFTER_SECONDS,
    upload: { maxBytes: e.FRAMEWISE_MAX_UPLOAD_BYTES, maxFiles: e.FRAMEWISE_MAX_UPLOAD_FILES },
    database,
    storage,
  };
}
