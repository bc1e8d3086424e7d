/**
 * The behaviour every BlobStore driver must share. Each driver's test file calls blobStoreContract
 * with a factory; the rest of the server relies on exactly what is asserted here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobInfo, BlobStore } from '../../src/repositories/storage/blob-store.js';

export interface BlobStoreContractOptions {
  /**
   * Whether listings follow byte order where a '/' sorts after other characters ('a-b' < 'a/x').
   * Real S3 and the local driver do; s3rver walks its directory tree instead and does not.
   */
  strictKeyOrder?: boolean;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export async function keysOf(store: BlobStore, prefix: string): Promise<string[]> {
  return (await collect(store.list(prefix))).map((info: BlobInfo) => info.key);
}

/** Hashes keep a failed comparison of megabytes readable. */
export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** A stream that hands out the given chunks, then fails instead of ending. */
export function failingStream(chunks: Buffer[], message = 'source broke'): Readable {
  return Readable.from(
    (async function* () {
      for (const c of chunks) yield c;
      await new Promise((r) => setTimeout(r, 5));
      throw new Error(message);
    })(),
  );
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

const UNSAFE_KEYS = ['../x', '/abs', 'a/../b', 'a\\b', '', 'a//b', './a', 'a/', 'a/.', 'a\0b'];

export function blobStoreContract(
  name: string,
  make: () => Promise<{ store: BlobStore; cleanup: () => Promise<void> }>,
  options: BlobStoreContractOptions = {},
): void {
  const strictKeyOrder = options.strictKeyOrder ?? true;

  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ store, cleanup } = await make());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    describe('put and get', () => {
      it('round-trips a Buffer, a Uint8Array and a string', async () => {
        const buf = randomBytes(1000);
        await store.put('rt/buffer.bin', buf);
        expect((await store.get('rt/buffer.bin'))?.equals(buf)).toBe(true);

        const u8 = new Uint8Array([0, 1, 2, 250, 255]);
        await store.put('rt/u8.bin', u8);
        expect([...((await store.get('rt/u8.bin')) ?? [])]).toEqual([0, 1, 2, 250, 255]);

        const text = 'héllo, wörld ✓ 🎞';
        await store.put('rt/text.txt', text);
        expect((await store.get('rt/text.txt'))?.toString('utf8')).toBe(text);
        expect((await store.head('rt/text.txt'))?.size).toBe(Buffer.byteLength(text));
      });

      it('round-trips an empty object', async () => {
        await store.put('rt/empty', Buffer.alloc(0));
        expect((await store.get('rt/empty'))?.length).toBe(0);
        expect((await store.head('rt/empty'))?.size).toBe(0);
        const s = await store.getStream('rt/empty');
        expect(s).toMatchObject({ length: 0, size: 0 });
        expect((await readAll(s!.stream)).length).toBe(0);
      });

      it('round-trips a stream of several chunks', async () => {
        const chunks = [randomBytes(10), Buffer.from('middle'), randomBytes(70_000), randomBytes(1)];
        await store.put('rt/stream.bin', Readable.from(chunks));
        expect(sha256((await store.get('rt/stream.bin'))!)).toBe(sha256(Buffer.concat(chunks)));
      });

      it('round-trips a stream with a declared length', async () => {
        const chunks = [randomBytes(4096), randomBytes(123)];
        const total = Buffer.concat(chunks);
        await store.put('rt/sized.bin', Readable.from(chunks), { contentLength: total.length });
        expect(sha256((await store.get('rt/sized.bin'))!)).toBe(sha256(total));
      });

      it('round-trips a ~12 MB stream of unknown length (multipart on S3)', async () => {
        const chunks = Array.from({ length: 12 }, (_, i) => randomBytes(1024 * 1024 + i * 7));
        const total = Buffer.concat(chunks);
        await store.put('rt/big.bin', Readable.from(chunks));
        expect((await store.head('rt/big.bin'))?.size).toBe(total.length);
        const s = await store.getStream('rt/big.bin');
        expect(s).toMatchObject({ length: total.length, size: total.length });
        expect(sha256(await readAll(s!.stream))).toBe(sha256(total));
      });

      it('rejects a put whose stream fails midway and leaves no object', async () => {
        await expect(store.put('rt/broken.bin', failingStream([randomBytes(1000)]))).rejects.toThrow('source broke');
        expect(await store.head('rt/broken.bin')).toBeNull();
        expect(await keysOf(store, 'rt/broken')).toEqual([]);
      });

      it('overwrites an existing object', async () => {
        await store.put('rt/over.txt', 'a much longer first version');
        await store.put('rt/over.txt', 'short');
        expect((await store.get('rt/over.txt'))?.toString()).toBe('short');
        expect((await store.head('rt/over.txt'))?.size).toBe(5);
        expect(await keysOf(store, 'rt/over')).toEqual(['rt/over.txt']);
      });

      it('keeps a given content type for keys with a known extension', async () => {
        await store.put('rt/pic.png', randomBytes(20), { contentType: 'image/png' });
        expect((await store.head('rt/pic.png'))?.contentType).toBe('image/png');
        const s = await store.getStream('rt/pic.png');
        s?.stream.destroy();
        expect(s?.contentType).toBe('image/png');
      });
    });

    describe('head', () => {
      it('reports key, size and modification time', async () => {
        const before = Date.now();
        await store.put('head/x.bin', randomBytes(321));
        const info = await store.head('head/x.bin');
        expect(info).toMatchObject({ key: 'head/x.bin', size: 321 });
        expect(info?.modified).toBeInstanceOf(Date);
        // S3 keeps whole seconds; allow for that and a little clock skew.
        expect(Math.abs(info!.modified.getTime() - before)).toBeLessThan(60_000);
      });
    });

    describe('missing keys', () => {
      it('get, getStream and head return null', async () => {
        expect(await store.get('missing/nothing')).toBeNull();
        expect(await store.getStream('missing/nothing')).toBeNull();
        expect(await store.getStream('missing/nothing', { start: 3 })).toBeNull();
        expect(await store.head('missing/nothing')).toBeNull();
        expect(await store.get('missing-dir/deeper/nothing')).toBeNull();
      });

      it('delete of a missing key succeeds', async () => {
        await expect(store.delete('missing/nothing')).resolves.toBeUndefined();
        await expect(store.delete('missing-dir/deeper/nothing')).resolves.toBeUndefined();
      });
    });

    describe('ranged reads', () => {
      const data = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
      beforeAll(async () => {
        await store.put('range/data.bin', data);
      });

      async function read(range: { start: number; end?: number }) {
        const s = await store.getStream('range/data.bin', range);
        expect(s).not.toBeNull();
        return { length: s!.length, size: s!.size, bytes: [...(await readAll(s!.stream))] };
      }

      it('reads from a start to the end', async () => {
        expect(await read({ start: 90 })).toEqual({ length: 10, size: 100, bytes: [...data.subarray(90)] });
      });

      it('reads from a start to an end, both inclusive', async () => {
        expect(await read({ start: 10, end: 19 })).toEqual({ length: 10, size: 100, bytes: [...data.subarray(10, 20)] });
        // Not { start: 0, end: 0 }: s3rver treats an end of 0 as "to the end" (real S3 does not).
        expect(await read({ start: 1, end: 1 })).toEqual({ length: 1, size: 100, bytes: [1] });
      });

      it('reads the last byte', async () => {
        expect(await read({ start: 99 })).toEqual({ length: 1, size: 100, bytes: [99] });
        expect(await read({ start: 99, end: 99 })).toEqual({ length: 1, size: 100, bytes: [99] });
      });

      it('clamps an end past the object', async () => {
        expect(await read({ start: 95, end: 1000 })).toEqual({ length: 5, size: 100, bytes: [95, 96, 97, 98, 99] });
      });

      it('reads everything without a range', async () => {
        const s = await store.getStream('range/data.bin');
        expect(s).toMatchObject({ length: 100, size: 100 });
        expect((await readAll(s!.stream)).equals(data)).toBe(true);
      });

      // RangeError, so the HTTP layer can answer 416 whatever the driver.
      it('refuses a range that starts past the end with a RangeError', async () => {
        await expect(store.getStream('range/data.bin', { start: 100 })).rejects.toBeInstanceOf(RangeError);
        await store.put('range/empty', '');
        await expect(store.getStream('range/empty', { start: 0 })).rejects.toBeInstanceOf(RangeError);
      });

      it('refuses a malformed range with a RangeError', async () => {
        await expect(store.getStream('range/data.bin', { start: -1 })).rejects.toBeInstanceOf(RangeError);
        await expect(store.getStream('range/data.bin', { start: 10, end: 5 })).rejects.toBeInstanceOf(RangeError);
        await expect(store.getStream('range/data.bin', { start: 1.5 })).rejects.toBeInstanceOf(RangeError);
      });
    });

    describe('delete', () => {
      it('removes the object', async () => {
        await store.put('del/x', 'x');
        await store.delete('del/x');
        expect(await store.get('del/x')).toBeNull();
        expect(await store.head('del/x')).toBeNull();
        expect(await keysOf(store, 'del/')).toEqual([]);
      });
    });

    describe('list', () => {
      // Written out of order on purpose.
      const keys = ['list/a/bc/x', 'list/a/b/2', 'list/a/b-c', 'list/a/b/sub/3', 'list/a/b/1', 'list/z'];
      beforeAll(async () => {
        for (const key of keys) await store.put(key, key);
      });

      it('returns exactly the keys under a directory prefix, in order', async () => {
        expect(await keysOf(store, 'list/a/b/')).toEqual(['list/a/b/1', 'list/a/b/2', 'list/a/b/sub/3']);
        expect(await keysOf(store, 'list/a/bc/')).toEqual(['list/a/bc/x']);
      });

      it('reports size and modification time', async () => {
        const [info] = await collect(store.list('list/a/bc/'));
        expect(info).toMatchObject({ key: 'list/a/bc/x', size: 'list/a/bc/x'.length });
        expect(info?.modified).toBeInstanceOf(Date);
      });

      it('treats a prefix without a trailing slash as a plain string prefix', async () => {
        const got = await keysOf(store, 'list/a/b');
        expect([...got].sort()).toEqual(['list/a/b-c', 'list/a/b/1', 'list/a/b/2', 'list/a/b/sub/3', 'list/a/bc/x'].sort());
        expect(await keysOf(store, 'list/a/bc')).toEqual(['list/a/bc/x']);
        expect(await keysOf(store, 'list/a/b/s')).toEqual(['list/a/b/sub/3']);
      });

      it.runIf(strictKeyOrder)("orders by bytes, with '/' after '-' and before letters", async () => {
        expect(await keysOf(store, 'list/')).toEqual([
          'list/a/b-c',
          'list/a/b/1',
          'list/a/b/2',
          'list/a/b/sub/3',
          'list/a/bc/x',
          'list/z',
        ]);
      });

      it('orders numbers as text', async () => {
        for (const k of ['ord/2', 'ord/10', 'ord/1', 'ord/B', 'ord/a']) await store.put(k, k);
        expect(await keysOf(store, 'ord/')).toEqual(['ord/1', 'ord/10', 'ord/2', 'ord/B', 'ord/a']);
      });

      it('returns nothing for a prefix with no keys', async () => {
        expect(await keysOf(store, 'list/nope/')).toEqual([]);
        expect(await keysOf(store, 'no-such-prefix')).toEqual([]);
      });

      it('is lazy: breaking off early is fine', async () => {
        for await (const info of store.list('list/')) {
          expect(info.key.startsWith('list/')).toBe(true);
          break;
        }
      });
    });

    describe('many keys', () => {
      it('lists and deletes more than 1000 keys (pagination and delete batches)', { timeout: 120_000 }, async () => {
        const keys = Array.from({ length: 1100 }, (_, i) => `many/k${String(i).padStart(4, '0')}`);
        await inBatches(keys, 25, (key) => store.put(key, 'x'));
        const listed = await keysOf(store, 'many/');
        expect(listed.length).toBe(1100);
        expect(listed).toEqual(keys);
        expect(await store.deletePrefix('many/')).toBe(1100);
        expect(await keysOf(store, 'many/')).toEqual([]);
      });
    });

    describe('deletePrefix', () => {
      it('deletes exactly the keys under the prefix and returns the count', async () => {
        for (const key of ['dp/a/1', 'dp/a/2', 'dp/a/x/3', 'dp/ab/4', 'dp/a-b', 'dp/b']) await store.put(key, key);
        expect(await store.deletePrefix('dp/a/')).toBe(3);
        expect(await keysOf(store, 'dp/')).toEqual(['dp/a-b', 'dp/ab/4', 'dp/b'].sort());
        expect(await store.get('dp/a/1')).toBeNull();
        expect((await store.get('dp/ab/4'))?.toString()).toBe('dp/ab/4');
      });

      it('returns 0 when nothing matches', async () => {
        expect(await store.deletePrefix('dp/none/')).toBe(0);
      });

      it('accepts a key-like prefix without a trailing slash', async () => {
        await store.put('dq/one', '1');
        await store.put('dq/onetwo/x', '2');
        await store.put('dq/two', '3');
        expect(await store.deletePrefix('dq/one')).toBe(2);
        expect(await keysOf(store, 'dq/')).toEqual(['dq/two']);
      });
    });

    describe('unsafe keys', () => {
      it.each(UNSAFE_KEYS)('refuses %j everywhere and writes nothing', async (key) => {
        const before = await keysOf(store, '');
        await expect(store.put(key, 'evil')).rejects.toThrow(/unsafe/);
        await expect(store.put(key, Readable.from([Buffer.from('evil')]))).rejects.toThrow(/unsafe/);
        await expect(store.get(key)).rejects.toThrow(/unsafe/);
        await expect(store.getStream(key)).rejects.toThrow(/unsafe/);
        await expect(store.head(key)).rejects.toThrow(/unsafe/);
        await expect(store.delete(key)).rejects.toThrow(/unsafe/);
        expect(await keysOf(store, '')).toEqual(before);
      });

      it.each(['../', '/abs/', 'a/../', 'a\\b/', '..', 'a//'])('refuses the prefix %j', async (prefix) => {
        await expect(collect(store.list(prefix))).rejects.toThrow(/unsafe/);
        await expect(store.deletePrefix(prefix)).rejects.toThrow(/unsafe/);
      });
    });

    describe('check', () => {
      it('passes and leaves nothing behind', async () => {
        await expect(store.check()).resolves.toBeUndefined();
        expect(await keysOf(store, '.health/')).toEqual([]);
      });
    });
  });
}
