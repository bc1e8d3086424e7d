import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mergeSegments, shapeSimilarity, type SegmentAnnotations } from '../../src/annotations/merge.js';
import type {
  Annotations,
  LabeledShape,
  LabeledTag,
  LabeledTrack,
  ShapeType,
  TrackedShape,
} from '../../src/annotations/types.js';

let nextId = 1;

function shape(frame: number, type: ShapeType, points: number[], over: Partial<LabeledShape> = {}): LabeledShape {
  return {
    id: nextId++,
    frame,
    label_id: 1,
    group: 0,
    source: 'manual',
    attributes: [],
    type,
    points,
    rotation: 0,
    occluded: false,
    outside: false,
    z_order: 0,
    score: 1,
    elements: [],
    ...over,
  };
}

const box = (frame: number, x: number, y: number, w = 100, h = 50, over: Partial<LabeledShape> = {}) =>
  shape(frame, 'rectangle', [x, y, x + w, y + h], over);

function tag(frame: number, label_id = 1, over: Partial<LabeledTag> = {}): LabeledTag {
  return { id: nextId++, frame, label_id, group: 0, source: 'manual', attributes: [], ...over };
}

function keyframe(frame: number, points: number[], over: Partial<TrackedShape> = {}): TrackedShape {
  return {
    id: nextId++,
    frame,
    type: 'rectangle',
    points,
    rotation: 0,
    occluded: false,
    outside: false,
    z_order: 0,
    attributes: [],
    ...over,
  };
}

function track(shapes: TrackedShape[], over: Partial<LabeledTrack> = {}): LabeledTrack {
  return {
    id: nextId++,
    frame: shapes[0]!.frame,
    label_id: 1,
    group: 0,
    source: 'manual',
    attributes: [],
    shapes,
    elements: [],
    ...over,
  };
}

function job(start: number, stop: number, a: Partial<Annotations>): SegmentAnnotations {
  return { start, stop, annotations: { version: 0, tags: [], shapes: [], tracks: [], ...a } };
}

const ids = (xs: Array<{ id?: number }>) => xs.map((x) => x.id);

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

// Jobs A = 0..9 and B = 8..17: overlap 2, frames 8 and 9 in both.
const A = (a: Partial<Annotations>) => job(0, 9, a);
const B = (a: Partial<Annotations>) => job(8, 17, a);

