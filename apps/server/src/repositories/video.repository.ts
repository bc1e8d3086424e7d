/**
 * Everything the server does with video: probing uploads at task creation and decoding frames by
 * index. This is the only module that runs ffmpeg or ffprobe.
 *
 * Binaries: an explicitly configured path, else `ffmpeg`/`ffprobe` on PATH, else the static builds
 * shipped by @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe, so a fresh `npm install` is
 * enough for video tasks. Each binary is resolved on its own (a machine may have one on PATH and not
 * the other); nothing below depends on both coming from the same FFmpeg release.
 *
 * Frame numbering: frame N is the N-th frame ffmpeg's decoder outputs for the first real video
 * stream (`V:0`: cover art is skipped), counted without any frame-rate conversion. That is what
 * CVAT (PyAV, decoding in order) calls frame N.
 *  - probe() counts packets instead of decoding them (one demuxer pass, no decoding: its cost is
 *    reading the file once). A packet holds one frame for every codec and container we accept;
 *    packets the demuxer marks to be discarded (samples outside an MP4 edit list) and empty packets
 *    (AVI "drop frame" chunks) produce no picture in the decoder and are not counted. The known
 *    exceptions are streams the decoder cannot start on (an H.264 elementary stream or TS cut so that
 *    it begins with non-key frames): the decoder drops those frames and decodeFrames() reports the
 *    missing frames as INVALID_MEDIA instead of returning shifted ones.
 *  - Keyframes are given as presentation indices: a keyframe packet's pts is ranked among the pts of
 *    all counted packets, so B-frame reordering and variable frame rate do not matter.
 *  - decodeFrames() finds K, the last keyframe at or before `start`, has the demuxer seek near it,
 *    drops every decoded frame whose timestamp is before K's (select on `t`, with the file's own
 *    timestamps kept by `-copyts`), then counts frames from K (a second select on `n`). Every frame
 *    passes through unchanged (`-fps_mode passthrough`: no duplicates, no drops for a rate).
 *    The second select also checks that the first frame it sees is K itself, by timestamp. If the
 *    demuxer landed after K or the decoder dropped frames after the seek, counting from there would
 *    shift every index: instead nothing is selected, and the range is decoded again from a seek
 *    that cannot land after K, then, should that fail too, from frame 0 (slow, but exact).
 *
 * Why not ffmpeg's accurate seek (`-ss T` on the input trims frames before T by itself): for
 * containers that index decode timestamps (MP4, MOV, AVI) and codecs with B-frames, ffmpeg seeks
 * 3/23 s before T, which lands on the previous keyframe and decodes a whole extra GOP (250 frames
 * of 640x360 H.264: +150 ms per job open). Trimming in the filter lets the seek aim after K.
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../errors.js';

export interface VideoProbe {
  /** Display width: after the rotation below is applied. */
  width: number;
  /** Display height, see width. */
  height: number;
  /** Exact number of frames decodeFrames() can return (see the module comment). */
  frameCount: number;
  /** Average frame rate: frameCount / durationSeconds (variable-rate videos have no single rate). */
  fps: number;
  durationSeconds: number;
  /** ffmpeg's codec name: h264, hevc, mpeg4, vp8, vp9, av1... */
  codec: string;
  /** Clockwise degrees (0, 90, 180 or 270) the stored pictures are turned for display. */
  rotation: number;
  /**
   * Presentation indices of the frames decoding can start at, ascending, always starting with 0
   * (decoding from the start needs no seek). When the container gives no presentation timestamps
   * and the codec reorders frames (MPEG-4 with B-frames in AVI), this is just [0].
   */
  keyframes: number[];
  /** The timestamp (seconds, the container's own clock) of each keyframe: keyframeTimes[i] is keyframes[i]'s. */
  keyframeTimes: number[];
}

/** What decodeFrames() needs to seek: store these two arrays of the probe with the video. */
export type SeekIndex = Pick<VideoProbe, 'keyframes' | 'keyframeTimes'>;

