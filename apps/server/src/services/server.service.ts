import { ping, type Db } from '../db/database.js';
import type { BlobStore } from '../repositories/storage/blob-store.js';
import type { ShareRepository } from '../repositories/share.repository.js';

/** The CVAT API version whose shapes Framewise serves; clients compare against it. */
export const CVAT_API_VERSION = '2.73.0';
export const FRAMEWISE_VERSION = '0.1.0';

async function timed(check: () => Promise<void>, timeoutMs: number): Promise<{ ok: boolean; ms: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (e) {
    return { ok: false, ms: Math.round(performance.now() - started), error: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

export class ServerService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly share: ShareRepository,
  ) {}

  about() {
    return {
      name: 'Framewise',
      description: `Framewise ${FRAMEWISE_VERSION}: self-hosted annotation for computer vision, serving CVAT's v2 API.`,
      version: CVAT_API_VERSION,
      subtitle: `Framewise ${FRAMEWISE_VERSION}`,
      logo_url: '',
    };
  }

  async health() {
    const [database, storage] = await Promise.all([timed(() => ping(this.db), 3000), timed(() => this.blobs.check(), 3000)]);
    return { ok: database.ok && storage.ok, database, storage };
  }

  listShare(directory: string, search?: string) {
    return this.share.list(directory, search);
  }
}