describe('mergeSegments: shapes on overlapping frames', () => {
  it('keeps one of two copies of a box with a little jitter, the earlier job’s', () => {
    const a8 = box(8, 10, 10), a9 = box(9, 12, 10), a5 = box(5, 0, 0);
    const b8 = box(8, 10.4, 9.7), b9 = box(9, 11.6, 10.2), b12 = box(12, 20, 10);
    const out = mergeSegments([A({ shapes: [a5, a8, a9] }), B({ shapes: [b8, b9, b12] })]);
    expect(ids(out.shapes)).toEqual(ids([a5, a8, a9, b12]));
    expect(out.tags).toEqual([]);
    expect(out.tracks).toEqual([]);
  });

  it('keeps both when the boxes are different objects', () => {
    const a8 = box(8, 10, 10), b8 = box(8, 300, 300);
    expect(ids(mergeSegments([A({ shapes: [a8] }), B({ shapes: [b8] })]).shapes)).toEqual(ids([a8, b8]));
  });

  it('keeps both below the IoU threshold (0.75, CVAT’s cost threshold 0.25), merges at it', () => {
    // 70 x 50 boxes offset by d along x: IoU = (70 - d) / (70 + d), 0.75 (exactly) at d = 10.
    const a = box(8, 0, 0, 70, 50);
    const below = box(8, 11, 0, 70, 50); // IoU 0.728
    const at = box(8, 10, 0, 70, 50);
    expect(ids(mergeSegments([A({ shapes: [a] }), B({ shapes: [below] })]).shapes)).toEqual(ids([a, below]));
    expect(ids(mergeSegments([A({ shapes: [a] }), B({ shapes: [at] })]).shapes)).toEqual(ids([a]));
    // A looser threshold merges the first pair too.
    expect(ids(mergeSegments([A({ shapes: [a] }), B({ shapes: [below] })], { iouThreshold: 0.7 }).shapes)).toEqual(ids([a]));
  });

  it('keeps both when the labels differ (CVAT compares same label only)', () => {
    const a8 = box(8, 10, 10), b8 = box(8, 10, 10, 100, 50, { label_id: 2 });
    expect(ids(mergeSegments([A({ shapes: [a8] }), B({ shapes: [b8] })]).shapes)).toEqual(ids([a8, b8]));
  });

  it('keeps both when the types differ', () => {
    const a8 = box(8, 0, 0, 100, 100);
    const b8 = shape(8, 'polygon', [0, 0, 100, 0, 100, 100, 0, 100]);
    expect(ids(mergeSegments([A({ shapes: [a8] }), B({ shapes: [b8] })]).shapes)).toEqual(ids([a8, b8]));
  });

  it('never pairs shapes on different frames', () => {
    const a8 = box(8, 10, 10), b9 = box(9, 10, 10);
    expect(ids(mergeSegments([A({ shapes: [a8] }), B({ shapes: [b9] })]).shapes)).toEqual(ids([a8, b9]));
  });

  it('compares rotated rectangles with their rotation', () => {
    const a = box(8, 0, 0, 100, 100, { rotation: 30 });
    const same = box(8, 1, -1, 100, 100, { rotation: 31 });
    const turned = box(8, 0, 0, 100, 100, { rotation: 75 }); // a square 45° further: IoU 0.707
    expect(ids(mergeSegments([A({ shapes: [a] }), B({ shapes: [same] })]).shapes)).toEqual(ids([a]));
    expect(ids(mergeSegments([A({ shapes: [a] }), B({ shapes: [turned] })]).shapes)).toEqual(ids([a, turned]));
  });

  it('merges copies of a concave polygon and keeps invalid ones apart', () => {
    const L = [0, 0, 30, 0, 30, 10, 10, 10, 10, 30, 0, 30];
    const a = shape(8, 'polygon', L);
    const b = shape(8, 'polygon', L.map((v, k) => v + (k % 3 === 0 ? 0.3 : -0.2)));
    expect(ids(mergeSegments([A({ shapes: [a] }), B({ shapes: [b] })]).shapes)).toEqual(ids([a]));
    // A bow tie is not a valid polygon for shapely, so CVAT scores it 0.
    const tie = [0, 0, 20, 20, 20, 0, 0, 20];
    const ta = shape(8, 'polygon', tie), tb = shape(8, 'polygon', [...tie]);
    expect(ids(mergeSegments([A({ shapes: [ta] }), B({ shapes: [tb] })]).shapes)).toEqual(ids([ta, tb]));
  });

  it('merges identical masks and keeps masks that overlap by half', () => {
    // 4 x 2 fully set at (10, 10); CVAT's points: runs, then left, top, right, bottom.
    const full = (left: number) => [0, 8, left, 10, left + 3, 11];
    const a = shape(8, 'mask', full(10));
    expect(ids(mergeSegments([A({ shapes: [a] }), B({ shapes: [shape(8, 'mask', full(10))] })]).shapes)).toEqual(ids([a]));
    const half = shape(8, 'mask', full(12));
    expect(ids(mergeSegments([A({ shapes: [a] }), B({ shapes: [half] })]).shapes)).toEqual(ids([a, half]));
  });

  it('merges identical ellipses', () => {
    const a = shape(8, 'ellipse', [50, 50, 80, 30], { rotation: 20 });
    const b = shape(8, 'ellipse', [50.5, 50, 80.5, 30], { rotation: 20 });
    expect(ids(mergeSegments([A({ shapes: [a] }), B({ shapes: [b] })]).shapes)).toEqual(ids([a]));
  });

  it('keeps both copies of polylines, points and skeletons, as CVAT does (it scores them 0)', () => {
    for (const type of ['polyline', 'points', 'skeleton'] as const) {
      const pts = type === 'skeleton' ? [] : [0, 0, 10, 10, 20, 0];
      const a = shape(8, type, pts), b = shape(8, type, [...pts]);
      expect(shapeSimilarity(a, b)).toBe(0);
      expect(ids(mergeSegments([A({ shapes: [a] }), B({ shapes: [b] })]).shapes)).toEqual(ids([a, b]));
    }
  });

  it('pairs by optimal assignment, not greedily', () => {
    // 10 x 10 boxes on one row; along x, IoU = (10 - d) / (10 + d) for an offset d.
    const d = (iou: number) => (10 * (1 - iou)) / (1 + iou);
    const o1 = box(8, 0, 0, 10, 10);
    const n1 = box(8, d(0.9), 0, 10, 10); // 0.9 with o1
    const o2 = box(8, d(0.9) + d(0.8), 0, 10, 10); // 0.8 with n1
    const n2 = box(8, -d(0.8), 0, 10, 10); // 0.8 with o1, ~0.57 with o2
    // Greedy would take n1-o1 (0.9) and then reject n2-o2; the optimum takes n1-o2 and n2-o1.
    const out = mergeSegments([A({ shapes: [o1, o2] }), B({ shapes: [n1, n2] })]);
    expect(ids(out.shapes)).toEqual(ids([o1, o2]));
  });

  it('does not pair one shape twice', () => {
    const a = box(8, 0, 0);
    const b1 = box(8, 0, 0), b2 = box(8, 0.5, 0);
    expect(ids(mergeSegments([A({ shapes: [a] }), B({ shapes: [b1, b2] })]).shapes)).toEqual(ids([a, b2]));
  });
});

