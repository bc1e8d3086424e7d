/**
 * A backup archive on local disk, read through the archive reader (which refuses zip-slip names,
 * links and bombs, entry by entry). Its other files (task.json, annotations.json, manifests) are
 * unpacked to a work directory up front; media under data/ is never unpacked to disk: it goes
 * from the archive straight into the task's storage. Media read in the first pass, up to a
 * memory budget, is held: a second pass over a large archive competes for the disk with the
 * writes of the files it reads (each write waits for a flush), and for the usual task of many
 * small images the first pass then reads everything.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { ArchiveError, forEachEntry, type ArchiveLimits } from '../../repositories/archive.repository.js';
import { ExpectedFailure } from '../request-runner.js';
import { DATA_DIR, MEDIA_MANIFEST } from './layout.js';

/** data/<file> of a task backup, or of task_<n>/ in a project backup; manifest.jsonl is not media. */
const MEDIA = /^(task_\d+\/)?data\/(.+)$/;

function mediaName(p: string): string | null {
  const m = MEDIA.exec(p);
  return m && m[2] !== MEDIA_MANIFEST ? m[2]! : null;
}

export class BackupArchive {
  private constructor(
    private readonly file: string,
    /** How errors name the archive. */
    readonly name: string,
    private readonly limits: ArchiveLimits,
    private readonly root: string,
    private readonly entries: Set<string>,
    /** Media read in the first pass, by archive path, until handed out. */
    private readonly held: Map<string, Buffer>,
  ) {}

  /**
   * Reads the archive's directory, unpacking every file but media under `work` and holding
   * media files of up to `holdBytes` in all.
   */
  static async open(file: string, name: string, work: string, limits: ArchiveLimits, holdBytes: number): Promise<BackupArchive> {
    const root = path.join(work, 'unpacked');
    const entries = new Set<string>();
    const held = new Map<string, Buffer>();
    let holding = 0;
    await read(async () =>
      forEachEntry(file, name, limits, async (entry) => {
        if (entries.has(entry.path)) throw new ExpectedFailure(`${entry.path}: appears twice in ${name}`);
        entries.add(entry.path);
        if (mediaName(entry.path) !== null) {
          if (holding + entry.size <= holdBytes) {
            const body = await buffer(await entry.open());
            held.set(entry.path, body);
            holding += body.length;
          }
          return;
        }
        const target = path.join(root, ...entry.path.split('/'));
        await fsp.mkdir(path.dirname(target), { recursive: true });
        await pipeline(await entry.open(), fs.createWriteStream(target));
      }),
    );
    return new BackupArchive(file, name, limits, root, entries, held);
  }

  paths(): string[] {
    return [...this.entries];
  }

  has(p: string): boolean {
    return this.entries.has(p);
  }

  /** Where an unpacked (non-media) file is. */
  localPath(p: string): string {
    if (!this.entries.has(p) || mediaName(p) !== null) throw new Error(`${p} is not an unpacked file of ${this.name}`);
    return path.join(this.root, ...p.split('/'));
  }

  text(p: string): Promise<string> {
    return fsp.readFile(this.localPath(p), 'utf8');
  }

  /** The media files under `dir`data/ (their names relative to it), in archive order. */
  media(dir: string): string[] {
    const prefix = `${dir}${DATA_DIR}`;
    return this.paths()
      .filter((p) => p.startsWith(prefix) && mediaName(p) !== null)
      .map((p) => p.slice(prefix.length));
  }

  /**
   * Calls `use` for each media file of `dir`data/ named in `wanted`, one at a time: those held
   * first, then the rest in archive order (a stream to read before `use` resolves).
   */
  async eachMedia(dir: string, wanted: ReadonlySet<string>, use: (name: string, body: Buffer | Readable, size: number) => Promise<void>): Promise<void> {
    const prefix = `${dir}${DATA_DIR}`;
    const given = new Set<string>();
    for (const name of wanted) {
      const p = `${prefix}${name}`;
      const body = this.held.get(p);
      if (!body) continue;
      this.held.delete(p);
      given.add(name);
      await use(name, body, body.length);
    }
    if (given.size === wanted.size) return;
    await read(async () =>
      forEachEntry(this.file, this.name, this.limits, async (entry) => {
        if (!entry.path.startsWith(prefix)) return;
        const name = entry.path.slice(prefix.length);
        if (wanted.has(name) && !given.has(name)) await use(name, await entry.open(), entry.size);
      }),
    );
  }
}

async function read(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ArchiveError) throw new ExpectedFailure(e.message);
    throw e;
  }
}
