import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import * as tar from 'tar';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, forEachEntry } from '../../src/repositories/archive.repository.js';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fw-archive-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const LIMITS = { maxEntries: 100, maxBytes: 1024 * 1024 };

async function write(name: string, data: Uint8Array): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, data);
  return file;
}

async function read(file: string, name: string, limits = LIMITS): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await forEachEntry(file, name, limits, async (e) => {
    const chunks: Buffer[] = [];
    for await (const c of await e.open()) chunks.push(c as Buffer);
    out[e.path] = Buffer.concat(chunks).toString();
  });
  return out;
}

/** A TAR built entry by entry, so tests can write what tar(1) would refuse to. */
function rawTar(entries: Array<{ path: string; body?: string; type?: 'File' | 'SymbolicLink'; linkpath?: string }>): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const header = new tar.Header({ path: e.path, size: body.length, type: e.type ?? 'File', mode: 0o644, mtime: new Date(0), ...(e.linkpath ? { linkpath: e.linkpath } : {}) });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

describe('archives', () => {
  it('reads the files of a ZIP with their folders, skipping folders and OS junk', async () => {
    const file = await write('a.zip', zipSync({ 'imgs/': new Uint8Array(), 'imgs/1.jpg': Buffer.from('one'), 'imgs/sub/2.png': Buffer.from('two'), '__MACOSX/imgs/._1.jpg': Buffer.from('x'), 'imgs/.DS_Store': Buffer.from('y') }));
    expect(await read(file, 'a.zip')).toEqual({ 'imgs/1.jpg': 'one', 'imgs/sub/2.png': 'two' });
  });

  it('refuses a ZIP entry that climbs out of the archive (zip-slip), naming it', async () => {
    const file = await write('slip.zip', zipSync({ 'ok.jpg': Buffer.from('1'), '../../etc/evil.jpg': Buffer.from('2') }));
    await expect(read(file, 'slip.zip')).rejects.toThrow(/slip\.zip: entry "\.\.\/\.\.\/etc\/evil\.jpg" points outside/);
  });

  it('refuses absolute entry names', async () => {
    const file = await write('abs.zip', zipSync({ '/etc/passwd': Buffer.from('2') }));
    await expect(read(file, 'abs.zip')).rejects.toBeInstanceOf(ArchiveError);
  });

  it('refuses a ZIP that unpacks past the byte cap before inflating it (bomb)', async () => {
    const bomb = zipSync({ 'zeros.bin': new Uint8Array(4 * 1024 * 1024) }, { level: 9 });
    expect(bomb.length).toBeLessThan(20_000);
    const file = await write('bomb.zip', bomb);
    let opened = 0;
    await expect(
      forEachEntry(file, 'bomb.zip', LIMITS, async () => {
        opened++;
      }),
    ).rejects.toThrow(/unpacks to more than 1048576 bytes/);
    expect(opened).toBe(0);
  });

  it('refuses more entries than allowed', async () => {
    const files = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`${i}.jpg`, Buffer.from('x')]));
    const file = await write('many.zip', zipSync(files));
    await expect(read(file, 'many.zip', { maxEntries: 3, maxBytes: 1000 })).rejects.toThrow(/more than 3/);
  });

  it('answers a file that is not a ZIP with a clear error', async () => {
    const file = await write('fake.zip', Buffer.from('this is not a zip file at all'));
    await expect(read(file, 'fake.zip')).rejects.toThrow(/fake\.zip: not a readable ZIP/);
  });

  it('reads TAR and TAR.GZ, skipping links', async () => {
    const raw = rawTar([
      { path: 'a/1.jpg', body: 'one' },
      { path: 'a/link.jpg', type: 'SymbolicLink', linkpath: '/etc/passwd' },
      { path: 'a/2.jpg', body: 'two'.repeat(300) },
    ]);
    expect(await read(await write('a.tar', raw), 'a.tar')).toEqual({ 'a/1.jpg': 'one', 'a/2.jpg': 'two'.repeat(300) });
    expect(await read(await write('a.tar.gz', gzipSync(raw)), 'a.tar.gz')).toEqual({ 'a/1.jpg': 'one', 'a/2.jpg': 'two'.repeat(300) });
  });

  it('refuses a TAR entry with ".." in its path', async () => {
    const file = await write('slip.tar', rawTar([{ path: 'x/../../evil.jpg', body: 'e' }]));
    await expect(read(file, 'slip.tar')).rejects.toThrow(/points outside/);
  });

  it('answers a corrupt TAR.GZ and a non-TAR with clear errors', async () => {
    await expect(read(await write('bad.tgz', Buffer.from('not gzip')), 'bad.tgz')).rejects.toThrow(/bad\.tgz: corrupt TAR\.GZ/);
    await expect(read(await write('bad.tar', Buffer.alloc(2048, 7)), 'bad.tar')).rejects.toThrow(/bad\.tar/);
  });
});
