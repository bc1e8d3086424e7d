/**
 * Track interpolation speed: a 10,000-frame track with 100 keyframes, rectangles and ~50-vertex
 * polygons, interpolated to every frame; median of 20 runs. "cold" indexes a fresh track object
 * each run (as a first export does), "warm" reuses the index (segment plans already built);
 * shapeAt is 10,000 single-frame lookups at random frames on an indexed track.
 *   node --import tsx bench/interpolation.ts
 */
import { indexTrack, interpolateTrack, shapeAt, type TrackedShape, type TrackLike } from '../packages/core/src/index.js';

const RUNS = 20;
const FRAMES = 10_000;
const KEYFRAMES = 100;

let seed = 42;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

function polygon(): number[] {
  const n = 45 + Math.floor(rnd() * 10);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    const r = 80 + rnd() * 40;
    out.push(500 + r * Math.cos(a), 500 + r * Math.sin(a));
  }
  return out;
}

function build(type: 'rectangle' | 'polygon'): TrackLike {
  const step = FRAMES / KEYFRAMES;
  const shapes: TrackedShape[] = Array.from({ length: KEYFRAMES }, (_, i) => ({
    frame: i * step,
    type,
    points: type === 'rectangle' ? [rnd() * 500, rnd() * 500, 600 + rnd() * 500, 600 + rnd() * 500] : polygon(),
    rotation: type === 'rectangle' ? rnd() * 360 : 0,
    occluded: false,
    outside: false,
    z_order: 0,
    attributes: [{ spec_id: 1, value: String(i) }],
  }));
  return { shapes };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

for (const type of ['rectangle', 'polygon'] as const) {
  const track = build(type);
  const cold: number[] = [];
  const warm: number[] = [];
  const lookups: number[] = [];
  const range = { startFrame: 0, stopFrame: FRAMES - 1 };
  const index = indexTrack(track);
  const frames = Array.from({ length: FRAMES }, () => Math.floor(rnd() * FRAMES));
  for (let i = 0; i < RUNS; i++) {
    cold.push(time(() => interpolateTrack({ ...track }, range)));
    warm.push(time(() => interpolateTrack(index, range)));
    lookups.push(time(() => frames.forEach((f) => shapeAt(index, f))));
  }
  const n = interpolateTrack(index, range).length;
  console.log(
    `${type}s, ${FRAMES} frames (${n} shapes), ${KEYFRAMES} keyframes, median of ${RUNS}: ` +
      `cold ${median(cold).toFixed(1)} ms, warm ${median(warm).toFixed(1)} ms, ` +
      `${FRAMES} shapeAt lookups ${median(lookups).toFixed(1)} ms`,
  );
}
