/**
 * Reading uploaded archives (ZIP, TAR, TAR.GZ) entry by entry, as streams, for task data and
 * dataset imports. Archives are attack surface, so every entry is checked before a byte of it is
 * used: names that are absolute, contain '..' or backslashes are refused (zip-slip), links and
 * devices are skipped, and the entry count and total unpacked bytes are capped (a ZIP's declared
 * sizes are checked up front and enforced while inflating, which stops decompression bombs).
 * ZIPs are read through their central directory (yauzl), which needs a file on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar';
import yauzl from 'yauzl';

export interface ArchiveLimits {
  maxEntries: number;
  maxBytes: number;
}

export interface ArchiveEntry {
  /** Relative path inside the archive, '/' separators, validated. */
  path: string;
  /** Unpacked size as the archive declares it. */
  size: number;
  open(): Promise<Readable>;
}

/** A problem with the archive itself, naming it and the entry; answered as a 400. */
export class ArchiveError extends Error {
  constructor(
    readonly archive: string,
    message: string,
  ) {
    super(`${archive}: ${message}`);
    this.name = 'ArchiveError';
  }
}

export type ArchiveKind = 'zip' | 'tar' | 'tgz';

export function archiveKind(name: string): ArchiveKind | null {
  const n = name.toLowerCase();
  if (n.endsWith('.zip')) return 'zip';
  if (n.endsWith('.tar')) return 'tar';
  if (n.endsWith('.tar.gz') || n.endsWith('.tgz')) return 'tgz';
  return null;
}

/** Entries every OS adds that are never data: macOS resource forks and Finder files. */
function isJunk(p: string): boolean {
  return p.startsWith('__MACOSX/') || p.split('/').some((s) => s === '.DS_Store' || s === 'Thumbs.db');
}

/** The entry's path if it is safe to use, else an error naming it. */
export function safeEntryPath(archive: string, raw: string): string {
  const p = raw.replace(/^\.\//, '');
  if (p.includes('\\') || p.includes('\0') || p.startsWith('/') || /^[a-zA-Z]:/.test(p)) {
    throw new ArchiveError(archive, `entry "${raw}" points outside the archive or is absolute`);
  }
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.some((s) => s === '..')) throw new ArchiveError(archive, `entry "${raw}" points outside the archive or is absolute`);
  return parts.join('/');
}

class Budget {
  entries = 0;
  bytes = 0;
  constructor(
    private readonly archive: string,
    private readonly limits: ArchiveLimits,
  ) {}
  add(entryPath: string, bytes: number): void {
    this.entries++;
    this.bytes += bytes;
    if (this.entries > this.limits.maxEntries) {
      throw new ArchiveError(this.archive, `more than ${this.limits.maxEntries} files (at "${entryPath}")`);
    }
    if (this.bytes > this.limits.maxBytes) {
      throw new ArchiveError(this.archive, `unpacks to more than ${this.limits.maxBytes} bytes (at "${entryPath}")`);
    }
  }
}

/**
 * Calls `use` for each regular file of the archive at `file`, one at a time, in archive order.
 * `name` is how errors call the archive.
 */
export async function forEachEntry(file: string, name: string, limits: ArchiveLimits, use: (entry: ArchiveEntry) => Promise<void>): Promise<void> {
  const kind = archiveKind(name);
  if (kind === 'zip') return forEachZipEntry(file, name, limits, use);
  if (kind === 'tar' || kind === 'tgz') return forEachTarEntry(file, name, kind === 'tgz', limits, use);
  throw new ArchiveError(name, 'not an archive this server reads (ZIP, TAR, TAR.GZ)');
}

