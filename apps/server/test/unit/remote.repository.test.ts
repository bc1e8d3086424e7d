// Every server here listens on 127.0.0.1 and every URL points at loopback or is refused before any
// socket opens: these tests never reach past the machine. "Public" addresses are only ever handed
// to the pure isForbiddenAddress.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../src/errors.js';
import { isForbiddenAddress, RemoteRepository, type RemoteRepositoryOptions } from '../../src/repositories/remote.repository.js';

interface TestServer {
  url: string;
  port: number;
  /** TCP connections accepted: proves a refusal happened before connecting, not after. */
  connections: number;
  requests: http.IncomingMessage[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];
const repos: RemoteRepository[] = [];

afterEach(async () => {
  for (const repo of repos.splice(0)) repo.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function listen(server: net.Server, requests: http.IncomingMessage[]): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const state: TestServer = {
    url: '',
    port: 0,
    connections: 0,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket: net.Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}`;
  servers.push(state);
  return state;
}

function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, self: TestServer) => void): Promise<TestServer> {
  const requests: http.IncomingMessage[] = [];
  let self: TestServer | undefined;
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res, self!);
  });
  return listen(server, requests).then((s) => (self = s));
}

/** Speaks raw bytes, for answers no well-behaved HTTP server would give. */
function serveRaw(onRequest: (socket: net.Socket) => void): Promise<TestServer> {
  const requests: http.IncomingMessage[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => onRequest(socket));
  });
  return listen(server, requests);
}

function repo(options: Partial<RemoteRepositoryOptions> = {}): RemoteRepository {
  const r = new RemoteRepository({ allow: ['127.0.0.1'], maxBytes: 1024 * 1024, timeoutMs: 5_000, ...options });
  repos.push(r);
  return r;
}

async function read(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function appError(promise: Promise<unknown>, code: ErrorCode): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected an AppError ${code}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

const FILE = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'.repeat(100));

/** A file server that understands single byte ranges, as object stores do. */
function fileServer(body = FILE, type = 'application/octet-stream'): Promise<TestServer> {
  return serve((req, res) => {
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      const end = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-type': type, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${body.length}` });
      res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { 'content-type': type, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}

describe('isForbiddenAddress', () => {
  it.each<[string, boolean]>([
    // IPv4
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['10.0.0.1', true],
    ['10.255.255.255', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['172.15.255.255', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['0.0.0.0', true],
    ['0.1.2.3', true],
    ['100.64.0.1', true],
    ['100.127.255.255', true],
    ['100.128.0.1', false],
    ['224.0.0.1', true],
    ['239.255.255.250', true],
    ['255.255.255.255', true],
    ['240.0.0.1', true],
    ['192.0.2.10', true],
    ['8.8.8.8', false],
    ['1.1.1.1', false],
    ['93.184.215.14', false],
    // IPv6
    ['::1', true],
    ['::', true],
    ['0:0:0:0:0:0:0:1', true],
    ['fc00::1', true],
    ['fd12:3456:789a::1', true],
    ['fe80::1', true],
    ['fe80::1%eth0', true],
    ['febf::1', true],
    ['fec0::1', true],
    ['ff02::1', true],
    ['2001:db8::1', true],
    ['2606:4700:4700::1111', false],
    ['2001:4860:4860::8888', false],
    // IPv6 forms that reach an IPv4 address
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['0:0:0:0:0:ffff:7f00:1', true],
    ['::ffff:10.1.2.3', true],
    ['::ffff:169.254.169.254', true],
    ['::ffff:8.8.8.8', false],
    ['::ffff:0:127.0.0.1', true],
    ['::127.0.0.1', true],
    ['64:ff9b::a9fe:a9fe', true],
    ['64:ff9b::808:808', false],
    ['2002:7f00:1::1', true],
    ['2002:808:808::1', false],
    // not addresses at all
    ['localhost', true],
    ['', true],
    ['127.1', true],
  ])('%s -> forbidden %s', (ip, forbidden) => {
    expect(isForbiddenAddress(ip, [])).toBe(forbidden);
  });

  it.each<[string, string[], boolean]>([
    ['127.0.0.1', ['127.0.0.1'], false],
    ['127.0.0.2', ['127.0.0.1'], true],
    ['127.0.0.2', ['127.0.0.0/8'], false],
    ['10.20.30.40', ['10.0.0.0/8'], false],
    ['10.20.30.40', ['10.20.0.0/16', '192.168.0.0/16'], false],
    ['10.21.30.40', ['10.20.0.0/16'], true],
    ['192.168.0.1', ['10.0.0.0/8'], true],
    ['::ffff:127.0.0.1', ['127.0.0.1'], false],
    ['::ffff:10.1.1.1', ['10.0.0.0/8'], false],
    ['::1', ['::1'], false],
    ['::1', ['127.0.0.1'], true],
    ['fd00::5', ['fd00::/8'], false],
    ['fc00::5', ['fd00::/8'], true],
    ['fe80::1%eth0', ['fe80::/10'], false],
    // host names apply to the URL's host, not to addresses
    ['127.0.0.1', ['localhost'], true],
    // allowing never forbids
    ['8.8.8.8', ['10.0.0.0/8'], false],
  ])('%s with allow %j -> forbidden %s', (ip, allow, forbidden) => {
    expect(isForbiddenAddress(ip, allow)).toBe(forbidden);
  });

  it('rejects an allow entry that is not a CIDR rather than guess', () => {
    expect(() => isForbiddenAddress('10.0.0.1', ['10.0.0.0/33'])).toThrow(/prefix/);
    expect(() => isForbiddenAddress('10.0.0.1', ['intranet/8'])).toThrow(/CIDR/);
  });
});

describe('RemoteRepository: fetching from allowed hosts', () => {
  it('streams the body with its size, type and final URL', async () => {
    const server = await fileServer(FILE, 'image/png');
    const file = await repo().open(`${server.url}/a.png#frag`);
    expect(file.size).toBe(FILE.length);
    expect(file.contentType).toBe('image/png');
    expect(file.finalUrl).toBe(`${server.url}/a.png`);
    expect((await read(file.stream)).equals(FILE)).toBe(true);
  });

  it('reads a byte range (206 from the server)', async () => {
    const server = await fileServer();
    const file = await repo().open(`${server.url}/f`, { range: { start: 10, end: 19 } });
    expect(server.requests[0]!.headers.range).toBe('bytes=10-19');
    expect(file.size).toBe(10);
    expect(file.totalSize).toBe(FILE.length);
    expect((await read(file.stream)).toString()).toBe(FILE.subarray(10, 20).toString());

    const tail = await repo().open(`${server.url}/f`, { range: { start: FILE.length - 5 } });
    expect((await read(tail.stream)).toString()).toBe(FILE.subarray(-5).toString());
  });

  it('cuts the range itself from a server that ignores Range', async () => {
    const server = await serve((_req, res) => res.writeHead(200, { 'content-length': FILE.length }).end(FILE));
    const file = await repo().open(`${server.url}/f`, { range: { start: 100, end: 2199 } });
    expect(file.size).toBe(2100);
    expect(file.totalSize).toBe(FILE.length);
    expect((await read(file.stream)).equals(FILE.subarray(100, 2200))).toBe(true);
  });

  it('refuses a malformed range before asking anything', async () => {
    const server = await fileServer();
    await appError(repo().open(`${server.url}/f`, { range: { start: 5, end: 2 } }), 'VALIDATION');
    await appError(repo().open(`${server.url}/f`, { range: { start: -1 } }), 'VALIDATION');
    expect(server.connections).toBe(0);
  });

  it('fetches to a buffer, and a lower per-call limit applies', async () => {
    const server = await fileServer();
    const r = repo();
    expect((await r.fetchToBuffer(`${server.url}/f`)).equals(FILE)).toBe(true);
    const error = await appError(r.fetchToBuffer(`${server.url}/f`, 100), 'PAYLOAD_TOO_LARGE');
    expect(error.message).toContain(`${server.url}/f`);
  });

  it('head() gives size and type without the body', async () => {
    const server = await fileServer(FILE, 'video/mp4');
    expect(await repo().head(`${server.url}/v.mp4`)).toEqual({ size: FILE.length, contentType: 'video/mp4', finalUrl: `${server.url}/v.mp4` });
    expect(server.requests.map((r) => r.method)).toEqual(['HEAD']);
  });

  it('head() falls back to a one-byte GET when HEAD is refused', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(405).end();
      res.writeHead(206, { 'content-type': 'image/jpeg', 'content-range': `bytes 0-0/123456`, 'content-length': 1 }).end('x');
    });
    expect(await repo().head(`${server.url}/i.jpg`)).toEqual({ size: 123456, contentType: 'image/jpeg', finalUrl: `${server.url}/i.jpg` });
    expect(server.requests.map((r) => [r.method, r.headers.range])).toEqual([
      ['HEAD', undefined],
      ['GET', 'bytes=0-0'],
    ]);
  });

  it('follows relative redirects within allowed hosts', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/old') return void res.writeHead(302, { location: '/new' }).end();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('moved here');
    });
    const file = await repo().open(`${server.url}/old`);
    expect(file.finalUrl).toBe(`${server.url}/new`);
    expect((await read(file.stream)).toString()).toBe('moved here');
  });

  it('connects to the vetted address, not to a second resolution of the name', async () => {
    const server = await fileServer();
    // `files.example.test` cannot resolve on this machine (.test is reserved): the request only
    // succeeds because the socket goes to the address the injected lookup vetted.
    const r = repo({ allow: ['files.example.test'], lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    const file = await r.open(`http://files.example.test:${server.port}/f`);
    expect((await read(file.stream)).equals(FILE)).toBe(true);
    expect(server.requests[0]!.headers.host).toBe(`files.example.test:${server.port}`);
  });

  it('names the URL and the status of a non-2xx answer', async () => {
    const server = await serve((req, res) => res.writeHead(req.url === '/gone' ? 404 : 503).end());
    const missing = await appError(repo().open(`${server.url}/gone`), 'BAD_REQUEST');
    expect(missing.message).toContain(`${server.url}/gone`);
    expect(missing.message).toContain('404');
    expect(missing.extra).toMatchObject({ remoteStatus: 404 });
    const down = await appError(repo().open(`${server.url}/busy`), 'UNAVAILABLE');
    expect(down.message).toContain('503');
  });

  it('reports a refused connection as UNAVAILABLE naming the URL', async () => {
    const server = await serve(() => {});
    const port = server.port;
    await server.close();
    const error = await appError(repo().open(`http://127.0.0.1:${port}/x`), 'UNAVAILABLE');
    expect(error.message).toContain(`http://127.0.0.1:${port}/x`);
  });
});