export interface DecodedFrame {
  index: number;
  width: number;
  height: number;
  /** width * height * 3 bytes, packed RGB, rows top to bottom, upright (rotation applied). */
  rgb: Buffer;
}

export interface DecodeOptions {
  /** First frame index (0-based). */
  start: number;
  /** How many frames from start; fewer available is an INVALID_MEDIA error. */
  count: number;
  /** The probe's keyframe index; without it decoding starts at frame 0 (exact, but slow for late frames). */
  seek?: SeekIndex;
  /** Longest side of the output; never upscaled. */
  maxSide?: number;
  /** Named in INVALID_MEDIA errors; defaults to the file's base name. */
  name?: string;
  /** Aborting kills ffmpeg and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface ProbeOptions {
  signal?: AbortSignal;
}

export interface VideoTools {
  ffmpeg: string;
  ffprobe: string;
  ffmpegSource: ToolSource;
  ffprobeSource: ToolSource;
  /** `-fps_mode` since FFmpeg 5.1; older builds (the npm one is 4.1) only know `-vsync`. */
  syncOption: '-fps_mode' | '-vsync';
}

export type ToolSource = 'configured' | 'system' | 'npm';

export interface VideoRepositoryOptions {
  /** Use this ffmpeg instead of looking on PATH and in node_modules. */
  ffmpegPath?: string;
  /** Use this ffprobe instead of looking on PATH and in node_modules. */
  ffprobePath?: string;
}

type ToolName = 'ffmpeg' | 'ffprobe';

const NPM_PACKAGES: Record<ToolName, string> = {
  ffmpeg: '@ffmpeg-installer/ffmpeg',
  ffprobe: '@ffprobe-installer/ffprobe',
};
// Frames whose timestamps differ by less are the same frame: far below the interval of any real
// video (1 ms at 1000 fps), far above the rounding of a timestamp in seconds.
const SAME_TIME_SECONDS = 0.0005;
// How far after a keyframe the demuxer is asked to seek: more than the 3/23 s ffmpeg subtracts
// (see the module comment), so the seek lands on the keyframe itself.
const SEEK_AHEAD_SECONDS = 0.15;
const STDERR_KEEP = 8192;

function invalid(name: string, reason: string): AppError {
  return new AppError('INVALID_MEDIA', `${name}: ${reason}`, [{ file: name, message: reason }]);
}

/** An abort must surface as the signal's reason, never as a complaint about the media. */
function throwIfAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

export class VideoRepository {
  private toolsPromise: Promise<VideoTools> | undefined;

  constructor(private readonly options: VideoRepositoryOptions = {}) {}

  /**
   * The binaries this repository runs, resolved once. Rejects with a plain Error (a server fault,
   * not the client's media) when one cannot be found or does not run.
   */
  tools(): Promise<VideoTools> {
    if (!this.toolsPromise) {
      this.toolsPromise = resolveTools(this.options);
      // A later call may succeed after the admin installs ffmpeg; do not cache the failure.
      this.toolsPromise.catch(() => {
        this.toolsPromise = undefined;
      });
    }
    return this.toolsPromise;
  }

