import type { UploadRepository } from '../repositories/upload.repository.js';
import type { BlobStore } from '../repositories/storage/blob-store.js';

/** Chunk size when the client names none: CVAT's default for image tasks. */
export const DEFAULT_CHUNK_SIZE = 36;

/** Forgets the files uploaded for a task that was not created from them, blobs included. */
export async function discardUploads(uploads: UploadRepository, blobs: BlobStore, taskId: number): Promise<void> {
  const previous = await uploads.list(taskId);
  await Promise.all(previous.map((u) => blobs.delete(u.blob_key)));
  await uploads.clear(taskId);
}

/**
 * Where a task's blobs live. Originals uploaded by clients and derived data (compressed frames,
 * chunks, previews) have separate prefixes so a cache cap can evict derived data only.
 */
export const taskKeys = {
  raw: (taskId: number, name: string) => `tasks/${taskId}/raw/${name}`,
  compressedFrame: (taskId: number, frame: number) => `derived/tasks/${taskId}/frames/${frame}.jpg`,
  chunk: (taskId: number, quality: 'compressed' | 'original', chunk: number) => `derived/tasks/${taskId}/chunks/${quality}-${chunk}.zip`,
  preview: (taskId: number) => `derived/tasks/${taskId}/preview.jpg`,
};

export function taskBlobPrefixes(taskId: number): string[] {
  return [`tasks/${taskId}/`, `derived/tasks/${taskId}/`, `imports/tasks/${taskId}/`];
}
