/**
 * Files read from URLs that clients name (task data from remote URLs). Such a URL is attacker
 * input: fetched naively it reaches the cloud metadata service (169.254.169.254), a database on
 * localhost or anything else in the network the server sits in (SSRF). Hence:
 * - http and https only, no user names or passwords in the URL;
 * - every address the host name resolves to is vetted, and the socket is opened to one of those
 *   vetted addresses (a pinned `lookup`), never to a second DNS answer, so a name that flips to
 *   127.0.0.1 between the check and the connect (DNS rebinding) gains nothing;
 * - redirects are followed here, one hop at a time, each hop vetted like the first;
 * - bytes are bounded by Content-Length up front and by counting while streaming (chunked or
 *   close-delimited bodies have no length to trust), time by a deadline for the whole transfer
 *   plus an idle limit that catches a stalled server early.
 * The only code that opens outbound HTTP connections for clients' URLs.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Readable } from 'node:stream';
import { AppError, isAppError } from '../errors.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface RemoteRepositoryOptions {
  /** CIDRs, addresses or host names that may be reached although private, loopback, link-local... */
  allow: string[];
  /** The most bytes one response may carry (also the cap for fetchToBuffer). */
  maxBytes: number;
  /** Deadline for one whole transfer: resolving, connecting, every redirect and the body. */
  timeoutMs: number;
  /** Redirects followed before giving up (default 5). */
  maxRedirects?: number;
  /** No byte from the server for this long fails the transfer (default min(timeoutMs, 30 s)). */
  idleTimeoutMs?: number;
  /** Name resolution; tests inject one. Default: dns.lookup(host, { all: true }). */
  lookup?: (host: string) => Promise<ResolvedAddress[]>;
}

export interface ByteRange {
  start: number;
  /** Inclusive, as in HTTP; absent means "to the end". */
  end?: number;
}

export interface RemoteOpenOptions {
  signal?: AbortSignal;
  range?: ByteRange;
}

export interface RemoteFile {
  /** Consume or destroy it: it errors (timeout, size) like any stream. */
  stream: Readable;
  /** Bytes the stream will deliver, when the server said. */
  size?: number;
  /** Size of the whole file, when known (from Content-Range on ranged reads). */
  totalSize?: number;
  contentType?: string;
  /** The URL after redirects. */
  finalUrl: string;
}

export interface RemoteHead {
  size?: number;
  contentType?: string;
  finalUrl: string;
}

const DEFAULT_MAX_REDIRECTS = 5;
const DEFAULT_IDLE_MS = 30_000;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** HEAD answers after which a ranged GET is worth a try: servers and presigned URLs that only sign GET. */
const HEAD_REFUSED = new Set([400, 403, 405, 501]);

// ---------------------------------------------------------------------------------------------
// Addresses

type Rule = [address: string, prefix: number, category: string];

// Order matters: the first match names the category in the error message.
const V4_RULES: Rule[] = [
  ['255.255.255.255', 32, 'broadcast'],
  // 0.0.0.0 reaches the local host on Linux, and 0/8 is "this network".
  ['0.0.0.0', 8, 'unspecified'],
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['169.254.0.0', 16, 'link-local'],
  ['100.64.0.0', 10, 'shared (CGNAT)'],
  ['224.0.0.0', 4, 'multicast'],
  // Never a public file server: protocol assignments, documentation, benchmarking, class E.
  ['192.0.0.0', 24, 'reserved'],
  ['192.0.2.0', 24, 'reserved'],
  ['198.18.0.0', 15, 'reserved'],
  ['198.51.100.0', 24, 'reserved'],
  ['203.0.113.0', 24, 'reserved'],
  ['240.0.0.0', 4, 'reserved'],
];
const V6_RULES: Rule[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'private'],
  // Deprecated site-local: still routed inside some networks.
  ['fec0::', 10, 'private'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
  // IPv4-compatible (deprecated), discard-only, Teredo, documentation, local-use NAT64.
  ['::', 96, 'reserved'],
  ['100::', 64, 'reserved'],
  ['2001::', 32, 'reserved'],
  ['2001:db8::', 32, 'reserved'],
  ['64:ff9b:1::', 48, 'reserved'],
];