  /**
   * Size, rotation, exact frame count and keyframe index. Two ffprobe runs in parallel: the stream
   * headers, and one pass over the video stream's packets (demuxing only: for a 10,000-frame
   * 640x360 H.264 file about a tenth of a second; in general the cost of reading the file once).
   */
  async probe(file: string, name: string, options: ProbeOptions = {}): Promise<VideoProbe> {
    const { signal } = options;
    await checkFile(file, name);
    const tools = await this.tools();
    throwIfAborted(signal);

    const [headers, packets] = await Promise.all([
      run(tools.ffprobe, ['-v', 'error', '-select_streams', 'V:0', '-show_streams', '-show_format', '-of', 'json', file], signal),
      scanPackets(tools.ffprobe, file, signal),
    ]);
    if (headers.code !== 0) throw invalid(name, ffprobeReason(headers.stderr, file));
    if (packets.code !== 0) throw invalid(name, ffprobeReason(packets.stderr, file));

    let parsed: FfprobeOutput;
    try {
      parsed = JSON.parse(headers.stdout) as FfprobeOutput;
    } catch {
      throw new Error(`ffprobe printed unreadable JSON for ${file}`);
    }
    const stream = parsed.streams?.[0];
    const formatName = parsed.format?.format_name ?? '';
    if (!stream) throw invalid(name, 'the file has no video stream');
    if (/(^|,)image2$|_pipe$/.test(formatName)) throw invalid(name, 'this is a still image, not a video');
    // The demuxer says so when the file ends inside a packet it indexed: an interrupted upload.
    if (/partial file/i.test(packets.stderr)) throw invalid(name, 'the file is truncated');
    const codedWidth = stream.width ?? 0;
    const codedHeight = stream.height ?? 0;
    if (!(codedWidth > 0 && codedHeight > 0)) throw invalid(name, 'the video stream has no dimensions');

    const timeBase = parseRational(stream.time_base);
    const frames = packets.frames;
    const frameCount = frames.length;
    if (frameCount === 0) throw invalid(name, 'the video has no frames');

    const order = presentationOrder(frames, (stream.has_b_frames ?? 0) > 0);
    const keyframes: number[] = [0];
    const keyframeTimes: number[] = [order && timeBase ? (order[0]! * timeBase) : 0];
    if (order && timeBase) {
      const seen = new Set<number>([0]);
      for (const frame of frames) {
        if (!frame.key) continue;
        const index = indexOf(order, frame.time);
        if (index <= 0 || seen.has(index)) continue;
        seen.add(index);
        keyframes.push(index);
      }
      keyframes.sort((a, b) => a - b);
      for (let i = 1; i < keyframes.length; i++) keyframeTimes.push(order[keyframes[i]!]! * timeBase);
    }

    let durationSeconds = 0;
    if (order && timeBase) {
      const last = frames.reduce((a, b) => (b.time > a.time ? b : a));
      const lastDuration = last.duration > 0 ? last.duration : frameCount > 1 ? (order[frameCount - 1]! - order[0]!) / (frameCount - 1) : 0;
      durationSeconds = (order[frameCount - 1]! + lastDuration - order[0]!) * timeBase;
    }
    if (!(durationSeconds > 0)) durationSeconds = Number(stream.duration ?? parsed.format?.duration ?? 0) || 0;
    const nominalFps = parseRational(stream.avg_frame_rate) ?? parseRational(stream.r_frame_rate) ?? 0;
    const fps = durationSeconds > 0 ? frameCount / durationSeconds : nominalFps;
    if (!(durationSeconds > 0) && nominalFps > 0) durationSeconds = frameCount / nominalFps;

    const rotation = readRotation(stream);
    const swap = rotation === 90 || rotation === 270;
    return {
      width: swap ? codedHeight : codedWidth,
      height: swap ? codedWidth : codedHeight,
      frameCount,
      fps,
      durationSeconds,
      codec: stream.codec_name ?? 'unknown',
      rotation,
      keyframes,
      keyframeTimes,
    };
  }

  /**
   * Frames start..start+count-1, exactly by index, as upright RGB. ffmpeg writes PPM images to a
   * pipe: raw RGB with a 15-byte header that carries each frame's size, so the caller never has to
   * predict ffmpeg's rotation or scaling, and no pixel is encoded and decoded again. Frames are
   * yielded as they arrive; ffmpeg waits while the consumer is busy, and stopping the iteration
   * early (break, an exception, the signal) kills it.
   */
  async *decodeFrames(file: string, options: DecodeOptions): AsyncGenerator<DecodedFrame, void, undefined> {
    const { start, count, seek, signal } = options;
    if (!Number.isSafeInteger(start) || start < 0) throw AppError.invalid('start', 'must be a non-negative integer');
    if (!Number.isSafeInteger(count) || count < 1) throw AppError.invalid('count', 'must be a positive integer');
    const { maxSide } = options;
    if (maxSide !== undefined && !(Number.isInteger(maxSide) && maxSide > 0)) {
      throw AppError.invalid('maxSide', 'must be a positive integer');
    }
    const name = options.name ?? path.basename(file);
    await checkFile(file, name);
    const tools = await this.tools();
    throwIfAborted(signal);

    let next = start;
    // Zero frames from an attempt means its guard refused the seek (or start is past the end, which
    // the last attempt reports); a run that produced frames is trusted, the guard passed.
    for (const from of seekAttempts(seek, start)) {
      for await (const frame of decodeRun(tools, file, name, { from, start, count, maxSide, signal })) {
        yield { ...frame, index: next++ };
      }
      if (next > start) break;
    }
    finish(next, start, count, name);
  }

