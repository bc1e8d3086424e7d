/**
 * TUS uploads of task data, spoken the way CVAT's SDK speaks them (cvat_sdk/core/uploading.py):
 * POST with Upload-Length + Upload-Metadata, PATCH to the Location it answers, HEAD to resume.
 */
import http from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../src/repositories/storage/s3-blob-store.js';
import { taskKeys } from '../../src/services/task-storage.js';
import { startTestServer, type ApiClient, type ApiResponse, type TestServer } from '../helpers/app.js';
import { waitForRequest } from '../helpers/media.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const TUS = { 'tus-resumable': '1.0.0' };

/** A PNG of random pixels, so it does not compress and spans several chunks. */
async function noisePng(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919 + ((i * i) % 251)) & 0xff;
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
}

function b64(v: string): string {
  return Buffer.from(v, 'utf8').toString('base64');
}

async function newTask(client: ApiClient, name = 'tus'): Promise<number> {
  const res = await client.post('/api/tasks', { name, labels: [{ name: 'car' }] });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function tusCreate(client: ApiClient, taskId: number, length: number | string, metadata: string, extra: Record<string, string> = {}) {
  return client.request('POST', `/api/tasks/${taskId}/data/`, {
    headers: { ...TUS, 'upload-length': String(length), 'upload-metadata': metadata, ...extra },
  });
}

async function createUpload(client: ApiClient, taskId: number, length: number, filename: string): Promise<string> {
  const res = await tusCreate(client, taskId, length, `filename ${b64(filename)},filetype ${b64('image/png')}`);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.headers.get('location')!;
}

/** PATCH to the absolute URL from Location, as the SDK does. */
function patch(client: ApiClient, location: string, offset: number, chunk: Buffer, headers: Record<string, string> = {}): Promise<ApiResponse> {
  return client.request('PATCH', location, {
    body: chunk,
    headers: { ...TUS, 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), ...headers },
  });
}

function head(client: ApiClient, location: string): Promise<ApiResponse> {
  return client.request('HEAD', location, { headers: TUS });
}

function uploadIdOf(location: string): string {
  return location.split('/').pop()!;
}

async function partsOf(taskId: number, server: TestServer = s): Promise<string[]> {
  const keys: string[] = [];
  for await (const b of server.ctx.repos.blobs.list(`tasks/${taskId}/tus/`)) keys.push(b.key);
  return keys;
}

/** Sends part of a PATCH body and drops the connection, like a client whose network goes away. */
function droppedPatch(client: ApiClient, location: string, offset: number, body: Buffer, sendBytes: number): Promise<void> {
  const url = new URL(location);
  return new Promise((resolve) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'PATCH',
      headers: {
        ...TUS,
        authorization: `Token ${client.token}`,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(offset),
        'content-length': String(body.length),
      },
    });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      resolve();
    });
    req.write(body.subarray(0, sendBytes), () => {
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 300);
    });
  });
}

/** A PATCH sent with Transfer-Encoding: chunked (no Content-Length). */
function chunkedPatch(client: ApiClient, location: string, offset: number, pieces: Buffer[]): Promise<{ status: number; body: string }> {
  const url = new URL(location);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'PATCH',
      headers: {
        ...TUS,
        authorization: `Token ${client.token}`,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(offset),
        'transfer-encoding': 'chunked',
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    for (const p of pieces) req.write(p);
    req.end();
  });
}

