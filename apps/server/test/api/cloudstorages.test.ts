import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, DeleteBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/repositories/secret-box.js';
import { createS3Client } from '../../src/repositories/storage/s3-blob-store.js';
import { startTestServer, type ApiClient, type TestServer } from '../helpers/app.js';
import { testBackend } from '../helpers/database.js';
import { makeImage } from '../helpers/media.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';

const CVAT_ASSETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/cvat-api/assets');
const READ_KEYS = [
  'created_date', 'credentials_type', 'description', 'display_name', 'id', 'manifests', 'organization', 'owner',
  'provider_type', 'resource', 'specific_attributes', 'updated_date',
];
const POSTGRES = testBackend() === 'postgres';
// PostgreSQL deployments must configure the key; the embedded one generates it (tested below).
const SECRET_KEY = 'test-only-secret-key-0123456789-abcdefghij';
const SESSION_TOKEN = 'session-token-that-must-never-leak-7f3a';
const MANY = 1100;

let s: TestServer;
let s3: S3rverHandle;
let raw: S3Client;
let bob: ApiClient & { id: number };

async function put(key: string, body: Buffer | string, bucket = s3.bucket): Promise<void> {
  await raw.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** Many tiny objects, a few dozen requests in flight at a time. */
async function putMany(keys: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < keys.length) await put(keys[next++]!, 'x');
    }),
  );
}

function attrs(extra = '', endpoint = s3.endpoint): string {
  return `endpoint_url=${encodeURIComponent(endpoint)}${extra ? `&${extra}` : ''}`;
}

function keyPair(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    provider_type: 'AWS_S3_BUCKET',
    resource: s3.bucket,
    display_name: 'Bucket',
    credentials_type: 'KEY_SECRET_KEY_PAIR',
    key: s3.credentials.accessKeyId,
    secret_key: s3.credentials.secretAccessKey,
    specific_attributes: attrs(),
    ...overrides,
  };
}