describe('RemoteRepository: refusals', () => {
  it.each(['file:///etc/passwd', 'ftp://127.0.0.1/file', 'data:text/plain,hello', 'gopher://127.0.0.1:70/_x', 'javascript:alert(1)', 'ws://127.0.0.1/'])(
    'refuses the scheme of %s',
    async (url) => {
      const error = await appError(repo().open(url), 'VALIDATION');
      expect(error.message).toContain(url.slice(0, 12));
      expect(error.message).toMatch(/only http and https/);
    },
  );

  it('refuses text that is not a URL', async () => {
    const error = await appError(repo().open('not a url'), 'VALIDATION');
    expect(error.message).toContain('not a url');
  });

  it('refuses user names and passwords in URLs, without echoing the password', async () => {
    const server = await fileServer();
    const withPassword = `http://user:s3cret@127.0.0.1:${server.port}/f`;
    const error = await appError(repo().open(withPassword), 'VALIDATION');
    expect(error.message).not.toContain('s3cret');
    expect(error.message).toContain(`127.0.0.1:${server.port}/f`);
    await appError(repo().open(`http://user@127.0.0.1:${server.port}/f`), 'VALIDATION');
    expect(server.connections).toBe(0);
  });

  it('refuses a loopback address before connecting when nothing is allowed', async () => {
    const server = await fileServer();
    const error = await appError(repo({ allow: [] }).open(`${server.url}/f`), 'VALIDATION');
    expect(error.message).toContain(`${server.url}/f`);
    expect(error.message).toMatch(/loopback/);
    await appError(repo({ allow: [] }).head(`${server.url}/f`), 'VALIDATION');
    await appError(repo({ allow: [] }).open(`http://[::ffff:127.0.0.1]:${server.port}/f`), 'VALIDATION');
    await appError(repo({ allow: ['10.0.0.0/8'] }).open(`http://0x7f000001:${server.port}/f`), 'VALIDATION');
    expect(server.connections).toBe(0);
  });

  it('refuses a host name that resolves to loopback (localhost)', async () => {
    const server = await fileServer();
    const error = await appError(repo({ allow: [] }).open(`http://localhost:${server.port}/f`), 'VALIDATION');
    expect(error.message).toContain(`http://localhost:${server.port}/f`);
    expect(error.message).toMatch(/resolves to a loopback address/);
    expect(server.connections).toBe(0);
  });

  it('refuses a name when any of its addresses is private, even next to a public one', async () => {
    const server = await fileServer();
    const lookup = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    await appError(repo({ allow: [], lookup }).open(`http://mixed.example.test:${server.port}/f`), 'VALIDATION');
    expect(server.connections).toBe(0);
  });

  it('refuses a redirect from an allowed host to a forbidden address', async () => {
    const target = await fileServer();
    const first = await serve((_req, res) => res.writeHead(302, { location: `${target.url}/secret` }).end());
    // Only the first host is allowed, by name; both listen on loopback so nothing leaves the machine.
    const r = repo({ allow: ['files.example.test'], lookup: async () => [{ address: '127.0.0.1', family: 4 }] });
    const error = await appError(r.open(`http://files.example.test:${first.port}/start`), 'VALIDATION');
    expect(error.message).toContain(`${target.url}/secret`);
    expect(error.message).toMatch(/loopback/);
    expect(first.requests).toHaveLength(1);
    expect(target.connections).toBe(0);

    const viaName = await serve((_req, res) => res.writeHead(301, { location: `http://localhost:${target.port}/secret` }).end());
    await appError(r.open(`http://files.example.test:${viaName.port}/start`), 'VALIDATION');
    expect(target.connections).toBe(0);
  });

  it('refuses a redirect to another scheme', async () => {
    const server = await serve((_req, res) => res.writeHead(307, { location: 'file:///etc/passwd' }).end());
    const error = await appError(repo().open(`${server.url}/x`), 'VALIDATION');
    expect(error.message).toMatch(/file:\/\/\/etc\/passwd.*redirected from/);
  });

  it('stops a redirect loop at the limit', async () => {
    const server = await serve((req, res) => res.writeHead(302, { location: req.url === '/a' ? '/b' : '/a' }).end());
    const error = await appError(repo().open(`${server.url}/a`), 'BAD_REQUEST');
    expect(error.message).toContain(`${server.url}/a`);
    expect(error.message).toMatch(/more than 5 redirects/);
    expect(server.requests).toHaveLength(6);

    server.requests.length = 0;
    await appError(repo({ maxRedirects: 1 }).head(`${server.url}/a`), 'BAD_REQUEST');
    expect(server.requests).toHaveLength(2);
  });
});

