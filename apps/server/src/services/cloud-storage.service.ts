/**
 * Cloud storages, CVAT-style: a bucket attached in place with its connection settings and
 * credentials, browsed level by level, checked for reachability, previewed.
 *
 * Credentials are sealed (secret-box.ts) before they reach the database and opened only to build
 * an S3 client; no response, error message or log line carries them. Storing credentials needs a
 * key: the embedded setup generates one, a PostgreSQL deployment must configure
 * FRAMEWISE_SECRET_KEY (one key for all instances), else credentialed storages are refused.
 *
 * Keys a client names (a listing prefix, manifests, and what manifests name) are checked: no '.'
 * or '..' segments, nothing outside the storage's configured `prefix`.
 */
import path from 'node:path';
import type { CloudStorageRow } from '../db/schema.js';
import {
  CONTENT_MAX_PAGE_SIZE,
  type CloudStorageContent,
  type CloudStorageCreate,
  type CloudStoragePatch,
  type ContentQuery,
  type FileInfo,
} from '../dtos/cloud-storage.dto.js';
import dns from 'node:dns/promises';
import net from 'node:net';
import { AppError, type ErrorDetail } from '../errors.js';
import { isForbiddenAddress } from '../repositories/remote.repository.js';
import type { ListPage } from '../http/list-query.js';
import {
  BucketError,
  type BucketClients,
  type BucketConnection,
  type BucketStatus,
  type CloudBucket,
  type CloudStorageDetails,
  type CloudStorageRepository,
  type CredentialsType,
} from '../repositories/cloud-storage.repository.js';
import type { MediaRepository } from '../repositories/media.repository.js';
import { SecretBoxError, type SecretBox } from '../repositories/secret-box.js';
import { mimeOf } from '../repositories/share.repository.js';
import { cloudStorageAccess, creationOrg, orgScope } from './access.js';
import { MANAGERS } from './organizations/roles.js';
import { sql } from 'kysely';
import { isAdmin, type Auth } from './auth/auth.js';

/** The connection settings CVAT keeps in `specific_attributes`, parsed. */
export interface SpecificAttributes {
  region: string | undefined;
  endpointUrl: string | undefined;
  /** '' or a path ending in '/': the part of the bucket this storage is limited to. */
  prefix: string;
  forcePathStyle: boolean;
  /**
   * How original frames reach clients (a Framewise extension): 'proxy' (default) streams them
   * through the server; 'redirect' answers with a presigned URL valid for a minute, which spares
   * the server the bytes but needs the bucket reachable from the browsers.
   */
  originalDelivery: 'proxy' | 'redirect';
}

/** Secrets of a KEY_SECRET_KEY_PAIR storage, as sealed in its row. */
interface StoredSecrets {
  key: string;
  secret_key: string;
  session_token?: string;
}

const SPECIFIC_ATTRIBUTES = ['region', 'endpoint_url', 'prefix', 'force_path_style', 'original_delivery'] as const;
const USABLE_CREDENTIALS: readonly CredentialsType[] = ['KEY_SECRET_KEY_PAIR', 'ANONYMOUS_ACCESS', 'DEFAULT_CREDENTIAL_CHAIN'];
const SECRET_FIELDS = ['key', 'secret_key', 'session_token'] as const;

/** Largest object a preview reads into memory. */
const PREVIEW_MAX_BYTES = 64 * 1024 ** 2;
/** A manifest's first image is named in its first lines; the rest of a 100,000-line file is not read. */
const MANIFEST_HEAD_BYTES = 64 * 1024;
/** Without a manifest, the preview is the first image among this many keys. */
const PREVIEW_SCAN_KEYS = 10_000;

export class CloudStorageService {
  constructor(
    private readonly storages: CloudStorageRepository,
    private readonly buckets: BucketClients,
    private readonly media: MediaRepository,
    /** null on a PostgreSQL deployment without FRAMEWISE_SECRET_KEY. */
    private readonly secrets: SecretBox | null,
    /** Addresses and CIDRs an admin allowed although private (FRAMEWISE_REMOTE_ALLOW_PRIVATE). */
    private readonly endpointAllow: string[] = [],
  ) {}

  list(auth: Auth, query: Record<string, unknown>): Promise<ListPage<CloudStorageDetails>> {
    return this.storages.list(sql<boolean>`(${cloudStorageAccess(auth)} and ${orgScope(auth, 'cloud_storages.organization_id')})`, query);
  }