  /** One frame by index; see decodeFrames. */
  async decodeFrame(
    file: string,
    index: number,
    seek?: SeekIndex,
    options: Omit<DecodeOptions, 'start' | 'count' | 'seek'> = {},
  ): Promise<DecodedFrame> {
    for await (const frame of this.decodeFrames(file, { ...options, start: index, count: 1, ...(seek && { seek }) })) {
      return frame;
    }
    // decodeFrames throws when it yields fewer frames than asked for.
    throw new Error('unreachable');
  }
}

function finish(next: number, start: number, count: number, name: string): void {
  if (next < start + count) {
    throw invalid(
      name,
      next === start
        ? `frame ${start} could not be decoded (it does not exist or the video is damaged)`
        : `frame ${next} could not be decoded (the video ends after frame ${next - 1})`,
    );
  }
}

/** A missing path is the server's own fault (a 500), an empty upload the client's. */
async function checkFile(file: string, name: string): Promise<void> {
  const info = await stat(file);
  if (!info.isFile()) throw new Error(`${file} is not a file`);
  if (info.size === 0) throw invalid(name, 'the file is empty');
}

// ---------------------------------------------------------------------------------------------
// Probing

interface FfprobeStream {
  codec_name?: string;
  width?: number;
  height?: number;
  time_base?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  has_b_frames?: number;
  duration?: string;
  tags?: Record<string, string>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number | string }>;
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string };
}

/** One packet that yields a picture. `time` is pts, or dts where that is the presentation order. */
interface FramePacket {
  pts: number;
  dts: number;
  time: number;
  duration: number;
  key: boolean;
}

interface PacketScan {
  code: number | null;
  stderr: string;
  frames: FramePacket[];
}

/**
 * Streams the packet list instead of collecting it, so an hour of 60 fps video (216,000 lines)
 * never becomes one large string.
 */
async function scanPackets(ffprobe: string, file: string, signal: AbortSignal | undefined): Promise<PacketScan> {
  const frames: FramePacket[] = [];
  const result = await run(
    ffprobe,
    ['-v', 'error', '-select_streams', 'V:0', '-show_entries', 'packet=pts,dts,duration,size,flags', '-of', 'compact=p=0', file],
    signal,
    (line) => {
      const fields = new Map<string, string>();
      for (const part of line.split('|')) {
        const eq = part.indexOf('=');
        if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
      }
      const flags = fields.get('flags') ?? '';
      const size = Number(fields.get('size'));
      if (flags.includes('D') || !(size > 0)) return;
      frames.push({
        pts: toNumber(fields.get('pts')),
        dts: toNumber(fields.get('dts')),
        time: Number.NaN,
        duration: toNumber(fields.get('duration')),
        key: flags.includes('K'),
      });
    },
  );
  return { code: result.code, stderr: result.stderr, frames };
}

function toNumber(value: string | undefined): number {
  return value === undefined || value === 'N/A' ? Number.NaN : Number(value);
}

/**
 * The presentation timestamps in ascending order (so order[i] is frame i's), or undefined when they
 * cannot be known without decoding: some packet lacks a pts and the codec reorders frames (AVI
 * stores only decode timestamps), or two frames share one (no seek could tell them apart).
 * Without B-frames, decode order is presentation order and dts serves.
 */