describe('TUS uploads of task data', () => {
  it('creates a task from a file uploaded in chunks, the way CVAT SDK does it', async () => {
    const png = await noisePng(96, 64);
    const half = Math.floor(png.length / 2);
    const taskId = await newTask(s.admin);

    // CVAT's SDK sends the Upload-* headers empty and expects 202 for Upload-Start.
    const start = await s.admin.post(`/api/tasks/${taskId}/data/`, undefined, { 'upload-start': '' });
    expect(start.status).toBe(202);

    const created = await tusCreate(s.admin, taskId, png.length, `filename ${b64('photo.png')},filetype ${b64('image/png')}`);
    expect(created.status).toBe(201);
    expect(created.headers.get('tus-resumable')).toBe('1.0.0');
    expect(created.headers.get('upload-filename')).toBe('photo.png');
    const location = created.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^${s.url}/api/tasks/${taskId}/data/[0-9a-f-]{36}$`));
    expect(new Date(created.headers.get('upload-expires')!).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);

    const first = await patch(s.admin, location, 0, png.subarray(0, half));
    expect(first.status).toBe(204);
    expect(first.headers.get('upload-offset')).toBe(String(half));
    expect(first.headers.get('tus-resumable')).toBe('1.0.0');

    const status = await head(s.admin, location);
    expect(status.status).toBe(200);
    expect(status.headers.get('upload-offset')).toBe(String(half));
    expect(status.headers.get('upload-length')).toBe(String(png.length));
    expect(status.headers.get('cache-control')).toBe('no-store');
    expect(status.headers.get('tus-resumable')).toBe('1.0.0');

    const wrong = await patch(s.admin, location, 0, png.subarray(0, half));
    expect(wrong.status).toBe(409);
    expect(wrong.body.code).toBe('CONFLICT');
    expect(wrong.body.message).toContain('Upload-Offset');
    // CVAT's SDK resumes from the offset a 409 reports.
    expect(wrong.headers.get('upload-offset')).toBe(String(half));

    const last = await patch(s.admin, location, half, png.subarray(half));
    expect(last.status).toBe(204);
    expect(last.headers.get('upload-offset')).toBe(String(png.length));
    expect(last.headers.get('upload-filename')).toBe('photo.png');
    // Finished uploads are forgotten, parts included, as in CVAT.
    expect((await head(s.admin, location)).status).toBe(404);
    expect(await partsOf(taskId)).toEqual([]);
    expect(Buffer.compare((await s.ctx.repos.blobs.get(taskKeys.raw(taskId, 'photo.png')))!, png)).toBe(0);

    const finish = await s.admin.post(`/api/tasks/${taskId}/data/`, { image_quality: 70 }, { 'upload-finish': 'true' });
    expect(finish.status, JSON.stringify(finish.body)).toBe(202);
    expect(typeof finish.body.rq_id).toBe('string');
    expect((await waitForRequest(s.admin, finish.body.rq_id)).status).toBe('finished');

    const meta = await s.admin.get(`/api/tasks/${taskId}/data/meta`);
    expect(meta.status).toBe(200);
    expect(meta.body.frames).toHaveLength(1);
    expect(meta.body.frames[0]).toMatchObject({ name: 'photo.png', width: 96, height: 64 });
    expect(meta.body.image_quality).toBe(70);

    const original = await s.admin.get(`/api/tasks/${taskId}/data?type=frame&number=0&quality=original`);
    expect(original.status).toBe(200);
    expect(Buffer.compare(original.raw, png)).toBe(0);
  });

  it('resumes from the offset HEAD reports after the client lost track', async () => {
    const png = await noisePng(40, 40);
    const taskId = await newTask(s.admin);
    const location = await createUpload(s.admin, taskId, png.length, 'resume.png');
    const cut = 1000;
    expect((await patch(s.admin, location, 0, png.subarray(0, cut))).status).toBe(204);

    // The client restarts knowing only the upload URL.
    const status = await head(s.admin, location);
    const offset = Number(status.headers.get('upload-offset'));
    expect(offset).toBe(cut);
    const rest = await patch(s.admin, location, offset, png.subarray(offset));
    expect(rest.status).toBe(204);
    expect(rest.headers.get('upload-offset')).toBe(String(png.length));
    expect(Buffer.compare((await s.ctx.repos.blobs.get(taskKeys.raw(taskId, 'resume.png')))!, png)).toBe(0);
  });

  it('keeps the bytes that arrived before a connection dropped mid-chunk', async () => {
    const png = await noisePng(64, 64);
    const taskId = await newTask(s.admin);
    const location = await createUpload(s.admin, taskId, png.length, 'dropped.png');
    const sent = 5000;
    await droppedPatch(s.admin, location, 0, png, sent);

    let offset = 0;
    for (let i = 0; i < 100 && offset === 0; i++) {
      offset = Number((await head(s.admin, location)).headers.get('upload-offset'));
      if (offset === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(sent);

    const rest = await patch(s.admin, location, offset, png.subarray(offset));
    expect(rest.status).toBe(204);
    expect(rest.headers.get('upload-offset')).toBe(String(png.length));
    expect(Buffer.compare((await s.ctx.repos.blobs.get(taskKeys.raw(taskId, 'dropped.png')))!, png)).toBe(0);
  });

  it('counts bytes once when two PATCH requests race for the same offset', async () => {
    const png = await noisePng(48, 48);
    const half = Math.floor(png.length / 2);
    const taskId = await newTask(s.admin);
    const location = await createUpload(s.admin, taskId, png.length, 'race.png');
    const results = await Promise.all([patch(s.admin, location, 0, png.subarray(0, half)), patch(s.admin, location, 0, png.subarray(0, half))]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 409]);
    expect((await head(s.admin, location)).headers.get('upload-offset')).toBe(String(half));
    expect(await partsOf(taskId)).toHaveLength(1);
    expect((await patch(s.admin, location, half, png.subarray(half))).status).toBe(204);
    expect(Buffer.compare((await s.ctx.repos.blobs.get(taskKeys.raw(taskId, 'race.png')))!, png)).toBe(0);
  });

  it('answers 404 for unknown and expired uploads, and forgets expired ones with their parts', async () => {
    const taskId = await newTask(s.admin);
    const unknown = `${s.url}/api/tasks/${taskId}/data/00000000-0000-4000-8000-000000000000`;
    const h = await head(s.admin, unknown);
    expect(h.status).toBe(404);
    const p = await patch(s.admin, unknown, 0, Buffer.from('abc'));
    expect(p.status).toBe(404);
    expect(p.body.code).toBe('NOT_FOUND');

    const location = await createUpload(s.admin, taskId, 100, 'old.png');
    expect((await patch(s.admin, location, 0, Buffer.alloc(10, 1))).status).toBe(204);
    expect(await partsOf(taskId)).toHaveLength(1);
    await s.ctx.database.db.updateTable('tus_uploads').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', uploadIdOf(location)).execute();
    expect((await head(s.admin, location)).status).toBe(404);
    expect((await patch(s.admin, location, 10, Buffer.alloc(10, 1))).status).toBe(404);
    expect(await s.ctx.repos.tus.findById(uploadIdOf(location))).toBeUndefined();
    expect(await partsOf(taskId)).toEqual([]);

    // Expired uploads nobody asks about again are swept when new ones are created.
    const stale = await createUpload(s.admin, taskId, 100, 'stale.png');
    expect((await patch(s.admin, stale, 0, Buffer.alloc(5, 2))).status).toBe(204);
    await s.ctx.database.db.updateTable('tus_uploads').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', uploadIdOf(stale)).execute();
    await createUpload(s.admin, taskId, 100, 'fresh.png');
    expect(await s.ctx.repos.tus.findById(uploadIdOf(stale))).toBeUndefined();
    expect((await partsOf(taskId)).filter((k) => k.includes(uploadIdOf(stale)))).toEqual([]);
  });

  it('refuses an Upload-Length over the limit with 413, and malformed ones with 400', async () => {
    const taskId = await newTask(s.admin);
    const big = await tusCreate(s.admin, taskId, s.config.upload.maxBytes + 1, `filename ${b64('big.mp4')}`);
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(big.body.message).toContain('Upload-Length');
    expect(big.headers.get('tus-resumable')).toBe('1.0.0');

    for (const bad of ['-1', 'abc', '1.5', '']) {
      const res = await tusCreate(s.admin, taskId, bad, `filename ${b64('x.png')}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.message).toContain('Upload-Length');
    }
  });

  it('refuses unsafe, missing and malformed file names with 400 naming them', async () => {
    const taskId = await newTask(s.admin);
    const unsafe = await tusCreate(s.admin, taskId, 10, `filename ${b64('../../etc/passwd')}`);
    expect(unsafe.status).toBe(400);
    expect(unsafe.body.code).toBe('VALIDATION');
    expect(unsafe.body.message).toContain('../../etc/passwd');

    const missing = await tusCreate(s.admin, taskId, 10, `filetype ${b64('image/png')}`);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('Upload-Metadata');
    expect(missing.body.message).toContain('filename');

    const garbled = await tusCreate(s.admin, taskId, 10, 'filename !!notbase64!!');
    expect(garbled.status).toBe(400);
    expect(garbled.body.message).toContain('Upload-Metadata');
  });

  it('keeps uploads private to the user who created them', async () => {
    const alice = await s.user('tus-alice');
    const bob = await s.user('tus-bob');
    const taskId = await newTask(alice, 'alice task');
    const location = await createUpload(alice, taskId, 20, 'mine.png');

    // Bob cannot see the task; the admin can, but the upload is still Alice's.
    for (const other of [bob, s.admin]) {
      expect((await patch(other, location, 0, Buffer.alloc(20, 3))).status).toBe(404);
      expect((await head(other, location)).status).toBe(404);
      expect((await other.request('DELETE', location, { headers: TUS })).status).toBe(404);
    }
    expect((await tusCreate(bob, taskId, 20, `filename ${b64('x.png')}`)).status).toBe(404);
    expect((await head(alice, location)).headers.get('upload-offset')).toBe('0');
    expect((await patch(alice, location, 0, Buffer.alloc(20, 3))).status).toBe(204);
  });

  it('refuses bytes past Upload-Length with 413 and leaves the offset alone', async () => {
    const taskId = await newTask(s.admin);
    const location = await createUpload(s.admin, taskId, 10, 'small.png');
    const over = await patch(s.admin, location, 0, Buffer.alloc(11, 4));
    expect(over.status).toBe(413);
    expect(over.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await head(s.admin, location)).headers.get('upload-offset')).toBe('0');
    expect(await partsOf(taskId)).toEqual([]);

    // Without Content-Length the excess is only seen while streaming; the answer is the same.
    const chunked = await chunkedPatch(s.admin, location, 0, [Buffer.alloc(6, 4), Buffer.alloc(5, 4)]);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).code).toBe('PAYLOAD_TOO_LARGE');
    expect((await head(s.admin, location)).headers.get('upload-offset')).toBe('0');
    expect(await partsOf(taskId)).toEqual([]);

    expect((await patch(s.admin, location, 0, Buffer.alloc(10, 4))).status).toBe(204);
  });

  it('checks Content-Type, Upload-Offset and Tus-Resumable on PATCH', async () => {
    const taskId = await newTask(s.admin);
    const location = await createUpload(s.admin, taskId, 10, 'hdr.png');
    const json = await s.admin.request('PATCH', location, { json: { a: 1 }, headers: { ...TUS, 'upload-offset': '0' } });
    expect(json.status).toBe(415);
    expect(json.body.message).toContain('Content-Type');
    const noOffset = await s.admin.request('PATCH', location, { body: Buffer.alloc(2), headers: { ...TUS, 'content-type': 'application/offset+octet-stream' } });
    expect(noOffset.status).toBe(400);
    expect(noOffset.body.message).toContain('Upload-Offset');
    const version = await patch(s.admin, location, 0, Buffer.alloc(2), { 'tus-resumable': '0.2.2' });
    expect(version.status).toBe(400);
    expect(version.body.message).toContain('Tus-Resumable');
    expect((await head(s.admin, location)).headers.get('upload-offset')).toBe('0');
  });

  it('answers OPTIONS with the protocol it speaks, and lets a client abandon an upload', async () => {
    const taskId = await newTask(s.admin);
    const options = await s.client().request('OPTIONS', `/api/tasks/${taskId}/data/`);
    expect(options.status).toBe(204);
    expect(options.headers.get('tus-resumable')).toBe('1.0.0');
    expect(options.headers.get('tus-version')).toBe('1.0.0');
    expect(options.headers.get('tus-max-size')).toBe(String(s.config.upload.maxBytes));
    expect(options.headers.get('tus-extension')).toContain('creation');

    const location = await createUpload(s.admin, taskId, 10, 'gone.png');
    expect((await patch(s.admin, location, 0, Buffer.alloc(4))).status).toBe(204);
    expect((await s.admin.request('DELETE', location, { headers: TUS })).status).toBe(204);
    expect((await head(s.admin, location)).status).toBe(404);
    expect(await partsOf(taskId)).toEqual([]);
  });

  it('echoes Upload-Metadata on HEAD and encodes non-Latin-1 file names in Upload-Filename', async () => {
    const taskId = await newTask(s.admin);
    const res = await tusCreate(s.admin, taskId, 3, `filename ${b64('кот.png')},filetype ${b64('image/png')},flag`);
    expect(res.status).toBe(201);
    expect(res.headers.get('upload-filename')).toBe(`=?utf-8?b?${b64('кот.png')}?=`);
    const status = await head(s.admin, res.headers.get('location')!);
    const pairs = status.headers.get('upload-metadata')!.split(',').sort();
    expect(pairs).toEqual([`filename ${b64('кот.png')}`, `filetype ${b64('image/png')}`, 'flag']);
  });

  it('refuses uploads to a task that already has data', async () => {
    const taskId = await newTask(s.admin);
    const png = await noisePng(8, 8);
    const location = await createUpload(s.admin, taskId, png.length, 'one.png');
    expect((await patch(s.admin, location, 0, png)).status).toBe(204);
    const finish = await s.admin.post(`/api/tasks/${taskId}/data/`, { image_quality: 70 }, { 'upload-finish': 'true' });
    expect(finish.status).toBe(202);
    expect((await waitForRequest(s.admin, finish.body.rq_id)).status).toBe('finished');
    const again = await tusCreate(s.admin, taskId, 10, `filename ${b64('two.png')}`);
    expect(again.status).toBe(409);
  });
});

