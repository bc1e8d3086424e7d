/**
 * Video files as local paths for ffmpeg: the share's file, the local blob store's file, or a copy
 * of a blob or bucket object kept once per instance under the data directory's cache.
 *
 * Copies are derived data like compressed frames, so they are bounded too: `sweep` removes the
 * copies of deleted tasks (a task deleted through another instance included) and then the least
 * recently used copies until the total is under the cap. A copy's mtime marks its last use.
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
  private readonly touched = new Map<string, number>();

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
    if (fs.existsSync(target)) {
      this.markUsed(target);
      return target;
    }
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

  /** Touching on every frame would be a write per request; once a minute is recency enough. */
  private markUsed(file: string): void {
    const now = Date.now();
    if ((this.touched.get(file) ?? 0) > now - 60_000) return;
    this.touched.set(file, now);
    fsp.utimes(file, new Date(now), new Date(now)).catch(() => undefined);
  }

  /**
   * Removes copies of tasks `alive` does not return, then the least recently used copies until
   * the rest fit in `maxBytes`. Copies being downloaded are left alone. Returns bytes freed.
   */
  async sweep(alive: (taskIds: number[]) => Promise<Set<number>>, maxBytes: number): Promise<number> {
    let dirs: string[];
    try {
      dirs = (await fsp.readdir(this.cacheDir)).filter((d) => /^\d+$/.test(d));
    } catch {
      return 0;
    }
    const living = await alive(dirs.map(Number));
    let freed = 0;
    const files: Array<{ file: string; bytes: number; used: number }> = [];
    for (const d of dirs) {
      const dir = path.join(this.cacheDir, d);
      for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
        const file = path.join(dir, name);
        const st = await fsp.stat(file).catch(() => null);
        if (!st?.isFile()) continue;
        if (!living.has(Number(d)) && !name.endsWith('.part')) {
          await fsp.rm(file, { force: true });
          freed += st.size;
        } else if (!name.endsWith('.part') && !this.pending.has(file)) {
          files.push({ file, bytes: st.size, used: st.mtimeMs });
        }
      }
      if (!living.has(Number(d))) await fsp.rmdir(dir).catch(() => undefined);
    }
    let total = files.reduce((a, f) => a + f.bytes, 0);
    for (const f of files.sort((a, b) => a.used - b.used)) {
      if (total <= maxBytes) break;
      await fsp.rm(f.file, { force: true });
      this.touched.delete(f.file);
      total -= f.bytes;
      freed += f.bytes;
    }
    return freed;
  }
}
