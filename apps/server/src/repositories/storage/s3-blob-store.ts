/**
 * BlobStore on S3 or an S3-compatible server (MinIO, Ceph, R2, ...). Keys live under an optional
 * prefix so one bucket can be shared with other applications or Framewise instances.
 */
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { assertSafeKey, type BlobInfo, type BlobRange, type BlobStore, type BlobStream, type PutOptions } from './blob-store.js';

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  /** '' or a path such as 'framewise' (slashes at either end are ignored). */
  prefix: string;
  /** When absent the SDK's default chain applies (env, shared config, SSO, instance role). */
  credentials?: AwsCredentialIdentity;
}

/** S3 caps DeleteObjects at 1000 keys per request. */
const DELETE_BATCH = 1000;
/** PutObject takes at most 5 GiB; larger known-length bodies go multipart. */
const MAX_SINGLE_PUT = 5 * 1024 ** 3;
const MIN_PART_SIZE = 5 * 1024 ** 2;
const MAX_PARTS = 10_000;

export function createS3Client(options: Omit<S3BlobStoreOptions, 'bucket' | 'prefix'>): S3Client {
  return new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Since SDK 3.729 the default adds CRC checksums to every upload and validates them on
    // download; many S3-compatible servers reject or do not return them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

function assertSafePrefix(prefix: string): void {
  if (prefix === '') return;
  assertSafeKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'NoSuchKey' || err.name === 'NotFound' || httpStatus(err) === 404;
}

function rangeHeader(range: BlobRange): string {
  const { start, end } = range;
  if (!Number.isInteger(start) || start < 0 || (end !== undefined && (!Number.isInteger(end) || end < start))) {
    throw new RangeError(`invalid byte range ${JSON.stringify(range)}`);
  }
  return `bytes=${start}-${end ?? ''}`;
}

/** 'bytes 0-9/1234' → 1234. */
function sizeFromContentRange(contentRange: string | undefined): number | undefined {
  const total = contentRange?.match(/\/(\d+)\s*$/)?.[1];
  return total === undefined ? undefined : Number(total);
}

export class S3BlobStore implements BlobStore {
  readonly driver = 's3' as const;
  readonly client: S3Client;
  readonly bucket: string;
  /** '' or 'something/': what every object key in the bucket starts with. */
  readonly keyPrefix: string;

  constructor(options: S3BlobStoreOptions) {
    this.client = createS3Client(options);
    this.bucket = options.bucket;
    const trimmed = options.prefix.replace(/^\/+|\/+$/g, '');
    if (trimmed) assertSafeKey(trimmed);
    this.keyPrefix = trimmed ? `${trimmed}/` : '';
  }

  async put(key: string, body: Buffer | Uint8Array | string | Readable, options: PutOptions = {}): Promise<void> {
    const Key = this.#key(key);
    const ContentType = options.contentType;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      // An explicit length also stops the SDK from warning that an empty body has unknown length.
      const ContentLength = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength, ContentType }));
      return;
    }
    const length = options.contentLength;
    if (length !== undefined && length <= MAX_SINGLE_PUT) {
      // A known length lets the stream go straight through in one request, without buffering.
      try {
        await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: length, ContentType }),
        );
      } catch (err) {
        body.destroy();
        throw err;
      }
      return;
    }
    // Unknown (or huge) length: Upload buffers one part at a time, and sends a single PutObject
    // when the whole body fits in the first part.
    const partSize = length !== undefined ? Math.max(MIN_PART_SIZE, Math.ceil(length / MAX_PARTS)) : MIN_PART_SIZE;
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: body, ContentType },
      partSize,
      queueSize: 4,
      // A failed upload must not leave billed, invisible parts behind.
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      body.destroy();
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | null> {
    const out = await this.#getObject(key);
    if (!out?.Body) return null;
    return Buffer.from(await out.Body.transformToByteArray());
  }

  async getStream(key: string, range?: BlobRange): Promise<BlobStream | null> {
    const out = await this.#getObject(key, range ? rangeHeader(range) : undefined);
    if (!out?.Body) return null;
    const length = out.ContentLength ?? 0;
    const size = (range ? sizeFromContentRange(out.ContentRange) : undefined) ?? length;
    if (range && range.start >= size) {
      // S3 answers 416 here; some compatible servers (s3rver for empty objects) send a bogus 206.
      (out.Body as Readable).destroy();
      throw new RangeError(`byte range ${JSON.stringify(range)} not satisfiable for an object of ${size} bytes`);
    }
    return {
      // In Node the SDK's body is an http.IncomingMessage with helper methods mixed in.
      stream: out.Body as Readable,
      length,
      size,
      contentType: out.ContentType,
      modified: out.LastModified ?? new Date(0),
    };
  }

  async head(key: string): Promise<BlobInfo | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }));
      return { key, size: out.ContentLength ?? 0, modified: out.LastModified ?? new Date(0), contentType: out.ContentType };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(key) }));
  }

  async deletePrefix(prefix: string): Promise<number> {
    let count = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const out = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const errors = out.Errors ?? [];
      if (errors.length > 0) {
        const first = errors[0];
        throw new Error(
          `deleting ${errors.length} of ${batch.length} objects failed; first: ${first?.Key}: ${first?.Code} ${first?.Message}`,
        );
      }
      count += batch.length;
      batch = [];
    };
    // S3's continuation token records the last key returned, so deleting listed keys while
    // paging does not skip any.
    for await (const info of this.list(prefix)) {
      batch.push(this.keyPrefix + info.key);
      if (batch.length >= DELETE_BATCH) await flush();
    }
    await flush();
    return count;
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    assertSafePrefix(prefix);
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.keyPrefix + prefix, ContinuationToken }),
      );
      for (const obj of page.Contents ?? []) {
        if (obj.Key === undefined || !obj.Key.startsWith(this.keyPrefix)) continue;
        yield { key: obj.Key.slice(this.keyPrefix.length), size: obj.Size ?? 0, modified: obj.LastModified ?? new Date(0) };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  #key(key: string): string {
    assertSafeKey(key);
    return this.keyPrefix + key;
  }

  async #getObject(key: string, range?: string): Promise<GetObjectCommandOutput | null> {
    try {
      return await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.#key(key), Range: range }));
    } catch (err) {
      if (isNotFound(err)) return null;
      if (httpStatus(err) === 416) {
        throw new RangeError(`byte range ${range} not satisfiable for ${JSON.stringify(key)}`, { cause: err });
      }
      throw err;
    }
  }
}
