/**
 * A ZIP archive written as a stream straight into the blob store (yazl): entries are added one
 * after another and their bytes flow through to the store as they are made, so an export of
 * any size holds one entry's chunk in memory at a time, never the archive. Text (annotation
 * files) is deflated; images, already compressed, are stored.
 */
import { PassThrough, Readable } from 'node:stream';
import yazl from 'yazl';
import type { BlobStore } from './storage/blob-store.js';

export type EntryContent = string | Uint8Array | AsyncIterable<string | Uint8Array> | Readable;

export class ZipToBlob {
  private readonly zip = new yazl.ZipFile();
  private readonly stored: Promise<void>;
  private failed: unknown = null;

  private readonly output = new PassThrough();

  constructor(blobs: BlobStore, key: string) {
    // Through a stream of our own, so a failed export can be cut off (abort) mid-way.
    this.zip.outputStream.pipe(this.output);
    this.stored = blobs.put(key, this.output, { contentType: 'application/zip' });
    this.stored.catch((e) => (this.failed ??= e));
  }

  /** Adds an entry; resolves when its bytes have gone into the archive. */
  async add(path: string, content: EntryContent, options: { compress?: boolean } = {}): Promise<void> {
    if (this.failed) throw this.failed;
    const compress = options.compress ?? true;
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
