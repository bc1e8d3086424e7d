/**
 * The web app served by the API server: hashed assets cached for good, every page path answered
 * with index.html (links like /tasks/3/jobs/7 open the app), API paths never answered with HTML.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/app.js';

let s: TestServer;
let anonymous: ApiClient;
let webDir: string;
const PAGE = '<!doctype html><title>Framewise</title><script type="module" src="/assets/index-abc123.js"></script>';

beforeAll(async () => {
  webDir = await fs.mkdtemp(path.join(os.tmpdir(), 'fw-web-'));
  await fs.mkdir(path.join(webDir, 'assets'));
  await fs.writeFile(path.join(webDir, 'index.html'), PAGE);
  await fs.writeFile(path.join(webDir, 'assets', 'index-abc123.js'), 'console.log("app")');
  await fs.writeFile(path.join(webDir, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
  await fs.writeFile(path.join(path.dirname(webDir), 'outside.txt'), 'secret');
  s = await startTestServer({ env: { FRAMEWISE_WEB_DIR: webDir }, workers: false });
  anonymous = new ApiClient(s.url);
});

afterAll(async () => {
  await s?.close();
  await fs.rm(webDir, { recursive: true, force: true });
  await fs.rm(path.join(path.dirname(webDir), 'outside.txt'), { force: true });
});

describe('the web app', () => {
  it('answers any page path with index.html, revalidated every time', async () => {
    for (const page of ['/', '/projects', '/tasks/3/jobs/7', '/auth/login?next=%2Ftasks']) {
      const res = await anonymous.get(page);
      expect(res.status, page).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.raw.toString()).toBe(PAGE);
    }
  });

  it('serves hashed assets as immutable for a year, and 404s unknown ones as JSON', async () => {
    const res = await anonymous.get('/assets/index-abc123.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(res.headers.get('cache-control')).toContain('max-age=31536000');
    expect(res.raw.toString()).toBe('console.log("app")');
    const missing = await anonymous.get('/assets/index-old.js');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('serves top-level files of the build, and nothing outside it', async () => {
    expect((await anonymous.get('/robots.txt')).raw.toString()).toContain('Disallow');
    for (const escape of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt', '/assets/%2e%2e%2findex.html']) {
      const res = await anonymous.get(escape);
      expect(res.raw.toString(), escape).not.toContain('secret');
      expect(res.raw.toString(), escape).not.toBe('console.log("app")');
    }
  });

  it('never answers an API path with the page', async () => {
    const res = await anonymous.get('/api/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', message: 'no route for GET /api/no-such-thing' });
    expect((await s.admin.get('/api/no/such/thing')).status).toBe(404);
  });

  it('keeps the page under the content security policy', async () => {
    const res = await anonymous.get('/tasks/1');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});
