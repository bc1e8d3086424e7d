import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
/**
 * Cloud storages: their rows, and the buckets they name (S3 or S3-compatible, reached with the
 * storage's own credentials, anonymously, or with the server's default credential chain).
 *
 * Rows hold credentials only as ciphertext; the service seals and opens them (secret-box.ts), and
 * hands the plaintext to `BucketClients.open` only for the life of a client. Nothing here logs a
 * connection or its credentials.
 */
import {
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { sql, type Expression, type Insertable, type SqlBool, type Transaction, type Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import type { CloudStorageRow, CloudStoragesTable, DB } from '../db/schema.js';
import type { Scoped } from './label.repository.js';
import { listPage, type ListPage, type ListSpec } from '../http/list-query.js';
import type { PersonRef } from './project.repository.js';

export const PROVIDER_TYPES = ['AWS_S3_BUCKET', 'AZURE_CONTAINER', 'GOOGLE_CLOUD_STORAGE'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/**
 * CVAT's five, plus DEFAULT_CREDENTIAL_CHAIN: Framewise's name for "use the server's own
 * credentials" (environment, shared config, SSO, instance or task role), which CVAT does not have.
 */
export const CREDENTIALS_TYPES = [
  'KEY_SECRET_KEY_PAIR',
  'ACCOUNT_NAME_TOKEN_PAIR',
  'KEY_FILE_PATH',
  'ANONYMOUS_ACCESS',
  'CONNECTION_STRING',
  'DEFAULT_CREDENTIAL_CHAIN',
] as const;
export type CredentialsType = (typeof CREDENTIALS_TYPES)[number];

export interface CloudStorageDetails extends CloudStorageRow {
  owner: PersonRef | null;
}

// CVAT's CloudStorageViewSet: search over name (display_name), resource, owner and description;
// exact parameters for provider_type, name, resource, credentials_type and owner (by username);
// sort and JSON-logic filter over all of these plus id.
const CLOUD_STORAGE_FIELDS: ListSpec = {
  id: { expr: 'cloud_storages.id', kind: 'number' },
  provider_type: { expr: 'cloud_storages.provider_type', kind: 'string', param: 'exact', choices: PROVIDER_TYPES },
  name: { expr: 'cloud_storages.display_name', kind: 'string', search: true, param: 'exact' },
  resource: { expr: 'cloud_storages.resource', kind: 'string', search: true, param: 'exact' },
  credentials_type: { expr: 'cloud_storages.credentials_type', kind: 'string', param: 'exact', choices: CREDENTIALS_TYPES },
  owner: { expr: 'owner.username', kind: 'string', search: true, param: 'exact' },
  description: { expr: 'cloud_storages.description', kind: 'string', search: true },
};

export class CloudStorageRepository {
  constructor(private readonly db: Db | Transaction<DB>) {}

  on(db: Db | Transaction<DB>): CloudStorageRepository {
    return db === this.db ? this : new CloudStorageRepository(db);
  }

  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  async insert(values: Insertable<CloudStoragesTable>): Promise<CloudStorageRow> {
    return this.db.insertInto('cloud_storages').values(values).returningAll().executeTakeFirstOrThrow();
  }

  /** Also bumps updated_at; undefined when the storage is gone. */
  async update(id: number, values: Updateable<CloudStoragesTable>): Promise<CloudStorageRow | undefined> {
    return this.db
      .updateTable('cloud_storages')
      .set({ ...values, updated_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(id: number): Promise<boolean> {
    const row = await this.db.deleteFrom('cloud_storages').where('id', '=', id).returning('id').executeTakeFirst();
    return row !== undefined;
  }

  /** The row when `scope` (an access predicate over `cloud_storages`) lets the caller see it. */
  /** The storage if `view` admits it, and whether `action` does too, in one query. */
  async findScoped(id: number, view: Expression<SqlBool>, action: Expression<SqlBool>): Promise<Scoped<CloudStorageRow> | undefined> {
    const row = await this.db
      .selectFrom('cloud_storages')
      .selectAll()
      .select(sql<boolean>`${action}`.as('allowed'))
      .where('id', '=', id)
      .where(view)
      .executeTakeFirst();
    if (!row) return undefined;
    const { allowed, ...storage } = row;
    return { row: storage, allowed: Boolean(allowed) };
  }

  async findDetails(id: number): Promise<CloudStorageDetails | undefined> {
    const row = await this.details().where('cloud_storages.id', '=', id).executeTakeFirst();
    return row && toDetails(row);
  }

  async list(scope: Expression<SqlBool>, query: Record<string, unknown>): Promise<ListPage<CloudStorageDetails>> {
    const page = await listPage(this.details().where(scope), CLOUD_STORAGE_FIELDS, query, { defaultSort: '-id' });
    return { ...page, rows: page.rows.map(toDetails) };
  }

  private details() {
    return this.db
      .selectFrom('cloud_storages')
      .leftJoin('users as owner', 'owner.id', 'cloud_storages.owner_id')
      .selectAll('cloud_storages')
      .select(['owner.username as owner_username', 'owner.first_name as owner_first_name', 'owner.last_name as owner_last_name']);
  }
}

type DetailsRow = CloudStorageRow & {
  owner_username: string | null;
  owner_first_name: string | null;
  owner_last_name: string | null;
};

function toDetails(r: DetailsRow): CloudStorageDetails {
  const { owner_username, owner_first_name, owner_last_name, ...row } = r;
  const owner =
    row.owner_id !== null && owner_username !== null
      ? { id: row.owner_id, username: owner_username, first_name: owner_first_name ?? '', last_name: owner_last_name ?? '' }
      : null;
  return { ...row, owner };
}

// ---------------------------------------------------------------------------------------------
// Buckets

export type BucketAuth =
  | { kind: 'keys'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { kind: 'anonymous' }
  | { kind: 'default-chain' };

export interface BucketConnection {
  bucket: string;
  /** Absent: us-east-1, and the SDK follows S3's redirect to the bucket's real region. */
  region: string | undefined;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  auth: BucketAuth;
}

export type BucketStatus = 'AVAILABLE' | 'NOT_FOUND' | 'FORBIDDEN';

/**
 * A failure reported by the provider (httpStatus set) or on the way to it (not set: refused
 * connection, DNS, timeout, no credentials in the default chain). `message` is the provider's
 * own words, made readable where S3 sends none (HEAD responses have no body).
 */
export class BucketError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | undefined,
    readonly providerCode: string,
  ) {
    super(message);
    this.name = 'BucketError';
  }

  get status(): BucketStatus | 'UNREACHABLE' | 'OTHER' {
    if (this.httpStatus === undefined) return 'UNREACHABLE';
    if (this.httpStatus === 403) return 'FORBIDDEN';
    if (this.httpStatus === 404) return 'NOT_FOUND';
    return 'OTHER';
  }
}

function toBucketError(err: unknown, what: string): BucketError {
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = e?.$metadata?.httpStatusCode;
  const code = e?.name && e.name !== 'Error' ? e.name : (e?.code ?? 'Error');
  const given = e?.message && e.message !== 'UnknownError' ? e.message : '';
  let message: string;
  if (status === undefined) message = `${what}: could not reach the provider: ${given || code}`;
  else if (given) message = `${what}: ${given} (${code}, HTTP ${status})`;
  else if (status === 404) message = `${what}: not found (HTTP 404)`;
  else if (status === 403) message = `${what}: access denied (HTTP 403)`;
  else if (status === 301) message = `${what}: the bucket is in another region or needs another endpoint (HTTP 301)`;
  else message = `${what}: ${code} (HTTP ${status})`;
  return new BucketError(message, status, code);
}

export interface LevelListing {
  /** Full keys of the objects at this level (markers ending in '/' left out). */
  files: string[];
  /** Full prefixes of the directories at this level, each ending in '/'. */
  directories: string[];
  /** S3's continuation token, or null on the last page. */
  next: string | null;
}

export interface ReadOptions {
  /** Refuse objects larger than this instead of reading them into memory. */
  maxBytes: number;
  /** Read only bytes [0, firstBytes) (for headers of large files such as manifests). */
  firstBytes?: number;
}

/** One bucket seen through one set of credentials. */
export class CloudBucket {
  constructor(
    private readonly client: S3Client,
    readonly name: string,
  ) {}

  /** Throws BucketError when the bucket cannot be reached with these credentials. */
  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.name }));
    } catch (err) {
      throw toBucketError(err, `bucket "${this.name}"`);
    }
  }

  /** CVAT's mapping: 403 is FORBIDDEN, anything else that fails (unreachable included) NOT_FOUND. */
  async status(): Promise<BucketStatus> {
    try {
      await this.check();
      return 'AVAILABLE';
    } catch (err) {
      return (err as BucketError).status === 'FORBIDDEN' ? 'FORBIDDEN' : 'NOT_FOUND';
    }
  }

  /** AVAILABLE, NOT_FOUND or FORBIDDEN for one object; other failures throw. */
  async objectStatus(key: string): Promise<BucketStatus> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: key }));
      return 'AVAILABLE';
    } catch (err) {
      const e = toBucketError(err, `"${key}" in bucket "${this.name}"`);
      if (e.status === 'NOT_FOUND' || e.status === 'FORBIDDEN') return e.status;
      throw e;
    }
  }

  /** One page of one "directory" level: the keys and common prefixes under `prefix`, split at '/'. */
  async listLevel(prefix: string, continuationToken: string | undefined, pageSize: number): Promise<LevelListing> {
    try {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.name,
          Delimiter: '/',
          MaxKeys: pageSize,
          ...(prefix ? { Prefix: prefix } : {}),
          ...(continuationToken ? { ContinuationToken: continuationToken } : {}),
        }),
      );
      return {
        files: (out.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k !== '' && !k.endsWith('/')),
        directories: (out.CommonPrefixes ?? []).map((p) => p.Prefix ?? '').filter((p) => p !== ''),
        next: out.IsTruncated ? (out.NextContinuationToken ?? null) : null,
      };
    } catch (err) {
      throw toBucketError(err, `listing bucket "${this.name}"`);
    }
  }

  /** The first key under `prefix` (all levels) that `accept` takes, looking at no more than `limit` keys. */
  async findKey(prefix: string, accept: (key: string) => boolean, limit: number): Promise<string | undefined> {
    let seen = 0;
    let token: string | undefined;
    do {
      let out;
      try {
        out = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.name,
            MaxKeys: Math.min(1000, limit - seen),
            ...(prefix ? { Prefix: prefix } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
      } catch (err) {
        throw toBucketError(err, `listing bucket "${this.name}"`);
      }
      for (const o of out.Contents ?? []) {
        seen++;
        if (o.Key && accept(o.Key)) return o.Key;
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token && seen < limit);
    return undefined;
  }

  /** Every key under `prefix`, all levels, in S3's order, fetched page by page. */
  async *listAll(prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      let out;
      try {
        out = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.name, MaxKeys: 1000, ...(prefix ? { Prefix: prefix } : {}), ...(token ? { ContinuationToken: token } : {}) }),
        );
      } catch (err) {
        throw toBucketError(err, `listing bucket "${this.name}"`);
      }
      for (const o of out.Contents ?? []) if (o.Key && !o.Key.endsWith('/')) yield o.Key;
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  /** Writes a stream to `key` (multipart, so any size in bounded memory): exports to the bucket. */
  async write(key: string, body: Readable, contentType: string): Promise<void> {
    try {
      await new Upload({ client: this.client, params: { Bucket: this.name, Key: key, Body: body, ContentType: contentType } }).done();
    } catch (err) {
      throw toBucketError(err, `"${key}" in bucket "${this.name}"`);
    }
  }

  /** A GET URL for the object that works without credentials for `seconds`. */
  presign(key: string, seconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.name, Key: key }), { expiresIn: seconds });
  }

  /** A stream of the object, for serving originals without holding them in memory; null when missing. */
  async stream(key: string): Promise<{ stream: Readable; size: number | undefined } | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
      return { stream: out.Body as Readable, size: out.ContentLength };
    } catch (err) {
      const e = toBucketError(err, `"${key}" in bucket "${this.name}"`);
      if (e.providerCode === 'NoSuchKey' || (e.status === 'NOT_FOUND' && e.providerCode !== 'NoSuchBucket')) return null;
      throw e;
    }
  }

  /** The object's bytes (or its first bytes); null when it does not exist. */
  async read(key: string, options: ReadOptions): Promise<Buffer | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.name,
          Key: key,
          ...(options.firstBytes !== undefined ? { Range: `bytes=0-${options.firstBytes - 1}` } : {}),
        }),
      );
      if (!out.Body) return Buffer.alloc(0);
      if ((out.ContentLength ?? 0) > options.maxBytes) {
        (out.Body as { destroy?: () => void }).destroy?.();
        throw new BucketError(
          `"${key}" in bucket "${this.name}" is ${out.ContentLength} bytes, more than the ${options.maxBytes} allowed here`,
          413,
          'TooLarge',
        );
      }
      return Buffer.from(await out.Body.transformToByteArray());
    } catch (err) {
      if (err instanceof BucketError) throw err;
      const e = toBucketError(err, `"${key}" in bucket "${this.name}"`);
      // An empty object asked for with a range answers 416.
      if (e.httpStatus === 416) return Buffer.alloc(0);
      if (e.providerCode === 'NoSuchKey' || (e.status === 'NOT_FOUND' && e.providerCode !== 'NoSuchBucket')) return null;
      throw e;
    }
  }

  /**
   * What the bucket policy allows, as CVAT reads it: s3:GetObject gives 'read', s3:PutObject
   * 'write'. No policy means both. Where the policy cannot be read (not allowed to these
   * credentials, or a server without policies) both are assumed too: the operation itself then
   * fails with the provider's own message, which says more than a guess here would.
   */
  async permissions(): Promise<Array<'read' | 'write'>> {
    let policy: string | undefined;
    try {
      policy = (await this.client.send(new GetBucketPolicyCommand({ Bucket: this.name }))).Policy;
    } catch (err) {
      const e = toBucketError(err, `bucket "${this.name}"`);
      if (e.providerCode === 'NoSuchBucket' || e.status === 'UNREACHABLE') throw e;
      return ['read', 'write'];
    }
    if (!policy) return ['read', 'write'];
    const allowed = new Set<string>();
    try {
      const doc = JSON.parse(policy) as { Statement?: unknown };
      const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
      for (const s of statements as Array<{ Effect?: string; Action?: string | string[] }>) {
        if (s.Effect !== 'Allow') continue;
        for (const a of Array.isArray(s.Action) ? s.Action : [s.Action ?? '']) allowed.add(a.toLowerCase());
      }
    } catch {
      return ['read', 'write'];
    }
    const all = allowed.has('*') || allowed.has('s3:*');
    const out: Array<'read' | 'write'> = [];
    if (all || allowed.has('s3:getobject')) out.push('read');
    if (all || allowed.has('s3:putobject')) out.push('write');
    return out;
  }
}

