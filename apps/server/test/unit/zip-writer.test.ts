import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBlobStore } from '../../src/repositories/storage/local-blob-store.js';
import { ZipToBlob } from '../../src/repositories/zip-writer.js';

let root: string;
let blobs: LocalBlobStore;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'zip-writer-'));
  blobs = new LocalBlobStore(root);
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function stored(key: string): Promise<Record<string, Uint8Array>> {
  const s = await blobs.getStream(key);
  const chunks: Buffer[] = [];
  for await (const c of s!.stream) chunks.push(c as Buffer);
  return unzipSync(new Uint8Array(Buffer.concat(chunks)));
}

describe('ZipToBlob', () => {
  it('writes many small entries queued ahead, streamed and large entries between them, all whole and in order', async () => {
    const zip = new ZipToBlob(blobs, 'exports/a.zip');
    const expected: Array<[string, string | Uint8Array]> = [];
    // Enough small files to pass the queued-ahead bound several times (a YOLO export's label files).
    for (let i = 0; i < 3000; i++) {
      const text = `0 0.5 0.5 0.1 0.1\n`.repeat(100) + `${i}\n`;
      expected.push([`labels/train/f${i}.txt`, text]);
      await zip.add(`labels/train/f${i}.txt`, text);
      if (i === 1500) {
        const parts = Array.from({ length: 50 }, (_, j) => `{"id":${j}},`);
        expected.push(['annotations/big.json', parts.join('')]);
        await zip.add('annotations/big.json', (async function* () { yield* parts; })());
        const image = new Uint8Array(600 * 1024).map((_, k) => k % 251);
        expected.push(['images/x.png', image]);
        await zip.add('images/x.png', Readable.from([Buffer.from(image)]), { compress: false });
      }
    }
    await zip.finish();
    const files = await stored('exports/a.zip');
    expect(Object.keys(files)).toEqual(expected.map(([p]) => p));
    for (const [p, content] of expected) {
      expect(Buffer.from(files[p]!).equals(Buffer.from(typeof content === 'string' ? Buffer.from(content) : content)), p).toBe(true);
    }
  });

  it('stores nothing when aborted', async () => {
    const zip = new ZipToBlob(blobs, 'exports/b.zip');
    await zip.add('a.txt', 'hello');
    zip.abort(new Error('cancelled'));
    await expect(zip.finish()).rejects.toThrow();
    expect(await blobs.head('exports/b.zip')).toBeNull();
  });
});
