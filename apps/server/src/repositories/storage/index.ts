/** Picks the BlobStore driver named by the configuration; the rest of the server sees only BlobStore. */
import type { StorageConfig } from '../../config/env.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';

export * from './blob-store.js';
export { LocalBlobStore } from './local-blob-store.js';
export { createS3Client, S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';

export function createBlobStore(config: StorageConfig): BlobStore {
  switch (config.driver) {
    case 'local':
      return new LocalBlobStore(config.root);
    case 's3':
      // Credentials come from the SDK's default chain, never from Framewise's own settings.
      return new S3BlobStore({
        bucket: config.bucket,
        region: config.region,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        forcePathStyle: config.forcePathStyle,
        prefix: config.prefix,
      });
  }
}