describe('mergeSegments: tags', () => {
  it('drops the later copy of a tag on an overlap frame, keeps other labels and frames', () => {
    const a8 = tag(8, 1), a9 = tag(9, 1), a3 = tag(3, 1);
    const b8 = tag(8, 1), b8other = tag(8, 2), b9 = tag(9, 1), b9second = tag(9, 1), b15 = tag(15, 1);
    const out = mergeSegments([A({ tags: [a3, a8, a9] }), B({ tags: [b8, b8other, b9, b9second, b15] })]);
    // Two tags of one label on frame 9 in B: one pairs with A's, the other stays.
    expect(ids(out.tags)).toEqual(ids([a3, a8, a9, b15, b8other, b9second]));
  });

  it('pairs tags by label only, as CVAT does (attributes are not compared)', () => {
    const a8 = tag(8, 1, { attributes: [{ spec_id: 1, value: 'x' }] });
    const b8 = tag(8, 1, { attributes: [{ spec_id: 1, value: 'y' }] });
    expect(ids(mergeSegments([A({ tags: [a8] }), B({ tags: [b8] })]).tags)).toEqual(ids([a8]));
  });
});

describe('mergeSegments: tracks', () => {
  // A box moving 10 px a frame to the right.
  const at = (f: number) => [10 * f, 0, 10 * f + 100, 50];

  it('joins a track crossing the seam into one, with the keyframes of both', () => {
    const ta = track([keyframe(0, at(0)), keyframe(9, at(9))]);
    const tb = track([keyframe(8, at(8)), keyframe(17, at(17))]);
    const jobs = deepFreeze([A({ tracks: [ta] }), B({ tracks: [tb] })]);
    const out = mergeSegments(jobs);
    expect(out.tracks).toHaveLength(1);
    const t = out.tracks[0]!;
    expect(t.id).toBe(ta.id);
    expect(t.frame).toBe(0);
    expect(t.shapes.map((s) => s.frame)).toEqual([0, 8, 9, 17]);
    expect(ids(t.shapes)).toEqual(ids([ta.shapes[0]!, tb.shapes[0]!, ta.shapes[1]!, tb.shapes[1]!]));
    expect(t.shapes.every((s) => !s.outside)).toBe(true);
  });

  it('keeps the earlier job’s keyframe where both jobs have one', () => {
    const ta = track([keyframe(0, at(0)), keyframe(8, at(8)), keyframe(9, at(9))]);
    const tb = track([keyframe(8, [81, 0, 181, 50]), keyframe(9, at(9)), keyframe(12, at(12), { outside: true })]);
    const t = mergeSegments([A({ tracks: [ta] }), B({ tracks: [tb] })]).tracks[0]!;
    expect(ids(t.shapes)).toEqual(ids([ta.shapes[0]!, ta.shapes[1]!, ta.shapes[2]!, tb.shapes[2]!]));
  });

  it('ends a track of the earlier job that has no partner at the seam, and keeps one only in the later job', () => {
    const onlyA = track([keyframe(2, at(2))]);
    const endedA = track([keyframe(1, at(1)), keyframe(4, at(4), { outside: true })]);
    const onlyB = track([keyframe(9, [500, 500, 600, 550])]);
    const laterB = track([keyframe(13, at(13))]);
    const jobs = deepFreeze([A({ tracks: [onlyA, endedA] }), B({ tracks: [onlyB, laterB] })]);
    const out = mergeSegments(jobs);
    expect(ids(out.tracks)).toEqual(ids([onlyA, endedA, laterB, onlyB]));
    const closed = out.tracks[0]!;
    // CVAT's _modify_unmatched_object: a copy of the last keyframe, outside, on the first frame
    // after the earlier segment.
    expect(closed.shapes.map((s) => [s.frame, s.outside])).toEqual([[2, false], [10, true]]);
    expect(closed.shapes[1]!.points).toEqual(at(2));
    expect(out.tracks[1]!.shapes).toEqual(endedA.shapes);
    expect(out.tracks[2]).toEqual(laterB);
    expect(out.tracks[3]).toEqual(onlyB);
    expect(onlyA.shapes).toHaveLength(1);
  });

  it('keeps apart tracks of different labels and tracks that part ways in the overlap', () => {
    const ta = track([keyframe(0, at(0)), keyframe(9, at(9))]);
    const other = track([keyframe(8, at(8)), keyframe(17, at(17))], { label_id: 2 });
    const out = mergeSegments([A({ tracks: [ta] }), B({ tracks: [other] })]);
    expect(ids(out.tracks)).toEqual(ids([ta, other]));
    expect(out.tracks[0]!.shapes.at(-1)).toMatchObject({ frame: 10, outside: true });
  });

  it('needs similarity 0.5 over the overlap: visible in one job only on half the frames is enough', () => {
    // B's copy appears on frame 9 only: frame 8 counts as an error, frame 9 as IoU 1.
    const ta = track([keyframe(0, at(0)), keyframe(9, at(9))]);
    const tb = track([keyframe(9, at(9)), keyframe(17, at(17))]);
    const out = mergeSegments([A({ tracks: [ta] }), B({ tracks: [tb] })]);
    expect(out.tracks).toHaveLength(1);
    expect(out.tracks[0]!.shapes.map((s) => s.frame)).toEqual([0, 9, 17]);
    // With a stricter threshold they stay two tracks and A's is ended at the seam.
    const strict = mergeSegments([A({ tracks: [ta] }), B({ tracks: [tb] })], { trackThreshold: 0.6 });
    expect(ids(strict.tracks)).toEqual(ids([ta, tb]));
  });

  it('ends the tracks of skeletons, elements included, like CVAT', () => {
    const element = (label_id: number, shapes: TrackedShape[]) => ({
      id: nextId++, frame: shapes[0]!.frame, label_id, group: 0, source: 'manual' as const, attributes: [], shapes,
    });
    const pt = (frame: number, outside = false) => keyframe(frame, [5, 5], { type: 'points', outside });
    const sk = track([keyframe(0, [], { type: 'skeleton' })], {
      elements: [element(2, [pt(0), pt(3)]), element(3, [pt(0, true)])],
    });
    const out = mergeSegments([job(0, 5, { tracks: [sk] }), job(6, 9, {})]);
    const t = out.tracks[0]!;
    expect(t.shapes.map((s) => [s.frame, s.outside])).toEqual([[0, false], [6, true]]);
    expect(t.elements[0]!.shapes.map((s) => [s.frame, s.outside])).toEqual([[0, false], [3, false], [6, true]]);
    expect(t.elements[1]!.shapes.map((s) => [s.frame, s.outside])).toEqual([[0, true]]);
  });
});

