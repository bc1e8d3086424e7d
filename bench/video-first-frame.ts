/**
 * First frame of a job in a long video: a 10,000-frame 640x360 H.264 file (preset fast, a keyframe
 * every 250 frames), probed once, then decodeFrame at the first frame of jobs starting at 0, 2500,
 * 5000 and 9999, seeking with the probe's keyframe index; for comparison the same frames decoded
 * from frame 0 without the index. Target: < 1 s per first frame.
 *   node --import tsx bench/video-first-frame.ts      (FRAMES=... to change the length)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { VideoRepository } from '../apps/server/src/repositories/video.repository.js';
import { tempDir } from './lib.js';

const exec = promisify(execFile);
const FRAMES = Number(process.env.FRAMES ?? 10_000);
const GOP = 250;
const RUNS = 3;
const targets = [0, 2500, 5000, FRAMES - 1].filter((n, i, all) => n < FRAMES && all.indexOf(n) === i);

const repo = new VideoRepository();
const tools = await repo.tools();
console.log(`ffmpeg ${tools.ffmpeg} (${tools.ffmpegSource}), ffprobe ${tools.ffprobe} (${tools.ffprobeSource})`);

const dir = await tempDir('fw-bench-video-');
try {
  const video = path.join(dir, 'long.mp4');
  let t = performance.now();
  await exec(tools.ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=25',
    '-frames:v', String(FRAMES),
    '-c:v', 'libx264', '-preset', 'fast', '-g', String(GOP), '-pix_fmt', 'yuv420p',
    video,
  ]);
  const { size } = await fs.stat(video);
  console.log(`generated ${FRAMES} frames 640x360 H.264 (-g ${GOP}) in ${((performance.now() - t) / 1000).toFixed(1)} s, ${(size / 1e6).toFixed(1)} MB`);

  const probeTimes: number[] = [];
  let probe = await repo.probe(video, 'long.mp4');
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    probe = await repo.probe(video, 'long.mp4');
    probeTimes.push(performance.now() - t);
  }
  if (probe.frameCount !== FRAMES) throw new Error(`probe counted ${probe.frameCount} frames, expected ${FRAMES}`);
  console.log(`probe: ${median(probeTimes).toFixed(0)} ms (median of ${RUNS}); ${probe.frameCount} frames, ${probe.keyframes.length} keyframes, ${probe.fps} fps`);

  for (const n of targets) {
    const times: number[] = [];
    let frame = await repo.decodeFrame(video, n, probe);
    for (let i = 0; i < RUNS; i++) {
      t = performance.now();
      frame = await repo.decodeFrame(video, n, probe);
      times.push(performance.now() - t);
    }
    const keyframe = probe.keyframes.filter((k) => k <= n).at(-1);
    t = performance.now();
    const fromZero = await repo.decodeFrame(video, n);
    const fromZeroMs = performance.now() - t;
    if (!frame.rgb.equals(fromZero.rgb)) throw new Error(`frame ${n}: the seek and the decode from 0 disagree`);
    console.log(
      `frame ${String(n).padStart(5)}: ${median(times).toFixed(0).padStart(4)} ms with the index (seek to keyframe ${keyframe}, ` +
        `median of ${RUNS}), ${fromZeroMs.toFixed(0).padStart(5)} ms decoding from frame 0; identical pixels`,
    );
  }
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