/** How long to wait for a provider before calling it unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 60_000;
const CLIENT_CACHE_SIZE = 32;

/**
 * Makes S3 clients for storages and keeps the last few: a client holds a connection pool and, on
 * the default chain, credentials it refreshes itself, so building one per request would cost
 * a TLS handshake and a credential lookup each time.
 */
export class BucketClients {
  readonly #cache = new Map<string, S3Client>();

  /**
   * `cacheKey` identifies the connection (storage id and version); null for a connection that is
   * only being tried (creation, a change) and must not be kept.
   */
  open(connection: BucketConnection, cacheKey: string | null): CloudBucket {
    if (cacheKey === null) return new CloudBucket(createClient(connection), connection.bucket);
    let client = this.#cache.get(cacheKey);
    if (client) {
      // Refresh its place: the map's order is the eviction order.
      this.#cache.delete(cacheKey);
    } else {
      client = createClient(connection);
      if (this.#cache.size >= CLIENT_CACHE_SIZE) {
        const [oldestKey, oldest] = this.#cache.entries().next().value as [string, S3Client];
        this.#cache.delete(oldestKey);
        oldest.destroy();
      }
    }
    this.#cache.set(cacheKey, client);
    return new CloudBucket(client, connection.bucket);
  }

  /** Drops the clients whose cache key starts with `prefix` (a storage changed or went away). */
  forget(prefix: string): void {
    for (const [key, client] of this.#cache) {
      if (!key.startsWith(prefix)) continue;
      this.#cache.delete(key);
      client.destroy();
    }
  }

