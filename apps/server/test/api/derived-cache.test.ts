import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { createTaskWithImages } from '../helpers/media.js';

const CAP = 1024 * 1024;
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ env: { FRAMEWISE_CACHE_MAX_BYTES: String(CAP) } });
});
afterAll(async () => {
  await s?.close();
});

async function noise(seed: number): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 100 + seed, sigma: 60 } } })
    .png()
    .toBuffer();
}

async function cachedKeys(taskId: number): Promise<string[]> {
  const rows = await s.ctx.database.db.selectFrom('derived_blobs').select('key').where('task_id', '=', taskId).execute();
  return rows.map((r) => r.key);
}

describe('derived data cache', () => {
  it('stays under its size cap by evicting the least recently read frames, and rebuilds them on demand', async () => {
    const files = await Promise.all(Array.from({ length: 16 }, async (_, i) => ({ name: `n${String(i).padStart(2, '0')}.png`, data: await noise(i) })));
    const { taskId } = await createTaskWithImages(s.admin, files, {}, { image_quality: '95' });
    const frame = (n: number) => s.admin.get(`/api/tasks/${taskId}/data?type=frame&number=${n}&quality=compressed`);

    // Frames are stored behind the response; settle() waits for that, as a later reader would.
    const first = await frame(0);
    expect(first.status).toBe(200);
    await s.ctx.services.derivedCache.settle();
    for (let n = 1; n < 16; n++) {
      expect((await frame(n)).status).toBe(200);
      await s.ctx.services.derivedCache.settle();
      // Age every other frame, as if frame 0 alone had been read in the last hour.
      await s.ctx.database.db.updateTable('derived_blobs').set({ last_access: new Date(Date.now() - 3600_000) }).where('key', 'not like', '%/frames/0.jpg').execute();
    }
    const total = (await s.ctx.database.db.selectFrom('derived_blobs').select((eb) => eb.fn.sum<number>('bytes').as('n')).executeTakeFirstOrThrow()).n;
    expect(Number(total)).toBeLessThanOrEqual(CAP);
    const keys = await cachedKeys(taskId);
    expect(keys.length).toBeLessThan(16);
    expect(keys).toContain(`derived/tasks/${taskId}/frames/0.jpg`);
    // Evicted frames are gone from the blob store too, and come back identical on the next read.
    const evicted = Array.from({ length: 16 }, (_, n) => n).find((n) => !keys.includes(`derived/tasks/${taskId}/frames/${n}.jpg`))!;
    expect(await s.ctx.repos.blobs.head(`derived/tasks/${taskId}/frames/${evicted}.jpg`)).toBeNull();
    const again = await frame(evicted);
    expect(again.status).toBe(200);
    await s.ctx.services.derivedCache.settle();
    expect(await sharp(again.raw).metadata()).toMatchObject({ width: 640, height: 480, format: 'jpeg' });

    expect((await s.admin.delete(`/api/tasks/${taskId}`)).status).toBe(204);
    expect(await cachedKeys(taskId)).toEqual([]);
  }, 120_000);
});
