/**
 * What every export archive (datasets, backups) does around its content: one request per
 * resource and user (a second start while one runs is a 409 naming it; a new run replaces the
 * finished one's archive), the archive streamed into the blob store under exports/, then either
 * left there for GET /api/requests/{id}/download (DatasetExportService.download reads
 * `filename` and `resultKey` from the request's params) or moved into a cloud storage.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { RequestRepository } from '../repositories/request.repository.js';
import type { BlobStore } from '../repositories/storage/blob-store.js';
import { ZipToBlob } from '../repositories/zip-writer.js';
import type { CloudStorageService } from './cloud-storage.service.js';

/** How long a finished export's archive stays downloadable. */
export const EXPORT_KEEP_SECONDS = 24 * 3600;

/** The fields of an export request's params that the download and the expiry sweep read. */
export interface ExportArchiveParams {
  filename: string;
  cloudStorageId: number | null;
  /** Where the finished archive is kept; null once it went to a cloud storage. */
  resultKey?: string | null;
}

/**
 * Throws a 409 carrying the running request's id when `requestId` is queued or running;
 * otherwise deletes the archive of its previous run, which the new request replaces.
 */
export async function replacePreviousExport(requests: RequestRepository, blobs: BlobStore, requestId: string, what: string): Promise<void> {
  const existing = await requests.findById(requestId);
  if (existing && (existing.status === 'queued' || existing.status === 'started')) {
    throw new AppError('CONFLICT', `${what} is already in progress (request ${requestId})`, [], { rq_id: requestId });
  }
  const previous = (existing?.params as Partial<ExportArchiveParams> | undefined)?.resultKey;
  if (previous) await blobs.delete(previous);
}

/** A new archive for an export, streamed into the blob store as entries are added. */
export function openExportArchive(blobs: BlobStore, filename: string): { key: string; zip: ZipToBlob } {
  const key = `exports/${randomUUID()}/${filename}`;
  return { key, zip: new ZipToBlob(blobs, key) };
}

/**
 * Hands a finished archive over: left in the blob store (returns its key) or, with a cloud
 * storage, written into it under the storage's prefix and deleted here (returns null).
 */
export async function deliverArchive(blobs: BlobStore, cloudStorages: CloudStorageService, key: string, params: ExportArchiveParams): Promise<string | null> {
  if (params.cloudStorageId === null) return key;
  const { bucket, prefix } = await cloudStorages.bucket(params.cloudStorageId);
  const s = await blobs.getStream(key);
  if (!s) throw new Error(`export archive ${key} vanished before its upload`);
  await bucket.write(prefix + params.filename, s.stream, 'application/zip');
  await blobs.delete(key);
  return null;
}

/** Where the owner downloads a finished export (answered by the dataset controller). */
export function downloadPath(requestId: string): string {
  return `/api/requests/${encodeURIComponent(requestId)}/download`;
}
