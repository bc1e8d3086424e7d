/**
 * Outgoing mail over SMTP (nodemailer). One connection per message rather than a pool: mails are
 * rare (resets, invitations), and a pooled connection the relay dropped would fail the next send.
 */
import nodemailer from 'nodemailer';
import type { MailConfig } from '../config/env.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export class MailRepository {
  private readonly transporter: ReturnType<typeof nodemailer.createTransport>;

  constructor(private readonly config: MailConfig) {
    this.transporter = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      ...(config.user ? { auth: { user: config.user, pass: config.password } } : {}),
      ...(config.ca ? { tls: { ca: config.ca } } : {}),
      // nodemailer waits minutes by default; a job stuck that long only delays the retry.
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
  }

  /** Resolves once the server accepted the message; throws (for the queue to retry) otherwise. */
  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({ from: this.config.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
  }

  close(): void {
    this.transporter.close();
  }
}
