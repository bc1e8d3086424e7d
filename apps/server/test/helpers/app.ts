/**
 * A real Framewise server for API tests: real database (PGlite or PostgreSQL, per the vitest
 * project), real blob store, listening on a random loopback port and called over HTTP with fetch,
 * exactly as a client would.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { createContext, startWorkers, type AppContext } from '../../src/context.js';
import type { BlobStore } from '../../src/repositories/storage/blob-store.js';
import type { App } from '../../src/http/types.js';
import { createTestDatabase } from './database.js';

export interface TestServer {
  url: string;
  ctx: AppContext;
  app: App;
  config: Config;
  dataDir: string;
  shareDir: string;
  /** A client logged in as the administrator. */
  admin: ApiClient;
  client(token?: string): ApiClient;
  /** Creates a user (not an admin unless asked) and returns a client logged in as them. */
  user(username: string, options?: { superuser?: boolean; password?: string }): Promise<ApiClient & { id: number }>;
  close(): Promise<void>;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  raw: Buffer;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
    /** Sent with every request, e.g. X-Organization. */
    readonly defaultHeaders: Record<string, string> = {},
  ) {}

  /** The same caller working in an organization (its slug; '' for the personal workspace). */
  inOrg(slug: string): ApiClient {
    return new ApiClient(this.baseUrl, this.token, { ...this.defaultHeaders, 'x-organization': slug });
  }

  async request<T = any>(method: string, pathname: string, init: { json?: unknown; body?: RequestInit["body"]; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...this.defaultHeaders, ...(init.headers ?? {}) };
    if (this.token) headers.authorization = `Token ${this.token}`;
    let body = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const res = await fetch(new URL(pathname, this.baseUrl), { method, headers, ...(body !== undefined ? { body } : {}) });
    const raw = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    const parsed = type.includes('json') && raw.length ? JSON.parse(raw.toString('utf8')) : raw;
    return { status: res.status, headers: res.headers, body: parsed as T, raw };
  }

  get<T = any>(p: string, headers?: Record<string, string>) {
    return this.request<T>('GET', p, headers ? { headers } : {});
  }
  post<T = any>(p: string, json?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', p, { ...(json !== undefined ? { json } : {}), ...(headers ? { headers } : {}) });
  }
  patch<T = any>(p: string, json: unknown) {
    return this.request<T>('PATCH', p, { json });
  }
  put<T = any>(p: string, json: unknown) {
    return this.request<T>('PUT', p, { json });
  }
  delete<T = any>(p: string) {
    return this.request<T>('DELETE', p);
  }
  form<T = any>(method: string, p: string, form: FormData, headers?: Record<string, string>) {
    return this.request<T>(method, p, { body: form, ...(headers ? { headers } : {}) });
  }
}

export interface TestServerOptions {
  blobs?: BlobStore;
  env?: Record<string, string>;
  workers?: boolean;
  /** Where the server logs (tests that check what is logged); silent by default. */
  log?: Logger;
}

export const ADMIN_PASSWORD = 'admin-password-1';

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'fw-test-'));
  const shareDir = path.join(dataDir, 'share');
  await fs.mkdir(shareDir, { recursive: true });
  const database = await createTestDatabase();
  const config: Config = {
    ...loadConfig({
      FRAMEWISE_DATA_DIR: dataDir,
      FRAMEWISE_SHARE_DIR: shareDir,
      FRAMEWISE_LOG_LEVEL: 'silent',
      PORT: '0',
      HOST: '127.0.0.1',
      ...(options.env ?? {}),
    }),
    database: database.config,
  };
  const log = options.log ?? pino({ level: process.env.FRAMEWISE_TEST_LOG ?? 'silent' });
  const ctx = await createContext(config, { log, ...(options.blobs ? { blobs: options.blobs } : {}) });
  await ctx.services.users.create({ username: 'admin', password: ADMIN_PASSWORD, superuser: true });
  const app = await buildApp(ctx);
  if (options.workers !== false) await startWorkers(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const url = `http://127.0.0.1:${address.port}`;

  const login = async (username: string, password: string) => {
    const res = await new ApiClient(url).post<{ key: string }>('/api/auth/login', { username, password });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.key;
  };
  const admin = new ApiClient(url, await login('admin', ADMIN_PASSWORD));

  return {
    url,
    ctx,
    app,
    config,
    dataDir,
    shareDir,
    admin,
    client: (token) => new ApiClient(url, token),
    async user(username, opts = {}) {
      const password = opts.password ?? `${username}-password`;
      const row = await ctx.services.users.create({ username, password, superuser: opts.superuser ?? false });
      const client = new ApiClient(url, await login(username, password)) as ApiClient & { id: number };
      client.id = row.id;
      return client;
    },
    async close() {
      await app.close();
      await ctx.close();
      await database.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
