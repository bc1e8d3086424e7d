import { describe, expect, it } from 'vitest';
import {
  indexTrack,
  interpolateTrack,
  normalizeAnnotations,
  shapeAt,
  type AnnotationsInput,
  type AttributeValue,
  type OutsideMode,
  type ShapeType,
  type TrackedShape,
  type TrackFrame,
  type TrackLike,
} from '../../src/annotations/index.js';
import { HAVE_CVAT_ASSETS, loadAssetPayloads } from './cvat-annotation-assets.js';

const kf = (frame: number, type: ShapeType, points: number[], over: Partial<TrackedShape> = {}): TrackedShape => ({
  frame,
  type,
  points,
  rotation: 0,
  occluded: false,
  outside: false,
  z_order: 0,
  attributes: [],
  ...over,
});

const track = (...shapes: TrackedShape[]): TrackLike => ({ shapes });
const all = (t: TrackLike, stopFrame: number, includeOutside: OutsideMode = false, startFrame = 0) =>
  interpolateTrack(t, { startFrame, stopFrame, includeOutside });
const at = (t: TrackLike, frame: number) => shapeAt(t, frame);
const pts = (t: TrackLike, frame: number) => at(t, frame)?.points;

function expectClose(actual: number[] | undefined, expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((v, i) => expect(actual![i]).toBeCloseTo(v, 9));
}

describe('linear kinds', () => {
  const rect = track(kf(0, 'rectangle', [0, 0, 10, 10], { rotation: 350 }), kf(10, 'rectangle', [10, 20, 30, 40], { rotation: 10 }));

  it.each([
    // frame, points, rotation: 350 -> 10 turns +20 through 0, not -340.
    [0, [0, 0, 10, 10], 350],
    [2, [2, 4, 14, 16], 354],
    [5, [5, 10, 20, 25], 0],
    [7, [7, 14, 24, 31], 4],
    [10, [10, 20, 30, 40], 10],
  ])('rectangle at frame %i', (frame, points, rotation) => {
    const s = at(rect, frame)!;
    expectClose(s.points, points);
    expect(s.rotation).toBeCloseTo(rotation, 9);
    expect(s.keyframe).toBe(frame === 0 || frame === 10);
  });

  it.each([
    [10, 350, 5, 0],
    [10, 350, 2, 6],
    [0, 90, 5, 45],
    [270, 0, 5, 315],
    // A half turn goes clockwise, as in CVAT's UI (its server's find_angle_diff gives +1 here).
    [0, 180, 5, 90],
  ])('rotation %s -> %s at frame %i is %s', (from, to, frame, expected) => {
    const t = track(kf(0, 'rectangle', [0, 0, 1, 1], { rotation: from }), kf(10, 'rectangle', [0, 0, 1, 1], { rotation: to }));
    expect(at(t, frame)!.rotation).toBeCloseTo(expected, 9);
  });

  it('ellipse: center and corner move linearly', () => {
    const t = track(kf(0, 'ellipse', [50, 50, 60, 40]), kf(10, 'ellipse', [70, 50, 90, 30]));
    expectClose(pts(t, 5), [60, 50, 75, 35]);
  });

  it('cuboid: all 8 points move linearly', () => {
    const a = Array.from({ length: 16 }, (_, i) => i);
    const t = track(kf(0, 'cuboid', a), kf(10, 'cuboid', a.map((v) => v + 10)));
    expectClose(pts(t, 3), a.map((v) => v + 3));
  });

  it('a single point moves linearly', () => {
    const t = track(kf(0, 'points', [0, 0]), kf(10, 'points', [10, 20]));
    expectClose(pts(t, 5), [5, 10]);
  });

  // CVAT (server and UI) moves only single points; several points hold, whether or not the counts match.
  it.each([
    ['equal counts', [0, 0, 10, 10], [100, 100, 110, 110]],
    ['different counts', [0, 0], [5, 5, 6, 6]],
  ])('points with %s hold until the next keyframe', (_, a, b) => {
    const t = track(kf(0, 'points', a), kf(10, 'points', b));
    expect(pts(t, 5)).toEqual(a);
    expect(pts(t, 9)).toEqual(a);
    expect(pts(t, 10)).toEqual(b);
  });
});

