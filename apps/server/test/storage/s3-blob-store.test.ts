import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBlobStore } from '../../src/repositories/storage/index.js';
import { createS3Client, S3BlobStore } from '../../src/repositories/storage/s3-blob-store.js';
import { startS3rver, type S3rverHandle } from '../helpers/s3rver.js';
import { blobStoreContract, keysOf } from './blob-store.contract.js';

let server: S3rverHandle | undefined;

async function s3rver(): Promise<S3rverHandle> {
  server ??= await startS3rver();
  return server;
}

function storeOn(s: S3rverHandle, prefix: string): S3BlobStore {
  return new S3BlobStore({
    bucket: s.bucket,
    region: s.region,
    endpoint: s.endpoint,
    forcePathStyle: true,
    prefix,
    credentials: s.credentials,
  });
}

afterAll(async () => {
  await server?.stop();
});

// s3rver lists in the order of its on-disk tree, not S3's byte order; see the contract option.
for (const prefix of ['', 'framewise']) {
  blobStoreContract(
    `s3 (s3rver, prefix ${JSON.stringify(prefix)})`,
    async () => {
      const store = storeOn(await s3rver(), prefix);
      return { store, cleanup: async () => void (await store.deletePrefix('')) };
    },
    { strictKeyOrder: false },
  );
}

describe('S3BlobStore', () => {
  let s: S3rverHandle;
  let raw: S3Client;

  beforeAll(async () => {
    s = await s3rver();
    raw = createS3Client({ region: s.region, endpoint: s.endpoint, forcePathStyle: true, credentials: s.credentials });
  });

  async function rawKeys(prefix = ''): Promise<string[]> {
    const out = await raw.send(new ListObjectsV2Command({ Bucket: s.bucket, Prefix: prefix }));
    return (out.Contents ?? []).map((o) => o.Key ?? '');
  }

  it('puts keys under its prefix and strips it when listing', async () => {
    const store = storeOn(s, '/tenant-a/');
    await store.put('x/1', '1');
    expect(await rawKeys('tenant-a/')).toEqual(['tenant-a/x/1']);
    // Neighbours outside the prefix, including one that shares its first characters.
    await raw.send(new PutObjectCommand({ Bucket: s.bucket, Key: 'tenant-a-other/x/2', Body: '2' }));
    await raw.send(new PutObjectCommand({ Bucket: s.bucket, Key: 'x/3', Body: '3' }));
    expect(await keysOf(store, '')).toEqual(['x/1']);
    expect(await store.get('x/3')).toBeNull();
    expect(await store.deletePrefix('')).toBe(1);
    expect(await rawKeys()).toEqual(expect.arrayContaining(['tenant-a-other/x/2', 'x/3']));
    await storeOn(s, '').deletePrefix('');
  });

  it('sends a stream of unknown length as a multipart upload', async () => {
    const store = storeOn(s, 'mp');
    const commands: string[] = [];
    store.client.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize' },
    );
    const chunks = Array.from({ length: 3 }, () => Buffer.alloc(4 * 1024 * 1024, 7));
    await store.put('big', Readable.from(chunks));
    expect(commands.filter((c) => c !== 'UploadPartCommand')).toEqual([
      'CreateMultipartUploadCommand',
      'CompleteMultipartUploadCommand',
    ]);
    // 12 MiB in 5 MiB parts.
    expect(commands.filter((c) => c === 'UploadPartCommand').length).toBe(3);
    const head = await raw.send(new HeadObjectCommand({ Bucket: s.bucket, Key: 'mp/big' }));
    expect(head.ContentLength).toBe(12 * 1024 * 1024);
    await store.deletePrefix('');
  });

  it('check fails when the bucket does not exist', async () => {
    const store = new S3BlobStore({
      bucket: 'no-such-bucket',
      region: s.region,
      endpoint: s.endpoint,
      forcePathStyle: true,
      prefix: '',
      credentials: s.credentials,
    });
    await expect(store.check()).rejects.toThrow();
  });

  it('is what createBlobStore builds, with credentials from the default chain', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', s.credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', s.credentials.secretAccessKey);
    try {
      const store = await createBlobStore({
        driver: 's3',
        bucket: s.bucket,
        region: s.region,
        endpoint: s.endpoint,
        forcePathStyle: true,
        prefix: 'env',
      });
      expect(store).toBeInstanceOf(S3BlobStore);
      expect(store.driver).toBe('s3');
      await store.check();
      await store.put('k', 'v');
      expect((await store.get('k'))?.toString()).toBe('v');
      await store.deletePrefix('');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