function compileRules(rules: Rule[], type: 'ipv4' | 'ipv6'): Array<[net.BlockList, string]> {
  return rules.map(([address, prefix, category]) => {
    const list = new net.BlockList();
    list.addSubnet(address, prefix, type);
    return [list, category];
  });
}
const V4_FORBIDDEN = compileRules(V4_RULES, 'ipv4');
const V6_FORBIDDEN = compileRules(V6_RULES, 'ipv6');

interface CompiledAllow {
  v4: net.BlockList;
  v6: net.BlockList;
  /** Lower-case names without the trailing dot. */
  hosts: Set<string>;
}

function compileAllow(allow: readonly string[]): CompiledAllow {
  const compiled: CompiledAllow = { v4: new net.BlockList(), v6: new net.BlockList(), hosts: new Set() };
  for (const raw of allow) {
    const entry = raw.trim();
    if (!entry) continue;
    const slash = entry.indexOf('/');
    const address = slash >= 0 ? entry.slice(0, slash) : entry;
    const family = net.isIP(address);
    if (family === 0) {
      // A typo must not silently widen or narrow the policy.
      if (slash >= 0) throw new Error(`remote allow list: "${entry}" is not a CIDR`);
      compiled.hosts.add(normalizeHost(entry));
      continue;
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const list = family === 4 ? compiled.v4 : compiled.v6;
    if (slash < 0) {
      list.addAddress(address, type);
      continue;
    }
    const prefixText = entry.slice(slash + 1);
    const prefix = Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) {
      throw new Error(`remote allow list: "${entry}" has an invalid prefix length`);
    }
    list.addSubnet(address, prefix, type);
  }
  return compiled;
}

function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/** The eight 16-bit groups of a valid IPv6 address (zone already stripped). */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest ? rest.split(':') : [];
  const zeros = rest === undefined ? [] : new Array<string>(8 - headGroups.length - restGroups.length).fill('0');
  return [...headGroups, ...zeros, ...restGroups].map((g) => parseInt(g, 16));
}

function ipv4FromGroups(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** The IPv4 address an IPv6 one stands for: the socket really goes there (mapped, translated). */
function mappedIPv4(g: number[]): string | null {
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return ipv4FromGroups(g[6]!, g[7]!);
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return ipv4FromGroups(g[6]!, g[7]!);
  return null;
}

/** An IPv4 address carried inside by a translator or tunnel (NAT64, 6to4) that would deliver to it. */
function embeddedIPv4(g: number[]): string | null {
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return ipv4FromGroups(g[6]!, g[7]!);
  if (g[0] === 0x2002) return ipv4FromGroups(g[1]!, g[2]!);
  return null;
}

function categoryV4(ip: string): string | null {
  for (const [list, category] of V4_FORBIDDEN) if (list.check(ip, 'ipv4')) return category;
  return null;
}

/** Why `ip` may not be reached (e.g. "loopback"), or null when it may. */
function forbiddenCategory(ip: string, allow: CompiledAllow): string | null {
  const address = ip.replace(/%.*$/, '');
  const family = net.isIP(address);
  if (family === 0) return 'invalid';
  if (family === 4) return allow.v4.check(address, 'ipv4') ? null : categoryV4(address);
  if (allow.v6.check(address, 'ipv6')) return null;
  const groups = ipv6Groups(address);
  const mapped = mappedIPv4(groups);
  if (mapped) return allow.v4.check(mapped, 'ipv4') ? null : categoryV4(mapped);
  for (const [list, category] of V6_FORBIDDEN) if (list.check(address, 'ipv6')) return category;
  const embedded = embeddedIPv4(groups);
  const inner = embedded ? categoryV4(embedded) : null;
  return inner ? `${inner} (embedded IPv4)` : null;
}

/**
 * True when `ip` is loopback, private, link-local, unspecified, CGNAT, multicast, broadcast or
 * reserved (IPv4, IPv6, and IPv6 forms that carry one of those IPv4 addresses), unless an
 * address or CIDR in `allow` covers it. Host names in `allow` do not apply here (they are matched
 * against the URL's host by RemoteRepository). Anything that is not an IP address is forbidden.
 */
export function isForbiddenAddress(ip: string, allow: string[]): boolean {
  return forbiddenCategory(ip, compileAllow(allow)) !== null;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** The URL as it may be shown: a password never goes into a message or a log. */
function displayUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.href;
  } catch {
    return raw.length > 300 ? `${raw.slice(0, 300)}...` : raw;
  }
}