describe('contours (CVAT resamples along the outline)', () => {
  // A 10x10 square (4 vertices) growing into a 20x20 one drawn with 8 (corners and edge midpoints).
  // Fractions along the closed outline: left 0, .25, .5, .75, 1; right 0, .125, ..., 1. Each left
  // vertex takes the right vertex at its fraction and the unclaimed one after it (ties go to the
  // earlier vertex), so the pairs are L0:R0,R1 L1:R2,R3 L2:R4,R5 L3:R6,R7 L4(closure):R8. Each pair
  // of points is 10t apart, and the threshold is 10 / (2 * 2) = 2.5: below t = .25 a pair merges
  // into its midpoint (4 vertices), from t = .25 on both stay (8 vertices).
  const square = track(
    kf(0, 'polygon', [0, 0, 10, 0, 10, 10, 0, 10]),
    kf(10, 'polygon', [0, 0, 10, 0, 20, 0, 20, 10, 20, 20, 10, 20, 0, 20, 0, 10]),
  );

  it.each([
    [0, [0, 0, 10, 0, 10, 10, 0, 10]],
    // t = .1: pairs (0,0)-(1,0), (11,0)-(11,1), (11,11)-(10,11), (0,11)-(0,10) merge.
    [1, [0.5, 0, 11, 0.5, 10.5, 11, 0, 10.5]],
    [2, [1, 0, 12, 1, 11, 12, 0, 11]],
    // t = .3: 3 >= 2.5, all eight stay.
    [3, [0, 0, 3, 0, 13, 0, 13, 3, 13, 13, 10, 13, 0, 13, 0, 10]],
    [5, [0, 0, 5, 0, 15, 0, 15, 5, 15, 15, 10, 15, 0, 15, 0, 10]],
    [10, [0, 0, 10, 0, 20, 0, 20, 10, 20, 20, 10, 20, 0, 20, 0, 10]],
  ])('polygon 4 -> 8 vertices at frame %i', (frame, expected) => {
    expectClose(pts(square, frame), expected);
  });

  it('polygons with equal vertex counts move vertex by vertex', () => {
    const t = track(kf(0, 'polygon', [0, 0, 10, 0, 5, 8]), kf(4, 'polygon', [4, 0, 14, 0, 9, 8]));
    expectClose(pts(t, 1), [1, 0, 11, 0, 6, 8]);
  });

  // Left fractions 0, 1; right 0, .5, 1. R1 (.5) is as near L0 as L1 and goes to L0, so L0 pairs
  // with R0 and R1: points (0, 10t) and (5t, 10t), 5t apart against a threshold of 5 / 4.
  const line = track(kf(0, 'polyline', [0, 0, 10, 0]), kf(10, 'polyline', [0, 10, 5, 10, 10, 10]));
  it.each([
    [0, [0, 0, 10, 0]],
    [1, [0.25, 1, 10, 1]],
    [5, [0, 5, 2.5, 5, 10, 5]],
    [10, [0, 10, 5, 10, 10, 10]],
  ])('polyline 2 -> 3 vertices at frame %i', (frame, expected) => {
    expectClose(pts(line, frame), expected);
  });
});

describe('masks', () => {
  const a = [0, 4, 0, 0, 1, 1];
  const b = [1, 3, 5, 5, 6, 6];
  const t = track(kf(0, 'mask', a), kf(10, 'mask', b));
  it.each([
    [0, a],
    [5, a],
    [9, a],
    [10, b],
    [15, b],
  ])('frame %i shows the last keyframe\'s mask', (frame, expected) => {
    expect(pts(t, frame)).toEqual(expected);
  });
});