function presentationOrder(frames: FramePacket[], reorders: boolean): Float64Array | undefined {
  for (const frame of frames) {
    frame.time = Number.isFinite(frame.pts) ? frame.pts : reorders ? Number.NaN : frame.dts;
    if (!Number.isFinite(frame.time)) return undefined;
  }
  const order = Float64Array.from(frames, (frame) => frame.time).sort();
  for (let i = 1; i < order.length; i++) if (order[i] === order[i - 1]) return undefined;
  return order;
}

function indexOf(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = sorted[mid]!;
    if (at === value) return mid;
    if (at < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function parseRational(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const [num, den] = value.split('/').map(Number);
  if (!Number.isFinite(num) || !Number.isFinite(den) || !num || !den) return undefined;
  return num / den;
}

/**
 * Display matrices rotate counterclockwise (av_display_rotation_get), the old `rotate` tag
 * clockwise; both become clockwise degrees, rounded to the quarter turn ffmpeg's autorotate applies.
 */
function readRotation(stream: FfprobeStream): number {
  let clockwise = 0;
  const matrix = stream.side_data_list?.find((d) => d.side_data_type === 'Display Matrix' && d.rotation !== undefined);
  if (matrix) clockwise = -Number(matrix.rotation);
  else if (stream.tags?.rotate !== undefined) clockwise = Number(stream.tags.rotate);
  if (!Number.isFinite(clockwise)) return 0;
  return ((Math.round(clockwise / 90) * 90) % 360 + 360) % 360;
}

/** ffprobe's last line, without the path it starts with (a temp path means nothing to the user). */
function ffprobeReason(stderr: string, file: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines.at(-1) ?? '';
  const reason = last.startsWith(`${file}: `) ? last.slice(file.length + 2) : last.replace(/^\[[^\]]*\]\s*/, '');
  const hint = lines.some((l) => /moov atom not found/.test(l)) ? ' (no MP4 index, the moov atom: not an MP4, or an upload cut short)' : '';
  if (!reason) return 'not a readable video';
  return `not a readable video: ${reason}${hint}`;
}

// ---------------------------------------------------------------------------------------------
// Decoding

interface SeekFrom {
  /** The keyframe counting starts at. */
  index: number;
  /** Its timestamp. */
  time: number;
  /** Where the demuxer is asked to seek. */
  seekTo: number;
}

/**
 * The ways to reach `start`, cheapest first: seeking a little after its keyframe (lands on it), at
 * the keyframe's own timestamp (can only land on it or earlier), then from frame 0 (undefined).
 */
function seekAttempts(seek: SeekIndex | undefined, start: number): Array<SeekFrom | undefined> {
  if (!seek) return [undefined];
  const { keyframes, keyframeTimes } = seek;
  if (keyframes.length !== keyframeTimes.length) throw new RangeError('seek: keyframes and keyframeTimes differ in length');
  let at = -1;
  for (let i = 0; i < keyframes.length && keyframes[i]! <= start; i++) at = i;
  const index = keyframes[at] ?? 0;
  const time = keyframeTimes[at] ?? Number.NaN;
  if (index <= 0 || !Number.isFinite(time) || time < 0) return [undefined];
  // Halfway to the next keyframe at most: the next keyframe's decode timestamp (what MP4 indexes)
  // precedes its presentation by the reordering delay, a few frames, so this stays before it.
  const next = keyframeTimes[at + 1];
  const ahead = next !== undefined && next > time ? Math.min(SEEK_AHEAD_SECONDS, (next - time) / 2) : SEEK_AHEAD_SECONDS;
  return [{ index, time, seekTo: time + ahead }, { index, time, seekTo: time }, undefined];
}

/** Seconds with microsecond precision, as -ss parses them, rounded down. */
function seekArgument(seconds: number): string {
  const micros = Math.floor(seconds * 1e6 + 1e-3);
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

interface RunSpec {
  from: SeekFrom | undefined;
  start: number;
  count: number;
  maxSide: number | undefined;
  signal: AbortSignal | undefined;
}

async function* decodeRun(
  tools: VideoTools,
  file: string,
  name: string,
  spec: RunSpec,
): AsyncGenerator<Omit<DecodedFrame, 'index'>, void, undefined> {
  const { from, start, count, maxSide, signal } = spec;
  // An abort between two attempts must not start another ffmpeg.
  throwIfAborted(signal);
  const skip = start - (from?.index ?? 0);
  const input: string[] = [];
  const filters: string[] = [];
  if (from) {
    // -seek_timestamp: -ss is a timestamp of the file, not an offset from its start time.
    // -noaccurate_seek: the filters below trim, see the module comment.
    // -copyts: `t` in the filters is then the timestamp ffprobe reported at probe time.
    input.push('-copyts', '-seek_timestamp', '1', '-noaccurate_seek', '-ss', seekArgument(from.seekTo));
    const earliest = from.time - SAME_TIME_SECONDS;
    filters.push(`select=gte(t\\,${earliest})`);
    // start_t is the time of the first frame this filter sees: it must be the keyframe's.
    filters.push(`select=gte(n\\,${skip})*lt(abs(start_t-${from.time})\\,${SAME_TIME_SECONDS})`);
  } else {
    filters.push(`select=gte(n\\,${skip})`);
  }
  if (maxSide !== undefined) {
    filters.push(`scale=w=min(${maxSide}\\,iw):h=min(${maxSide}\\,ih):force_original_aspect_ratio=decrease:flags=area`);
  }
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...input,
    '-i',
    file,
    '-map',
    '0:V:0',
    '-vf',
    filters.join(','),
    tools.syncOption,
    'passthrough',
    '-frames:v',
    String(count),
    '-pix_fmt',
    'rgb24',
    '-c:v',
    'ppm',
    '-f',
    'image2pipe',
    'pipe:1',
  ];

  const child = spawn(tools.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', kill, { once: true });
  try {
    const splitter = new PpmSplitter();
    try {
      for await (const chunk of child.stdout) {
        for (const frame of splitter.push(chunk as Buffer)) yield frame;
      }
    } catch (e) {
      // The pipe fails when ffmpeg is killed; what matters is why it was killed.
      throwIfAborted(signal);
      const { error } = await exited;
      if (error) throw spawnFailure(tools.ffmpeg, error);
      throw e;
    }
    const { code, error } = await exited;
    throwIfAborted(signal);
    if (error) throw spawnFailure(tools.ffmpeg, error);
    if (code !== 0) throw invalid(name, `cannot decode the video: ${lastLine(stderr) || `ffmpeg exited with ${code}`}`);
    if (splitter.partial) throw invalid(name, 'cannot decode the video: the last frame is incomplete');
  } finally {
    signal?.removeEventListener('abort', kill);
    kill();
    // Waiting for 'close' means the child has been reaped, so it never lingers as a zombie.
    await exited;
  }
}

function lastLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? '';
}

/** Splits a stream of binary PPMs ("P6\n<w> <h>\n255\n" + RGB) into frames without re-copying chunks. */
class PpmSplitter {
  private header = Buffer.alloc(0);
  private frame: Buffer | undefined;
  private width = 0;
  private height = 0;
  private filled = 0;

  get partial(): boolean {
    return this.header.length > 0 || this.frame !== undefined;
  }

  *push(chunk: Buffer): Generator<Omit<DecodedFrame, 'index'>> {
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.frame) {
        const before = this.header.length;
        this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + 64 - before)]);
        const parsed = parsePpmHeader(this.header);
        if (!parsed) {
          if (this.header.length >= 64) throw new Error('ffmpeg wrote an unexpected PPM header');
          offset += this.header.length - before;
          continue;
        }
        offset += parsed.length - before;
        this.width = parsed.width;
        this.height = parsed.height;
        this.frame = Buffer.allocUnsafe(parsed.width * parsed.height * 3);
        this.filled = 0;
        this.header = Buffer.alloc(0);
      }
      const take = Math.min(this.frame.length - this.filled, chunk.length - offset);
      chunk.copy(this.frame, this.filled, offset, offset + take);
      this.filled += take;
      offset += take;
      if (this.filled === this.frame.length) {
        const rgb = this.frame;
        this.frame = undefined;
        yield { width: this.width, height: this.height, rgb };
      }
    }
  }
}