  close(): void {
    for (const client of this.#cache.values()) client.destroy();
    this.#cache.clear();
  }
}

function createClient(c: BucketConnection): S3Client {
  const auth = c.auth;
  return new S3Client({
    region: c.region ?? 'us-east-1',
    ...(c.endpoint ? { endpoint: c.endpoint } : {}),
    forcePathStyle: c.forcePathStyle,
    // Without a region given, S3 answers 301 with the bucket's region; follow it as boto3 does.
    followRegionRedirects: true,
    // See s3-blob-store.ts: many S3-compatible servers reject or omit the new default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A wrong endpoint should fail a request in seconds, not after the SDK's default retries.
    maxAttempts: 2,
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    ...(auth.kind === 'keys'
      ? {
          credentials: {
            accessKeyId: auth.accessKeyId,
            secretAccessKey: auth.secretAccessKey,
            ...(auth.sessionToken ? { sessionToken: auth.sessionToken } : {}),
          },
        }
      : {}),
    // Anonymous: requests go out unsigned (no Authorization header), as public buckets expect. The
    // empty identity keeps the SDK from looking for credentials it would not use.
    ...(auth.kind === 'anonymous'
      ? { credentials: { accessKeyId: '', secretAccessKey: '' }, signer: { sign: async (request) => request } }
      : {}),
    // default-chain: no credentials option, so the SDK's provider chain applies.
  });
}
