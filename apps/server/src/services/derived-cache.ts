/**
 * Derived data (compressed frames, chunks, previews) in the blob store, held under a size cap:
 * when the total passes the cap, the least recently read blobs are deleted until it is back under
 * 90% of it. Everything here can be rebuilt from the originals, so eviction loses nothing.
 *
 * Reads stay cheap: a hit is one blob read; its last-read time is written at most once a minute
 * per key, batched in the background, never on the request's path. The total is kept in memory
 * and re-read from the index now and then, since several instances write to one cache.
 *
 * Misses go through `getOrMake`: concurrent requests for one key (a browser prefetching while
 * the user opens the frame) make it once, and the caller gets the bytes as soon as they are made;
 * storing them happens behind the response, and their index rows are written in batches (one
 * statement per INDEX_FLUSH_MS instead of one per frame: on embedded PGlite a statement costs
 * the event loop about a millisecond). A blob whose task was deleted before its row was written
 * is deleted again. Derived blobs skip fsync (see PutOptions.durable): an empty file left by a
 * power loss reads as a miss. A crash can leave a few blobs written but not indexed; deleting
 * their task still removes them (by prefix), they are only invisible to the size cap.
 */
import type { Logger } from 'pino';
import type { DerivedBlobRepository } from '../repositories/derived-blob.repository.js';
import type { BlobStore } from '../repositories/storage/blob-store.js';

const TOUCH_GRACE_SECONDS = 60;
const RECOUNT_EVERY_MS = 60_000;
const INDEX_FLUSH_MS = 200;
const INDEX_FLUSH_ROWS = 500;

interface IndexEntry {
  key: string;
  taskId: number | null;
  bytes: number;
}

export class DerivedCache {
  private pendingTouches = new Set<string>();
  private touchTimer: NodeJS.Timeout | undefined;
  private estimate: number | undefined;
  private countedAt = 0;
  private evicting: Promise<void> | undefined;
  private readonly making = new Map<string, Promise<Buffer>>();
  private readonly writing = new Set<Promise<void>>();
  private unindexed: IndexEntry[] = [];
  private indexTimer: NodeJS.Timeout | undefined;
  private indexing: Promise<void> = Promise.resolve();

  constructor(
    private readonly blobs: BlobStore,
    private readonly index: DerivedBlobRepository,
    private readonly maxBytes: number,
    private readonly log: Logger,
  ) {}

  async get(key: string): Promise<Buffer | null> {
    const data = await this.blobs.get(key);
    if (!data || data.length === 0) return null;
    this.noteRead(key);
    return data;
  }

  /** The cached bytes, or `make()`'s, made once however many ask at the same time. */
  async getOrMake(key: string, taskId: number | null, contentType: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const pending = this.making.get(key);
    if (pending) return pending;
    const cached = await this.get(key);
    if (cached) return cached;
    const again = this.making.get(key);
    if (again) return again;
    const made = make();
    this.making.set(key, made);
    try {
      const data = await made;
      this.storeBehind(key, data, taskId, contentType);
      return data;
    } finally {
      this.making.delete(key);
    }
  }

  /** Resolves when every write started so far, and its index row, has landed (shutdown, tests). */
  async settle(): Promise<void> {
    while (this.writing.size) await Promise.allSettled([...this.writing]);
    await this.flushIndex();
  }

  private storeBehind(key: string, data: Buffer, taskId: number | null, contentType: string): void {
    const write = this.blobs
      .put(key, data, { contentType, durable: false })
      .then(() => this.queueIndex({ key, taskId, bytes: data.length }))
      .catch((err) => this.log.warn({ err, key }, 'cache: could not store derived data'))
      .finally(() => this.writing.delete(write));
    this.writing.add(write);
  }

  private queueIndex(entry: IndexEntry): void {
    this.unindexed.push(entry);
    if (this.unindexed.length >= INDEX_FLUSH_ROWS) void this.flushIndex();
    else if (!this.indexTimer) {
      this.indexTimer = setTimeout(() => void this.flushIndex(), INDEX_FLUSH_MS);
      this.indexTimer.unref();
    }
  }

  /** Writes queued index rows; one flush at a time, so rows land in the order blobs were stored. */
  private flushIndex(): Promise<void> {
    clearTimeout(this.indexTimer);
    this.indexTimer = undefined;
    const entries = this.unindexed;
    this.unindexed = [];
    this.indexing = this.indexing.then(async () => {
      if (entries.length === 0) return;
      try {
        const orphans = await this.index.recordMany(entries);
        await Promise.all(orphans.map((k) => this.blobs.delete(k)));
        if (this.estimate !== undefined) this.estimate += entries.reduce((a, e) => a + e.bytes, 0);
        await this.maybeEvict();
      } catch (err) {
        this.log.warn({ err, rows: entries.length }, 'cache: could not index derived data');
      }
    });
    return this.indexing;
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
