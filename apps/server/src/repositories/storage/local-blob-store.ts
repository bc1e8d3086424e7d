/**
 * BlobStore on the local filesystem: key 'a/b/c.jpg' is the file <root>/a/b/c.jpg. Nothing but
 * the object's bytes is stored, so the tree stays readable by hand and by backup tools.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { assertSafeKey, type BlobInfo, type BlobRange, type BlobStore, type BlobStream, type PutOptions } from './blob-store.js';

/**
 * Partial writes live under this name until renamed into place. list() hides them and keys may
 * not end in such a name, so a crashed write can never be mistaken for an object.
 */
const TEMP_PREFIX = '.fw-tmp-';

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.zip': 'application/zip',
  '.json': 'application/json',
  '.mp4': 'video/mp4',
};

export function contentTypeForKey(key: string): string | undefined {
  return CONTENT_TYPES[path.posix.extname(key).toLowerCase()];
}

/** A list/delete prefix: '' (everything), a key, a key with a trailing '/', or a partial name. */
function assertSafePrefix(prefix: string): void {
  if (prefix === '') return;
  assertSafeKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}

/** S3 orders keys by their UTF-8 bytes; JS string comparison (UTF-16) differs above U+FFFF. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function isErrno(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

function checkRange(range: BlobRange, size: number): { start: number; end: number } {
  const { start } = range;
  if (!Number.isInteger(start) || start < 0 || (range.end !== undefined && (!Number.isInteger(range.end) || range.end < start))) {
    throw new RangeError(`invalid byte range ${JSON.stringify(range)}`);
  }
  if (start >= size) {
    throw new RangeError(`byte range ${JSON.stringify(range)} not satisfiable for an object of ${size} bytes`);
  }
  // Like HTTP and S3, an end past the object means "to the end".
  return { start, end: Math.min(range.end ?? size - 1, size - 1) };
}

export class LocalBlobStore implements BlobStore {
  readonly driver = 'local' as const;
  readonly root: string;
  #realRoot: Promise<string> | undefined;
  /**
   * Directories already found inside the root: writing many blobs into one directory (a task's
   * derived frames) checks it once, not once per blob. Forgotten when directories are removed.
   */
  readonly #knownDirs = new Set<string>();

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  async put(key: string, body: Buffer | Uint8Array | string | Readable, options?: PutOptions): Promise<void> {
    const file = this.#path(key);
    if (path.basename(file).startsWith(TEMP_PREFIX)) {
      throw new Error(`unsafe blob key: ${JSON.stringify(key)} (reserved name)`);
    }
    const dir = path.dirname(file);
    await this.#ensureDir(dir);
    // Same directory as the target so rename() is atomic: readers see the old object or the new one.
    const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      const handle = await this.#openTemp(dir, temp);
      try {
        if (body instanceof Readable) {
          for await (const chunk of body) await writeAll(handle, toBuffer(chunk));
        } else {
          await writeAll(handle, toBuffer(body));
        }
        // Without fsync a crash after rename() can leave an empty or truncated file at the key.
        if (options?.durable !== false) await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, file);
    } catch (err) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      // Directories made for this object would otherwise linger, empty, after a failed write.
      await this.#removeEmptyDirs(dir).catch(() => undefined);
      if (body instanceof Readable) body.destroy();
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | null> {
    const file = await this.#existingFile(key);
    if (!file) return null;
    try {
      return await fs.readFile(file);
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'EISDIR')) return null;
      throw err;
    }
  }

  async getStream(key: string, range?: BlobRange): Promise<BlobStream | null> {
    const file = await this.#existingFile(key);
    if (!file) return null;
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'EISDIR')) return null;
      throw err;
    }
    try {
      // Stat the open handle, not the path, so size and bytes agree if the key is overwritten meanwhile.
      const stat = await handle.stat();
      if (!stat.isFile()) {
        await handle.close();
        return null;
      }
      const { start, end } = range ? checkRange(range, stat.size) : { start: 0, end: stat.size - 1 };
      const length = end - start + 1;
      const info = { length, size: stat.size, contentType: contentTypeForKey(key), modified: stat.mtime };
      if (length === 0) {
        await handle.close();
        return { stream: Readable.from([]), ...info };
      }
      // autoClose (the default) closes the handle when the stream ends or is destroyed.
      return { stream: handle.createReadStream({ start, end }), ...info };
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  async head(key: string): Promise<BlobInfo | null> {
    const file = await this.#existingFile(key);
    if (!file) return null;
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile()) return null;
      return { key, size: stat.size, modified: stat.mtime, contentType: contentTypeForKey(key) };
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.#path(key);
    if (!(await this.#containedDir(path.dirname(file)))) return;
    try {
      await fs.unlink(file);
    } catch (err) {
      if (!isErrno(err, 'ENOENT', 'EISDIR')) throw err;
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    const dirs = new Set<string>();
    let count = 0;
    for await (const info of this.list(prefix)) {
      const file = this.#path(info.key);
      try {
        await fs.unlink(file);
        count++;
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
      }
      dirs.add(path.dirname(file));
    }
    // Deepest first, so a parent is tried only after its children are gone.
    const ordered = [...dirs].sort((a, b) => b.length - a.length);
    for (const dir of ordered) await this.#removeEmptyDirs(dir);
    return count;
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    assertSafePrefix(prefix);
    // The prefix is a directory part (up to the last '/') plus a partial name matched within it.
    const cut = prefix.lastIndexOf('/') + 1;
    const dirKey = prefix.slice(0, cut);
    const dir = dirKey ? this.#path(dirKey.slice(0, -1)) : this.root;
    if (!(await this.#containedDir(dir, true))) return;
    yield* this.#walk(dir, dirKey, prefix.slice(cut));
  }

  async check(): Promise<void> {
    const key = `.health/probe-${randomBytes(6).toString('hex')}`;
    const payload = Buffer.from(`framewise ${new Date().toISOString()}`);
    await this.put(key, payload);
    try {
      const back = await this.get(key);
      if (!back || !back.equals(payload)) throw new Error(`blob store at ${this.root}: probe read back wrong`);
    } finally {
      await this.delete(key);
    }
  }

  /** Lexicographic order needs a directory sorted as if its name ended in '/': 'a-b' < 'a/x'. */
  async *#walk(dir: string, keyPrefix: string, namePrefix: string): AsyncGenerator<BlobInfo> {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return;
      throw err;
    }
    // Symlinks are skipped: the store never makes them, and following one could leave root.
    const items = entries
      .filter((e) => e.name.startsWith(namePrefix) && (e.isDirectory() || (e.isFile() && !e.name.startsWith(TEMP_PREFIX))))
      .map((e) => ({ name: e.name, dir: e.isDirectory(), sortKey: e.isDirectory() ? `${e.name}/` : e.name }))
      .sort((a, b) => compareBytes(a.sortKey, b.sortKey));
    for (const item of items) {
      const full = path.join(dir, item.name);
      const key = keyPrefix + item.name;
      if (item.dir) {
        yield* this.#walk(full, `${key}/`, '');
        continue;
      }
      try {
        const stat = await fs.stat(full);
        yield { key, size: stat.size, modified: stat.mtime, contentType: contentTypeForKey(key) };
      } catch (err) {
        // Deleted between readdir and stat: it is simply no longer there.
        if (!isErrno(err, 'ENOENT')) throw err;
      }
    }
  }

  localPath(key: string): string {
    return this.#path(key);
  }

  #path(key: string): string {
    assertSafeKey(key);
    const resolved = path.resolve(this.root, ...key.split('/'));
    if (!resolved.startsWith(this.root + path.sep)) {
      throw new Error(`unsafe blob key: ${JSON.stringify(key)} (outside the store)`);
    }
    return resolved;
  }

  #realRootPath(): Promise<string> {
    this.#realRoot ??= fs
      .mkdir(this.root, { recursive: true })
      .then(() => fs.realpath(this.root))
      .catch((err: unknown) => {
        this.#realRoot = undefined;
        throw err;
      });
    return this.#realRoot;
  }

  async #isInside(real: string, allowRoot: boolean): Promise<boolean> {
    const root = await this.#realRootPath();
    return (allowRoot && real === root) || real.startsWith(root + path.sep);
  }

  /** The file for key after following symlinks, or null when missing; throws if it leaves root. */
  async #existingFile(key: string): Promise<string | null> {
    const file = this.#path(key);
    let real: string;
    try {
      real = await fs.realpath(file);
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return null;
      throw err;
    }
    if (!(await this.#isInside(real, false))) {
      throw new Error(`unsafe blob key: ${JSON.stringify(key)} (resolves outside the store)`);
    }
    return real;
  }

  /** False when dir does not exist; throws when it exists but resolves outside root. */
  async #containedDir(dir: string, allowRoot = false): Promise<boolean> {
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return false;
      throw err;
    }
    if (!(await this.#isInside(real, allowRoot || dir === this.root))) {
      throw new Error(`blob store path ${JSON.stringify(dir)} resolves outside the store`);
    }
    return true;
  }

  /** mkdir -p, refusing to create anything through a symlink that points out of root. */
  async #ensureDir(dir: string): Promise<void> {
    if (this.#knownDirs.has(dir)) return;
    let existing = dir;
    while (existing !== this.root && !(await this.#containedDir(existing))) existing = path.dirname(existing);
    if (existing !== dir) await fs.mkdir(dir, { recursive: true });
    // Checked again after mkdir: a symlink could have been swapped in meanwhile.
    await this.#containedDir(dir);
    if (this.#knownDirs.size > 10_000) this.#knownDirs.clear();
    this.#knownDirs.add(dir);
  }

  /** A concurrent deletePrefix may remove the directory between mkdir and open; retry then. */
  async #openTemp(dir: string, temp: string): Promise<fs.FileHandle> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fs.open(temp, 'wx');
      } catch (err) {
        if (!isErrno(err, 'ENOENT') || attempt >= 3) throw err;
        this.#knownDirs.delete(dir);
        await this.#ensureDir(dir);
      }
    }
  }

  async #removeEmptyDirs(dir: string): Promise<void> {
    for (let d = dir; d.startsWith(this.root + path.sep); d = path.dirname(d)) {
      try {
        this.#knownDirs.delete(d);
        await fs.rmdir(d);
      } catch (err) {
        if (isErrno(err, 'ENOENT')) continue;
        if (isErrno(err, 'ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EBUSY', 'EPERM', 'EACCES')) return;
        throw err;
      }
    }
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'string') return Buffer.from(chunk);
  throw new TypeError(`blob body chunk must be bytes or a string, got ${typeof chunk}`);
}

async function writeAll(handle: fs.FileHandle, buf: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await handle.write(buf, offset, buf.length - offset);
    offset += bytesWritten;
  }
}