  async get(auth: Auth, id: number): Promise<CloudStorageDetails> {
    await this.require(auth, id);
    return this.details(id);
  }

  async create(auth: Auth, input: CloudStorageCreate): Promise<CloudStorageDetails> {
    requireSupportedProvider(input.provider_type);
    // Storage holds credentials: in an organization, its maintainers and owner add them.
    const organizationId = creationOrg(auth, 'cloud storages', MANAGERS);
    const attrs = parseSpecificAttributes(input.specific_attributes ?? '');
    await this.checkEndpoint(auth, attrs);
    const type = requireUsableCredentials(input.credentials_type);
    refuseForeignCredentials(input);
    if (type === 'DEFAULT_CREDENTIAL_CHAIN' && !isAdmin(auth)) throw defaultChainForbidden();
    const secrets = type === 'KEY_SECRET_KEY_PAIR' ? keyPair(input, undefined) : null;
    if (type !== 'KEY_SECRET_KEY_PAIR') refuseSecrets(input, type);
    const box = secrets ? this.requireBox() : null;
    const manifests = checkManifests(input.manifests ?? [], attrs.prefix);

    const bucket = this.buckets.open(connection(input.resource, attrs, type, secrets), null);
    await checkReachable(bucket, attrs);
    await checkManifestsExist(bucket, manifests);

    const id = await this.storages.transaction(async (trx) => {
      const repo = this.storages.on(trx);
      const row = await repo.insert({
        provider_type: input.provider_type,
        resource: input.resource,
        display_name: input.display_name,
        description: input.description ?? '',
        owner_id: auth.user.id,
        organization_id: organizationId,
        credentials_type: type,
        specific_attributes: input.specific_attributes ?? '',
        manifests: JSON.stringify(manifests),
        credentials_ciphertext: null,
      });
      // Sealed after the insert because the ciphertext is bound to the row's id.
      if (secrets && box) await repo.update(row.id, { credentials_ciphertext: box.seal(JSON.stringify(secrets), sealContext(row.id)) });
      return row.id;
    });
    return this.details(id);
  }

  async update(auth: Auth, id: number, input: CloudStoragePatch): Promise<CloudStorageDetails> {
    const row = await this.require(auth, id, 'change');
    if (input.provider_type !== undefined) requireSupportedProvider(input.provider_type);
    requireSupportedProvider(row.provider_type);
    refuseForeignCredentials(input);
    const attrsText = input.specific_attributes ?? row.specific_attributes;
    const attrs = parseSpecificAttributes(attrsText);
    if (input.specific_attributes !== undefined) await this.checkEndpoint(auth, attrs);
    const type = requireUsableCredentials(input.credentials_type ?? row.credentials_type);
    const resource = input.resource ?? row.resource;
    const typeChanged = type !== row.credentials_type;
    const secretsGiven = SECRET_FIELDS.some((f) => input[f] !== undefined);
    if (type !== 'KEY_SECRET_KEY_PAIR') refuseSecrets(input, type);
    const connectionChanged = resource !== row.resource || attrsText !== row.specific_attributes || typeChanged || secretsGiven;
    if (type === 'DEFAULT_CREDENTIAL_CHAIN' && connectionChanged && !isAdmin(auth)) throw defaultChainForbidden();
    const manifests = input.manifests !== undefined ? checkManifests(input.manifests, attrs.prefix) : row.manifests;
    // Manifests already checked against an unchanged connection need no second look.
    const manifestsToCheck = connectionChanged ? manifests : manifests.filter((m) => !row.manifests.includes(m));
    const needBucket = connectionChanged || manifestsToCheck.length > 0;

    let secrets: StoredSecrets | null = null;
    if (type === 'KEY_SECRET_KEY_PAIR' && (secretsGiven || typeChanged || needBucket)) {
      // Like CVAT, a PATCH may change one key and keep the others; a storage switching to a key
      // pair from another type has none to keep.
      secrets = keyPair(input, typeChanged ? undefined : (this.openSecrets(row) ?? undefined));
    }
    const box = type === 'KEY_SECRET_KEY_PAIR' && (secretsGiven || typeChanged) ? this.requireBox() : null;
    if (needBucket) {
      const bucket = this.buckets.open(connection(resource, attrs, type, secrets), null);
      if (connectionChanged) await checkReachable(bucket, attrs);
      await checkManifestsExist(bucket, manifestsToCheck);
    }

    const values: Parameters<CloudStorageRepository['update']>[1] = {};
    if (input.provider_type !== undefined) values.provider_type = input.provider_type;
    if (input.resource !== undefined) values.resource = input.resource;
    if (input.display_name !== undefined) values.display_name = input.display_name;
    if (input.description !== undefined) values.description = input.description;
    if (input.specific_attributes !== undefined) values.specific_attributes = input.specific_attributes;
    if (input.manifests !== undefined) values.manifests = JSON.stringify(manifests);
    if (typeChanged) values.credentials_type = type;
    if (type !== 'KEY_SECRET_KEY_PAIR') values.credentials_ciphertext = null;
    else if (box && secrets) values.credentials_ciphertext = box.seal(JSON.stringify(secrets), sealContext(id));

    if (!(await this.storages.update(id, values))) throw AppError.notFound('cloud storage', id);
    this.buckets.forget(`${id}:`);
    return this.details(id);
  }

