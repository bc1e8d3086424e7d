/**
 * Every background job the server knows, with its payload. The code that enqueues a job imports
 * only this file, never the handler; boot refuses to start a worker that lacks a handler.
 */
export interface JobPayloads {
  'task.create-data': { requestId: string; taskId: number };
  'storage.delete-prefixes': { prefixes: string[] };
}

export type JobName = keyof JobPayloads;

export const jobNames: JobName[] = ['task.create-data', 'storage.delete-prefixes'];

/**
 * Per-queue policy: how long one run may take before it is presumed dead, retries, and how often
 * idle workers poll (each poll is a query; on the embedded database it also takes the one
 * session for a moment, so queues nobody waits on poll less often).
 */
export const jobPolicies: Record<JobName, { expireInSeconds: number; retryLimit: number; retryDelay: number; pollingIntervalSeconds: number }> = {
  // A crashed worker's creation run is retried after it expires; the handler starts over cleanly.
  'task.create-data': { expireInSeconds: 60 * 60, retryLimit: 2, retryDelay: 5, pollingIntervalSeconds: 0.5 },
  'storage.delete-prefixes': { expireInSeconds: 60 * 60, retryLimit: 5, retryDelay: 30, pollingIntervalSeconds: 5 },
};
