/**
 * Derived data (compressed frames, chunks, previews) in the blob store, held under a size cap:
 * when the total passes the cap, the least recently read blobs are deleted until it is back under
 * 90% of it. Everything here can be rebuilt from the originals, so eviction loses nothing.
 *
 * Reads stay cheap: a hit is one blob read; its last-read time is written at most once a minute
 * per key, batched in the background, never on the request's path. The total is kept in memory
 * and re-read from the index now and then, since several instances write to one cache.
 */
import type { Logger } from 'pino';
import type { DerivedBlobRepository } from '../repositories/derived-blob.repository.js';
import type { BlobStore } from '../repositories/storage/blob-store.js';

const TOUCH_GRACE_SECONDS = 60;
const RECOUNT_EVERY_MS = 60_000;

export class DerivedCache {
  private pendingTouches = new Set<string>();
  private touchTimer: NodeJS.Timeout | undefined;
  private estimate: number | undefined;
  private countedAt = 0;
  private evicting: Promise<void> | undefined;

  constructor(
    private readonly blobs: BlobStore,
    private readonly index: DerivedBlobRepository,
    private readonly maxBytes: number,
    private readonly log: Logger,
  ) {}

  async get(key: string): Promise<Buffer | null> {
    const data = await this.blobs.get(key);
    if (data) this.noteRead(key);
    return data;
  }

  async put(key: string, data: Buffer, taskId: number | null, contentType?: string): Promise<void> {
    await this.blobs.put(key, data, contentType ? { contentType } : {});
    await this.index.record(key, taskId, data.length);
    if (this.estimate !== undefined) this.estimate += data.length;
    await this.maybeEvict();
  }

  private noteRead(key: string): void {
    this.pendingTouches.add(key);
    if (this.touchTimer) return;
    this.touchTimer = setTimeout(() => {
      this.touchTimer = undefined;
      const keys = [...this.pendingTouches];
      this.pendingTouches.clear();
      this.index.touch(keys, TOUCH_GRACE_SECONDS).catch((err) => this.log.warn({ err }, 'cache: could not record reads'));
    }, 1000);
    this.touchTimer.unref();
  }

  private async maybeEvict(): Promise<void> {
    const now = Date.now();
    if (this.estimate === undefined || now - this.countedAt > RECOUNT_EVERY_MS) {
      this.estimate = await this.index.totalBytes();
      this.countedAt = now;
    }
    if (this.estimate <= this.maxBytes || this.evicting) return;
    this.evicting = this.evict()
      .then(() => undefined)
      .finally(() => (this.evicting = undefined));
    await this.evicting;
  }

  /** Deletes least recently read blobs until the cache is under 90% of its cap. */
  async evict(): Promise<number> {
    let total = await this.index.totalBytes();
    const target = Math.floor(this.maxBytes * 0.9);
    let removed = 0;
    while (total > target) {
      const batch = await this.index.oldest(500);
      if (batch.length === 0) break;
      const chosen: string[] = [];
      for (const b of batch) {
        if (total <= target) break;
        chosen.push(b.key);
        total -= Number(b.bytes);
      }
      await Promise.all(chosen.map((k) => this.blobs.delete(k)));
      await this.index.remove(chosen);
      removed += chosen.length;
    }
    this.estimate = total;
    this.countedAt = Date.now();
    if (removed) this.log.info({ removed, bytes: total }, 'cache: evicted least recently used derived data');
    return removed;
  }
}