describe('RemoteRepository: size limit', () => {
  const maxBytes = 1000;

  it('refuses up front when Content-Length is over the limit', async () => {
    let written = 0;
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 50_000 });
      // Keeps sending as long as the client reads: the client must stop by itself.
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        written += 1000;
        res.write(Buffer.alloc(1000));
        if (written >= 50_000) (clearInterval(timer), res.end());
      }, 5);
    });
    const error = await appError(repo({ maxBytes }).open(`${server.url}/big`), 'PAYLOAD_TOO_LARGE');
    expect(error.message).toContain(`${server.url}/big`);
    expect(error.message).toMatch(/50000 bytes/);
  });

  it('cuts off a chunked body that grows past the limit', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < 20; i++) res.write(Buffer.alloc(100));
      res.end();
    });
    const file = await repo({ maxBytes }).open(`${server.url}/chunked`);
    expect(file.size).toBeUndefined();
    const error = await appError(read(file.stream), 'PAYLOAD_TOO_LARGE');
    expect(error.message).toContain(`${server.url}/chunked`);
  });

  it('cuts off a body without length that runs until the connection closes', async () => {
    const server = await serveRaw((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n');
      socket.end(Buffer.alloc(5000, 'x'));
    });
    const file = await repo({ maxBytes }).open(`${server.url}/eof`);
    await appError(read(file.stream), 'PAYLOAD_TOO_LARGE');
  });

  it('never delivers more than a lying Content-Length announced', async () => {
    const server = await serveRaw((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n');
      socket.end(Buffer.alloc(50_000, 'y'));
    });
    const file = await repo({ maxBytes }).open(`${server.url}/lie`);
    expect(file.size).toBe(10);
    expect((await read(file.stream)).length).toBe(10);
  });

  it('fails a body shorter than its Content-Length instead of truncating silently', async () => {
    const server = await serveRaw((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 500\r\n\r\n');
      socket.end(Buffer.alloc(10, 'z'));
    });
    const file = await repo({ maxBytes }).open(`${server.url}/short`);
    const error = await appError(read(file.stream), 'UNAVAILABLE');
    expect(error.message).toContain(`${server.url}/short`);
    expect(error.message).toMatch(/closed before the body was complete/);
  });

  it('allows a body of exactly the limit', async () => {
    const server = await fileServer(Buffer.alloc(maxBytes, 1));
    expect((await repo({ maxBytes }).fetchToBuffer(`${server.url}/f`)).length).toBe(maxBytes);
  });
});