function parsePpmHeader(buf: Buffer): { width: number; height: number; length: number } | undefined {
  const match = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.toString('latin1'));
  if (!match) return undefined;
  const [whole, w, h, max] = match;
  if (max !== '255') throw new Error(`ffmpeg wrote a PPM with maxval ${max}`);
  return { width: Number(w), height: Number(h), length: whole.length };
}

// ---------------------------------------------------------------------------------------------
// Processes and binaries

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool to completion; with onLine, stdout goes line by line to it instead of being kept. */
function run(bin: string, args: string[], signal: AbortSignal | undefined, onLine?: (line: string) => void): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    let failure: unknown;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (!onLine) {
        stdout += chunk;
        return;
      }
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      try {
        for (const line of lines) if (line) onLine(line);
      } catch (e) {
        failure ??= e;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(spawnFailure(bin, error));
    });
    child.once('close', (code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(signal.reason);
      if (failure !== undefined) return reject(failure);
      if (pending && onLine) onLine(pending);
      resolve({ code, stdout, stderr });
    });
  });
}

function spawnFailure(bin: string, error: Error): Error {
  return new Error(`cannot run ${bin}: ${error.message}`, { cause: error });
}

async function resolveTools(options: VideoRepositoryOptions): Promise<VideoTools> {
  const [ffmpeg, ffprobe] = await Promise.all([
    resolveTool('ffmpeg', options.ffmpegPath),
    resolveTool('ffprobe', options.ffprobePath),
  ]);
  // -h full lists every option the build knows; one run per process.
  const help = await run(ffmpeg.path, ['-hide_banner', '-h', 'full'], undefined);
  const syncOption = /^-fps_mode\b/m.test(help.stdout + help.stderr) ? '-fps_mode' : '-vsync';
  return { ffmpeg: ffmpeg.path, ffprobe: ffprobe.path, ffmpegSource: ffmpeg.source, ffprobeSource: ffprobe.source, syncOption };
}