describe('visibility', () => {
  const t = track(
    kf(2, 'rectangle', [0, 0, 10, 10]),
    kf(5, 'rectangle', [5, 5, 15, 15], { outside: true }),
    kf(10, 'rectangle', [10, 10, 20, 20]),
    kf(12, 'rectangle', [12, 12, 22, 22]),
  );
  const frames = (list: TrackFrame[]) => list.map((s) => `${s.frame}${s.keyframe ? 'k' : ''}${s.outside ? 'o' : ''}`);

  it('shows from the first keyframe, hides after an outside one, resumes at the next, holds after the last', () => {
    expect(frames(all(t, 14))).toEqual(['2k', '3', '4', '10k', '11', '12k', '13', '14']);
  });

  it("'keyframes' also lists the outside keyframe that ends a run, as CVAT's exports do", () => {
    expect(frames(all(t, 14, 'keyframes'))).toEqual(['2k', '3', '4', '5ko', '10k', '11', '12k', '13', '14']);
  });

  it('true lists every frame, hidden ones moving toward the next keyframe (CVAT include_outside)', () => {
    const list = all(t, 14, true);
    expect(frames(list)).toEqual(['2k', '3', '4', '5ko', '6o', '7o', '8o', '9o', '10k', '11', '12k', '13', '14']);
    expectClose(list.find((s) => s.frame === 7)!.points, [7, 7, 17, 17]);
  });

  it('respects the range, starting between keyframes', () => {
    expect(frames(all(t, 11, false, 3))).toEqual(['3', '4', '10k', '11']);
    expect(all(t, 1)).toEqual([]);
    expect(at(t, 1)).toBeNull();
    expect(at(t, 7)).toBeNull();
  });

  it('occluded and z_order step with the earlier keyframe', () => {
    const s = track(kf(0, 'rectangle', [0, 0, 1, 1], { occluded: true, z_order: 1 }), kf(10, 'rectangle', [0, 0, 1, 1], { z_order: 3 }));
    expect(at(s, 9)).toMatchObject({ occluded: true, z_order: 1 });
    expect(at(s, 10)).toMatchObject({ occluded: false, z_order: 3 });
  });
});

describe('attributes', () => {
  const v = (spec_id: number, value: string): AttributeValue => ({ spec_id, value });
  const t = track(
    kf(0, 'rectangle', [0, 0, 1, 1], { attributes: [v(11, '5'), v(12, 'false')] }),
    kf(5, 'rectangle', [0, 0, 1, 1], { attributes: [v(11, '10')] }),
    kf(10, 'rectangle', [0, 0, 1, 1], { attributes: [v(12, 'true')] }),
  );
  it.each([
    [0, [v(11, '5'), v(12, 'false')]],
    [3, [v(11, '5'), v(12, 'false')]],
    [5, [v(11, '10'), v(12, 'false')]],
    [7, [v(11, '10'), v(12, 'false')]],
    [10, [v(12, 'true'), v(11, '10')]],
    [20, [v(12, 'true'), v(11, '10')]],
  ])('frame %i has the values of the last keyframes that set them', (frame, expected) => {
    expect(at(t, frame)!.attributes).toEqual(expected);
  });
});

describe('skeletons', () => {
  const skeleton: TrackLike = {
    shapes: [kf(0, 'skeleton', [])],
    elements: [
      { label_id: 51, shapes: [kf(0, 'points', [0, 0]), kf(4, 'points', [4, 8], { outside: true }), kf(10, 'points', [10, 20])] },
      { label_id: 52, shapes: [kf(0, 'points', [5, 5]), kf(6, 'points', [5, 5], { outside: true })] },
    ],
  };

  it('moves each point along its own track', () => {
    const s = at(skeleton, 2)!;
    expect(s.keyframe).toBe(false);
    expect(s.elements.map((e) => [e.label_id, e.points, e.keyframe, e.outside])).toEqual([
      [51, [2, 4], false, false],
      [52, [5, 5], false, false],
    ]);
  });

  it('shows a hidden point as outside while another shows, and hides the skeleton when all are outside', () => {
    expect(at(skeleton, 5)!.elements.map((e) => e.outside)).toEqual([true, false]);
    expect(at(skeleton, 6)).toBeNull();
    expect(all(skeleton, 12).map((s) => s.frame)).toEqual([0, 1, 2, 3, 4, 5, 10, 11, 12]);
    expect(shapeAt(skeleton, 7, { includeOutside: true })!.elements.map((e) => e.outside)).toEqual([true, true]);
  });

  it("moves a hidden point toward its next keyframe, as CVAT does for a skeleton's points", () => {
    expectClose(shapeAt(skeleton, 7, { includeOutside: true })!.elements[0]!.points, [7, 14]);
  });
});

