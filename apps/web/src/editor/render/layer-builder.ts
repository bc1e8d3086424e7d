/**
 * Rebuilds the object layer in a worker, on an OffscreenCanvas, so that a rebuild (65-90 ms
 * for 10,000 polygons in software rasterization) never sits between an annotator's input and
 * the frame that answers it. The page keeps showing the old layer, scaled, until the new
 * bitmap arrives; edits made meanwhile are repaired on top of it (layer.ts).
 *
 * One build at a time: a request while one is under way is refused, and the renderer asks
 * again when the reply comes (by then the view may have moved on, and the newest view is the
 * one worth building). A build the view has outrun is cancelled: the worker stops within a
 * slice. A worker that fails is not used again: the renderer builds in place.
 */
import type { AnnotationRecord } from '../model';
import type { LayerGeometry } from './layer-plan';
import { packRecords, transferables, type PackedRecords } from './layer-pack';
import type { RenderStyle } from './paint';

export interface LayerRequest {
  id: number;
  geometry: LayerGeometry;
  packed: PackedRecords;
  colors: Array<[number, string]>;
  dpr: number;
  style: RenderStyle;
}

export type LayerWorkerMessage = LayerRequest | { cancel: number };

export type LayerReply = { id: number; bitmap: ImageBitmap } | { id: number; cancelled: true } | { id: number; error: string };

export interface LayerJob {
  geometry: LayerGeometry;
  /** Read in a task after start() returns, so that gathering them does not lengthen the caller's frame. */
  records: () => readonly AnnotationRecord[];
  colors: Array<[number, string]>;
  dpr: number;
  style: RenderStyle;
}

export class LayerBuilder {
  private readonly worker: Worker;
  private nextId = 1;
  private inFlight: { id: number; geometry: LayerGeometry; cancelled: boolean; posted: boolean; done: (bitmap: ImageBitmap | null) => void } | null = null;
  private failed = false;

  /** Null where workers cannot draw (no OffscreenCanvas): the renderer then builds in place. */
  static create(): LayerBuilder | null {
    if (typeof Worker === 'undefined' || typeof OffscreenCanvas === 'undefined') return null;
    try {
      return new LayerBuilder(new Worker(new URL('./layer-worker.ts', import.meta.url), { type: 'module' }));
    } catch {
      return null;
    }
  }

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.onmessage = (e: MessageEvent<LayerReply>) => {
      const reply = e.data;
      const job = this.inFlight;
      if (!job || job.id !== reply.id) {
        if ('bitmap' in reply) reply.bitmap.close();
        return;
      }
      this.inFlight = null;
      if ('error' in reply) this.fail(job.done, reply.error);
      else if ('cancelled' in reply) job.done(null);
      else job.done(reply.bitmap);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      const job = this.inFlight;
      this.inFlight = null;
      this.fail(job?.done, e.message);
    };
  }

  /** Whether the builder can take work (not failed). */
  get usable(): boolean {
    return !this.failed;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** Starts a build; `done` gets the bitmap, or null if it was cancelled or the worker failed. False when busy or failed. */
  start(job: LayerJob, done: (bitmap: ImageBitmap | null) => void): boolean {
    if (this.failed || this.inFlight) return false;
    const id = this.nextId++;
    const flight = { id, geometry: job.geometry, cancelled: false, posted: false, done };
    this.inFlight = flight;
    setTimeout(() => {
      if (this.inFlight !== flight) return;
      if (flight.cancelled) {
        this.inFlight = null;
        return done(null);
      }
      const packed = packRecords(job.records());
      const request: LayerRequest = { id, geometry: job.geometry, packed, colors: job.colors, dpr: job.dpr, style: job.style };
      this.worker.postMessage(request, transferables(packed));
      flight.posted = true;
    }, 0);
    return true;
  }

  /** The layout of the build under way, unless it was cancelled. */
  get building(): LayerGeometry | null {
    return this.inFlight && !this.inFlight.cancelled ? this.inFlight.geometry : null;
  }

  /** Stops the build under way; its `done` gets null once the worker has stopped. */
  cancel(): void {
    const job = this.inFlight;
    if (!job || job.cancelled) return;
    job.cancelled = true;
    // Not yet sent: the pending task sees the flag and answers null itself.
    if (job.posted) this.worker.postMessage({ cancel: job.id } satisfies LayerWorkerMessage);
  }

  destroy(): void {
    this.worker.terminate();
    this.inFlight = null;
    this.failed = true;
  }

  private fail(done: ((bitmap: ImageBitmap | null) => void) | undefined, why: string): void {
    this.failed = true;
    console.warn(`object layer worker failed, building on the page from now on: ${why}`);
    done?.(null);
  }
}
