/**
 * Getting an uploaded dataset file to local disk and opening it for a codec: a single file is
 * the dataset's one file; an archive is unpacked (checked entry by entry by the archive reader:
 * zip-slip, links, entry and size caps). Shared by annotation imports, project dataset imports
 * and backup restores.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DatasetFormatError, type ImportSource } from '@framewise/core';
import { ArchiveError, archiveKind, forEachEntry, type ArchiveLimits } from '../../repositories/archive.repository.js';
import type { BlobStore } from '../../repositories/storage/blob-store.js';
import type { CloudStorageService } from '../cloud-storage.service.js';
import { ExpectedFailure } from '../request-runner.js';
import { EXPORT_REPORT } from './export-report.js';

/** Where an import's file waits: the blob store (multipart or TUS upload) or a cloud storage. */
export type StagedFile = { kind: 'blob'; key: string } | { kind: 'cloud'; storageId: number; key: string };

/** Copies the staged file to `file` on local disk. */
export async function fetchStagedFile(blobs: BlobStore, cloudStorages: CloudStorageService, source: StagedFile, filename: string, file: string): Promise<void> {
  if (source.kind === 'blob') {
    const s = await blobs.getStream(source.key);
    if (!s) throw new ExpectedFailure(`${filename}: the uploaded file is gone; upload it again`);
    await pipeline(s.stream, fs.createWriteStream(file));
    return;
  }
  const { bucket, prefix } = await cloudStorages.bucket(source.storageId);
  const s = await bucket.stream(prefix + source.key);
  if (!s) throw new ExpectedFailure(`${source.key}: no such file in cloud storage ${source.storageId}`);
  await pipeline(s.stream, fs.createWriteStream(file));
}

/** A dataset on local disk: its paths, and where each lies (for readers that want a path, e.g. images). */
export interface LocalImportSource extends ImportSource {
  localPath(p: string): string;
}

/**
 * Opens `file` (named `filename` by its uploader) as a codec's source. An archive is unpacked
 * under `work`; its entries' paths are the source's paths.
 */
export async function openImportSource(file: string, filename: string, work: string, limits: ArchiveLimits): Promise<LocalImportSource> {
  if (!archiveKind(filename)) {
    const only = (p: string) => {
      if (p !== filename) throw new DatasetFormatError(p, 'no such file: the upload is a single file');
      return file;
    };
    return {
      paths: () => [filename],
      text: async (p) => fsp.readFile(only(p), 'utf8'),
      bytes: async (p) => new Uint8Array(await fsp.readFile(only(p))),
      localPath: only,
    };
  }
  const root = path.join(work, 'unpacked');
  const paths: string[] = [];
  try {
    await forEachEntry(file, filename, limits, async (entry) => {
      // Our exports' own report is not data: lenient readers (ImageNet, CamVid) would take it for some.
      if (entry.path === EXPORT_REPORT) return;
      const target = path.join(root, ...entry.path.split('/'));
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await pipeline(await entry.open(), fs.createWriteStream(target));
      paths.push(entry.path);
    });
  } catch (e) {
    if (e instanceof ArchiveError) throw new ExpectedFailure(e.message);
    throw e;
  }
  paths.sort();
  const known = new Set(paths);
  const resolve = (p: string) => {
    if (!known.has(p)) throw new DatasetFormatError(p, 'no such file in the archive');
    return path.join(root, ...p.split('/'));
  };
  return {
    paths: () => paths,
    text: async (p) => fsp.readFile(resolve(p), 'utf8'),
    bytes: async (p) => new Uint8Array(await fsp.readFile(resolve(p))),
    localPath: resolve,
  };
}
