import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { makeImage, waitForRequest } from '../helpers/media.js';

let files: Map<string, Buffer>;
let origin: string;
let hits = 0;
let web: http.Server;
let allowed: TestServer;
let strict: TestServer;

beforeAll(async () => {
  files = new Map([
    ['/img/a.png', await makeImage(30, 20, 'png', 1)],
    ['/img/b.jpg', await makeImage(16, 12, 'jpeg', 2)],
    ['/img/broken.png', Buffer.from('not an image')],
  ]);
  web = http.createServer((req, res) => {
    hits++;
    const body = files.get(req.url ?? '');
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  [allowed, strict] = await Promise.all([startTestServer({ env: { FRAMEWISE_REMOTE_ALLOW_PRIVATE: '127.0.0.1' } }), startTestServer()]);
});
afterAll(async () => {
  await allowed?.close();
  await strict?.close();
  await new Promise((r) => web?.close(r));
});

async function attach(s: TestServer, urls: string[]) {
  const task = (await s.admin.post('/api/tasks', { name: 'remote', labels: [{ name: 'x' }] })).body;
  const res = await s.admin.post(`/api/tasks/${task.id}/data/`, { image_quality: 70, remote_files: urls });
  return { taskId: task.id as number, res };
}

describe('tasks from remote URLs', () => {
  it('downloads the files into the task and reads their sizes', async () => {
    const { taskId, res } = await attach(allowed, [`${origin}/img/a.png`, `${origin}/img/b.jpg`]);
    expect(res.status).toBe(202);
    expect((await waitForRequest(allowed.admin, res.body.rq_id)).status).toBe('finished');
    const meta = (await allowed.admin.get(`/api/tasks/${taskId}/data/meta`)).body;
    expect(meta.frames.map((f: any) => [f.name, f.width, f.height])).toEqual([
      ['a.png', 30, 20],
      ['b.jpg', 16, 12],
    ]);
    const original = await allowed.admin.get(`/api/tasks/${taskId}/data?type=frame&number=0&quality=original`);
    expect(Buffer.compare(original.raw, files.get('/img/a.png')!)).toBe(0);
  });

  it('refuses private addresses unless an admin allowed them, naming the URL, without connecting', async () => {
    const before = hits;
    const { res } = await attach(strict, [`${origin}/img/a.png`]);
    expect(res.status).toBe(202);
    const request = await waitForRequest(strict.admin, res.body.rq_id);
    expect(request.status).toBe('failed');
    expect(request.message).toContain('127.0.0.1');
    expect(hits).toBe(before);
  });

  it('fails on a missing or corrupt remote file with a message naming it, and refuses other schemes at once', async () => {
    const missing = await attach(allowed, [`${origin}/img/nope.png`]);
    const failed = await waitForRequest(allowed.admin, missing.res.body.rq_id);
    expect(failed.status).toBe('failed');
    expect(failed.message).toContain('/img/nope.png');
    const corrupt = await attach(allowed, [`${origin}/img/broken.png`]);
    const bad = await waitForRequest(allowed.admin, corrupt.res.body.rq_id);
    expect(bad.status).toBe('failed');
    expect(bad.message).toContain('broken.png');
    const file = await attach(allowed, ['file:///etc/passwd']);
    expect(file.res.status).toBe(400);
    expect(file.res.body.message).toContain('remote_files[0]');
  });
});