describe('mergeSegments: layouts', () => {
  it('concatenates jobs that do not overlap (tracks still end at the seam)', () => {
    const s1 = box(3, 0, 0), s2 = box(12, 0, 0), t1 = tag(9), t2 = tag(10);
    const tr = track([keyframe(5, [0, 0, 100, 50])]);
    const out = mergeSegments([job(10, 19, { shapes: [s2], tags: [t2] }), job(0, 9, { shapes: [s1], tags: [t1], tracks: [tr] })]);
    expect(ids(out.shapes)).toEqual(ids([s1, s2]));
    expect(ids(out.tags)).toEqual(ids([t1, t2]));
    expect(out.tracks[0]!.shapes.map((s) => [s.frame, s.outside])).toEqual([[5, false], [10, true]]);
  });

  it('merges across three jobs', () => {
    // A 0..9, B 8..17, C 16..25: overlaps {8, 9} and {16, 17}.
    const at = (f: number) => [5 * f, 0, 5 * f + 100, 50];
    const a8 = box(8, 0, 0), b8 = box(8, 1, 0), b16 = box(16, 200, 0), c16 = box(16, 200, 1), c20 = box(20, 0, 0);
    const ta = track([keyframe(0, at(0)), keyframe(9, at(9))]);
    const tb = track([keyframe(8, at(8)), keyframe(17, at(17))]);
    const tc = track([keyframe(16, at(16)), keyframe(25, at(25))]);
    const out = mergeSegments([
      job(0, 9, { shapes: [a8], tracks: [ta] }),
      job(8, 17, { shapes: [b8, b16], tracks: [tb] }),
      job(16, 25, { shapes: [c16, c20], tracks: [tc] }),
    ]);
    expect(ids(out.shapes)).toEqual(ids([a8, b16, c20]));
    expect(out.tracks).toHaveLength(1);
    expect(out.tracks[0]!.shapes.map((s) => s.frame)).toEqual([0, 8, 9, 16, 17, 25]);
  });

  it('returns nothing for no jobs and a copy of a single job', () => {
    expect(mergeSegments([])).toEqual({ tags: [], shapes: [], tracks: [] });
    const s = box(1, 0, 0);
    expect(mergeSegments([job(0, 9, { shapes: [s] })]).shapes).toEqual([s]);
  });
});