async function forEachZipEntry(file: string, name: string, limits: ArchiveLimits, use: (entry: ArchiveEntry) => Promise<void>): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    // strictFileNames off: we check names ourselves, with messages that name the entry.
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (err, z) => (err ? reject(err) : resolve(z!))),
    );
  } catch (e) {
    throw new ArchiveError(name, `not a readable ZIP file (${(e as Error).message})`);
  }
  const budget = new Budget(name, limits);
  try {
    // Declared sizes first: a bomb is refused before anything is inflated.
    if (zip.entryCount > limits.maxEntries) throw new ArchiveError(name, `has ${zip.entryCount} entries, more than ${limits.maxEntries}`);
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        zip.once('entry', resolve);
        zip.once('end', () => resolve(null));
        zip.once('error', reject);
        zip.readEntry();
      }).catch((e: Error) => {
        // yauzl checks names too, before we see the entry; say it the way we do.
        const bad = /^invalid relative path: (.*)$/.exec(e.message) ?? /^absolute path: (.*)$/.exec(e.message);
        if (bad) throw new ArchiveError(name, `entry "${bad[1]}" points outside the archive or is absolute`);
        throw new ArchiveError(name, `corrupt ZIP (${e.message})`);
      });
      zip.removeAllListeners('entry').removeAllListeners('end').removeAllListeners('error');
      if (!entry) break;
      if (entry.fileName.endsWith('/')) continue;
      // The upper 16 bits of the external attributes are the Unix mode; 0o120000 is a symlink.
      const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
      if (mode === 0o120000) continue;
      const p = safeEntryPath(name, entry.fileName);
      if (!p || isJunk(p)) continue;
      budget.add(p, entry.uncompressedSize);
      await use({
        path: p,
        size: entry.uncompressedSize,
        open: () =>
          new Promise<Readable>((resolve, reject) =>
            zip.openReadStream(entry, (err, s) => (err ? reject(new ArchiveError(name, `cannot read "${p}" (${err.message})`)) : resolve(s!))),
          ),
      });
    }
  } finally {
    zip.close();
  }
}

/**
 * TAR has no index: entries are read in one pass. Each entry's bytes flow into a buffer of
 * bounded size that `use` reads when it opens the entry; until then backpressure holds the
 * parser and the file read, so entries are handled one at a time and memory stays flat.
 */
async function forEachTarEntry(file: string, name: string, gzip: boolean, limits: ArchiveLimits, use: (entry: ArchiveEntry) => Promise<void>): Promise<void> {
  const budget = new Budget(name, limits);
  let failure: unknown = null;
  let chain: Promise<void> = Promise.resolve();
  const parser = new tar.Parser({
    strict: true,
    noResume: true,
    onReadEntry: (entry) => {
      const regular = entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile';
      let p = '';
      if (!failure && regular) {
        try {
          p = safeEntryPath(name, entry.path);
          if (p && !isJunk(p)) budget.add(p, entry.size ?? 0);
          else p = '';
        } catch (e) {
          failure = e;
        }
      }
      if (!p || failure) {
        entry.resume();
        return;
      }
      const body = new PassThrough();
      entry.pipe(body);
      chain = chain.then(async () => {
        if (failure) {
          body.resume();
          return;
        }
        try {
          await use({ path: p, size: entry.size ?? 0, open: async () => body });
        } catch (e) {
          failure ??= e;
        }
        // Whatever `use` left unread is drained, so the parser can go on to the next entry.
        body.resume();
      });
    },
  });
  try {
    await pipeline(gzip ? ([fs.createReadStream(file), createGunzip(), parser] as const) : ([fs.createReadStream(file), parser] as const));
    await chain;
  } catch (e) {
    await chain.catch(() => undefined);
    if (failure) throw failure;
    throw new ArchiveError(name, `corrupt ${gzip ? 'TAR.GZ' : 'TAR'} (${(e as Error).message})`);
  }
  if (failure) throw failure;
  if (budget.entries === 0 && !(await looksLikeTar(file, gzip))) {
    throw new ArchiveError(name, `not a ${gzip ? 'TAR.GZ' : 'TAR'} file`);
  }
}

/** tar's parser skips garbage silently; a file with no ustar magic was not an archive at all. */
async function looksLikeTar(file: string, gzip: boolean): Promise<boolean> {
  const head = Buffer.alloc(512);
  if (gzip) {
    const chunks: Buffer[] = [];
    let got = 0;
    const gunzip = fs.createReadStream(file).pipe(createGunzip());
    try {
      for await (const c of gunzip as AsyncIterable<Buffer>) {
        chunks.push(c);
        got += c.length;
        if (got >= 512) break;
      }
    } catch {
      return false;
    }
    Buffer.concat(chunks).copy(head);
  } else {
    const fd = await fs.promises.open(file, 'r');
    await fd.read(head, 0, 512, 0);
    await fd.close();
  }
  return head.subarray(257, 262).toString('latin1') === 'ustar';
}

export function archiveBaseName(name: string): string {
  return path.basename(name).replace(/\.(zip|tar|tar\.gz|tgz)$/i, '');
}
