import { createHash, randomBytes } from 'node:crypto';

/** A fresh 40-character key, the shape CVAT's clients expect from /api/auth/login. */
export function newTokenKey(): string {
  return randomBytes(20).toString('hex');
}

/** Tokens are stored only as hashes: a leaked database does not hand out sessions. */
export function tokenHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
