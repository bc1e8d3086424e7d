/**
 * A ZIP archive written as a stream straight into the blob store (yazl): entries are added one
 * after another and their bytes flow through to the store as they are made, so an export of
 * any size holds one entry's chunk in memory at a time, never the archive. Text (annotation
 * files) is deflated; images, already compressed, are stored.
 *
 * Small entries (a YOLO label file per image: tens of thousands of them) are handed to yazl
 * without waiting for each to be written: a wait per entry left the export idle most of the
 * time. Every SMALL_AHEAD bytes of them, the next entry goes the awaited way; yazl writes
 * entries in order, so that wait also bounds what is queued ahead. They go as one-chunk streams,
 * not through yazl's addBuffer: yazl keeps each entry until the archive ends, and an addBuffer
 * entry keeps its data with it (16 KB of zlib output per small file, the whole file when stored),
 * which made a 10,000-file YOLO export hold 170 MB and an export with images all of its images.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import yazl from 'yazl';
import type { BlobStore } from './storage/blob-store.js';

export type EntryContent = string | Uint8Array | AsyncIterable<string | Uint8Array> | Readable;

/** Entries up to this size may be queued without waiting. */
const SMALL_ENTRY = 256 * 1024;
const SMALL_AHEAD = 4 * 1024 * 1024;
/** yazl writes headers and small entries as many tiny chunks; the store gets them in pieces of this size. */
const WRITE_PIECE = 1024 * 1024;

export class ZipToBlob {
  private readonly zip = new yazl.ZipFile();
  private readonly stored: Promise<void>;
  private failed: unknown = null;
  private queuedAhead = 0;

  private readonly output = new Coalesce(WRITE_PIECE);

  constructor(blobs: BlobStore, key: string) {
    // Through a stream of our own, so a failed export can be cut off (abort) mid-way.
    this.zip.outputStream.pipe(this.output);
    // An abort's error reaches the store's read of `output`, which fails `stored`; the event itself
    // may fire before that read starts, and must not become an uncaught exception.
    this.output.on('error', () => undefined);
    this.stored = blobs.put(key, this.output, { contentType: 'application/zip' });
    this.stored.catch((e) => (this.failed ??= e));
  }

  /** Adds an entry; resolves when its bytes have gone into the archive. */
  async add(path: string, content: EntryContent, options: { compress?: boolean } = {}): Promise<void> {
    if (this.failed) throw this.failed;
    const compress = options.compress ?? true;
    if ((typeof content === 'string' || content instanceof Uint8Array) && content.length <= SMALL_ENTRY && this.queuedAhead < SMALL_AHEAD) {
      const buffer = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
      this.zip.addReadStreamLazy(path, { compress }, (cb) => cb(null, Readable.from([buffer])));
      this.queuedAhead += buffer.length;
      return;
    }
    this.queuedAhead = 0;
    const stream = content instanceof Readable ? content : Readable.from(toChunks(content));
    const done = new Promise<void>((resolve, reject) => {
      stream.once('end', resolve);
      stream.once('error', reject);
    });
    this.zip.addReadStreamLazy(path, { compress }, (cb) => cb(null, stream));
    await Promise.race([done, this.stored.then(() => undefined)]);
    if (this.failed) throw this.failed;
  }

  /** Ends the archive; resolves once it is stored. */
  async finish(): Promise<void> {
    this.zip.end();
    await this.stored;
  }

  /** Gives up: the partial archive is not stored (its write fails and is discarded). */
  abort(reason: Error): void {
    this.output.destroy(reason);
  }
}

/** Passes bytes on in pieces of at least `size` (the last one smaller). */
class Coalesce extends Transform {
  private pending: Buffer[] = [];
  private length = 0;

  constructor(private readonly size: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.length += chunk.length;
    if (this.length >= this.size) this.flushPending();
    done();
  }

  override _flush(done: TransformCallback): void {
    this.flushPending();
    done();
  }

  private flushPending(): void {
    if (this.length === 0) return;
    this.push(this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.length));
    this.pending = [];
    this.length = 0;
  }
}

async function* toChunks(content: string | Uint8Array | AsyncIterable<string | Uint8Array>): AsyncIterable<Buffer> {
  if (typeof content === 'string') yield Buffer.from(content);
  else if (content instanceof Uint8Array) yield Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  else {
    // Small pieces (one JSON object each) are batched: a zlib call per piece would dominate.
    let pending: Buffer[] = [];
    let size = 0;
    for await (const piece of content) {
      const b = typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      pending.push(b);
      size += b.length;
      if (size >= 64 * 1024) {
        yield Buffer.concat(pending);
        pending = [];
        size = 0;
      }
    }
    if (size) yield Buffer.concat(pending);
  }
}
