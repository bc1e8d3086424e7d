import fs from 'node:fs/promises';
import path from 'node:path';
import { zipSync } from 'fflate';
import * as tar from 'tar';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { formWith, makeImage, waitForRequest } from '../helpers/media.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

async function newTask(name: string): Promise<number> {
  const res = await s.admin.post('/api/tasks', { name, labels: [{ name: 'car' }] });
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('archives as task data', () => {
  it('unpacks an uploaded ZIP: each image inside becomes a frame named by its path, other files are ignored', async () => {
    const zip = zipSync({
      'set/b.png': await makeImage(20, 10, 'png', 1),
      'set/a.jpg': await makeImage(30, 12, 'jpeg', 2),
      'set/deep/c.webp': await makeImage(16, 16, 'webp', 3),
      'set/readme.txt': Buffer.from('not an image'),
      '__MACOSX/set/._a.jpg': Buffer.from('junk'),
    });
    const taskId = await newTask('zip');
    const res = await s.admin.form('POST', `/api/tasks/${taskId}/data/`, formWith([{ name: 'photos.zip', data: Buffer.from(zip) }], { image_quality: '80' }));
    expect(res.status).toBe(202);
    expect(await waitForRequest(s.admin, res.body.rq_id)).toMatchObject({ status: 'finished' });
    const meta = await s.admin.get(`/api/tasks/${taskId}/data/meta`);
    expect(meta.body.frames.map((f: any) => [f.name, f.width, f.height])).toEqual([
      ['set/a.jpg', 30, 12],
      ['set/b.png', 20, 10],
      ['set/deep/c.webp', 16, 16],
    ]);
    const original = await s.admin.get(`/api/tasks/${taskId}/data?type=frame&number=1&quality=original`);
    expect(original.status).toBe(200);
    expect(await sharp(original.raw).metadata()).toMatchObject({ format: 'png', width: 20, height: 10 });
    // The archive itself is not kept: only the images it held.
    const keys: string[] = [];
    for await (const b of s.ctx.repos.blobs.list(`tasks/${taskId}/raw/`)) keys.push(b.key);
    expect(keys.sort()).toEqual([`tasks/${taskId}/raw/set/a.jpg`, `tasks/${taskId}/raw/set/b.png`, `tasks/${taskId}/raw/set/deep/c.webp`]);
  });

  it('unpacks a TAR.GZ from the share next to loose images', async () => {
    await fs.mkdir(path.join(s.shareDir, 'arch'), { recursive: true });
    const stage = path.join(s.dataDir, 'stage');
    await fs.mkdir(path.join(stage, 'inner'), { recursive: true });
    await fs.writeFile(path.join(stage, 'inner', 'x.png'), await makeImage(8, 9));
    await fs.writeFile(path.join(stage, 'inner', 'y.png'), await makeImage(10, 11));
    await tar.c({ gzip: true, file: path.join(s.shareDir, 'arch', 'more.tar.gz'), cwd: stage }, ['inner']);
    await fs.writeFile(path.join(s.shareDir, 'arch', 'loose.png'), await makeImage(5, 6));
    const taskId = await newTask('tgz');
    const res = await s.admin.post(`/api/tasks/${taskId}/data/`, { image_quality: 70, server_files: ['arch/more.tar.gz', 'arch/loose.png'] });
    expect(await waitForRequest(s.admin, res.body.rq_id)).toMatchObject({ status: 'finished' });
    const meta = await s.admin.get(`/api/tasks/${taskId}/data/meta`);
    expect(meta.body.frames.map((f: any) => f.name)).toEqual(['arch/loose.png', 'inner/x.png', 'inner/y.png']);
    // The share's archive is read in place, never removed.
    await expect(fs.stat(path.join(s.shareDir, 'arch', 'more.tar.gz'))).resolves.toBeTruthy();
  });

  it('fails the request naming the archive and entry for zip-slip, and leaves nothing behind', async () => {
    const zip = zipSync({ 'ok.png': await makeImage(4, 4), '../../escape.png': await makeImage(4, 4) });
    const taskId = await newTask('slip');
    const res = await s.admin.form('POST', `/api/tasks/${taskId}/data/`, formWith([{ name: 'evil.zip', data: Buffer.from(zip) }], { image_quality: '80' }));
    const done = await waitForRequest(s.admin, res.body.rq_id);
    expect(done.status).toBe('failed');
    expect(done.message).toMatch(/evil\.zip: entry "\.\.\/\.\.\/escape\.png" points outside the archive/);
    const task = await s.admin.get(`/api/tasks/${taskId}`);
    expect(task.body.size).toBe(0);
    const keys: string[] = [];
    for await (const b of s.ctx.repos.blobs.list(`tasks/${taskId}/`)) keys.push(b.key);
    expect(keys).toEqual([]);
  });

  it('fails clearly for a corrupt archive and for one without images', async () => {
    const t1 = await newTask('corrupt');
    const r1 = await s.admin.form('POST', `/api/tasks/${t1}/data/`, formWith([{ name: 'broken.zip', data: Buffer.from('PK\u0003\u0004 truncated') }], { image_quality: '80' }));
    expect((await waitForRequest(s.admin, r1.body.rq_id)).message).toMatch(/broken\.zip: not a readable ZIP/);
    const stage = path.join(s.dataDir, 'docs');
    await fs.mkdir(stage, { recursive: true });
    await fs.writeFile(path.join(stage, 'notes.txt'), 'no pictures here');
    const docs = path.join(s.dataDir, 'docs.tgz');
    await tar.c({ gzip: true, file: docs, cwd: stage }, ['notes.txt']);
    const t2 = await newTask('empty');
    const r2 = await s.admin.form('POST', `/api/tasks/${t2}/data/`, formWith([{ name: 'docs.tgz', data: await fs.readFile(docs) }], { image_quality: '80' }));
    expect((await waitForRequest(s.admin, r2.body.rq_id)).message).toMatch(/docs\.tgz: no images inside/);
  });
});