describe('RemoteRepository: time limit', () => {
  it('times out a server that never answers', async () => {
    const server = await serve(() => {});
    const started = Date.now();
    const error = await appError(repo({ timeoutMs: 300 }).open(`${server.url}/stall`), 'UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error.message).toContain(`${server.url}/stall`);
    expect(error.message).toMatch(/0\.3 s/);
    expect(error.extra).toMatchObject({ reason: 'timeout' });
  });

  it('times out a body that stalls half way', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 100 });
      res.write(Buffer.alloc(10));
    });
    const file = await repo({ timeoutMs: 5_000, idleTimeoutMs: 200 }).open(`${server.url}/half`);
    const error = await appError(read(file.stream), 'UNAVAILABLE');
    expect(error.message).toContain(`${server.url}/half`);
    expect(error.message).toMatch(/sent nothing for 0\.2 s/);
  });

  it('bounds the whole transfer even when bytes keep trickling in', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 1000 });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('.')), 20);
    });
    const started = Date.now();
    const file = await repo({ timeoutMs: 400 }).open(`${server.url}/trickle`);
    const error = await appError(read(file.stream), 'UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error.message).toMatch(/no complete answer within 0\.4 s/);
  });

  it("hands back the caller's abort reason", async () => {
    const server = await serve(() => {});
    const controller = new AbortController();
    const pending = repo().open(`${server.url}/wait`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

afterAll(() => {
  for (const repo of repos) repo.close();
});