describe('TUS uploads on the S3 blob store', () => {
  let s3: S3rverHandle;
  let server: TestServer;
  beforeAll(async () => {
    s3 = await startS3rver();
    const blobs = new S3BlobStore({
      bucket: s3.bucket,
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      prefix: 'tus-test',
      credentials: s3.credentials,
    });
    server = await startTestServer({ blobs, workers: false });
  });
  afterAll(async () => {
    await server?.close();
    await s3?.stop();
  });

  it('stores each chunk as its own object and concatenates them at the end', async () => {
    const png = await noisePng(80, 60);
    const taskId = await newTask(server.admin);
    const location = await createUpload(server.admin, taskId, png.length, 'parts.png');
    const cuts = [0, 3000, 7000, png.length];
    for (let i = 0; i < 3; i++) {
      const res = await patch(server.admin, location, cuts[i]!, png.subarray(cuts[i], cuts[i + 1]));
      expect(res.status).toBe(204);
      expect(res.headers.get('upload-offset')).toBe(String(cuts[i + 1]));
      if (i < 2) expect(await partsOf(taskId, server)).toHaveLength(i + 1);
    }
    expect(await partsOf(taskId, server)).toEqual([]);
    expect(Buffer.compare((await server.ctx.repos.blobs.get(taskKeys.raw(taskId, 'parts.png')))!, png)).toBe(0);
  });

  it('keeps what arrived before a dropped connection', async () => {
    const png = await noisePng(64, 64);
    const taskId = await newTask(server.admin);
    const location = await createUpload(server.admin, taskId, png.length, 'dropped.png');
    await droppedPatch(server.admin, location, 0, png, 6000);
    let offset = 0;
    for (let i = 0; i < 100 && offset === 0; i++) {
      offset = Number((await head(server.admin, location)).headers.get('upload-offset'));
      if (offset === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(offset).toBeGreaterThan(0);
    expect((await patch(server.admin, location, offset, png.subarray(offset))).status).toBe(204);
    expect(Buffer.compare((await server.ctx.repos.blobs.get(taskKeys.raw(taskId, 'dropped.png')))!, png)).toBe(0);
  });
});
