/**
 * Archives given as task data (uploaded, in the share, or fetched from a URL) are unpacked into
 * the task's own files, as CVAT does: each image inside becomes a file named by its path in the
 * archive, stored beside the uploads, and the archive itself is dropped. Everything else inside
 * (text files, OS junk) is ignored. Reading goes through archive.repository, which refuses
 * zip-slip names, links and bombs.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.js';
import { ArchiveError, archiveBaseName, forEachEntry, type ArchiveLimits } from '../repositories/archive.repository.js';
import { mimeOf, type ShareRepository } from '../repositories/share.repository.js';
import type { BlobStore } from '../repositories/storage/blob-store.js';
import type { UploadRepository } from '../repositories/upload.repository.js';
import type { ProgressReporter } from './progress.js';
import { taskKeys } from './task-storage.js';

export interface TaskFile {
  name: string;
  source: 'blob' | 'share' | 'cloud';
  key: string;
}

export interface ArchiveDeps {
  uploads: UploadRepository;
  blobs: BlobStore;
  share: ShareRepository;
  /** Where an archive kept in a remote blob store is downloaded to, since ZIPs need a file. */
  tmpDir: string;
  limits: ArchiveLimits;
}

/** The files with every archive among them replaced by the images inside it. */
export async function unpackArchives(deps: ArchiveDeps, taskId: number, files: TaskFile[], progress: ProgressReporter): Promise<TaskFile[]> {
  const archives = files.filter((f) => mimeOf(f.name) === 'archive');
  if (archives.length === 0) return files;
  const out = files.filter((f) => mimeOf(f.name) !== 'archive');
  const taken = new Set(out.map((f) => f.name));
  for (const [i, archive] of archives.entries()) {
    if (archive.source === 'cloud') {
      throw new AppError('INVALID_MEDIA', `${archive.name}: archives in a cloud storage are not read; list the images or a manifest instead`, [
        { file: archive.name, message: 'archive in cloud storage' },
      ]);
    }
    await progress.report(0.05 + (0.25 * i) / archives.length, `Unpacking ${archive.name}`, true);
    const found = await unpackOne(deps, taskId, archive, taken);
    if (found.length === 0) {
      throw new AppError('INVALID_MEDIA', `${archive.name}: no images inside`, [{ file: archive.name, message: 'no images' }]);
    }
    out.push(...found);
    if (archive.source === 'blob') {
      await deps.uploads.remove(taskId, archive.name);
      await deps.blobs.delete(archive.key);
    }
  }
  return out;
}

async function unpackOne(deps: ArchiveDeps, taskId: number, archive: TaskFile, taken: Set<string>): Promise<TaskFile[]> {
  let file: string | undefined;
  let temp: string | undefined;
  if (archive.source === 'share') file = await deps.share.absolutePath(archive.key);
  else file = deps.blobs.localPath?.(archive.key);
  if (!file) {
    const s = await deps.blobs.getStream(archive.key);
    if (!s) throw new AppError('NOT_FOUND', `${archive.name}: the uploaded archive is missing from storage`);
    await fsp.mkdir(deps.tmpDir, { recursive: true });
    temp = path.join(deps.tmpDir, `archive-${taskId}-${randomBytes(6).toString('hex')}`);
    await pipeline(s.stream, fs.createWriteStream(temp));
    file = temp;
  }
  const found: TaskFile[] = [];
  try {
    await forEachEntry(file, archive.name, deps.limits, async (entry) => {
      if (mimeOf(entry.path) !== 'image') return;
      const name = taken.has(entry.path) ? `${archiveBaseName(archive.name)}/${entry.path}` : entry.path;
      if (taken.has(name)) throw new AppError('VALIDATION', `${archive.name}: "${entry.path}" is given twice`, [{ file: entry.path, message: 'duplicate' }]);
      taken.add(name);
      const key = taskKeys.raw(taskId, name);
      await deps.blobs.put(key, await entry.open(), { contentLength: entry.size });
      await deps.uploads.record(taskId, { name, blob_key: key, bytes: entry.size });
      found.push({ name, source: 'blob', key });
    });
  } catch (e) {
    if (e instanceof ArchiveError) throw new AppError('INVALID_MEDIA', e.message, [{ file: archive.name, message: e.message }]);
    throw e;
  } finally {
    if (temp) await fsp.rm(temp, { force: true });
  }
  return found;
}
