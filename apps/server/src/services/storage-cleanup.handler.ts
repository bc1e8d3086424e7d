import type { JobHandler } from '../jobs/queue.js';
import type { BlobStore } from '../repositories/storage/blob-store.js';

/** Frees the blobs of deleted resources; safe to repeat, so a retry after a crash just finishes. */
export function storageCleanupHandler(blobs: BlobStore): JobHandler<'storage.delete-prefixes'> {
  return async ({ prefixes }) => {
    for (const prefix of prefixes) await blobs.deletePrefix(prefix);
  };
}
