/**
 * Secrets at rest (cloud storage credentials): AES-256-GCM under a key derived with HKDF-SHA256
 * from FRAMEWISE_SECRET_KEY or, on the embedded setup without one, from a random key generated
 * once into <dataDir>/secret.key (mode 0600), so a restart can still open what it sealed.
 *
 * Sealed form: 'fw1.' + base64url(iv 12 bytes | tag 16 bytes | ciphertext). Every value is bound to
 * the place it belongs (GCM's additional data, e.g. 'cloud_storages:7'), so a ciphertext copied
 * into another row does not open there: whoever can write the database still cannot move one
 * user's bucket keys into a storage they own.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

const PREFIX = 'fw1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// HKDF needs no secret salt: the input is already a high-entropy key; the labels only separate
// this use from any other key Framewise may derive from the same secret later.
const SALT = 'framewise';
const INFO = 'secret-box aes-256-gcm v1';

export const SECRET_KEY_FILE = 'secret.key';

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export class SecretBox {
  // A private field: it stays out of JSON.stringify, util.inspect and therefore out of logs.
  readonly #key: Buffer;

  /** `source` says where the key came from, for messages when a value does not open. */
  constructor(
    secret: string,
    readonly source: 'FRAMEWISE_SECRET_KEY' | 'secret.key',
  ) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, SALT, INFO, 32));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** HMAC-SHA256 of `data` under a key of its own for `purpose` (e.g. signed password reset links). */
  mac(purpose: string, data: string): Buffer {
    const key = Buffer.from(hkdfSync('sha256', this.#key, SALT, `mac ${purpose}`, 32));
    return createHmac('sha256', key).update(data, 'utf8').digest();
  }

  /** Throws SecretBoxError when the value was sealed under another key, for another place, or altered. */
  open(sealed: string, context: string): string {
    if (!sealed.startsWith(PREFIX)) throw new SecretBoxError('not a sealed value (unknown format)');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('sealed value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError(`it was sealed with another key than the current ${this.source}, or altered`);
    }
  }
}

export interface SecretBoxOptions {
  /** FRAMEWISE_SECRET_KEY, when set. */
  secretKey: string | undefined;
  dataDir: string;
  /**
   * Whether a key may be generated into dataDir. Only for the embedded database: instances that
   * share a PostgreSQL must share the key too, and a per-instance file would silently differ.
   */
  mayGenerate: boolean;
}

/** The box, or null when no key is configured and none may be generated. */
export async function openSecretBox(options: SecretBoxOptions): Promise<SecretBox | null> {
  if (options.secretKey) return new SecretBox(options.secretKey, 'FRAMEWISE_SECRET_KEY');
  if (!options.mayGenerate) return null;
  const file = path.join(options.dataDir, SECRET_KEY_FILE);
  await fs.mkdir(options.dataDir, { recursive: true });
  try {
    // 'wx': never overwrite a key that exists, whatever happens between the check and the write.
    await fs.writeFile(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const secret = (await fs.readFile(file, 'utf8')).trim();
  if (secret.length < 32) throw new Error(`${file}: the key must be at least 32 characters`);
  return new SecretBox(secret, 'secret.key');
}