function refused(url: string, reason: string): AppError {
  const shown = displayUrl(url);
  return new AppError('VALIDATION', `${shown}: ${reason}`, [{ field: 'url', message: reason }], { url: shown });
}

function unavailable(url: string, reason: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('UNAVAILABLE', `${url}: ${reason}`, [{ field: 'url', message: reason }], { url, ...extra });
}

function statusError(url: string, status: number, statusText: string | undefined): AppError {
  const reason = `the server answered ${status}${statusText ? ` ${statusText}` : ''}`;
  // 5xx, 408 and 429 may pass if retried; other 4xx will not, the URL itself is wrong.
  const code =
    status === 416 ? 'RANGE_NOT_SATISFIABLE' : status >= 500 || status === 408 || status === 429 ? 'UNAVAILABLE' : 'BAD_REQUEST';
  return new AppError(code, `${url}: ${reason}`, [{ field: 'url', message: reason }], { url, remoteStatus: status });
}

function tooLarge(url: string, maxBytes: number, declared?: number): AppError {
  const reason =
    declared === undefined
      ? `the body is larger than the limit of ${maxBytes} bytes`
      : `the server announces ${declared} bytes, more than the limit of ${maxBytes} bytes`;
  return new AppError('PAYLOAD_TOO_LARGE', `${url}: ${reason}`, [{ field: 'url', message: reason }], { url, maxBytes });
}

