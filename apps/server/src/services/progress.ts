import type { RequestRepository } from '../repositories/request.repository.js';

export class CancelledError extends Error {
  constructor() {
    super('cancelled by the user');
    this.name = 'CancelledError';
  }
}

/**
 * Progress of a background request, written to its row at most every `intervalMs` so a
 * 100k-file job does not turn into 100k UPDATEs; each write also notices a cancellation.
 */
export class ProgressReporter {
  private last = 0;
  constructor(
    private readonly requests: RequestRepository,
    private readonly requestId: string,
    private readonly intervalMs = 500,
  ) {}

  /** `fraction` in [0, 1]; throws CancelledError once the user has cancelled. */
  async report(fraction: number, message?: string, force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    if (await this.requests.isCancelRequested(this.requestId)) throw new CancelledError();
    await this.requests.update(this.requestId, {
      progress: Math.max(0, Math.min(1, fraction)),
      ...(message !== undefined ? { message } : {}),
    });
  }
}