async function resolveTool(tool: ToolName, configured: string | undefined): Promise<{ path: string; source: ToolSource }> {
  if (configured !== undefined) {
    const problem = await runs(configured);
    if (problem) throw new Error(`${tool} is configured as ${configured}, which does not run: ${problem}`);
    return { path: configured, source: 'configured' };
  }
  // spawn searches PATH itself; a successful `-version` is the only test that the binary works.
  const systemProblem = await runs(tool);
  if (!systemProblem) return { path: tool, source: 'system' };

  const pkg = NPM_PACKAGES[tool];
  let npmPath: string;
  try {
    // CommonJS, and it throws a bare string when the platform package is missing.
    const loaded = createRequire(import.meta.url)(pkg) as { path?: unknown };
    if (typeof loaded.path !== 'string') throw new Error(`${pkg} exports no path`);
    npmPath = loaded.path;
  } catch (e) {
    throw new Error(
      `${tool} is not available: not on PATH (${systemProblem}) and ${pkg} provides no binary for ` +
        `${process.platform}-${process.arch} (${e instanceof Error ? e.message : String(e)}). Install FFmpeg.`,
    );
  }
  const npmProblem = await runs(npmPath);
  if (npmProblem) {
    throw new Error(`${tool} is not available: not on PATH (${systemProblem}) and ${npmPath} from ${pkg} does not run: ${npmProblem}`);
  }
  return { path: npmPath, source: 'npm' };
}

/** Undefined when `bin -version` succeeds, else why not. */
async function runs(bin: string): Promise<string | undefined> {
  try {
    const result = await run(bin, ['-version'], undefined);
    return result.code === 0 ? undefined : `-version exited with ${result.code}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
