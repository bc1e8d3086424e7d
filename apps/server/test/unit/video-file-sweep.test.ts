import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VideoFileRepository } from '../../src/repositories/video-file.repository.js';
import { ShareRepository } from '../../src/repositories/share.repository.js';
import { LocalBlobStore } from '../../src/repositories/storage/local-blob-store.js';

let root: string;
let cache: string;
let files: VideoFileRepository;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'fw-video-sweep-'));
  cache = path.join(root, 'cache');
  files = new VideoFileRepository(new ShareRepository(path.join(root, 'share')), new LocalBlobStore(path.join(root, 'blobs')), cache);
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function copy(taskId: number, name: string, bytes: number, usedSecondsAgo: number): Promise<string> {
  const file = path.join(cache, String(taskId), name);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, Buffer.alloc(bytes));
  const t = new Date(Date.now() - usedSecondsAgo * 1000);
  await fs.utimes(file, t, t);
  return file;
}

const exists = (f: string) => fs.stat(f).then(() => true, () => false);

describe('local video copies', () => {
  it("removes the copies of deleted tasks, then the least recently used until under the cap", async () => {
    const deleted = await copy(1, 'a.mp4', 1000, 10);
    const old = await copy(2, 'b.mp4', 3000, 500);
    const recent = await copy(3, 'c.mp4', 3000, 5);
    const downloading = await copy(3, 'd.mp4.123.part', 5000, 900);
    const asked: number[][] = [];
    const freed = await files.sweep(async (ids) => {
      asked.push([...ids].sort());
      return new Set([2, 3]);
    }, 4000);
    expect(asked).toEqual([[1, 2, 3]]);
    expect(freed).toBe(4000);
    expect(await exists(deleted)).toBe(false);
    expect(await exists(path.join(cache, '1'))).toBe(false);
    expect(await exists(old)).toBe(false);
    expect(await exists(recent)).toBe(true);
    // A download in progress is neither counted nor removed.
    expect(await exists(downloading)).toBe(true);
  });

  it('keeps everything that fits and belongs to a living task', async () => {
    const a = await copy(7, 'a.mp4', 1000, 100);
    expect(await files.sweep(async () => new Set([7]), 10_000)).toBe(0);
    expect(await exists(a)).toBe(true);
  });

  it('forgets a deleted task at once', async () => {
    const a = await copy(9, 'a.mp4', 10, 1);
    await files.forget(9);
    expect(await exists(a)).toBe(false);
  });
});