function networkError(url: string, error: unknown): Error {
  if (isAppError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const text = error instanceof Error ? error.message : String(error);
  return unavailable(url, `cannot fetch (${code ?? text})`, { reason: 'network' });
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

// ---------------------------------------------------------------------------------------------
// One transfer: the deadline, the caller's signal, and how to cancel whatever is in flight

class Transfer {
  private readonly deadline: AbortSignal;
  private cancelCurrent: ((error: Error) => void) | undefined;
  /** Why the transfer was cancelled; what the caller sees instead of the socket error it causes. */
  cancelledWith: Error | undefined;
  private readonly onAbort = () => this.cancel(this.abortError());

  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.deadline = AbortSignal.timeout(timeoutMs);
    this.deadline.addEventListener('abort', this.onAbort, { once: true });
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The caller's own reason wins: a caller that aborted expects its AbortError, not a timeout. */
  abortError(): Error {
    if (this.signal?.aborted) {
      const reason: unknown = this.signal.reason;
      return reason instanceof Error ? reason : new Error(String(reason));
    }
    return unavailable(this.url, `no complete answer within ${seconds(this.timeoutMs)}`, { reason: 'timeout' });
  }

  throwIfAborted(): void {
    if (this.signal?.aborted || this.deadline.aborted) throw this.abortError();
  }

  onCancel(cancel: ((error: Error) => void) | undefined): void {
    this.cancelCurrent = cancel;
  }

  cancel(error: Error): void {
    this.cancelledWith ??= error;
    this.cancelCurrent?.(error);
  }

  /** dns.lookup cannot be cancelled; the transfer stops waiting for it instead. */
  race<T>(promise: Promise<T>): Promise<T> {
    this.throwIfAborted();
    return new Promise<T>((resolve, reject) => {
      this.onCancel(reject);
      promise.then(resolve, reject).finally(() => this.onCancel(undefined));
    });
  }

  done(): void {
    this.cancelCurrent = undefined;
    this.deadline.removeEventListener('abort', this.onAbort);
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

interface Hop {
  url: URL;
  req: http.ClientRequest;
  res: http.IncomingMessage;
}

function noop(): void {}

function headerNumber(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `bytes 0-99/1234`, `bytes 0-99/*`, or `bytes * /1234` on a 416 (RFC 9110 §14.4). */
function parseContentRange(value: string | undefined): { start?: number; end?: number; total?: number } | undefined {
  const match = value && /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(value.trim());
  if (!match) return undefined;
  const num = (s: string | undefined) => (s === undefined || s === '*' ? undefined : Number(s));
  return { start: num(match[1]), end: num(match[2]), total: num(match[3]) };
}

function checkRange(range: ByteRange | undefined): void {
  if (!range) return;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) throw AppError.invalid('range', `start must be a whole number >= 0, not ${start}`);
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw AppError.invalid('range', `end must be a whole number >= start (${start}), not ${end}`);
  }
}

/** The socket goes to the addresses that were vetted, whatever DNS says by the time it connects. */
function pinnedLookup(addresses: ResolvedAddress[]): net.LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
    const first = usable[0];
    if (!first) {
      const error: NodeJS.ErrnoException = new Error(`no vetted IPv${family} address`);
      error.code = 'ENOTFOUND';
      callback(error, '', 0);
    } else if (options.all) {
      callback(null, usable);
    } else {
      callback(null, first.address, first.family);
    }
  };
}

async function defaultLookup(host: string): Promise<ResolvedAddress[]> {
  return dns.promises.lookup(host, { all: true });
}

// ---------------------------------------------------------------------------------------------

export class RemoteRepository {
  private readonly allow: CompiledAllow;
  private readonly maxRedirects: number;
  private readonly idleTimeoutMs: number;
  private readonly lookup: (host: string) => Promise<ResolvedAddress[]>;
  // Own agents: kept-alive sockets were opened under this instance's policy and no other.
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });

  constructor(private readonly options: RemoteRepositoryOptions) {
    this.allow = compileAllow(options.allow);
    this.maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    this.idleTimeoutMs = options.idleTimeoutMs ?? Math.min(options.timeoutMs, DEFAULT_IDLE_MS);
    this.lookup = options.lookup ?? defaultLookup;
  }

  /** A readable body, bounded in bytes and time; with `range`, only those bytes. */
  async open(url: string, opts: RemoteOpenOptions = {}): Promise<RemoteFile> {
    return this.get(url, opts, this.options.maxBytes);
  }

  /** Size and type without the body; a server that refuses HEAD is asked for one byte instead. */
  async head(url: string, opts: { signal?: AbortSignal } = {}): Promise<RemoteHead> {
    const transfer = new Transfer(url, this.options.timeoutMs, opts.signal);
    try {
      const hop = await this.follow(url, 'HEAD', {}, transfer);
      hop.res.resume();
      if (HEAD_REFUSED.has(hop.res.statusCode ?? 0)) return await this.headByRange(url, transfer);
      this.requireSuccess(hop);
      return {
        size: headerNumber(hop.res.headers['content-length']),
        ...this.typeOf(hop.res),
        finalUrl: hop.url.href,
      };
    } finally {
      transfer.done();
    }
  }

  /** The whole body in memory; `maxBytes` may lower the configured limit, never raise it. */
  async fetchToBuffer(url: string, maxBytes?: number, opts: { signal?: AbortSignal } = {}): Promise<Buffer> {
    const limit = Math.min(maxBytes ?? Infinity, this.options.maxBytes);
    const file = await this.get(url, opts, limit);
    const chunks: Buffer[] = [];
    for await (const chunk of file.stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** Closes kept-alive connections; requests still in flight are not waited for. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  // -------------------------------------------------------------------------------------------

  private async headByRange(url: string, transfer: Transfer): Promise<RemoteHead> {
    const hop = await this.follow(url, 'GET', { range: 'bytes=0-0' }, transfer);
    hop.res.destroy();
    const { res } = hop;
    const contentRange = parseContentRange(res.headers['content-range']);
    // 416 on bytes=0-0 is how an empty file answers; its Content-Range still gives the size.
    if (res.statusCode === 416 && contentRange?.total !== undefined) {
      return { size: contentRange.total, ...this.typeOf(res), finalUrl: hop.url.href };
    }
    this.requireSuccess(hop);
    const size = res.statusCode === 206 ? contentRange?.total : headerNumber(res.headers['content-length']);
    return { size, ...this.typeOf(res), finalUrl: hop.url.href };
  }

  private async get(url: string, opts: RemoteOpenOptions, maxBytes: number): Promise<RemoteFile> {
    checkRange(opts.range);
    const range = opts.range;
    const transfer = new Transfer(url, this.options.timeoutMs, opts.signal);
    try {
      const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end ?? ''}` } : {};
      const hop = await this.follow(url, 'GET', headers, transfer);
      const { res } = hop;
      const where = hop.url.href;
      this.requireSuccess(hop);
      const length = headerNumber(res.headers['content-length']);

      // A server that ignores Range answers 200 with the whole file: skip and cut here instead.
      let skip = 0;
      let take: number | undefined;
      let size = length;
      let totalSize: number | undefined;
      if (range && res.statusCode === 206) {
        const cr = parseContentRange(res.headers['content-range']);
        if (cr?.start !== range.start) {
          res.destroy();
          throw new AppError('BAD_REQUEST', `${where}: the server answered a different byte range (${res.headers['content-range'] ?? 'none'})`, [
            { field: 'url', message: 'unexpected Content-Range' },
          ]);
        }
        totalSize = cr.total;
      } else if (range) {
        totalSize = length;
        if (length !== undefined && range.start >= length && length > 0) {
          res.destroy();
          throw new AppError('RANGE_NOT_SATISFIABLE', `${where}: byte ${range.start} is past the end (${length} bytes)`);
        }
        skip = range.start;
        take = range.end === undefined ? undefined : range.end - range.start + 1;
        size = length === undefined ? undefined : Math.max(0, Math.min(length, range.end === undefined ? length : range.end + 1) - range.start);
      } else {
        totalSize = length;
      }
      // What will actually come over the wire: a skipped prefix counts, a cut-off tail does not.
      const onWire = length === undefined ? undefined : take === undefined ? length : Math.min(length, skip + take);
      if (onWire !== undefined && onWire > maxBytes) {
        res.destroy();
        throw tooLarge(where, maxBytes, onWire);
      }
      return {
        stream: this.body(hop, transfer, maxBytes, skip, take),
        ...(size !== undefined ? { size } : {}),
        ...(totalSize !== undefined ? { totalSize } : {}),
        ...this.typeOf(res),
        finalUrl: where,
      };
    } catch (error) {
      transfer.done();
      throw error;
    }
  }

  private typeOf(res: http.IncomingMessage): { contentType?: string } {
    const type = res.headers['content-type'];
    return type ? { contentType: type } : {};
  }

  private requireSuccess(hop: Hop): void {
    const status = hop.res.statusCode ?? 0;
    if (status >= 200 && status < 300) return;
    hop.res.destroy();
    throw statusError(hop.url.href, status, hop.res.statusMessage);
  }

  /** Requests `url`, following redirects, each hop's URL and addresses vetted before connecting. */
  private async follow(url: string, method: 'GET' | 'HEAD', headers: Record<string, string>, transfer: Transfer): Promise<Hop> {
    let current = this.checkUrl(url);
    for (let redirects = 0; ; redirects++) {
      const addresses = await this.vet(current, transfer);
      const hop = await this.send(current, method, headers, addresses, transfer);
      const status = hop.res.statusCode ?? 0;
      const location = hop.res.headers.location;
      if (!REDIRECT_STATUSES.has(status) || !location) return hop;
      // A redirect's body is never needed; closing the socket is cheaper than draining it.
      hop.res.destroy();
      if (redirects >= this.maxRedirects) {
        throw new AppError('BAD_REQUEST', `${url}: more than ${this.maxRedirects} redirects`, [{ field: 'url', message: 'too many redirects' }], { url });
      }
      let next: string;
      try {
        next = new URL(location, current).href;
      } catch {
        throw refused(url, `redirected to an invalid URL "${location.slice(0, 200)}"`);
      }
      current = this.checkUrl(next, url);
    }
  }

  private checkUrl(raw: string, redirectedFrom?: string): URL {
    const via = redirectedFrom ? ` (redirected from ${displayUrl(redirectedFrom)})` : '';
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw refused(raw, `not a valid URL${via}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw refused(raw, `the scheme "${url.protocol.replace(/:$/, '')}" is not allowed, only http and https${via}`);
    }
    if (url.username || url.password) throw refused(raw, `user names and passwords in URLs are not accepted${via}`);
    // Never sent on the wire anyway; dropping it keeps finalUrl and messages plain.
    url.hash = '';
    return url;
  }

  /** Every address must pass: one public answer next to 127.0.0.1 is how rebinding starts. */
  private async vet(url: URL, transfer: Transfer): Promise<ResolvedAddress[]> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const literal = net.isIP(host);
    let addresses: ResolvedAddress[];
    if (literal) {
      addresses = [{ address: host, family: literal }];
    } else {
      try {
        addresses = await transfer.race(this.lookup(host));
      } catch (error) {
        if (isAppError(error) || transfer.cancelledWith) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTFOUND' || code === 'ENODATA') throw refused(url.href, `the host ${host} does not exist`);
        throw networkError(url.href, error);
      }
      if (!addresses.length) throw refused(url.href, `the host ${host} has no address`);
    }
    if (!literal && this.allow.hosts.has(normalizeHost(host))) return addresses;
    for (const { address } of addresses) {
      const category = forbiddenCategory(address, this.allow);
      if (category === null) continue;
      // The resolved address is not echoed: the answer would turn this into a probe of internal DNS.
      const what = literal ? `${host} is a ${category} address` : `${host} resolves to a ${category} address`;
      throw refused(url.href, `${what}; only public addresses may be fetched unless an administrator allows it`);
    }
    return addresses;
  }

  private send(url: URL, method: 'GET' | 'HEAD', headers: Record<string, string>, addresses: ResolvedAddress[], transfer: Transfer): Promise<Hop> {
    transfer.throwIfAborted();
    const client = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
    return new Promise<Hop>((resolve, reject) => {
      const req = client.request(url, { method, headers, agent, lookup: pinnedLookup(addresses) });
      // Stays attached for the request's whole life: a late socket error must not go unhandled.
      req.on('error', (error) => reject(transfer.cancelledWith ?? networkError(url.href, error)));
      req.setTimeout(this.idleTimeoutMs, () =>
        transfer.cancel(unavailable(url.href, `the server sent nothing for ${seconds(this.idleTimeoutMs)}`, { reason: 'timeout' })),
      );
      transfer.onCancel((error) => req.destroy(error));
      req.on('response', (res) => {
        res.on('error', noop);
        resolve({ url, req, res });
      });
      req.end();
    });
  }

  /** The response body as the caller's stream: counted, windowed, cancelled by the transfer. */
  private body(hop: Hop, transfer: Transfer, maxBytes: number, skip: number, take: number | undefined): Readable {
    const { req, res, url } = hop;
    let received = 0;
    let toSkip = skip;
    let left = take ?? Infinity;
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      transfer.done();
      return true;
    };
    const out = new Readable({
      read() {
        res.resume();
      },
      destroy(error, callback) {
        settle();
        res.destroy();
        req.destroy();
        callback(error);
      },
    });
    // Only the first outcome counts: closing the socket after a complete window reports 'aborted'.
    const fail = (error: Error) => {
      if (settle()) out.destroy(error);
    };
    transfer.onCancel(fail);
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > maxBytes) return fail(tooLarge(url.href, maxBytes));
      let piece = chunk;
      if (toSkip > 0) {
        if (piece.length <= toSkip) {
          toSkip -= piece.length;
          return;
        }
        piece = piece.subarray(toSkip);
        toSkip = 0;
      }
      if (piece.length > left) piece = piece.subarray(0, left);
      left -= piece.length;
      const more = piece.length ? out.push(piece) : true;
      if (left === 0) {
        // The window is complete: the rest of the file is not wanted.
        settle();
        out.push(null);
        res.destroy();
      } else if (!more) {
        res.pause();
      }
    });
    res.on('end', () => {
      if (!settle()) return;
      if (res.complete) out.push(null);
      else out.destroy(unavailable(url.href, 'the connection closed before the body was complete', { reason: 'network' }));
    });
    res.on('error', (error) => fail(networkError(url.href, error)));
    res.on('aborted', () => fail(unavailable(url.href, 'the connection closed before the body was complete', { reason: 'network' })));
    return out;
  }
}
