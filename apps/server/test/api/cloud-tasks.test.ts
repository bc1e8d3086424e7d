import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../src/repositories/storage/s3-blob-store.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { makeImage, waitForRequest } from '../helpers/media.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';

/** Datumaro's test video (MIT; licence in the folder above it), 240x180, 30 frames: in the repository, so no ../shared needed. */
const VIDEO = fileURLToPath(new URL('../../../../packages/core/test/fixtures/datasets/cvat_dataset/test.mp4', import.meta.url));
const SECRET_KEY = 'a-test-secret-key-of-at-least-32-chars!';
let s3: S3rverHandle;
let raw: S3Client;
let s: TestServer;
let storageId: number;
const images = new Map<string, Buffer>();

async function put(key: string, body: Buffer | string) {
  await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
}

beforeAll(async () => {
  s3 = await startS3rver();
  raw = createS3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials });
  s = await startTestServer({ env: { FRAMEWISE_SECRET_KEY: SECRET_KEY } });
  for (let i = 0; i < 5; i++) {
    const data = await makeImage(40 + i, 30, i % 2 ? 'jpeg' : 'png', i);
    const key = `raw/batch/img_${i}.${i % 2 ? 'jpg' : 'png'}`;
    images.set(key, data);
    await put(key, data);
  }
  const manifest = [{ version: '1.1' }, { type: 'images' }, { name: 'img_0', extension: '.png', width: 40, height: 30 }, { name: 'img_2', extension: '.png', width: 42, height: 30 }];
  await put('raw/batch/manifest.jsonl', manifest.map((l) => JSON.stringify(l)).join('\n'));
  const created = await s.admin.post('/api/cloudstorages', {
    provider_type: 'AWS_S3_BUCKET',
    resource: s3.bucket,
    display_name: 'raw data',
    credentials_type: 'KEY_SECRET_KEY_PAIR',
    key: s3.credentials.accessKeyId,
    secret_key: s3.credentials.secretAccessKey,
    specific_attributes: `endpoint_url=${encodeURIComponent(s3.endpoint)}`,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  storageId = created.body.id;
});
afterAll(async () => {
  await s?.close();
  await s3?.stop();
});

async function taskFrom(serverFiles: string[], storage = storageId) {
  const task = (await s.admin.post('/api/tasks', { name: 'from bucket', labels: [{ name: 'x' }] })).body;
  const res = await s.admin.post(`/api/tasks/${task.id}/data/`, { image_quality: 80, cloud_storage_id: storage, server_files: serverFiles });
  return { taskId: task.id as number, res };
}

