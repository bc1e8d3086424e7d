/**
 * Video files as local paths for ffmpeg: the share's file, the local blob store's file, or a copy
 * of a blob or bucket object kept once per instance under the data directory's cache.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { ShareRepository } from './share.repository.js';
import type { BlobStore } from './storage/blob-store.js';

export class VideoFileRepository {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly share: ShareRepository,
    private readonly blobs: BlobStore,
    private readonly cacheDir: string,
  ) {}

  async path(source: 'blob' | 'share' | 'cloud', key: string, taskId: number, open: () => Promise<Readable | null>): Promise<string> {
    if (source === 'share') return this.share.absolutePath(key);
    if (source === 'blob') {
      const local = this.blobs.localPath?.(key);
      if (local) return local;
    }
    const target = path.join(this.cacheDir, String(taskId), path.basename(key).replace(/[^\w.-]/g, '_'));
    if (fs.existsSync(target)) return target;
    let p = this.pending.get(target);
    if (!p) {
      p = this.download(target, open).finally(() => this.pending.delete(target));
      this.pending.set(target, p);
    }
    return p;
  }

  private async download(target: string, open: () => Promise<Readable | null>): Promise<string> {
    const stream = await open();
    if (!stream) throw new Error(`video source missing for ${target}`);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.part`;
    await pipeline(stream, fs.createWriteStream(tmp));
    await fsp.rename(tmp, target);
    return target;
  }

  async forget(taskId: number): Promise<void> {
    await fsp.rm(path.join(this.cacheDir, String(taskId)), { recursive: true, force: true });
  }
}