/** A small deterministic generator, so a failing case can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomTrack(rnd: () => number, type: ShapeType): TrackLike {
  const frames = [...new Set(Array.from({ length: 2 + Math.floor(rnd() * 12) }, () => Math.floor(rnd() * 200)))];
  const shape = (): number[] => {
    switch (type) {
      case 'polygon': {
        const n = 3 + Math.floor(rnd() * 20);
        return Array.from({ length: 2 * n }, () => Math.round(rnd() * 1000) / 10);
      }
      case 'points':
        return [rnd() * 100, rnd() * 100];
      default:
        return [rnd() * 100, rnd() * 100, 100 + rnd() * 100, 100 + rnd() * 100];
    }
  };
  const keyframes = (t: ShapeType) =>
    frames.map((frame) =>
      kf(frame, t, t === 'skeleton' ? [] : shape(), {
        outside: rnd() < 0.25,
        rotation: t === 'rectangle' ? rnd() * 360 : 0,
        attributes: rnd() < 0.5 ? [{ spec_id: Math.floor(rnd() * 3), value: String(frame) }] : [],
      }),
    );
  if (type !== 'skeleton') return { shapes: keyframes(type) };
  return {
    shapes: keyframes('skeleton'),
    elements: [51, 52, 53].map((label_id) => ({ label_id, shapes: randomTrack(rnd, 'points').shapes })),
  };
}

describe('shapeAt agrees with interpolateTrack', () => {
  const rnd = random(20240611);
  const cases = (['rectangle', 'polygon', 'skeleton'] as const).flatMap((type) => Array.from({ length: 4 }, () => [type, randomTrack(rnd, type)] as const));

  it.each(cases)('on every frame of a random %s track', (_, t) => {
    for (const mode of [false, 'keyframes', true] as const) {
      const byFrame = new Map(all(t, 210, mode).map((s) => [s.frame, s]));
      // A fresh copy each time, so nothing is served from the index built for the range.
      for (let f = -3; f <= 210; f++) expect(shapeAt({ ...t }, f, { includeOutside: mode }), `frame ${f}, ${String(mode)}`).toEqual(byFrame.get(f) ?? null);
    }
  });

  it('an index built once answers like the track itself', () => {
    const [, t] = cases[1]!;
    const index = indexTrack(t);
    for (let f = 0; f <= 210; f += 7) expect(shapeAt(index, f)).toEqual(shapeAt({ ...t }, f));
  });
});

describe.skipIf(!HAVE_CVAT_ASSETS)("CVAT's own tracks", () => {
  const tracks = loadAssetPayloads().flatMap((p) => {
    const { start, stop } = p.frames as { start: number; stop: number };
    return normalizeAnnotations(p.data as AnnotationsInput, { mode: 'update' }).tracks.map((t) => [`${p.name} track ${t.id}`, t, start, stop] as const);
  });

  it.each(tracks)('%s shows each keyframe as a keyframe', (_, t, start, stop) => {
    const list = interpolateTrack(t, { startFrame: start, stopFrame: stop, includeOutside: true });
    for (const k of t.shapes) expect(list.find((s) => s.frame === k.frame)).toMatchObject({ keyframe: true, outside: k.outside, points: k.points });
  });
});

describe('speed', () => {
  function longTrack(type: 'rectangle' | 'polygon'): TrackLike {
    const rnd = random(7);
    const vertices = () => {
      const n = 45 + Math.floor(rnd() * 10);
      return Array.from({ length: n }, (_, i) => {
        const a = (2 * Math.PI * i) / n;
        const r = 80 + rnd() * 40;
        return [500 + r * Math.cos(a), 500 + r * Math.sin(a)];
      }).flat();
    };
    const shapes = Array.from({ length: 100 }, (_, i) =>
      kf(i * 100, type, type === 'rectangle' ? [rnd() * 500, rnd() * 500, 600 + rnd() * 500, 600 + rnd() * 500] : vertices(), { rotation: rnd() * 360 }),
    );
    return { shapes };
  }

  it.each(['rectangle', 'polygon'] as const)('interpolating a 10,000-frame %s track with 100 keyframes (time printed, not asserted)', (type) => {
    const t = longTrack(type);
    const times: number[] = [];
    let list: TrackFrame[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      list = all({ ...t }, 9999);
      times.push(performance.now() - started);
    }
    const median = [...times].sort((a, b) => a - b)[2]!;
    console.log(`interpolateTrack, ${type}s, 10,000 frames, 100 keyframes: first run ${times[0]!.toFixed(1)} ms, median of 5 ${median.toFixed(1)} ms`);
    expect(list).toHaveLength(10_000);
  });
});
