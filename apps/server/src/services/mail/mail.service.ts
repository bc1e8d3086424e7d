/**
 * Outgoing mail, always in the background: `enqueue` only queues a 'mail.send' job naming what
 * to send (a user, an invitation key), and a worker builds the message from the rows as they are
 * then and hands it to the SMTP server. A mail server that is down or slow never fails or slows
 * the request that asked for the mail; the queue retries (jobs/names.ts) and logs each failure.
 */
import type { Logger } from 'pino';
import type { JobPayloads } from '../../jobs/names.js';
import type { JobContext, JobQueue } from '../../jobs/queue.js';
import type { MailRepository, OutgoingMail } from '../../repositories/mail.repository.js';

export type MailJob = JobPayloads['mail.send'];

/** Builds a job's mail; null when there is nothing to send any more (user gone, invitation accepted). */
export type MailComposer = (job: MailJob) => Promise<OutgoingMail | null>;

export class MailService {
  constructor(
    /** Null when FRAMEWISE_SMTP_URL is unset: nothing is queued or sent. */
    private readonly transport: MailRepository | null,
    private readonly queue: JobQueue,
    private readonly compose: MailComposer,
    private readonly log: Logger,
  ) {}

  get enabled(): boolean {
    return this.transport !== null;
  }

  /**
   * Queues a mail. Failing to queue it (the database unreachable) is logged, not thrown: what the
   * mail tells about has already happened, and the client must learn that.
   */
  async enqueue(job: MailJob): Promise<void> {
    if (!this.transport) return;
    try {
      await this.queue.send('mail.send', job);
    } catch (err) {
      this.log.error({ err, mail: job.kind }, 'mail: could not queue the mail');
    }
  }

  readonly handle = async (job: MailJob, ctx: JobContext): Promise<void> => {
    if (!this.transport) {
      // Queued while mail was configured, run after a restart without it.
      this.log.warn({ mail: job.kind, jobId: ctx.jobId }, 'mail: dropped, FRAMEWISE_SMTP_URL is no longer set');
      return;
    }
    const message = await this.compose(job);
    if (!message) {
      this.log.info({ mail: job.kind, jobId: ctx.jobId }, 'mail: nothing to send any more');
      return;
    }
    try {
      await this.transport.send(message);
    } catch (err) {
      const attempt = ctx.retryCount + 1;
      const last = ctx.retryCount >= ctx.retryLimit;
      this.log.warn({ err, mail: job.kind, jobId: ctx.jobId, attempt, willRetry: !last }, 'mail: the mail server did not take the mail');
      throw new Error(`mail not sent (attempt ${attempt} of ${ctx.retryLimit + 1}): ${err instanceof Error ? err.message : String(err)}`);
    }
    this.log.info({ mail: job.kind, jobId: ctx.jobId }, 'mail: sent');
  };

  close(): void {
    this.transport?.close();
  }
}
