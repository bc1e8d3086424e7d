/**
 * The share: a directory the operator mounts (FRAMEWISE_SHARE_DIR) whose files become tasks
 * without an upload. Every path a client names is resolved here and must stay under the root,
 * also after symlinks are followed.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';

export interface ShareEntry {
  name: string;
  type: 'REG' | 'DIR';
  mime_type: string;
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.bmp', '.gif', '.jfif']);
const VIDEO_EXT = new Set(['.mp4', '.webm', '.avi', '.mov', '.mkv', '.mpg', '.mpeg', '.m4v', '.wmv']);
const ARCHIVE_EXT = new Set(['.zip', '.tar', '.gz', '.tgz']);

export function mimeOf(name: string): string {
  const ext = path.extname(name).toLowerCase();
  if (IMAGE_EXT.has(ext)) return 'image';
  if (VIDEO_EXT.has(ext)) return 'video';
  if (ARCHIVE_EXT.has(ext)) return 'archive';
  if (ext === '.pdf') return 'pdf';
  return 'unknown';
}

export class ShareRepository {
  private realRoot: string | undefined;
  constructor(readonly root: string) {}

  private async rootReal(): Promise<string> {
    if (!this.realRoot) {
      await fsp.mkdir(this.root, { recursive: true });
      this.realRoot = await fsp.realpath(this.root);
    }
    return this.realRoot;
  }

  /** Absolute real path of a share-relative path; 400 when it escapes the share, 404 when missing. */
  async resolve(relative: string, field = 'server_files'): Promise<string> {
    const root = await this.rootReal();
    if (relative.includes('\0')) throw AppError.invalid(field, 'path contains a NUL byte');
    const joined = path.resolve(root, '.' + path.posix.sep + relative.replace(/^\/+/, ''));
    if (joined !== root && !joined.startsWith(root + path.sep)) {
      throw AppError.invalid(field, `"${relative}" is outside the share`);
    }
    let real: string;
    try {
      real = await fsp.realpath(joined);
    } catch {
      throw new AppError('NOT_FOUND', `"${relative}" does not exist in the share`, [{ field, file: relative, message: 'not found' }]);
    }
    if (real !== root && !real.startsWith(root + path.sep)) {
      throw AppError.invalid(field, `"${relative}" links outside the share`);
    }
    return real;
  }

  async list(directory: string, search?: string): Promise<ShareEntry[]> {
    const abs = await this.resolve(directory || '/', 'directory');
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(abs, { withFileTypes: true });
    } catch {
      throw AppError.invalid('directory', `"${directory}" is not a directory`);
    }
    const needle = search?.toLowerCase();
    const out: ShareEntry[] = [];
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      if (needle && !e.name.toLowerCase().includes(needle)) continue;
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        try {
          isDir = (await fsp.stat(path.join(abs, e.name))).isDirectory();
        } catch {
          continue;
        }
      }
      out.push(isDir ? { name: e.name, type: 'DIR', mime_type: 'DIR' } : { name: e.name, type: 'REG', mime_type: mimeOf(e.name) });
    }
    // Directories first, then by name, as CVAT's file browser shows them.
    return out.sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'DIR' ? -1 : 1));
  }

  /**
   * Expands the client's selection (files and directories, share-relative) to the files under
   * it, as share-relative '/'-separated paths, without duplicates, in traversal order.
   */
  async expand(selection: string[]): Promise<string[]> {
    const root = await this.rootReal();
    const seen = new Set<string>();
    const out: string[] = [];
    const add = (abs: string) => {
      const rel = path.relative(root, abs).split(path.sep).join('/');
      if (!seen.has(rel)) {
        seen.add(rel);
        out.push(rel);
      }
    };
    const walk = async (abs: string): Promise<void> => {
      const entries = await fsp.readdir(abs, { withFileTypes: true });
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const child = path.join(abs, e.name);
        if (e.isDirectory()) await walk(child);
        else if (e.isFile()) add(child);
        else if (e.isSymbolicLink()) {
          const real = await this.resolve(path.relative(root, child));
          const st = await fsp.stat(real);
          if (st.isDirectory()) await walk(real);
          else add(real);
        }
      }
    };
    for (const item of selection) {
      const abs = await this.resolve(item);
      const st = await fsp.stat(abs);
      if (st.isDirectory()) await walk(abs);
      else add(abs);
    }
    return out;
  }

  async absolutePath(relative: string): Promise<string> {
    return this.resolve(relative);
  }

  async check(): Promise<void> {
    await fsp.access(await this.rootReal(), fs.constants.R_OK);
  }
}