  async remove(auth: Auth, id: number): Promise<void> {
    await this.require(auth, id, 'change');
    if (!(await this.storages.delete(id))) throw AppError.notFound('cloud storage', id);
    this.buckets.forget(`${id}:`);
  }

  /** CVAT's status: AVAILABLE, NOT_FOUND (also when unreachable) or FORBIDDEN. */
  async status(auth: Auth, id: number): Promise<BucketStatus> {
    const row = await this.require(auth, id);
    return this.bucketOf(row).status();
  }

  /** What the bucket policy allows: 'read', 'write' (CVAT's Permissions). */
  async actions(auth: Auth, id: number): Promise<Array<'read' | 'write'>> {
    const row = await this.require(auth, id);
    try {
      return await this.bucketOf(row).permissions();
    } catch (e) {
      throw providerError(e);
    }
  }

  /**
   * One "directory" level of the bucket, CVAT's content-v2: directories first, names relative to
   * the listed level (a directory's without its trailing '/'), paginated with S3's own tokens.
   */
  async content(auth: Auth, id: number, query: ContentQuery): Promise<CloudStorageContent> {
    const row = await this.require(auth, id);
    if (query.manifest_path !== undefined) {
      throw AppError.invalid('manifest_path', 'listing the content of a manifest is not supported yet; list the bucket without it');
    }
    const attrs = parseSpecificAttributes(row.specific_attributes);
    // CVAT (and its share listing) accept an absolute-looking "/dir/".
    const prefix = checkKeyPath('prefix', (query.prefix ?? '').replace(/^\/+/, ''), true);
    const root = attrs.prefix;
    if (root && !prefix.startsWith(root)) {
      // Above the configured prefix only the way down to it is shown; beside it, nothing.
      if (!root.startsWith(prefix)) return { content: [], next: null };
      const level = prefix.slice(0, prefix.lastIndexOf('/') + 1);
      const name = root.slice(level.length).split('/')[0]!;
      return { content: [{ name, type: 'DIR', mime_type: 'DIR' }], next: null };
    }
    const pageSize = Math.min(query.page_size ?? CONTENT_MAX_PAGE_SIZE, CONTENT_MAX_PAGE_SIZE);
    let page;
    try {
      page = await this.bucketOf(row, attrs).listLevel(prefix, query.next_token, pageSize);
    } catch (e) {
      if (e instanceof BucketError && e.httpStatus === 400 && query.next_token !== undefined) {
        throw AppError.invalid('next_token', `not a token of this listing: ${e.message}`);
      }
      throw providerError(e);
    }
    const cut = prefix.lastIndexOf('/') + 1;
    const dirs: FileInfo[] = page.directories.map((d) => ({ name: d.slice(cut).replace(/\/$/, ''), type: 'DIR', mime_type: 'DIR' }));
    const files: FileInfo[] = page.files.map((k) => ({ name: k.slice(cut), type: 'REG', mime_type: mimeOf(k) }));
    return { content: [...dirs, ...files], next: page.next };
  }

