import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlobStore, LocalBlobStore } from '../../src/repositories/storage/index.js';
import { blobStoreContract, failingStream, keysOf } from './blob-store.contract.js';

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'framewise-blobs-'));
}

/** Every file and directory under dir, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.map((e) => e.split(path.sep).join('/')).sort();
}

blobStoreContract('local', async () => {
  const dir = await tempDir();
  return {
    // A root that does not exist yet: the store creates it.
    store: new LocalBlobStore(path.join(dir, 'blobs')),
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
});

describe('LocalBlobStore', () => {
  let dir: string;
  let root: string;
  let store: LocalBlobStore;

  beforeAll(async () => {
    dir = await tempDir();
    root = path.join(dir, 'root');
    store = new LocalBlobStore(root);
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('is what createBlobStore builds for the local driver', async () => {
    const built = await createBlobStore({ driver: 'local', root });
    expect(built).toBeInstanceOf(LocalBlobStore);
    expect(built.driver).toBe('local');
  });

  it('stores a key as the plain file under root, with nothing else beside it', async () => {
    await store.put('plain/a/b.bin', Buffer.from('bytes'));
    await store.put('plain/a/c.bin', Readable.from([Buffer.from('str'), Buffer.from('eam')]));
    expect(await fs.readFile(path.join(root, 'plain', 'a', 'b.bin'), 'utf8')).toBe('bytes');
    expect(await tree(path.join(root, 'plain'))).toEqual(['a', 'a/b.bin', 'a/c.bin']);
  });

  it('leaves no temp file and no object when a stream put fails', async () => {
    await expect(store.put('fail/x.bin', failingStream([randomBytes(64 * 1024), randomBytes(10)]))).rejects.toThrow(
      'source broke',
    );
    expect(await store.head('fail/x.bin')).toBeNull();
    // The directory made for it is gone too.
    await expect(fs.stat(path.join(root, 'fail'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps the old object until a new write completes', async () => {
    await store.put('atomic/obj', 'old');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let firstChunkWritten!: () => void;
    const started = new Promise<void>((r) => (firstChunkWritten = r));
    const body = Readable.from(
      (async function* () {
        yield Buffer.from('new-');
        firstChunkWritten();
        await gate;
        yield Buffer.from('content');
      })(),
    );
    const writing = store.put('atomic/obj', body);
    await started;
    await new Promise((r) => setTimeout(r, 20));
    expect((await store.get('atomic/obj'))?.toString()).toBe('old');
    // The half-written temp file exists but is not an object.
    expect((await tree(path.join(root, 'atomic'))).length).toBe(2);
    expect(await keysOf(store, 'atomic/')).toEqual(['atomic/obj']);
    release();
    await writing;
    expect((await store.get('atomic/obj'))?.toString()).toBe('new-content');
    expect(await tree(path.join(root, 'atomic'))).toEqual(['obj']);
  });

  it('refuses keys that name its temp files', async () => {
    await expect(store.put('x/.fw-tmp-0123', 'x')).rejects.toThrow(/unsafe/);
  });

  it('removes directories that deletePrefix empties, but not root', async () => {
    await store.put('prune/a/b/c/1', '1');
    await store.put('prune/a/2', '2');
    await store.put('keep/3', '3');
    expect(await store.deletePrefix('prune/')).toBe(2);
    await expect(fs.stat(path.join(root, 'prune'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await fs.stat(path.join(root, 'keep'))).isDirectory()).toBe(true);
    await store.deletePrefix('');
    expect(await fs.readdir(root)).toEqual([]);
  });

  it('infers the content type from the extension only', async () => {
    await store.put('ct/a.JPG', 'x', { contentType: 'text/plain' });
    await store.put('ct/b.webp', 'x');
    await store.put('ct/c.bin', 'x');
    expect((await store.head('ct/a.JPG'))?.contentType).toBe('image/jpeg');
    const s = await store.getStream('ct/b.webp');
    s?.stream.destroy();
    expect(s?.contentType).toBe('image/webp');
    expect((await store.head('ct/c.bin'))?.contentType).toBeUndefined();
  });

  it('sees a directory as no object', async () => {
    await store.put('isdir/child', 'x');
    expect(await store.get('isdir')).toBeNull();
    expect(await store.head('isdir')).toBeNull();
    expect(await store.getStream('isdir')).toBeNull();
    await store.delete('isdir');
    expect(await store.get('isdir/child')).not.toBeNull();
  });

  describe('symlinks pointing out of root', () => {
    let outside: string;
    beforeAll(async () => {
      outside = path.join(dir, 'outside');
      await fs.mkdir(outside, { recursive: true });
      await fs.writeFile(path.join(outside, 'secret'), 'secret');
      await fs.mkdir(path.join(root, 'links'), { recursive: true });
      await fs.symlink(outside, path.join(root, 'links', 'dir'));
      await fs.symlink(path.join(outside, 'secret'), path.join(root, 'links', 'file'));
    });

    it('are not followed for reads', async () => {
      await expect(store.get('links/dir/secret')).rejects.toThrow(/outside/);
      await expect(store.getStream('links/file')).rejects.toThrow(/outside/);
      await expect(store.head('links/file')).rejects.toThrow(/outside/);
    });

    it('are not followed for writes, even to create directories', async () => {
      await expect(store.put('links/dir/new', 'x')).rejects.toThrow(/outside/);
      await expect(store.put('links/dir/sub/new', 'x')).rejects.toThrow(/outside/);
      expect((await fs.readdir(outside)).sort()).toEqual(['secret']);
    });

    it('are not listed, deleted through, or walked into', async () => {
      expect(await keysOf(store, 'links/')).toEqual([]);
      await expect(store.delete('links/dir/secret')).rejects.toThrow(/outside/);
      await expect(store.deletePrefix('links/dir/')).rejects.toThrow(/outside/);
      expect(await store.deletePrefix('links/')).toBe(0);
      expect(await fs.readFile(path.join(outside, 'secret'), 'utf8')).toBe('secret');
    });
  });
});