describe('tasks from a cloud storage', () => {
  it('reads the objects in place: sizes from their headers, originals streamed from the bucket', async () => {
    const { taskId, res } = await taskFrom(['raw/batch/']);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect((await waitForRequest(s.admin, res.body.rq_id)).status).toBe('finished');
    const task = (await s.admin.get(`/api/tasks/${taskId}`)).body;
    expect(task).toMatchObject({ size: 5, data_cloud_storage_id: storageId });
    const meta = (await s.admin.get(`/api/tasks/${taskId}/data/meta`)).body;
    expect(meta.frames.map((f: any) => [f.name, f.width])).toEqual([0, 1, 2, 3, 4].map((i) => [`raw/batch/img_${i}.${i % 2 ? 'jpg' : 'png'}`, 40 + i]));
    expect(meta).toMatchObject({ storage: 'cloud_storage', cloud_storage_id: storageId });
    // Nothing was copied into the platform's own storage.
    const copied = [];
    for await (const b of s.ctx.repos.blobs.list(`tasks/${taskId}/`)) copied.push(b.key);
    expect(copied).toEqual([]);
    const original = await s.admin.get(`/api/tasks/${taskId}/data?type=frame&number=1&quality=original`);
    expect(original.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.compare(original.raw, images.get('raw/batch/img_1.jpg')!)).toBe(0);
    const compressed = await s.admin.get(`/api/tasks/${taskId}/data?type=frame&number=2&quality=compressed`);
    expect(await sharp(compressed.raw).metadata()).toMatchObject({ format: 'jpeg', width: 42, height: 30 });
  });

  it('takes the images and their sizes from a manifest without reading the images', async () => {
    const { taskId, res } = await taskFrom(['raw/batch/manifest.jsonl']);
    expect((await waitForRequest(s.admin, res.body.rq_id)).status).toBe('finished');
    const meta = (await s.admin.get(`/api/tasks/${taskId}/data/meta`)).body;
    expect(meta.frames.map((f: any) => [f.name, f.width, f.height])).toEqual([
      ['raw/batch/img_0.png', 40, 30],
      ['raw/batch/img_2.png', 42, 30],
    ]);
  });

  it('makes a video task from a CVAT video manifest, and frees its local copy when the task is deleted', async () => {
    await put('vid/clip.mp4', await fs.readFile(VIDEO));
    const manifest = [{ version: '1.1' }, { type: 'video' }, { properties: { name: 'clip.mp4', resolution: [240, 180], length: 30 } }, { number: 0, pts: 0 }];
    await put('vid/manifest.jsonl', manifest.map((l) => JSON.stringify(l)).join('\n'));
    const { taskId, res } = await taskFrom(['vid/manifest.jsonl']);
    expect((await waitForRequest(s.admin, res.body.rq_id)).status).toBe('finished');
    expect((await s.admin.get(`/api/tasks/${taskId}`)).body).toMatchObject({ size: 30, media_type: 'video' });
    const frame = await s.admin.get(`/api/tasks/${taskId}/data?type=frame&number=20&quality=compressed`);
    expect(await sharp(frame.raw).metadata()).toMatchObject({ width: 240, height: 180 });
    // ffmpeg needs a file: the bucket's video is copied once, under the data directory, and goes with the task.
    const copy = path.join(s.dataDir, 'cache', 'videos', String(taskId));
    expect(await fs.readdir(copy)).toEqual(['clip.mp4']);
    expect((await s.admin.delete(`/api/tasks/${taskId}`)).status).toBe(204);
    await expect(fs.stat(copy)).rejects.toThrow(/ENOENT/);
  });

  it('refuses an unknown storage or escaping keys, and fails a missing key naming it', async () => {
    const unknown = await taskFrom(['raw/'], 999999);
    expect(unknown.res.status).toBe(400);
    expect(unknown.res.body.message).toContain('cloud_storage_id');
    const escape = await taskFrom(['../other/x.png']);
    expect(escape.res.status).toBe(400);
    const missing = await taskFrom(['raw/batch/nope.png']);
    const failed = await waitForRequest(s.admin, missing.res.body.rq_id);
    expect(failed.status).toBe('failed');
    expect(failed.message).toContain('nope.png');
    // Another user cannot build a task on the admin's storage.
    const bob = await s.user('bob-cloud');
    const task = (await bob.post('/api/tasks', { name: 'theirs', labels: [{ name: 'x' }] })).body;
    const denied = await bob.post(`/api/tasks/${task.id}/data/`, { image_quality: 80, cloud_storage_id: storageId, server_files: ['raw/'] });
    expect(denied.status).toBe(400);
  });

  it('redirects to a short-lived presigned link for storages that choose it, after checking access', async () => {
    const created = await s.admin.post('/api/cloudstorages', {
      provider_type: 'AWS_S3_BUCKET',
      resource: s3.bucket,
      display_name: 'direct',
      credentials_type: 'KEY_SECRET_KEY_PAIR',
      key: s3.credentials.accessKeyId,
      secret_key: s3.credentials.secretAccessKey,
      specific_attributes: `endpoint_url=${encodeURIComponent(s3.endpoint)}&original_delivery=redirect`,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { taskId, res } = await taskFrom(['raw/batch/img_1.jpg'], created.body.id);
    expect((await waitForRequest(s.admin, res.body.rq_id)).status).toBe('finished');
    const url = `${s.url}/api/tasks/${taskId}/data?type=frame&number=0&quality=original`;
    const manual = await fetch(url, { redirect: 'manual', headers: { authorization: `Token ${s.admin.token}` } });
    expect(manual.status).toBe(302);
    expect(manual.headers.get('cache-control')).toBe('no-store');
    const location = manual.headers.get('location')!;
    expect(location.startsWith(s3.endpoint)).toBe(true);
    expect(location).toContain('X-Amz-Expires=60');
    const followed = Buffer.from(await (await fetch(location)).arrayBuffer());
    expect(Buffer.compare(followed, images.get('raw/batch/img_1.jpg')!)).toBe(0);
    const stranger = await s.user('peeker');
    const denied = await fetch(url, { redirect: 'manual', headers: { authorization: `Token ${stranger.token}` } });
    expect(denied.status).toBe(404);
  });

  it('answers a clear 503 per frame when the bucket becomes unreachable', async () => {
    const { taskId, res } = await taskFrom(['raw/batch/img_3.jpg']);
    expect((await waitForRequest(s.admin, res.body.rq_id)).status).toBe('finished');
    await s3.stop();
    const frame = await s.admin.get(`/api/tasks/${taskId}/data?type=frame&number=0&quality=original`);
    expect(frame.status).toBe(503);
    expect(frame.body.message).toContain('img_3.jpg');
    expect((await s.admin.get('/api/server/health')).status).toBe(200);
  });
});
