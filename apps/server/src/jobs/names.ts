/**
 * Every background job the server knows, with its payload. The code that enqueues a job imports
 * only this file, never the handler; boot refuses to start a worker that lacks a handler.
 */
export interface JobPayloads {
  'task.create-data': { requestId: string; taskId: number };
  'storage.delete-prefixes': { prefixes: string[] };
  'dataset.export': { requestId: string };
  'dataset.import': { requestId: string };
  'dataset.import-project': { requestId: string };
  'backup.export': { requestId: string };
  'backup.restore': { requestId: string };
  /** A task or project quality report (requested, or automatic after a job is handed in). */
  'quality.report': { requestId: string };
  /** Immediate feedback on a completed job too large to check within its PATCH. */
  'quality.feedback': { requestId: string };
  /** A consensus merge of a task's or a job's replicas into their parent jobs. */
  'consensus.merge': { requestId: string };
  /** Built when sent, from the rows then current: no reset token or message body waits in the queue. */
  'mail.send': { kind: 'password-reset'; userId: number; issuedAt: number } | { kind: 'invitation'; key: string };
}

export type JobName = keyof JobPayloads;

export const jobNames: JobName[] = ['task.create-data', 'storage.delete-prefixes', 'dataset.export', 'dataset.import', 'dataset.import-project', 'backup.export', 'backup.restore', 'mail.send', 'quality.report', 'quality.feedback', 'consensus.merge'];

/**
 * Per-queue policy: how long one run may take before it is presumed dead, retries, and how often
 * idle workers poll (each poll is a query; on the embedded database it also takes the one
 * session for a moment, so queues nobody waits on poll less often).
 */
export const jobPolicies: Record<JobName, { expireInSeconds: number; retryLimit: number; retryDelay: number; retryBackoff?: boolean; pollingIntervalSeconds: number }> = {
  // A crashed worker's creation run is retried after it expires; the handler starts over cleanly.
  'task.create-data': { expireInSeconds: 60 * 60, retryLimit: 2, retryDelay: 5, pollingIntervalSeconds: 0.5 },
  'storage.delete-prefixes': { expireInSeconds: 60 * 60, retryLimit: 5, retryDelay: 30, pollingIntervalSeconds: 5 },
  // Exports and imports stream; a huge one may run long, and a retry starts it over.
  'dataset.export': { expireInSeconds: 6 * 60 * 60, retryLimit: 1, retryDelay: 5, pollingIntervalSeconds: 1 },
  'dataset.import': { expireInSeconds: 6 * 60 * 60, retryLimit: 1, retryDelay: 5, pollingIntervalSeconds: 1 },
  // Creates tasks and waits for their creation jobs (another queue, so it never waits on itself).
  'dataset.import-project': { expireInSeconds: 12 * 60 * 60, retryLimit: 1, retryDelay: 5, pollingIntervalSeconds: 1 },
  'backup.export': { expireInSeconds: 6 * 60 * 60, retryLimit: 1, retryDelay: 5, pollingIntervalSeconds: 1 },
  // A restore also waits for the creation jobs of its tasks (another queue).
  'backup.restore': { expireInSeconds: 12 * 60 * 60, retryLimit: 1, retryDelay: 5, pollingIntervalSeconds: 1 },
  // A report reads and compares the ground truth and every job once; a retry starts over.
  'quality.report': { expireInSeconds: 2 * 60 * 60, retryLimit: 1, retryDelay: 5, pollingIntervalSeconds: 1 },
  // Rare (large jobs only), but an annotator waits for it.
  'quality.feedback': { expireInSeconds: 30 * 60, retryLimit: 1, retryDelay: 2, pollingIntervalSeconds: 1 },
  // Reads every replica of the jobs merged and writes their parents in one transaction; a retry starts over.
  'consensus.merge': { expireInSeconds: 60 * 60, retryLimit: 1, retryDelay: 5, pollingIntervalSeconds: 1 },
  // A mail server down for a while: retried after 15-30 s, doubling, for two to four hours in all.
  'mail.send': { expireInSeconds: 5 * 60, retryLimit: 8, retryDelay: 30, retryBackoff: true, pollingIntervalSeconds: 2 },
};
