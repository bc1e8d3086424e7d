/**
 * The mails Framewise sends, as plain text and a simple HTML twin. Names come from users
 * (organization names, first and last names): escaped in HTML, and kept to one line in the
 * subject so that none can smuggle in a header or markup.
 */
import type { OutgoingMail } from '../../repositories/mail.repository.js';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** One line, no control characters, bounded: what may go into a subject or a greeting. */
export function oneLine(s: string, max = 120): string {
  const flat = s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** "Ada Lovelace (ada)", or the username alone. */
export function personName(p: { username: string; first_name: string; last_name: string }): string {
  const full = oneLine(`${p.first_name} ${p.last_name}`);
  return full ? `${full} (${oneLine(p.username)})` : oneLine(p.username);
}

/** Paragraphs and one button-like link, the same words in both parts. */
function compose(to: string, subject: string, paragraphs: string[], link: { label: string; url: string }, after: string[]): OutgoingMail {
  const text = [...paragraphs, `${link.label}:\n${link.url}`, ...after].join('\n\n') + '\n';
  const p = (s: string) => `<p>${escapeHtml(s)}</p>`;
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">',
    ...paragraphs.map(p),
    `<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`,
    `<p style="color: #666; font-size: 90%">${escapeHtml(link.url)}</p>`,
    ...after.map(p),
    '</body></html>',
  ].join('\n');
  return { to, subject: oneLine(subject, 200), text, html };
}

export function passwordResetMail(input: { to: string; username: string; link: string; ttlHours: number; site: string }): OutgoingMail {
  const hours = input.ttlHours === 1 ? '1 hour' : `${Number(input.ttlHours.toFixed(2))} hours`;
  return compose(
    input.to,
    'Reset your Framewise password',
    [`Someone asked to reset the password of the account "${oneLine(input.username)}" on ${input.site} (Framewise).`],
    { label: 'Choose a new password', url: input.link },
    [
      `The link works once, for ${hours}, and stops working if the password changes or the account logs in meanwhile.`,
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ],
  );
}

export function invitationMail(input: {
  to: string;
  organization: string;
  inviter: string | null;
  role: string;
  link: string;
  /** The address has no account yet: the link registers one. */
  registering: boolean;
  expiresAt: Date;
}): OutgoingMail {
  const org = oneLine(input.organization);
  const who = input.inviter ? `${input.inviter} invited you` : 'You are invited';
  return compose(
    input.to,
    `Invitation to join ${org} on Framewise`,
    [`${who} to join the organization "${org}" on Framewise as ${input.role}.`],
    input.registering ? { label: 'Create your account and join', url: input.link } : { label: 'Accept or decline the invitation', url: input.link },
    [
      `The invitation expires on ${input.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
      'If you do not know this organization, ignore this mail.',
    ],
  );
}