async function create(client: ApiClient, body: Record<string, unknown>): Promise<any> {
  const res = await client.post('/api/cloudstorages', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function rowOf(id: number) {
  return s.ctx.database.db.selectFrom('cloud_storages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** The box the server uses, rebuilt from where its key lives. */
function serverBox(): SecretBox {
  if (POSTGRES) return new SecretBox(SECRET_KEY, 'FRAMEWISE_SECRET_KEY');
  return new SecretBox(fs.readFileSync(path.join(s.dataDir, 'secret.key'), 'utf8').trim(), 'secret.key');
}

async function content(client: ApiClient, id: number, query = ''): Promise<any> {
  const res = await client.get(`/api/cloudstorages/${id}/content-v2${query ? `?${query}` : ''}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Stands in for an S3 endpoint: records what reaches it and answers HEAD/GET with `answer`. */
async function fakeEndpoint() {
  const seen: http.IncomingHttpHeaders[] = [];
  const state = { answer: 200 };
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.statusCode = state.answer;
    res.setHeader('content-type', 'application/xml');
    res.end(req.method === 'GET' && state.answer === 200 ? '<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>' : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  s3 = await startS3rver();
  raw = createS3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  // s3rver listens on loopback: an admin has to allow that address for non-admins' endpoints.
  s = await startTestServer({
    workers: false,
    env: { FRAMEWISE_REMOTE_ALLOW_PRIVATE: '127.0.0.1', ...(POSTGRES ? { FRAMEWISE_SECRET_KEY: SECRET_KEY } : {}) },
  });
  bob = await s.user('bob');
  const manifest = [
    { version: '1.1' },
    { type: 'images' },
    { name: 'frames/img_1', extension: '.png', width: 40, height: 30, meta: {}, checksum: 'x' },
  ]
    .map((l) => JSON.stringify(l))
    .join('\n');
  await Promise.all([
    put('readme.txt', 'hello'),
    put('images/cat.png', await makeImage(640, 480, 'png', 1)),
    put('images/sub/dog.jpg', await makeImage(320, 200, 'jpeg', 2)),
    put('images/notes.txt', 'not an image'),
    put('withmanifest/manifest.jsonl', manifest),
    put('withmanifest/frames/img_1.png', await makeImage(40, 30, 'png', 3)),
    put('broken/bad.png', Buffer.from('this is not a png at all')),
    put('escape/manifest.jsonl', `${JSON.stringify({ type: 'images' })}\n${JSON.stringify({ name: '../../etc/passwd', extension: '' })}\n`),
  ]);
}, 120_000);

afterAll(async () => {
  await s?.close();
  raw?.destroy();
  await s3?.stop();
});

describe('creating and reading a storage', () => {
  let created: any;
  beforeAll(async () => {
    created = await create(s.admin, keyPair({ display_name: 'Main bucket', description: 'test data', session_token: SESSION_TOKEN }));
  });

  it('answers 201 with the fields of CVAT\'s CloudStorageRead and no credential field', async () => {
    expect(Object.keys(created).sort()).toEqual(READ_KEYS);
    const assets = path.join(CVAT_ASSETS, 'cloudstorages.json');
    if (fs.existsSync(assets)) expect(Object.keys(created).sort()).toEqual(Object.keys(JSON.parse(fs.readFileSync(assets, 'utf8')).results[0]).sort());
    expect(created).toMatchObject({
      provider_type: 'AWS_S3_BUCKET',
      resource: s3.bucket,
      display_name: 'Main bucket',
      description: 'test data',
      credentials_type: 'KEY_SECRET_KEY_PAIR',
      specific_attributes: attrs(),
      manifests: [],
      organization: null,
      owner: { username: 'admin', url: expect.stringMatching(/\/api\/users\/\d+$/) },
    });
  });

  it('never returns the secrets, in any answer', async () => {
    for (const url of [`/api/cloudstorages/${created.id}`, '/api/cloudstorages', `/api/cloudstorages/${created.id}/content-v2`]) {
      const res = await s.admin.get(url);
      expect(res.status).toBe(200);
      const text = res.raw.toString('utf8');
      expect(text).not.toContain(s3.credentials.secretAccessKey);
      expect(text).not.toContain(SESSION_TOKEN);
    }
    const res = await s.admin.get(`/api/cloudstorages/${created.id}`);
    expect(res.body).toEqual(created);
  });

  it('stores the credentials only as ciphertext bound to the row', async () => {
    const row = await rowOf(created.id);
    const { credentials_ciphertext: sealed, ...rest } = row;
    expect(JSON.stringify(rest)).not.toContain(s3.credentials.secretAccessKey);
    expect(sealed).toMatch(/^fw1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(s3.credentials.secretAccessKey);
    expect(sealed).not.toContain(SESSION_TOKEN);
    const box = serverBox();
    expect(JSON.parse(box.open(sealed!, `cloud_storages:${created.id}`))).toEqual({
      key: s3.credentials.accessKeyId,
      secret_key: s3.credentials.secretAccessKey,
      session_token: SESSION_TOKEN,
    });
    // Moved to another row, the ciphertext does not open.
    expect(() => box.open(sealed!, `cloud_storages:${created.id + 1}`)).toThrow(/another key|altered/);
  });

  it('keeps its own key in <dataDir>/secret.key (0600) on the embedded setup, none when configured', async () => {
    const file = path.join(s.dataDir, 'secret.key');
    if (POSTGRES) {
      expect(fs.existsSync(file)).toBe(false);
      return;
    }
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8').trim().length).toBeGreaterThanOrEqual(32);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ provider_type: 'AZURE_CONTAINER', credentials_type: 'ACCOUNT_NAME_TOKEN_PAIR' }, 'provider_type', /not supported yet/],
      [{ provider_type: 'GOOGLE_CLOUD_STORAGE' }, 'provider_type', /not supported yet/],
      [{ credentials_type: 'KEY_FILE_PATH' }, 'credentials_type', /not available/],
      [{ secret_key: undefined }, 'secret_key', /required/],
      [{ credentials_type: 'ANONYMOUS_ACCESS' }, 'key', /only with KEY_SECRET_KEY_PAIR/],
      [{ specific_attributes: `${attrs()}&endpoint=http%3A%2F%2Fx` }, 'specific_attributes', /unknown attribute "endpoint"/],
      [{ specific_attributes: 'endpoint_url=http%3A%2F%2Fuser%3Apass%40minio%3A9000' }, 'specific_attributes', /credentials/],
      [{ specific_attributes: 'endpoint_url=ftp%3A%2F%2Fminio' }, 'specific_attributes', /http or https/],
      [{ specific_attributes: `${attrs()}&prefix=a%2F..%2Fb` }, 'specific_attributes.prefix', /"\.\."/],
      [{ resource: 'bucket/../other' }, 'resource', /bucket name/],
      [{ account_name: 'someaccount' }, 'account_name', /AZURE_CONTAINER/],
    ];
    for (const [overrides, field, message] of cases) {
      const res = await s.admin.post('/api/cloudstorages', keyPair(overrides));
      expect(res.status, JSON.stringify([overrides, res.body])).toBe(400);
      expect(res.body.details.map((d: any) => d.field), JSON.stringify(res.body)).toContain(field);
      expect(res.body.message).toMatch(message);
    }
  });

  it('refuses endpoints in private networks to non-admins unless an admin allowed the address (SSRF)', async () => {
    const res = await bob.post('/api/cloudstorages', keyPair({ specific_attributes: attrs('', 'http://127.0.0.2:9000') }));
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('private, loopback or link-local');
    const metadata = await bob.post('/api/cloudstorages', keyPair({ specific_attributes: attrs('', 'http://169.254.169.254') }));
    expect(metadata.status).toBe(400);
  });

  it('refuses a bucket it cannot reach, with the provider\'s reason', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const unreachable = await s.admin.post('/api/cloudstorages', keyPair({ specific_attributes: attrs('', `http://127.0.0.1:${port}`) }));
    expect(unreachable.status).toBe(400);
    expect(unreachable.body.message).toMatch(/could not reach the provider: .*ECONNREFUSED/);
    expect(unreachable.body.details[0].field).toBe('specific_attributes');

    const missing = await s.admin.post('/api/cloudstorages', keyPair({ resource: 'no-such-bucket' }));
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/bucket "no-such-bucket": not found \(HTTP 404\)/);

    const denied = await s.admin.post('/api/cloudstorages', keyPair({ key: 'UNKNOWN-KEY' }));
    expect(denied.status).toBe(400);
    expect(denied.body.message).toMatch(/access denied \(HTTP 403\)/);
    expect(denied.body.details[0].field).toBe('key');
  });

  it('checks that each manifest exists', async () => {
    const missing = await s.admin.post('/api/cloudstorages', keyPair({ manifests: ['withmanifest/nope.jsonl'] }));
    expect(missing.status).toBe(400);
    expect(missing.body.details[0]).toMatchObject({ field: 'manifests.0', message: expect.stringMatching(/does not exist/) });
    const outside = await s.admin.post('/api/cloudstorages', keyPair({ manifests: ['withmanifest/manifest.jsonl'], specific_attributes: attrs('prefix=images') }));
    expect(outside.status).toBe(400);
    expect(outside.body.message).toMatch(/under the storage's prefix "images\/"/);
    const ok = await create(s.admin, keyPair({ manifests: ['withmanifest/manifest.jsonl'] }));
    expect(ok.manifests).toEqual(['withmanifest/manifest.jsonl']);
  });
});

describe('listing storages', () => {
  let mine: any[];
  beforeAll(async () => {
    mine = [];
    for (const name of ['alpha', 'beta', 'gamma']) mine.push(await create(bob, keyPair({ display_name: `bob ${name}`, description: `${name} images` })));
  });

  it('shows a user only their own storages, newest first, paginated', async () => {
    const page1 = await bob.get('/api/cloudstorages?page_size=2');
    expect(page1.status).toBe(200);
    expect(page1.body.count).toBe(3);
    expect(page1.body.results.map((r: any) => r.display_name)).toEqual(['bob gamma', 'bob beta']);
    expect(page1.body.next).toMatch(/page=2/);
    const page2 = await bob.get('/api/cloudstorages?page_size=2&page=2');
    expect(page2.body.results.map((r: any) => r.display_name)).toEqual(['bob alpha']);
    expect(page2.body.next).toBeNull();
  });

  it('lets a superuser see everyone\'s', async () => {
    const all = await s.admin.get('/api/cloudstorages?page_size=all');
    const ids = all.body.results.map((r: any) => r.id);
    for (const m of mine) expect(ids).toContain(m.id);
    expect(all.body.count).toBeGreaterThan(3);
  });

  it('searches, filters and sorts as CVAT does', async () => {
    const search = await bob.get('/api/cloudstorages?search=beta');
    expect(search.body.results.map((r: any) => r.display_name)).toEqual(['bob beta']);
    const byName = await bob.get(`/api/cloudstorages?name=${encodeURIComponent('bob alpha')}`);
    expect(byName.body.results.map((r: any) => r.id)).toEqual([mine[0].id]);
    const byOwner = await s.admin.get('/api/cloudstorages?owner=bob&sort=name');
    expect(byOwner.body.results.map((r: any) => r.display_name)).toEqual(['bob alpha', 'bob beta', 'bob gamma']);
    const byType = await bob.get('/api/cloudstorages?provider_type=AWS_S3_BUCKET&credentials_type=KEY_SECRET_KEY_PAIR');
    expect(byType.body.count).toBe(3);
    const filter = await bob.get(`/api/cloudstorages?filter=${encodeURIComponent(JSON.stringify({ '==': [{ var: 'description' }, 'gamma images'] }))}`);
    expect(filter.body.results.map((r: any) => r.display_name)).toEqual(['bob gamma']);
    const badType = await bob.get('/api/cloudstorages?provider_type=DROPBOX');
    expect(badType.status).toBe(400);
  });
});

describe('content-v2', () => {
  let storage: any;
  beforeAll(async () => {
    storage = await create(s.admin, keyPair({ display_name: 'browse' }));
    await putMany(Array.from({ length: MANY }, (_, i) => `many/${String(i).padStart(4, '0')}.txt`));
  }, 120_000);

  it('lists the root level: directories first, then files with their mime type', async () => {
    const page = await content(s.admin, storage.id);
    expect(page.next).toBeNull();
    const dirs = page.content.filter((e: any) => e.type === 'DIR');
    expect(page.content.slice(0, dirs.length)).toEqual(dirs);
    expect(dirs.map((d: any) => d.name).sort()).toEqual(['broken', 'escape', 'images', 'many', 'withmanifest']);
    expect(dirs.every((d: any) => d.mime_type === 'DIR')).toBe(true);
    expect(page.content.filter((e: any) => e.type === 'REG')).toEqual([{ name: 'readme.txt', type: 'REG', mime_type: 'unknown' }]);
  });

  it('lists a directory with names relative to it', async () => {
    const page = await content(s.admin, storage.id, 'prefix=images/');
    expect(page.content[0]).toEqual({ name: 'sub', type: 'DIR', mime_type: 'DIR' });
    expect(page.content.slice(1).sort((a: any, b: any) => a.name.localeCompare(b.name))).toEqual([
      { name: 'cat.png', type: 'REG', mime_type: 'image' },
      { name: 'notes.txt', type: 'REG', mime_type: 'unknown' },
    ]);
    expect(await content(s.admin, storage.id, 'prefix=%2Fimages%2Fsub%2F')).toEqual({
      content: [{ name: 'dog.jpg', type: 'REG', mime_type: 'image' }],
      next: null,
    });
    // A partial name lists what starts with it at that level.
    expect((await content(s.admin, storage.id, 'prefix=ima')).content).toEqual([{ name: 'images', type: 'DIR', mime_type: 'DIR' }]);
  });

  it(`pages through ${MANY} keys with next tokens`, async () => {
    const first = await content(s.admin, storage.id, 'prefix=many/');
    expect(first.content).toHaveLength(1000);
    expect(typeof first.next).toBe('string');
    const second = await content(s.admin, storage.id, `prefix=many/&next_token=${encodeURIComponent(first.next)}`);
    expect(second.content).toHaveLength(MANY - 1000);
    expect(second.next).toBeNull();
    const names = new Set([...first.content, ...second.content].map((e: any) => e.name));
    expect(names.size).toBe(MANY);
    expect(names.has('0000.txt') && names.has(`${MANY - 1}.txt`)).toBe(true);

    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const page: any = await content(s.admin, storage.id, `prefix=many/&page_size=400${token ? `&next_token=${encodeURIComponent(token)}` : ''}`);
      expect(page.content.length).toBeLessThanOrEqual(400);
      seen.push(...page.content.map((e: any) => e.name));
      token = page.next;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(MANY);
  });

  it('cuts page_size down to 1000 and refuses bad parameters', async () => {
    expect((await content(s.admin, storage.id, 'prefix=many/&page_size=5000')).content).toHaveLength(1000);
    for (const [query, field] of [
      ['page_size=abc', 'page_size'],
      ['page_size=0', 'page_size'],
      ['prefix=images/../many/', 'prefix'],
      ['prefix=..', 'prefix'],
      // S3 answers 400 InvalidArgument for a token it did not issue (s3rver does so for this one;
      // for tokens that fail its DES decryption it answers 500, which stays a provider error).
      ['next_token=garbage', 'next_token'],
      ['manifest_path=withmanifest/manifest.jsonl', 'manifest_path'],
    ]) {
      const res = await s.admin.get(`/api/cloudstorages/${storage.id}/content-v2?${query}`);
      expect(res.status, `${query}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.details[0].field).toBe(field);
    }
  });

  it('keeps a storage with a prefix inside it', async () => {
    const scoped = await create(s.admin, keyPair({ display_name: 'scoped', specific_attributes: attrs('prefix=images%2Fsub') }));
    expect(scoped.specific_attributes).toBe(attrs('prefix=images%2Fsub'));
    expect((await content(s.admin, scoped.id)).content).toEqual([{ name: 'images', type: 'DIR', mime_type: 'DIR' }]);
    expect((await content(s.admin, scoped.id, 'prefix=images/')).content).toEqual([{ name: 'sub', type: 'DIR', mime_type: 'DIR' }]);
    expect((await content(s.admin, scoped.id, 'prefix=images/sub/')).content).toEqual([{ name: 'dog.jpg', type: 'REG', mime_type: 'image' }]);
    expect(await content(s.admin, scoped.id, 'prefix=many/')).toEqual({ content: [], next: null });
    expect(await content(s.admin, scoped.id, 'prefix=readme.txt')).toEqual({ content: [], next: null });
  });
});

describe('status and actions', () => {
  it('is AVAILABLE, then NOT_FOUND once the bucket is deleted', async () => {
    await raw.send(new CreateBucketCommand({ Bucket: 'doomed' }));
    const storage = await create(s.admin, keyPair({ resource: 'doomed', display_name: 'doomed' }));
    const before = await s.admin.get(`/api/cloudstorages/${storage.id}/status`);
    expect(before.status).toBe(200);
    expect(before.headers.get('content-type')).toMatch(/application\/json/);
    expect(before.body).toBe('AVAILABLE');
    await raw.send(new DeleteBucketCommand({ Bucket: 'doomed' }));
    expect((await s.admin.get(`/api/cloudstorages/${storage.id}/status`)).body).toBe('NOT_FOUND');
    const listing = await s.admin.get(`/api/cloudstorages/${storage.id}/content-v2`);
    expect(listing.status).toBe(404);
    expect(listing.body.message).toMatch(/does not exist.*may have been deleted/);
  });

  it('is FORBIDDEN when the provider says 403, NOT_FOUND when it is gone', async () => {
    const fake = await fakeEndpoint();
    try {
      const storage = await create(s.admin, {
        provider_type: 'AWS_S3_BUCKET',
        resource: 'somebucket',
        display_name: 'fake',
        credentials_type: 'ANONYMOUS_ACCESS',
        specific_attributes: attrs('', fake.url),
      });
      const status = async () => (await s.admin.get(`/api/cloudstorages/${storage.id}/status`)).body;
      expect(await status()).toBe('AVAILABLE');
      fake.state.answer = 403;
      expect(await status()).toBe('FORBIDDEN');
      fake.state.answer = 404;
      expect(await status()).toBe('NOT_FOUND');
      await fake.close();
      expect(await status()).toBe('NOT_FOUND');
    } finally {
      await fake.close().catch(() => undefined);
    }
  });

  it("answers CVAT's actions: a JSON list as text/plain", async () => {
    const storage = await create(s.admin, keyPair({ display_name: 'actions' }));
    const res = await s.admin.get(`/api/cloudstorages/${storage.id}/actions`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(JSON.parse(res.raw.toString('utf8'))).toEqual(['read', 'write']);
  });
});

describe('preview', () => {
  async function preview(id: number) {
    return s.admin.get(`/api/cloudstorages/${id}/preview`);
  }

  it('is a JPEG thumbnail of the first image under the prefix', async () => {
    const storage = await create(s.admin, keyPair({ display_name: 'pics', specific_attributes: attrs('prefix=images') }));
    const res = await preview(storage.id);
    expect(res.status, res.raw.toString()).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(res.raw).metadata();
    expect(meta.format).toBe('jpeg');
    expect(Math.max(meta.width, meta.height)).toBe(256);
  });

  it("is the manifest's first image when the storage has manifests", async () => {
    const storage = await create(s.admin, keyPair({ display_name: 'manifested', manifests: ['withmanifest/manifest.jsonl'] }));
    const res = await preview(storage.id);
    expect(res.status, res.raw.toString()).toBe(200);
    // The manifest's image is 40 x 30 and never upscaled.
    expect(await sharp(res.raw).metadata()).toMatchObject({ format: 'jpeg', width: 40, height: 30 });
  });

  it('says clearly when there is no image, or it cannot be read', async () => {
    const empty = await create(s.admin, keyPair({ display_name: 'empty', specific_attributes: attrs('prefix=many') }));
    const none = await preview(empty.id);
    expect(none.status).toBe(404);
    expect(none.body.message).toMatch(/no preview: cloud storage \d+ has no image under "many\/"/);

    const broken = await create(s.admin, keyPair({ display_name: 'broken', specific_attributes: attrs('prefix=broken') }));
    const bad = await preview(broken.id);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_MEDIA', message: expect.stringContaining('broken/bad.png') });
  });

  it('does not follow a manifest out of the bucket path it names', async () => {
    const storage = await create(s.admin, keyPair({ display_name: 'escape', manifests: ['escape/manifest.jsonl'] }));
    const res = await preview(storage.id);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/"\.\."/);
  });
});

describe('changing a storage', () => {
  let storage: any;
  beforeAll(async () => {
    storage = await create(bob, keyPair({ display_name: 'to change' }));
  });

  it('renames without touching the credentials', async () => {
    const before = (await rowOf(storage.id)).credentials_ciphertext;
    const res = await bob.patch(`/api/cloudstorages/${storage.id}`, { display_name: 'renamed', description: 'new words' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ display_name: 'renamed', description: 'new words', credentials_type: 'KEY_SECRET_KEY_PAIR' });
    expect(Date.parse(res.body.updated_date)).toBeGreaterThan(Date.parse(storage.updated_date));
    expect((await rowOf(storage.id)).credentials_ciphertext).toBe(before);
    expect((await content(bob, storage.id)).content.length).toBeGreaterThan(0);
  });

  it('refuses credentials the provider denies and keeps the old ones', async () => {
    const before = (await rowOf(storage.id)).credentials_ciphertext;
    const res = await bob.patch(`/api/cloudstorages/${storage.id}`, { key: 'UNKNOWN-KEY' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/access denied \(HTTP 403\)/);
    expect((await rowOf(storage.id)).credentials_ciphertext).toBe(before);
    expect((await bob.get(`/api/cloudstorages/${storage.id}/status`)).body).toBe('AVAILABLE');
  });

  it('replaces one secret, keeps the key, and never echoes the new one', async () => {
    const before = (await rowOf(storage.id)).credentials_ciphertext;
    const newSecret = 'a-brand-new-secret-value-9c1e';
    const res = await bob.patch(`/api/cloudstorages/${storage.id}`, { secret_key: newSecret, session_token: SESSION_TOKEN });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.raw.toString('utf8')).not.toContain(newSecret);
    const sealed = (await rowOf(storage.id)).credentials_ciphertext!;
    expect(sealed).not.toBe(before);
    expect(sealed).not.toContain(newSecret);
    expect(JSON.parse(serverBox().open(sealed, `cloud_storages:${storage.id}`))).toEqual({
      key: s3.credentials.accessKeyId,
      secret_key: newSecret,
      session_token: SESSION_TOKEN,
    });
    // "" removes the session token.
    await bob.patch(`/api/cloudstorages/${storage.id}`, { session_token: '' });
    expect(JSON.parse(serverBox().open((await rowOf(storage.id)).credentials_ciphertext!, `cloud_storages:${storage.id}`))).not.toHaveProperty(
      'session_token',
    );
  });

  it('switches to anonymous access, dropping the stored secrets, and back only with both keys', async () => {
    const anon = await bob.patch(`/api/cloudstorages/${storage.id}`, { credentials_type: 'ANONYMOUS_ACCESS' });
    expect(anon.status, JSON.stringify(anon.body)).toBe(200);
    expect(anon.body.credentials_type).toBe('ANONYMOUS_ACCESS');
    expect((await rowOf(storage.id)).credentials_ciphertext).toBeNull();
    // s3rver lets anonymous requests read.
    expect((await content(bob, storage.id, 'prefix=images/sub/')).content).toEqual([{ name: 'dog.jpg', type: 'REG', mime_type: 'image' }]);

    const half = await bob.patch(`/api/cloudstorages/${storage.id}`, { credentials_type: 'KEY_SECRET_KEY_PAIR', key: s3.credentials.accessKeyId });
    expect(half.status).toBe(400);
    expect(half.body.details[0].field).toBe('secret_key');
    const back = await bob.patch(`/api/cloudstorages/${storage.id}`, {
      credentials_type: 'KEY_SECRET_KEY_PAIR',
      key: s3.credentials.accessKeyId,
      secret_key: s3.credentials.secretAccessKey,
    });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect((await rowOf(storage.id)).credentials_ciphertext).toMatch(/^fw1\./);
  });

  it('checks a new bucket or manifest before taking it', async () => {
    const wrong = await bob.patch(`/api/cloudstorages/${storage.id}`, { resource: 'no-such-bucket' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toMatch(/not found/);
    const manifest = await bob.patch(`/api/cloudstorages/${storage.id}`, { manifests: ['withmanifest/missing.jsonl'] });
    expect(manifest.status).toBe(400);
    const ok = await bob.patch(`/api/cloudstorages/${storage.id}`, { manifests: ['withmanifest/manifest.jsonl'] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.manifests).toEqual(['withmanifest/manifest.jsonl']);
    expect(ok.body.resource).toBe(s3.bucket);
  });
});

describe('anonymous access and the default credential chain', () => {
  it('sends anonymous requests unsigned, and key pairs signed', async () => {
    const fake = await fakeEndpoint();
    try {
      const anon = await create(s.admin, {
        provider_type: 'AWS_S3_BUCKET',
        resource: 'public-bucket',
        display_name: 'public',
        credentials_type: 'ANONYMOUS_ACCESS',
        specific_attributes: attrs('region=eu-west-1', fake.url),
      });
      await content(s.admin, anon.id);
      expect(fake.seen.length).toBeGreaterThanOrEqual(2);
      for (const headers of fake.seen) {
        expect(headers.authorization).toBeUndefined();
        expect(headers['x-amz-security-token']).toBeUndefined();
      }
      fake.seen.length = 0;
      await create(s.admin, keyPair({ resource: 'public-bucket', display_name: 'signed', specific_attributes: attrs('', fake.url) }));
      expect(fake.seen[0]!.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${s3.credentials.accessKeyId}/`));
    } finally {
      await fake.close();
    }
  });

  it('reads a bucket anonymously where the server allows it', async () => {
    const anon = await create(bob, {
      provider_type: 'AWS_S3_BUCKET',
      resource: s3.bucket,
      display_name: 'anonymous',
      credentials_type: 'ANONYMOUS_ACCESS',
      specific_attributes: attrs(),
    });
    expect((await rowOf(anon.id)).credentials_ciphertext).toBeNull();
    expect((await content(bob, anon.id, 'prefix=withmanifest/')).content.map((e: any) => e.name).sort()).toEqual(['frames', 'manifest.jsonl']);
  });

  it("lends the server's own credentials to superusers only", async () => {
    const body = {
      provider_type: 'AWS_S3_BUCKET',
      resource: s3.bucket,
      display_name: 'server credentials',
      credentials_type: 'DEFAULT_CREDENTIAL_CHAIN',
      specific_attributes: attrs(),
    };
    const refused = await bob.post('/api/cloudstorages', body);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/only an administrator/);

    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    // The SDK's chain starts with the environment; the server runs in this process.
    process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
    try {
      const storage = await create(s.admin, body);
      expect(storage.credentials_type).toBe('DEFAULT_CREDENTIAL_CHAIN');
      expect((await rowOf(storage.id)).credentials_ciphertext).toBeNull();
      expect((await content(s.admin, storage.id, 'prefix=images/sub/')).content).toHaveLength(1);
      const res = await s.admin.post('/api/cloudstorages', { ...body, key: 'x' });
      expect(res.status).toBe(400);
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});

describe('access', () => {
  let adminStorage: any;
  beforeAll(async () => {
    adminStorage = await create(s.admin, keyPair({ display_name: 'admin only' }));
  });

  it("hides another user's storage behind 404 everywhere", async () => {
    const id = adminStorage.id;
    const calls = [
      bob.get(`/api/cloudstorages/${id}`),
      bob.patch(`/api/cloudstorages/${id}`, { display_name: 'mine now' }),
      bob.delete(`/api/cloudstorages/${id}`),
      bob.get(`/api/cloudstorages/${id}/content-v2`),
      bob.get(`/api/cloudstorages/${id}/status`),
      bob.get(`/api/cloudstorages/${id}/actions`),
      bob.get(`/api/cloudstorages/${id}/preview`),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(404);
      expect(res.body.message).toBe(`cloud storage ${id} not found`);
    }
    const missing = await bob.get('/api/cloudstorages/999999');
    expect(missing.body.message).toBe('cloud storage 999999 not found');
    expect((await bob.get('/api/cloudstorages?page_size=all')).body.results.map((r: any) => r.id)).not.toContain(id);
    expect((await s.admin.get(`/api/cloudstorages/${id}`)).body.display_name).toBe('admin only');
  });

  it('lets a superuser manage any storage and deletes with 204', async () => {
    const bobs = await create(bob, keyPair({ display_name: 'bob temporary' }));
    const renamed = await s.admin.patch(`/api/cloudstorages/${bobs.id}`, { display_name: 'renamed by admin' });
    expect(renamed.status).toBe(200);
    const del = await s.admin.delete(`/api/cloudstorages/${bobs.id}`);
    expect(del.status).toBe(204);
    expect(del.raw.length).toBe(0);
    expect((await bob.get(`/api/cloudstorages/${bobs.id}`)).status).toBe(404);
    expect((await s.admin.delete(`/api/cloudstorages/${bobs.id}`)).status).toBe(404);
    // The bucket is untouched.
    expect((await content(s.admin, adminStorage.id, 'prefix=images/sub/')).content).toHaveLength(1);
  });

  it('needs a login', async () => {
    expect((await s.client().get('/api/cloudstorages')).status).toBe(401);
  });

  it('documents every route in the OpenAPI schema', async () => {
    const doc = (await s.client().get('/api/schema/?format=json')).body;
    for (const p of ['/api/cloudstorages', '/api/cloudstorages/{id}', '/api/cloudstorages/{id}/content-v2', '/api/cloudstorages/{id}/status', '/api/cloudstorages/{id}/actions', '/api/cloudstorages/{id}/preview']) {
      expect(doc.paths, p).toHaveProperty([p]);
    }
    const write = JSON.stringify(doc.paths['/api/cloudstorages'].post);
    expect(write).toContain('DEFAULT_CREDENTIAL_CHAIN');
  });
});

describe.runIf(POSTGRES)('PostgreSQL without FRAMEWISE_SECRET_KEY', () => {
  let keyless: TestServer;
  beforeAll(async () => {
    keyless = await startTestServer({ workers: false });
  });
  afterAll(async () => {
    await keyless?.close();
  });

  it('refuses to store credentials, naming the setting, and still takes anonymous storages', async () => {
    const res = await keyless.admin.post('/api/cloudstorages', keyPair());
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/FRAMEWISE_SECRET_KEY is not set/);
    expect(res.body.message).toMatch(/same on every instance/);
    expect(fs.existsSync(path.join(keyless.dataDir, 'secret.key'))).toBe(false);
    const anon = await keyless.admin.post('/api/cloudstorages', { ...keyPair(), credentials_type: 'ANONYMOUS_ACCESS', key: undefined, secret_key: undefined });
    expect(anon.status, JSON.stringify(anon.body)).toBe(201);
  });
});
