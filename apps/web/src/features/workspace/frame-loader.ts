/**
 * Frames for the workspace: fetched from the job's frame API, decoded off the main thread
 * (createImageBitmap), kept in a small LRU and prefetched ahead in the direction the annotator is
 * moving, so that F (next frame) shows a decoded bitmap at once instead of waiting on the network.
 */
import { baseHeaders } from '../../api/client';

export interface LoadedFrame {
  number: number;
  bitmap: ImageBitmap;
}

/** Frames kept decoded: enough for the prefetch window both ways, bounded in memory (~8 MB per 1080p frame). */
const CACHE_FRAMES = 24;
const AHEAD = 6;
const BEHIND = 2;
/** Parallel fetches: the server answers cached frames in milliseconds; more only queues behind the current one. */
const PARALLEL = 3;

export class FrameLoader {
  private readonly cache = new Map<number, Promise<LoadedFrame>>();
  private readonly queue: number[] = [];
  private running = 0;
  private disposed = false;
  /** The frame last asked for and the frame on screen: never evicted, whatever finishes loading when. */
  private current = Number.NaN;
  private onScreen = Number.NaN;

  constructor(
    private readonly jobId: number,
    private readonly first: number,
    private readonly last: number,
  ) {}

  /** The frame, from cache or network; also queues its neighbours. */
  get(number: number, direction: 1 | -1 = 1): Promise<LoadedFrame> {
    // React may dispose and reuse the loader (development double effects): asking again revives it.
    this.disposed = false;
    this.current = number;
    const frame = this.load(number, true);
    this.prefetch(number, direction);
    return frame;
  }

  /**
   * Tells the loader which frame's bitmap is on the canvas. While frames are slow to come, it
   * can lag far behind the frame asked for (F held down), and closing it would leave the canvas
   * drawing a detached bitmap.
   */
  showing(number: number): void {
    this.onScreen = number;
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.cache.values()) void p.then((f) => f.bitmap.close(), () => undefined);
    this.cache.clear();
  }

  private prefetch(from: number, direction: 1 | -1): void {
    this.queue.length = 0;
    for (let i = 1; i <= AHEAD; i++) this.queue.push(from + i * direction);
    for (let i = 1; i <= BEHIND; i++) this.queue.push(from - i * direction);
    this.pump();
  }

  private pump(): void {
    while (this.running < PARALLEL && this.queue.length) {
      const n = this.queue.shift()!;
      if (n < this.first || n > this.last || this.cache.has(n)) continue;
      this.running++;
      void this.load(n, false)
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
    this.evict();
  }

  private load(number: number, touch: boolean): Promise<LoadedFrame> {
    const known = this.cache.get(number);
    if (known) {
      if (touch) {
        // Most recently used goes last.
        this.cache.delete(number);
        this.cache.set(number, known);
      }
      return known;
    }
    const promise = this.fetchFrame(number);
    this.cache.set(number, promise);
    // A failed fetch is not cached: the next visit asks again.
    promise.catch(() => this.cache.get(number) === promise && this.cache.delete(number));
    return promise;
  }

  private evict(): void {
    if (this.cache.size <= CACHE_FRAMES) return;
    // Drop the frames farthest from where the annotator is now (not where a finished prefetch
    // started), and never the one asked for or the one on screen.
    const center = this.current;
    const far = [...this.cache.keys()].filter((n) => n !== center && n !== this.onScreen).sort((a, b) => Math.abs(b - center) - Math.abs(a - center));
    for (const n of far.slice(0, this.cache.size - CACHE_FRAMES)) {
      const p = this.cache.get(n)!;
      this.cache.delete(n);
      void p.then((f) => f.bitmap.close(), () => undefined);
    }
  }

  private async fetchFrame(number: number): Promise<LoadedFrame> {
    const res = await fetch(`/api/jobs/${this.jobId}/data?type=frame&quality=compressed&number=${number}`, {
      headers: baseHeaders('GET'),
      credentials: 'same-origin',
    });
    if (!res.ok) throw new Error(`frame ${number}: the server answered ${res.status}`);
    const bitmap = await createImageBitmap(await res.blob());
    if (this.disposed) {
      bitmap.close();
      throw new Error('workspace closed');
    }
    return { number, bitmap };
  }
}