  /**
   * A JPEG thumbnail of the storage's first image: the first one its first manifest names, or,
   * without manifests, the first image key under its prefix (among the first PREVIEW_SCAN_KEYS).
   */
  async preview(auth: Auth, id: number): Promise<Buffer> {
    const row = await this.require(auth, id);
    const attrs = parseSpecificAttributes(row.specific_attributes);
    const bucket = this.bucketOf(row, attrs);
    try {
      const key = row.manifests.length > 0 ? await firstManifestImage(bucket, row.manifests, attrs.prefix) : await firstImage(bucket, attrs.prefix);
      if (!key) {
        const where = attrs.prefix ? ` under "${attrs.prefix}"` : '';
        throw new AppError('NOT_FOUND', `no preview: cloud storage ${id} has no image${where} among its first ${PREVIEW_SCAN_KEYS} objects`);
      }
      const data = await bucket.read(key, { maxBytes: PREVIEW_MAX_BYTES });
      if (!data) throw new AppError('NOT_FOUND', `no preview: "${key}" does not exist in bucket "${row.resource}"`);
      return await this.media.makePreview(data, { name: key });
    } catch (e) {
      throw providerError(e);
    }
  }

  /**
   * An endpoint_url is a host the server will connect to on the user's behalf: for anyone but an
   * admin it must not resolve into the server's own network (SSRF), unless the admin allowed that
   * address for remote files (FRAMEWISE_REMOTE_ALLOW_PRIVATE).
   */
  private async checkEndpoint(auth: Auth, attrs: SpecificAttributes): Promise<void> {
    if (!attrs.endpointUrl || auth.user.isSuperuser) return;
    const host = new URL(attrs.endpointUrl).hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true })).map((a) => a.address);
    } catch {
      throw AppError.invalid('specific_attributes', `endpoint_url host "${host}" does not resolve`);
    }
    if (addresses.some((ip) => isForbiddenAddress(ip, this.endpointAllow)) && !this.endpointAllow.includes(host)) {
      throw AppError.invalid('specific_attributes', 'endpoint_url points into a private, loopback or link-local network; only an administrator can attach such an endpoint');
    }
  }

  /** The storage a task may be created from: one `auth` can see, and its key prefix. */
  async requireForTask(auth: Auth, id: number): Promise<{ id: number; prefix: string }> {
    const row = await this.require(auth, id);
    return { id: row.id, prefix: parseSpecificAttributes(row.specific_attributes).prefix ?? '' };
  }

  /**
   * The bucket of a storage, for background work and frame serving, which checked access on the
   * task instead. Errors reaching the provider surface as AppErrors naming the storage.
   */
  async bucket(id: number): Promise<{ bucket: CloudBucket; prefix: string; originalDelivery: 'proxy' | 'redirect' }> {
    const row = await this.storages.findDetails(id);
    if (!row) throw new AppError('NOT_FOUND', `cloud storage ${id} no longer exists`);
    const attrs = parseSpecificAttributes(row.specific_attributes);
    return { bucket: this.bucketOf(row, attrs), prefix: attrs.prefix ?? '', originalDelivery: attrs.originalDelivery };
  }

  private async require(auth: Auth, id: number, action: 'view' | 'change' = 'view'): Promise<CloudStorageRow> {
    const found = await this.storages.findScoped(id, cloudStorageAccess(auth), cloudStorageAccess(auth, action));
    if (!found) throw AppError.notFound('cloud storage', id);
    if (!found.allowed) throw AppError.forbidden(`you may use cloud storage ${id} but not change it`);
    return found.row;
  }

  private async details(id: number): Promise<CloudStorageDetails> {
    const found = await this.storages.findDetails(id);
    if (!found) throw AppError.notFound('cloud storage', id);
    return found;
  }

  private bucketOf(row: CloudStorageRow, attrs = parseSpecificAttributes(row.specific_attributes)): CloudBucket {
    requireSupportedProvider(row.provider_type);
    const type = requireUsableCredentials(row.credentials_type);
    const secrets = type === 'KEY_SECRET_KEY_PAIR' ? this.openSecrets(row) : null;
    if (type === 'KEY_SECRET_KEY_PAIR' && !secrets) {
      throw new AppError('UNAVAILABLE', `cloud storage ${row.id} has no stored credentials; set key and secret_key again`);
    }
    return this.buckets.open(connection(row.resource, attrs, type, secrets), `${row.id}:${row.updated_at.getTime()}`);
  }

  private openSecrets(row: CloudStorageRow): StoredSecrets | null {
    if (!row.credentials_ciphertext) return null;
    if (!this.secrets) {
      throw new AppError(
        'UNAVAILABLE',
        `the credentials of cloud storage ${row.id} cannot be read: FRAMEWISE_SECRET_KEY is not set on this instance`,
      );
    }
    try {
      return JSON.parse(this.secrets.open(row.credentials_ciphertext, sealContext(row.id))) as StoredSecrets;
    } catch (e) {
      if (!(e instanceof SecretBoxError)) throw e;
      throw new AppError('UNAVAILABLE', `the credentials of cloud storage ${row.id} cannot be read: ${e.message}`);
    }
  }

  private requireBox(): SecretBox {
    if (this.secrets) return this.secrets;
    throw new AppError(
      'BAD_REQUEST',
      'cannot store credentials: FRAMEWISE_SECRET_KEY is not set. With PostgreSQL every instance must read what the others ' +
        'stored, so the key is not generated: set FRAMEWISE_SECRET_KEY (32 or more characters), the same on every instance. ' +
        'ANONYMOUS_ACCESS storages work without it.',
      [{ field: 'credentials_type', message: 'FRAMEWISE_SECRET_KEY is not set on the server' }],
    );
  }
}

