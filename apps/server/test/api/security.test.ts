import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/app.js';

let closed: TestServer;
let open: TestServer;

beforeAll(async () => {
  [closed, open] = await Promise.all([
    startTestServer({ workers: false }),
    startTestServer({ workers: false, env: { FRAMEWISE_CORS_ORIGINS: 'https://tools.example.com, https://other.example.org/' } }),
  ]);
});

afterAll(async () => {
  await Promise.all([closed?.close(), open?.close()]);
});

const login = (s: TestServer, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });

describe('security headers', () => {
  it('forbid framing and sniffing and restrict what a page may load', async () => {
    const res = await closed.admin.get('/api/users/self');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('make session cookies HttpOnly, and Secure behind an HTTPS proxy', async () => {
    const plain = (await login(closed)).headers.getSetCookie();
    expect(plain.find((c) => c.startsWith('sessionid='))).toMatch(/HttpOnly/i);
    expect(plain.find((c) => c.startsWith('sessionid='))).not.toMatch(/Secure/i);
    // The test server is on loopback, a proxy address trusted by default.
    const https = (await login(closed, { 'x-forwarded-proto': 'https' })).headers.getSetCookie();
    expect(https.find((c) => c.startsWith('sessionid='))).toMatch(/HttpOnly/i);
    expect(https.find((c) => c.startsWith('sessionid='))).toMatch(/Secure/i);
    expect(https.find((c) => c.startsWith('csrftoken='))).toMatch(/Secure/i);
  });
});

describe('cross-origin requests', () => {
  it('are closed by default: no CORS headers, preflights not granted', async () => {
    const res = await fetch(`${closed.url}/api/server/about`, { headers: { origin: 'https://tools.example.com' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${closed.url}/api/tasks`, {
      method: 'OPTIONS',
      headers: { origin: 'https://tools.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('are granted, with credentials, to the configured origins only', async () => {
    const ok = await fetch(`${open.url}/api/server/about`, { headers: { origin: 'https://tools.example.com' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://tools.example.com');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    // A trailing slash in the setting is not part of an origin.
    const other = await fetch(`${open.url}/api/server/about`, { headers: { origin: 'https://other.example.org' } });
    expect(other.headers.get('access-control-allow-origin')).toBe('https://other.example.org');
    const evil = await fetch(`${open.url}/api/server/about`, { headers: { origin: 'https://evil.example.net' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${open.url}/api/tasks`, {
      method: 'OPTIONS',
      headers: { origin: 'https://tools.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-csrftoken' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-csrftoken');
    expect(ok.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });
});

describe('proxy headers', () => {
  it('believe X-Forwarded-For only from trusted proxies', async () => {
    const spoofed = await startTestServer({ workers: false, env: { FRAMEWISE_TRUST_PROXY: 'false' } });
    try {
      for (let i = 0; i < 3; i++) await login(spoofed, { 'x-forwarded-for': `203.0.113.${i}` }).then((r) => r.arrayBuffer());
      const events = (await spoofed.admin.get('/api/audit-events?action=login&page_size=10')).body.results as Array<{ address: string }>;
      expect(events.length).toBeGreaterThan(0);
      expect(events.every((e) => e.address === '127.0.0.1')).toBe(true);
    } finally {
      await spoofed.close();
    }
    const trusted = (await closed.admin.get('/api/audit-events?action=login&page_size=50')).body.results as Array<{ address: string }>;
    await login(closed, { 'x-forwarded-for': '198.51.100.7' }).then((r) => r.arrayBuffer());
    const after = (await closed.admin.get('/api/audit-events?action=login&page_size=50')).body.results as Array<{ address: string }>;
    expect(after.length).toBe(trusted.length + 1);
    expect(after.some((e) => e.address === '198.51.100.7')).toBe(true);
  });
});

describe('their settings', () => {
  it('refuse at start-up what is not an origin or a proxy address, naming the setting', () => {
    expect(() => loadConfig({ FRAMEWISE_CORS_ORIGINS: 'tools.example.com' })).toThrow(/FRAMEWISE_CORS_ORIGINS: use comma-separated origins/);
    expect(() => loadConfig({ FRAMEWISE_CORS_ORIGINS: 'https://tools.example.com/app' })).toThrow(/FRAMEWISE_CORS_ORIGINS/);
    expect(() => loadConfig({ FRAMEWISE_TRUST_PROXY: 'my-proxy' })).toThrow(/FRAMEWISE_TRUST_PROXY: use true, false, a hop count/);
    expect(() => loadConfig({ FRAMEWISE_TRUST_PROXY: '10.0.0.0/40' })).toThrow(/FRAMEWISE_TRUST_PROXY/);
    expect(loadConfig({ FRAMEWISE_TRUST_PROXY: '10.0.0.0/8, loopback, ::1' }).trustProxy).toEqual(['10.0.0.0/8', 'loopback', '::1']);
    expect(loadConfig({ FRAMEWISE_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({}).trustProxy).toEqual(['loopback', 'linklocal', 'uniquelocal']);
  });
});
