/**
 * Video tasks through the API, on the built server:
 *   1. a task from a generated FRAMES-frame 640x360 H.264 video (-g 250) in the share,
 *      segment_size 500: creation time (POST data -> request finished); then for 10 jobs spread
 *      over the task (first, middle and last included), each untouched before, the time from
 *      request to the first bytes of the job's first compressed frame (target < 1 s each).
 *   2. a BIG_MB (default 2048) MB video uploaded through TUS (POST Upload-Length, PATCH in 100 MB
 *      requests as CVAT's SDK does, then Upload-Finish) and made a task: peak server RSS (VmRSS
 *      sampled every 200 ms) during the upload and during the creation (target < 500 MB).
 *      The file is a short, high-bitrate 1280x720 clip repeated with -stream_loop and -c copy.
 *   node --import tsx bench/video-task.ts      (FRAMES=..., BIG_MB=..., BIG_MB=0 skips part 2)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { VideoRepository } from '../apps/server/src/repositories/video.repository.js';
import { api, login, rssMb, startServer, tempDir, waitRequest } from './lib.js';

const exec = promisify(execFile);
const FRAMES = Number(process.env.FRAMES ?? 10_000);
const BIG_MB = Number(process.env.BIG_MB ?? 2048);
const JOBS = 10;
const PATCH_BYTES = 100 * 1024 ** 2;

const { ffmpeg } = await new VideoRepository().tools();
const work = await tempDir('fw-bench-video-task-');
const server = await startServer(process.env.DATABASE_URL ? { env: { DATABASE_URL: process.env.DATABASE_URL } } : {});
const pid = server.proc.pid!;

/** Peak VmRSS of the server while `fn` runs, sampled every 200 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peak: number; before: number }> {
  const before = await rssMb(pid);
  let peak = before;
  const timer = setInterval(() => {
    rssMb(pid).then((mb) => (peak = Math.max(peak, mb)), () => undefined);
  }, 200);
  try {
    const value = await fn();
    peak = Math.max(peak, await rssMb(pid));
    return { value, peak, before };
  } finally {
    clearInterval(timer);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
}

try {
  const key = await login(server.url);
  const auth = { authorization: `Token ${key}` };

  // ---- 1. a 10,000-frame video from the share: creation, then the first frame of 10 jobs ----
  await fsp.mkdir(server.shareDir, { recursive: true });
  const video = path.join(server.shareDir, 'long.mp4');
  let t = performance.now();
  await exec(ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=25',
    '-frames:v', String(FRAMES),
    '-c:v', 'libx264', '-preset', 'fast', '-g', '250', '-pix_fmt', 'yuv420p',
    video,
  ]);
  console.log(`generated ${FRAMES} frames 640x360 H.264 (-g 250) in ${((performance.now() - t) / 1000).toFixed(1)} s, ${(fs.statSync(video).size / 1e6).toFixed(1)} MB`);
  // The file's keyframes (the same probe the server runs), to say how far each job's first frame is from one.
  const { keyframes } = await new VideoRepository().probe(video, 'long.mp4');

  const task = await api(server.url, key, 'POST', '/api/tasks', { name: 'long video', labels: [{ name: 'car' }], segment_size: 500 });
  t = performance.now();
  const { rq_id } = await api(server.url, key, 'POST', `/api/tasks/${task.id}/data/`, { image_quality: 70, server_files: ['long.mp4'] });
  await waitRequest(server.url, key, rq_id);
  const createMs = performance.now() - t;
  const info = await api(server.url, key, 'GET', `/api/tasks/${task.id}`);
  if (info.size !== FRAMES) throw new Error(`expected ${FRAMES} frames, got ${info.size}`);
  const jobs = ((await api(server.url, key, 'GET', `/api/jobs?task_id=${task.id}&sort=id&page_size=1000`)).results as any[]).sort((a, b) => a.start_frame - b.start_frame);
  console.log(`task created in ${(createMs / 1000).toFixed(2)} s: ${info.size} frames, ${jobs.length} jobs (segment_size 500, overlap ${info.overlap})`);

  // Evenly spread, first and last included; the one nearest the middle moved onto it.
  const picks = [...new Set(Array.from({ length: JOBS }, (_, i) => Math.round((i * (jobs.length - 1)) / (JOBS - 1))))];
  const middle = Math.floor((jobs.length - 1) / 2);
  const nearest = picks.reduce((best, p, i) => (Math.abs(p - middle) < Math.abs(picks[best]! - middle) ? i : best), 0);
  picks[nearest] = middle;
  const firstBytes: number[] = [];
  for (const j of picks) {
    const job = jobs[j]!;
    const started = performance.now();
    const res = await fetch(`${server.url}/api/jobs/${job.id}/data?type=frame&number=${job.start_frame}&quality=compressed`, { headers: auth });
    const reader = res.body!.getReader();
    const first = await reader.read();
    const ttfb = performance.now() - started;
    let size = first.value?.length ?? 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) size += r.value.length;
    const total = performance.now() - started;
    if (res.status !== 200 || size === 0 || res.headers.get('content-type') !== 'image/jpeg') throw new Error(`job ${job.id} frame ${job.start_frame}: ${res.status}`);
    firstBytes.push(ttfb);
    const keyframe = keyframes.filter((k) => k <= job.start_frame).at(-1)!;
    console.log(
      `job ${String(j + 1).padStart(2)}/${jobs.length} (frames ${job.start_frame}-${job.stop_frame}, ${job.start_frame - keyframe} frames after keyframe ${keyframe}): ` +
        `first bytes of frame ${job.start_frame} in ${ttfb.toFixed(0)} ms (whole ${(size / 1024).toFixed(0)} KB in ${total.toFixed(0)} ms)`,
    );
  }
  console.log(`first compressed frame of ${picks.length} jobs, cold: max ${Math.max(...firstBytes).toFixed(0)} ms, median ${median(firstBytes).toFixed(0)} ms (target < 1000 ms each)`);

  // ---- 2. a big video through TUS: peak RSS during the upload and the task creation ----
  if (BIG_MB > 0) {
    const clip = path.join(work, 'clip.mp4');
    const big = path.join(work, 'big.mp4');
    t = performance.now();
    await exec(ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=25,noise=alls=16:allf=t+u',
      '-frames:v', '250',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '20', '-g', '250', '-pix_fmt', 'yuv420p',
      clip,
    ]);
    const clipBytes = fs.statSync(clip).size;
    const loops = Math.max(1, Math.ceil((BIG_MB * 1024 ** 2) / clipBytes));
    await exec(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', String(loops - 1), '-i', clip, '-c', 'copy', big]);
    const bigBytes = fs.statSync(big).size;
    console.log(
      `generated ${(bigBytes / 1024 ** 2).toFixed(0)} MB video (a 250-frame 1280x720 clip of ${(clipBytes / 1024 ** 2).toFixed(1)} MB, ${loops}x with -stream_loop -c copy) ` +
        `in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const bigTask = await api(server.url, key, 'POST', '/api/tasks', { name: 'big video', labels: [{ name: 'car' }], segment_size: 500 });
    const dataUrl = `${server.url}/api/tasks/${bigTask.id}/data/`;
    const send = (method: string, url: string, headers: Record<string, string>, body?: fs.ReadStream | string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
        const req = http.request(url, { method, headers: { ...auth, ...headers } }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
        });
        req.on('error', reject);
        if (body instanceof fs.ReadStream) body.pipe(req);
        else req.end(body);
      });

    t = performance.now();
    const upload = await withPeakRss(async () => {
      const start = await send('POST', dataUrl, { 'upload-start': '' });
      if (start.status !== 202) throw new Error(`Upload-Start: ${start.status} ${start.text}`);
      const created = await send('POST', dataUrl, {
        'tus-resumable': '1.0.0',
        'upload-length': String(bigBytes),
        'upload-metadata': `filename ${Buffer.from('big.mp4').toString('base64')},filetype ${Buffer.from('video/mp4').toString('base64')}`,
      });
      if (created.status !== 201) throw new Error(`TUS create: ${created.status} ${created.text}`);
      const location = created.headers.location!;
      for (let offset = 0; offset < bigBytes; offset += PATCH_BYTES) {
        const end = Math.min(bigBytes, offset + PATCH_BYTES);
        const r = await send(
          'PATCH',
          location,
          { 'tus-resumable': '1.0.0', 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), 'content-length': String(end - offset) },
          fs.createReadStream(big, { start: offset, end: end - 1 }),
        );
        if (r.status !== 204 || r.headers['upload-offset'] !== String(end)) throw new Error(`PATCH at ${offset}: ${r.status} ${r.text}`);
      }
    });
    console.log(
      `TUS upload of ${(bigBytes / 1024 ** 2).toFixed(0)} MB in ${PATCH_BYTES / 1024 ** 2} MB PATCHes: ${((performance.now() - t) / 1000).toFixed(1)} s; ` +
        `server RSS ${upload.before.toFixed(0)} MB before, peak ${upload.peak.toFixed(0)} MB (target < 500 MB)`,
    );
    t = performance.now();
    const creation = await withPeakRss(async () => {
      const finish = await send('POST', dataUrl, { 'content-type': 'application/json', 'upload-finish': 'true' }, JSON.stringify({ image_quality: 70 }));
      if (finish.status !== 202) throw new Error(`Upload-Finish: ${finish.status} ${finish.text}`);
      await waitRequest(server.url, key, JSON.parse(finish.text).rq_id);
    });
    const bigInfo = await api(server.url, key, 'GET', `/api/tasks/${bigTask.id}`);
    console.log(
      `task from it created in ${((performance.now() - t) / 1000).toFixed(1)} s (${bigInfo.size} frames): ` +
        `server RSS ${creation.before.toFixed(0)} MB before, peak ${creation.peak.toFixed(0)} MB (target < 500 MB)`,
    );
  }
  console.log(`backend: ${process.env.DATABASE_URL ? 'postgres' : 'pglite'}`);
} finally {
  await server.stop();
  await fsp.rm(server.dataDir, { recursive: true, force: true });
  await fsp.rm(work, { recursive: true, force: true });
}