/** What binds a sealed value to its row (see secret-box.ts). */
function sealContext(id: number): string {
  return `cloud_storages:${id}`;
}

function requireSupportedProvider(provider: string): void {
  if (provider !== 'AWS_S3_BUCKET') {
    throw AppError.invalid('provider_type', `${provider} is not supported yet; only AWS_S3_BUCKET (S3 and S3-compatible servers)`);
  }
}

function requireUsableCredentials(type: string): CredentialsType {
  if (!USABLE_CREDENTIALS.includes(type as CredentialsType)) {
    throw AppError.invalid('credentials_type', `${type} is not available for AWS_S3_BUCKET; use ${USABLE_CREDENTIALS.join(', ')}`);
  }
  return type as CredentialsType;
}

function defaultChainForbidden(): AppError {
  // The server's own credentials may reach buckets no user was given (its blob store, an
  // instance role's whole account): only an administrator may lend them to a storage.
  return AppError.forbidden('only an administrator can use DEFAULT_CREDENTIAL_CHAIN (the server\'s own credentials)');
}

/** Azure's fields on an S3 storage are a mistake, not something to ignore. */
function refuseForeignCredentials(input: { account_name?: string | undefined; connection_string?: string | undefined }): void {
  for (const field of ['account_name', 'connection_string'] as const) {
    if (input[field] !== undefined && input[field] !== '') throw AppError.invalid(field, 'only for AZURE_CONTAINER, which is not supported yet');
  }
}

function refuseSecrets(input: Partial<Record<(typeof SECRET_FIELDS)[number], string>>, type: CredentialsType): void {
  for (const field of SECRET_FIELDS) {
    if (input[field] !== undefined && input[field] !== '') throw AppError.invalid(field, `not used with ${type}; only with KEY_SECRET_KEY_PAIR`);
  }
}

function keyPair(input: Partial<Record<(typeof SECRET_FIELDS)[number], string>>, stored: StoredSecrets | undefined): StoredSecrets {
  const key = input.key ?? stored?.key ?? '';
  const secretKey = input.secret_key ?? stored?.secret_key ?? '';
  const sessionToken = input.session_token ?? stored?.session_token ?? '';
  if (!key) throw AppError.invalid('key', 'required with KEY_SECRET_KEY_PAIR');
  if (!secretKey) throw AppError.invalid('secret_key', 'required with KEY_SECRET_KEY_PAIR');
  return { key, secret_key: secretKey, ...(sessionToken ? { session_token: sessionToken } : {}) };
}

function connection(resource: string, attrs: SpecificAttributes, type: CredentialsType, secrets: StoredSecrets | null): BucketConnection {
  return {
    bucket: resource,
    region: attrs.region,
    endpoint: attrs.endpointUrl,
    forcePathStyle: attrs.forcePathStyle,
    auth:
      type === 'ANONYMOUS_ACCESS'
        ? { kind: 'anonymous' }
        : type === 'DEFAULT_CREDENTIAL_CHAIN'
          ? { kind: 'default-chain' }
          : {
              kind: 'keys',
              accessKeyId: secrets?.key ?? '',
              secretAccessKey: secrets?.secret_key ?? '',
              ...(secrets?.session_token ? { sessionToken: secrets.session_token } : {}),
            },
  };
}

