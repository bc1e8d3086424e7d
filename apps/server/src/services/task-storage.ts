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
  return [`tasks/${taskId}/`, `derived/tasks/${taskId}/`];
}
