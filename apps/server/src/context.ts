/**
 * The composition root: builds repositories and services from the config, once. Each service
 * names what it uses in its constructor; nothing reaches for a global.
 */
import pino, { type Logger } from 'pino';
import type { Config } from './config/env.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { JobQueue } from './jobs/queue.js';
import { ShareRepository } from './repositories/share.repository.js';
import type { BlobStore } from './repositories/storage/blob-store.js';
import { createBlobStore } from './repositories/storage/index.js';
import { TokenRepository } from './repositories/token.repository.js';
import { UserRepository } from './repositories/user.repository.js';
import { AuthService } from './services/auth/auth.service.js';
import { ServerService } from './services/server.service.js';
import { UserService } from './services/user.service.js';

export interface Repositories {
  users: UserRepository;
  tokens: TokenRepository;
  share: ShareRepository;
  blobs: BlobStore;
}

export interface Services {
  auth: AuthService;
  users: UserService;
  server: ServerService;
}

export interface AppContext {
  config: Config;
  log: Logger;
  database: Database;
  queue: JobQueue;
  repos: Repositories;
  services: Services;
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Override the blob store (tests inject a driver pointed at a test server). */
  blobs?: BlobStore;
  log?: Logger;
}

export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const log = options.log ?? pino({ level: config.logLevel });
  const database = await openDatabase(config.database);
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length) log.info({ applied }, 'database migrated');
    const queue = await JobQueue.start(database, log);
    const db = database.db;
    const repos: Repositories = {
      users: new UserRepository(db),
      tokens: new TokenRepository(db),
      share: new ShareRepository(config.shareDir),
      blobs: options.blobs ?? createBlobStore(config.storage),
    };
    const services: Services = {
      auth: new AuthService(repos.users, repos.tokens),
      users: new UserService(repos.users),
      server: new ServerService(db, repos.blobs, repos.share),
    };
    return {
      config,
      log,
      database,
      queue,
      repos,
      services,
      async close() {
        await queue.stop();
        await database.close();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}

/** Starts consuming background jobs in this process (roles worker and both). */
export async function startWorkers(ctx: AppContext): Promise<void> {
  await ctx.queue.work({}, ctx.config.workerConcurrency);
}
