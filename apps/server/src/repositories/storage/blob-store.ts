/**
 * The platform's own object storage: uploaded originals, derived data (compressed frames,
 * chunks, previews), exports. Two drivers implement it, local disk and S3; both pass one contract
 * suite (test/storage/blob-store.contract.ts). Keys are '/'-separated relative paths; a driver
 * refuses keys that could escape its root ('..', absolute, backslashes, NUL).
 */
import type { Readable } from 'node:stream';

export interface BlobInfo {
  key: string;
  size: number;
  modified: Date;
  contentType?: string;
}

export interface BlobRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive; to the end when absent. */
  end?: number;
}

export interface BlobStream {
  stream: Readable;
  /** Bytes in the stream (the range's length when a range was asked for). */
  length: number;
  /** Size of the whole object. */
  size: number;
  contentType?: string;
  modified: Date;
}

export interface PutOptions {
  contentType?: string;
  /** Known length of a stream body; lets S3 avoid buffering for multipart. */
  contentLength?: number;
  /**
   * False for data that can be rebuilt (the derived cache): the local driver then skips fsync,
   * which otherwise costs a cold frame a disk flush. The write is still atomic (temp + rename),
   * as in nginx's proxy cache; after a power loss such a file may be empty, which readers of
   * derived data check for.
   */
  durable?: boolean;
}

export interface BlobStore {
  readonly driver: 'local' | 's3';
  put(key: string, body: Buffer | Uint8Array | string | Readable, options?: PutOptions): Promise<void>;
  /** The whole object in memory, or null when it does not exist. For small objects only. */
  get(key: string): Promise<Buffer | null>;
  /** A stream of the object (or a byte range of it), or null when it does not exist. */
  getStream(key: string, range?: BlobRange): Promise<BlobStream | null>;
  head(key: string): Promise<BlobInfo | null>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every key under the prefix; returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
  /** Every key under the prefix, in lexicographic key order, fetched lazily page by page. */
  list(prefix: string): AsyncIterable<BlobInfo>;
  /** Throws when the store cannot be read and written (health checks). */
  check(): Promise<void>;
  /**
   * The object as a file on this machine, when the driver keeps it as one (local disk), for
   * tools that need a path (ffmpeg); undefined otherwise.
   */
  localPath?(key: string): string | undefined;
}

/** Throws for keys that are empty, absolute, contain '..' segments, backslashes or NUL. */
export function assertSafeKey(key: string): void {
  if (
    key.length === 0 ||
    key.length > 1024 ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.includes('\0') ||
    key.split('/').some((seg) => seg === '..' || seg === '.' || seg === '')
  ) {
    throw new Error(`unsafe blob key: ${JSON.stringify(key)}`);
  }
}