// ---------------------------------------------------------------------------------------------
// CVAT's own answers: every task of the reference assets, merged from its jobs, against the
// task-level annotations CVAT returned for it.

const ASSETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/cvat-api/assets');
const haveAssets = fs.existsSync(path.join(ASSETS, 'annotations.json'));

describe.skipIf(!haveAssets)('mergeSegments against CVAT (reference assets)', () => {
  const load = (name: string) => JSON.parse(fs.readFileSync(path.join(ASSETS, name), 'utf8'));
  const annotations = haveAssets ? load('annotations.json') : { job: {}, task: {} };
  const tasks: any[] = haveAssets ? load('tasks.json').results : [];
  const jobs: any[] = haveAssets ? load('jobs.json').results : [];
  const cases = tasks
    .filter((t) => annotations.task[String(t.id)])
    .map((t) => {
      // CVAT's TaskAnnotation: annotation jobs, and the GT job when validation is a GT pool.
      const own = jobs.filter(
        (j) => j.task_id === t.id && (j.type === 'annotation' || (j.type === 'ground_truth' && t.validation_mode === 'gt_pool')),
      );
      return { id: t.id as number, overlap: t.overlap as number, own };
    })
    .filter((c) => c.own.every((j) => annotations.job[String(j.id)]));

  it('has tasks to compare, one of them with a track ended at a seam', () => {
    expect(cases.length).toBeGreaterThan(10);
    expect(cases.some((c) => c.id === 21)).toBe(true);
  });

  it.each(cases.map((c) => [c.id, c] as const))('task %i', (_id, c) => {
    const merged = mergeSegments(
      c.own.map((j) => ({ start: j.start_frame, stop: j.stop_frame, annotations: annotations.job[String(j.id)] })),
    );
    const expected = annotations.task[String(c.id)];
    expect(merged).toEqual({ tags: expected.tags, shapes: expected.shapes, tracks: expected.tracks });
  });
});

// ---------------------------------------------------------------------------------------------

describe('cost', () => {
  it('prints the time to merge two jobs of 10,000 shapes with 5 overlap frames', () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const layouts = [
      { name: '100 frames x 100 boxes a job', frames: 100, perFrame: 100 },
      { name: 'all 10,000 on the 5 shared frames', frames: 5, perFrame: 2000 },
    ];
    for (const l of layouts) {
      const start2 = l.frames === 5 ? 0 : l.frames - 5;
      const objects = Array.from({ length: l.perFrame }, () => [rnd() * 1900, rnd() * 1000, 20 + rnd() * 80, 20 + rnd() * 80]);
      const make = (first: number, jitter: number) => {
        const shapes: LabeledShape[] = [];
        for (let f = first; f < first + l.frames; f++) {
          for (const [x, y, w, h] of objects) shapes.push(box(f, x! + jitter * rnd(), y! + jitter * rnd(), w, h));
        }
        return shapes;
      };
      const a = make(0, 0), b = make(start2, 0.5);
      const t0 = performance.now();
      const out = mergeSegments([
        job(0, l.frames - 1, { shapes: a }),
        job(start2, start2 + l.frames - 1, { shapes: b }),
      ]);
      const ms = performance.now() - t0;
      // Jittered by under half a pixel, the shared copies pair up; a few crowded ones may pair crosswise.
      expect(out.shapes.length).toBeLessThan(a.length + b.length - 5 * l.perFrame * 0.9);
      console.log(`merge 2 x ${a.length} boxes, ${l.name}: ${ms.toFixed(0)} ms, ${out.shapes.length} kept`);
    }
  });
});
