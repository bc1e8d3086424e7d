/** Picks the BlobStore driver named by the configuration; the rest of the server sees only BlobStore. */
import type { StorageConfig } from '../../config/env.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';

export * from './blob-store.js';
export { LocalBlobStore } from './local-blob-store.js';

/**
 * The S3 driver is imported only when configured: the AWS SDK costs start-up time and memory
 * that an instance on local disk has no use for.
 */
export async function createBlobStore(config: StorageConfig): Promise<BlobStore> {
  switch (config.driver) {
    case 'local':
      return new LocalBlobStore(config.root);
    case 's3': {
      const { S3BlobStore } = await import('./s3-blob-store.js');
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
}