/**
 * CVAT's `specific_attributes`: a URL query string. Unknown names are refused rather than kept:
 * a misspelt `endpoint_url` would otherwise send the storage's credentials to AWS.
 */
export function parseSpecificAttributes(text: string): SpecificAttributes {
  const field = 'specific_attributes';
  const seen = new Map<string, string>();
  for (const part of text.split('&')) {
    if (part === '') continue;
    if (!part.includes('=')) throw AppError.invalid(field, `"${part}" is not name=value`);
    const params = new URLSearchParams(part);
    const [[name, value]] = [...params.entries()] as [[string, string]];
    if (!(SPECIFIC_ATTRIBUTES as readonly string[]).includes(name)) {
      throw AppError.invalid(field, `unknown attribute "${name}"; known: ${SPECIFIC_ATTRIBUTES.join(', ')}`);
    }
    if (seen.has(name)) throw AppError.invalid(field, `"${name}" is given twice`);
    seen.set(name, value);
  }

  const region = seen.get('region') || undefined;
  if (region !== undefined && !/^[a-z0-9-]{1,64}$/i.test(region)) throw AppError.invalid(field, `region "${region}" is not a region name`);

  const endpoint = seen.get('endpoint_url') || undefined;
  let endpointUrl: string | undefined;
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw AppError.invalid(field, `endpoint_url "${endpoint}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw AppError.invalid(field, 'endpoint_url must be http or https');
    // specific_attributes is returned to clients as given: a password in it would be a leak.
    if (url.username || url.password) throw AppError.invalid(field, 'endpoint_url must not contain credentials; use key and secret_key');
    if (url.search || url.hash) throw AppError.invalid(field, 'endpoint_url must not have a query or fragment');
    endpointUrl = url.toString().replace(/\/+$/, '');
  }

  const rawPrefix = (seen.get('prefix') ?? '').replace(/^\/+|\/+$/g, '');
  const prefix = rawPrefix ? `${checkKeyPath('specific_attributes.prefix', rawPrefix, false)}/` : '';

  const flag = seen.get('force_path_style');
  let forcePathStyle = endpointUrl !== undefined;
  if (flag !== undefined && flag !== '') {
    if (!['true', 'false', '1', '0'].includes(flag.toLowerCase())) throw AppError.invalid(field, 'force_path_style must be true or false');
    forcePathStyle = flag.toLowerCase() === 'true' || flag === '1';
  }
  const delivery = seen.get('original_delivery') || 'proxy';
  if (delivery !== 'proxy' && delivery !== 'redirect') throw AppError.invalid(field, 'original_delivery must be proxy or redirect');
  return { region, endpointUrl, prefix, forcePathStyle, originalDelivery: delivery };
}

/**
 * A key or key prefix named by a client or a manifest: no NUL or other control characters, no '.'
 * or '..' segments (S3 keeps them literally, but they read as a way out of a prefix and no
 * legitimate dataset needs them). Returns the value unchanged.
 */
function checkKeyPath(field: string, value: string, allowEmpty: boolean): string {
  if (value === '' && allowEmpty) return value;
  // eslint-disable-next-line no-control-regex
  if (value === '' || value.length > 1024 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw AppError.invalid(field, 'must be 1 to 1024 characters without control characters');
  }
  if (value.split('/').some((s) => s === '.' || s === '..')) throw AppError.invalid(field, 'must not contain "." or ".." segments');
  return value;
}

function checkManifests(manifests: string[], root: string): string[] {
  const out: string[] = [];
  manifests.forEach((m, i) => {
    const field = `manifests.${i}`;
    checkKeyPath(field, m, false);
    if (m.startsWith('/') || m.endsWith('/')) throw AppError.invalid(field, 'must be the key of a file in the bucket');
    if (root && !m.startsWith(root)) throw AppError.invalid(field, `must be under the storage's prefix "${root}"`);
    if (!out.includes(m)) out.push(m);
  });
  return out;
}

