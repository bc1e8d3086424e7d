/**
 * Cold compressed-frame throughput: the server vs sharp alone on the same images, in one run.
 * An image task from FRAMES distinct 1280x720 JPEGs in the share (image_quality 70); every
 * compressed frame requested once by CLIENTS clients in parallel (cold: read + decode + JPEG
 * encode + store in the derived cache); sharp alone does compressFrame's work on the same files
 * (read, EXIF rotate, flatten on white, JPEG at the task's quality; sharp.cache(false) as in the
 * server) with the same parallelism. The two alternate in blocks of BLOCK frames, so a change in
 * the machine's load during the run hits both alike. Target: server >= 80% of sharp alone.
 * Afterwards the same frames again, cached, one client, sequential: p50/p95/p99 (target p95 < 20 ms).
 * Then, for the diagnosis, one request at a time on a second task over the first 50 files: cold
 * latency vs sharp alone vs the cached request, and the CPU each side used per frame.
 *   node --import tsx bench/frame-cold.ts     (FRAMES=..., CLIENTS=..., BLOCK=..., ROUNDS=...)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { VideoRepository } from '../apps/server/src/repositories/video.repository.js';
import { api, login, percentile, startServer, waitRequest } from './lib.js';

const exec = promisify(execFile);
const FRAMES = Number(process.env.FRAMES ?? 200);
const CLIENTS = Number(process.env.CLIENTS ?? 4);
const BLOCK = Number(process.env.BLOCK ?? 40);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SEQUENTIAL = Math.min(50, FRAMES);
const CHUNK = Number(process.env.CHUNK ?? 8);
const WARMUP = 8;
const QUALITY = 70;
const WHITE = { r: 255, g: 255, b: 255 };

sharp.cache(false);

const server = await startServer({
  env: {
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
    // Extra environment for the server process only, for a diagnosis: SERVER_ENV='{"UV_THREADPOOL_SIZE":"8"}'.
    ...(process.env.SERVER_ENV ? (JSON.parse(process.env.SERVER_ENV) as Record<string, string>) : {}),
  },
});
const pid = server.proc.pid!;

/** CPU seconds (user + system) a process (all threads) or, given tid, one of its threads has used so far. */
async function cpuSeconds(p: number | 'self', tid?: number): Promise<number> {
  const stat = await fs.readFile(tid === undefined ? `/proc/${p}/stat` : `/proc/${p}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Runs work(i) for i in [from, to) with `parallel` workers; returns elapsed ms. */
async function pool(from: number, to: number, parallel: number, work: (i: number) => Promise<unknown>): Promise<number> {
  let next = from;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < to) await work(next++);
    }),
  );
  return performance.now() - started;
}

try {
  const key = await login(server.url);
  const { ffmpeg } = await new VideoRepository().tools();

  // Distinct camera-like frames: a moving test pattern with temporal noise, JPEG q ~90.
  const write = async (dir: string, count: number, seed: number) => {
    await fs.mkdir(path.join(server.shareDir, dir), { recursive: true });
    await exec(ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=s=1280x720:r=25,noise=alls=12:allf=t+u:all_seed=${seed}`,
      '-frames:v', String(count), '-q:v', '3',
      path.join(server.shareDir, dir, 'f%04d.jpg'),
    ]);
    return (await fs.readdir(path.join(server.shareDir, dir))).sort().map((f) => path.join(server.shareDir, dir, f));
  };
  const t = performance.now();
  const files = await write('frames', FRAMES, 1);
  const warmFiles = await write('warmup', WARMUP, 2);
  const bytes = (await Promise.all(files.map((f) => fs.stat(f)))).reduce((a, s) => a + s.size, 0);
  console.log(`generated ${files.length} 1280x720 JPEGs (mean ${(bytes / files.length / 1024).toFixed(0)} KB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const makeTask = async (name: string, dir: string, chunkSize?: number) => {
    const task = await api(server.url, key, 'POST', '/api/tasks', { name, labels: [{ name: 'car' }] });
    const { rq_id } = await api(server.url, key, 'POST', `/api/tasks/${task.id}/data/`, {
      image_quality: QUALITY, server_files: [`${dir}/`], ...(chunkSize ? { chunk_size: chunkSize } : {}),
    });
    await waitRequest(server.url, key, rq_id);
    const meta = await api(server.url, key, 'GET', `/api/tasks/${task.id}/data/meta`);
    return { id: task.id as number, names: (meta.frames as Array<{ name: string }>).map((f) => f.name) };
  };
  const task = await makeTask('cold frames', 'frames');
  const again = await makeTask('cold frames, one at a time', 'frames');
  const chunked = await makeTask('cold chunks', 'frames', CHUNK);
  const warmTask = await makeTask('warm-up', 'warmup');
  // Frame i of the task must be files[i] for the comparison to be like for like.
  task.names.forEach((n, i) => {
    if (path.basename(n) !== path.basename(files[i]!)) throw new Error(`frame ${i} is ${n}, expected ${files[i]}`);
  });

  // The load generator shares the machine's two cores with the server, so it must be light:
  // node:http over kept-alive sockets costs a fraction of fetch()'s CPU per request.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const { hostname, port } = new URL(server.url);
  const get = (taskId: number, frame: number, type: 'frame' | 'chunk' = 'frame') =>
    new Promise<number>((resolve, reject) => {
      const req = http.get(
        { agent, hostname, port, path: `/api/tasks/${taskId}/data?type=${type}&number=${frame}&quality=compressed`, headers: { authorization: `Token ${key}` } },
        (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => (res.statusCode === 200 && n > 0 ? resolve(n) : reject(new Error(`task ${taskId} frame ${frame}: ${res.statusCode}`))));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
    });
  // compressFrame's pipeline (apps/server/src/repositories/media.repository.ts), from the file's bytes.
  const sharpAlone = async (file: string) => {
    const data = await fs.readFile(file);
    return sharp(data, { failOn: 'truncated', limitInputPixels: 2 ** 28 })
      .autoOrient()
      .flatten({ background: WHITE })
      .jpeg({ quality: QUALITY })
      .toBuffer();
  };

  // Warm both sides (code paths, libvips, JIT) on other images first.
  await pool(0, WARMUP, CLIENTS, (i) => get(warmTask.id, i));
  await pool(0, WARMUP, CLIENTS, (i) => sharpAlone(warmFiles[i]!));

  const totals = { serverMs: 0, serverCpu: 0, clientCpu: 0, serverMain: 0, serverBytes: 0, sharpMs: 0, sharpCpu: 0, sharpBytes: 0 };
  for (let from = 0; from < FRAMES; from += BLOCK) {
    const to = Math.min(FRAMES, from + BLOCK);
    const [c0, m0, k0] = [await cpuSeconds(pid), await cpuSeconds(pid, pid), await cpuSeconds('self')];
    totals.serverMs += await pool(from, to, CLIENTS, async (i) => {
      const n = await get(task.id, i);
      totals.serverBytes += n;
    });
    totals.clientCpu += (await cpuSeconds('self')) - k0;
    totals.serverCpu += (await cpuSeconds(pid)) - c0;
    totals.serverMain += (await cpuSeconds(pid, pid)) - m0;
    const s0 = await cpuSeconds('self');
    totals.sharpMs += await pool(from, to, CLIENTS, async (i) => {
      const out = await sharpAlone(files[i]!);
      totals.sharpBytes += out.length;
    });
    totals.sharpCpu += (await cpuSeconds('self')) - s0;
  }
  const serverFps = (FRAMES / totals.serverMs) * 1000;
  const sharpFps = (FRAMES / totals.sharpMs) * 1000;
  console.log(
    `server, cold, ${CLIENTS} clients: ${FRAMES} frames in ${(totals.serverMs / 1000).toFixed(2)} s = ${serverFps.toFixed(1)} frames/s ` +
      `(mean ${(totals.serverBytes / FRAMES / 1024).toFixed(0)} KB out)`,
  );
  console.log(
    `sharp alone, ${CLIENTS} in parallel: ${FRAMES} frames in ${(totals.sharpMs / 1000).toFixed(2)} s = ${sharpFps.toFixed(1)} frames/s ` +
      `(mean ${(totals.sharpBytes / FRAMES / 1024).toFixed(0)} KB out)`,
  );
  console.log(`ratio server/sharp: ${((serverFps / sharpFps) * 100).toFixed(0)}% (target >= 80%; the two alternated in blocks of ${BLOCK} frames)`);
  console.log(
    `CPU per frame: server ${((totals.serverCpu / FRAMES) * 1000).toFixed(1)} ms (main thread ${((totals.serverMain / FRAMES) * 1000).toFixed(1)} ms, ` +
      `other threads ${(((totals.serverCpu - totals.serverMain) / FRAMES) * 1000).toFixed(1)} ms; ${((totals.serverCpu / totals.serverMs) * 1e5).toFixed(0)}% of one core), ` +
      `sharp alone ${((totals.sharpCpu / FRAMES) * 1000).toFixed(1)} ms (${((totals.sharpCpu / totals.sharpMs) * 1e5).toFixed(0)}% of one core); ` +
      `the benchmark's own HTTP client used ${((totals.clientCpu / FRAMES) * 1000).toFixed(1)} ms per frame besides`,
  );
  console.log(
    `CPU ratio, sharp alone / server per frame: ${((totals.sharpCpu / totals.serverCpu) * 100).toFixed(0)}% ` +
      `(the throughput ratio the server would reach where its cores are the limit and clients run elsewhere)`,
  );

  // What the browser's prefetch reads: whole chunks, so per-request costs are paid once per chunk.
  {
    const chunks = Math.ceil(FRAMES / CHUNK);
    let chunkMs = 0, aloneMs = 0;
    const per = Math.max(1, Math.floor(BLOCK / CHUNK));
    for (let from = 0; from < chunks; from += per) {
      const to = Math.min(chunks, from + per);
      chunkMs += await pool(from, to, CLIENTS, (c) => get(chunked.id, c, 'chunk'));
      aloneMs += await pool(from * CHUNK, Math.min(FRAMES, to * CHUNK), CLIENTS, (i) => sharpAlone(files[i]!));
    }
    const ratio = aloneMs / chunkMs;
    console.log(
      `cold chunks of ${CHUNK} frames, ${CLIENTS} clients: ${((FRAMES / chunkMs) * 1000).toFixed(1)} frames/s vs sharp alone ` +
        `${((FRAMES / aloneMs) * 1000).toFixed(1)} frames/s: ${(ratio * 100).toFixed(0)}% (alternating as above)`,
    );
  }

  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (let f = 0; f < FRAMES; f++) {
      const t0 = performance.now();
      await get(task.id, f);
      times.push(performance.now() - t0);
    }
  }
  times.sort((a, b) => a - b);
  console.log(
    `cached, ${times.length} sequential requests (${ROUNDS} rounds over the ${FRAMES} frames): ` +
      `p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms (target p95 < 20 ms)`,
  );

  // Diagnosis: one request at a time, so each figure is a latency, not a share of contended cores.
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const cold: number[] = [];
  const alone: number[] = [];
  const cached: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    let t0 = performance.now();
    await get(again.id, i);
    cold.push(performance.now() - t0);
    t0 = performance.now();
    await sharpAlone(files[i]!);
    alone.push(performance.now() - t0);
    t0 = performance.now();
    await get(again.id, i);
    cached.push(performance.now() - t0);
  }
  const [c, a, h] = [mean(cold), mean(alone), mean(cached)];
  console.log(
    `one at a time (${SEQUENTIAL} frames of a second task): cold request ${c.toFixed(1)} ms = sharp alone ${a.toFixed(1)} ms + ` +
      `the cached request's cost ${h.toFixed(1)} ms + ${(c - a - h).toFixed(1)} ms more on the cold path (frame row, cache write and index)`,
  );
  console.log(`backend: ${process.env.DATABASE_URL ? 'postgres' : 'pglite'}; image_quality ${QUALITY}`);
} finally {
  await server.stop();
  await fs.rm(server.dataDir, { recursive: true, force: true });
}