/** A creation or change is refused, with the provider's words, when the bucket cannot be reached. */
async function checkReachable(bucket: CloudBucket, attrs: SpecificAttributes): Promise<void> {
  try {
    await bucket.check();
  } catch (e) {
    if (!(e instanceof BucketError)) throw e;
    const field = e.status === 'FORBIDDEN' ? 'key' : e.status === 'UNREACHABLE' && attrs.endpointUrl ? 'specific_attributes' : 'resource';
    const hint =
      e.status === 'FORBIDDEN'
        ? ' (check the credentials and that they may list the bucket)'
        : e.status === 'NOT_FOUND'
          ? ' (check the bucket name, the region and the endpoint)'
          : '';
    const details: ErrorDetail[] = [{ field, message: e.message }];
    throw new AppError('BAD_REQUEST', `the bucket cannot be used: ${e.message}${hint}`, details);
  }
}

async function checkManifestsExist(bucket: CloudBucket, manifests: string[]): Promise<void> {
  for (const [i, m] of manifests.entries()) {
    let status: BucketStatus;
    try {
      status = await bucket.objectStatus(m);
    } catch (e) {
      throw e instanceof BucketError ? AppError.invalid(`manifests.${i}`, e.message) : e;
    }
    if (status === 'NOT_FOUND') throw AppError.invalid(`manifests.${i}`, `"${m}" does not exist in bucket "${bucket.name}"`);
    if (status === 'FORBIDDEN') throw AppError.invalid(`manifests.${i}`, `"${m}" in bucket "${bucket.name}": access denied`);
  }
}

/** A provider failure during use: the storage exists, its bucket misbehaves. */
function providerError(e: unknown): unknown {
  if (!(e instanceof BucketError)) return e;
  switch (e.status) {
    case 'NOT_FOUND':
      return new AppError('NOT_FOUND', `${e.message}; the bucket or object may have been deleted`);
    case 'FORBIDDEN':
      return new AppError('FORBIDDEN', `${e.message}; the storage's credentials no longer give access`);
    case 'UNREACHABLE':
      return new AppError('UNAVAILABLE', e.message);
    default:
      return e.httpStatus !== undefined && e.httpStatus < 500 ? new AppError('BAD_REQUEST', e.message) : new AppError('UNAVAILABLE', e.message);
  }
}

async function firstImage(bucket: CloudBucket, root: string): Promise<string | undefined> {
  return bucket.findKey(root, (k) => mimeOf(k) === 'image', PREVIEW_SCAN_KEYS);
}

/**
 * The first image a manifest names, as CVAT writes manifests (manifest.jsonl: a version line, a
 * type line, then one {"name", "extension", ...} per image, relative to the manifest's directory).
 */
async function firstManifestImage(bucket: CloudBucket, manifests: string[], root: string): Promise<string | undefined> {
  for (const manifest of manifests) {
    const head = await bucket.read(manifest, { maxBytes: MANIFEST_HEAD_BYTES, firstBytes: MANIFEST_HEAD_BYTES });
    if (!head) throw new AppError('NOT_FOUND', `no preview: the manifest "${manifest}" does not exist in bucket "${bucket.name}"`);
    const text = head.toString('utf8');
    // The read may stop inside a line; only whole lines are parsed.
    const lines = head.length >= MANIFEST_HEAD_BYTES ? text.split('\n').slice(0, -1) : text.split('\n');
    for (const [n, line] of lines.entries()) {
      if (!line.trim()) continue;
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new AppError('BAD_REQUEST', `no preview: the manifest "${manifest}" is not JSON lines (line ${n + 1})`, [
          { file: manifest, line: n + 1, message: 'not JSON' },
        ]);
      }
      if (entry.type === 'video') throw new AppError('BAD_REQUEST', `no preview: "${manifest}" is a video manifest; previews of videos are not supported yet`);
      if (typeof entry.name !== 'string') continue;
      const relative = entry.name + (typeof entry.extension === 'string' ? entry.extension : '');
      const dir = path.posix.dirname(manifest);
      const key = checkKeyPath(`manifest "${manifest}" line ${n + 1}`, dir === '.' ? relative : `${dir}/${relative}`, false);
      if (root && !key.startsWith(root)) throw AppError.invalid(`manifest "${manifest}"`, `names "${key}", outside the storage's prefix "${root}"`);
      return key;
    }
  }
  return undefined;
}
