import { describe, expect, it } from 'vitest';
import { shapeAt } from '../../src/annotations/interpolate.js';
import { mergeSegments } from '../../src/annotations/merge.js';
import { sliceAnnotations } from '../../src/annotations/slice.js';
import type {
  Annotations,
  AttributeValue,
  LabeledShape,
  LabeledTag,
  LabeledTrack,
  SubTrack,
  TrackedShape,
} from '../../src/annotations/types.js';

type Data = Omit<Annotations, 'version'>;

let nextId = 1;

function tag(frame: number, over: Partial<LabeledTag> = {}): LabeledTag {
  return { id: nextId++, frame, label_id: 1, group: 0, source: 'manual', attributes: [], ...over };
}

function shape(frame: number, over: Partial<LabeledShape> = {}): LabeledShape {
  return {
    id: nextId++,
    frame,
    label_id: 1,
    group: 0,
    source: 'manual',
    attributes: [],
    type: 'rectangle',
    points: [frame, 0, frame + 10, 10],
    rotation: 0,
    occluded: false,
    outside: false,
    z_order: 0,
    score: 1,
    elements: [],
    ...over,
  };
}

/** A 10 × 10 box at x on `frame`. */
function kf(frame: number, x: number, over: Partial<TrackedShape> = {}): TrackedShape {
  return {
    id: nextId++,
    frame,
    type: 'rectangle',
    points: [x, 0, x + 10, 10],
    rotation: 0,
    occluded: false,
    outside: false,
    z_order: 0,
    attributes: [],
    ...over,
  };
}

const out = (frame: number, x: number, over: Partial<TrackedShape> = {}) => kf(frame, x, { outside: true, ...over });
const box = (x: number) => [x, 0, x + 10, 10];

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

/** A skeleton point at (x, y). */
function pt(frame: number, x: number, y: number, outside = false): TrackedShape {
  return { ...kf(frame, 0), type: 'points', points: [x, y], outside };
}

const skel = (frame: number, outside = false) => ({ ...kf(frame, 0), type: 'skeleton' as const, points: [], outside });

function element(label_id: number, shapes: TrackedShape[]): SubTrack {
  return { id: nextId++, frame: shapes[0]!.frame, label_id, group: 0, source: 'manual', attributes: [], shapes };
}

function data(a: Partial<Data>): Data {
  return { tags: [], shapes: [], tracks: [], ...a };
}

/** What a job stores of an object: the same without its ids. */
function noIds<T>(o: T): T {
  if (Array.isArray(o)) return o.map(noIds) as T;
  if (o && typeof o === 'object') {
    return Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'id').map(([k, v]) => [k, noIds(v)])) as T;
  }
  return o;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** The one track of a slice, or undefined. */
const sliceTrack = (t: LabeledTrack, start: number, stop: number) => {
  const tracks = sliceAnnotations(data({ tracks: [deepFreeze(t)] }), start, stop).tracks;
  expect(tracks.length).toBeLessThanOrEqual(1);
  return tracks[0];
};

const frames = (t: { shapes: TrackedShape[] } | undefined) => t?.shapes.map((s) => [s.frame, s.outside ? 'out' : 'in']);

describe('sliceAnnotations: tags and shapes', () => {
  it('gives each job the tags and shapes on its frames, both jobs those on a shared frame', () => {
    const tags = [tag(0), tag(5), tag(9), tag(10)];
    const shapes = [shape(3), shape(9), shape(10), shape(15)];
    const d = deepFreeze(data({ tags, shapes }));
    const a = sliceAnnotations(d, 0, 9);
    expect(a.tags).toEqual(noIds([tags[0], tags[1], tags[2]]));
    expect(a.shapes).toEqual(noIds([shapes[0], shapes[1]]));
    // Overlap: frame 9 belongs to both segments.
    const b = sliceAnnotations(d, 9, 15);
    expect(b.tags).toEqual(noIds([tags[2], tags[3]]));
    expect(b.shapes).toEqual(noIds([shapes[1], shapes[2], shapes[3]]));
    expect(sliceAnnotations(d, 16, 20)).toEqual({ tags: [], shapes: [], tracks: [] });
  });

  it('returns new objects without ids, skeleton points and attributes included', () => {
    const sk = shape(4, {
      type: 'skeleton',
      points: [],
      attributes: [{ spec_id: 1, value: 'a' }],
      elements: [
        {
          id: nextId++, frame: 4, label_id: 2, group: 0, source: 'manual', attributes: [],
          type: 'points', points: [1, 2], rotation: 0, occluded: false, outside: false, z_order: 0, score: 1,
        },
      ],
    });
    const d = data({ shapes: [sk], tags: [tag(4, { attributes: [{ spec_id: 2, value: 'b' }] })] });
    const s = sliceAnnotations(d, 0, 9);
    expect(s.shapes[0]).not.toHaveProperty('id');
    expect(s.shapes[0]!.elements[0]).not.toHaveProperty('id');
    expect(s.tags[0]).not.toHaveProperty('id');
    s.shapes[0]!.attributes[0]!.value = 'changed';
    s.shapes[0]!.elements[0]!.points[0] = 99;
    s.tags[0]!.attributes[0]!.value = 'changed';
    expect(sk.attributes[0]!.value).toBe('a');
    expect(sk.elements[0]!.points[0]).toBe(1);
    expect(d.tags[0]!.attributes[0]!.value).toBe('b');
  });

  it('refuses a range that is not a segment', () => {
    expect(() => sliceAnnotations(data({}), 5, 4)).toThrow(RangeError);
    expect(() => sliceAnnotations(data({}), 0.5, 4)).toThrow(RangeError);
  });
});

describe('sliceAnnotations: tracks', () => {
  // Segment 4..12 throughout. The box moves 10 px a frame from frame 0 to 16.
  const S = [4, 12] as const;

  it('clips a track crossing both ends: interpolated keyframes at start and at stop, no outside one', () => {
    const t = track([kf(0, 0), kf(8, 80), out(16, 160)], { attributes: [{ spec_id: 9, value: 'car' }], group: 3 });
    const s = sliceTrack(t, ...S)!;
    expect(s).toEqual({
      frame: 4,
      label_id: 1,
      group: 3,
      source: 'manual',
      attributes: [{ spec_id: 9, value: 'car' }],
      elements: [],
      shapes: [
        noIds(kf(4, 40)),
        noIds(t.shapes[1]!),
        // Visible: CVAT adds no outside keyframe; the merge ends the job's copy at the seam.
        noIds(kf(12, 120)),
      ],
    });
  });

  it('adds no keyframe at stop where the shape there is the previous keyframe’s (CVAT compares points)', () => {
    // Still from 8 to 16: the shape on 12 is keyframe 8's.
    const still = track([kf(0, 0), kf(8, 80), out(16, 80)]);
    expect(frames(sliceTrack(still, ...S))).toEqual([[4, 'in'], [8, 'in']]);
    // Turning in place: same points, so CVAT would skip it; the rotation differs, so it is kept.
    const turning = track([kf(0, 0), kf(8, 80), kf(16, 80, { rotation: 80 })]);
    const s = sliceTrack(turning, ...S)!;
    expect(s.shapes.map((k) => [k.frame, k.rotation])).toEqual([[4, 0], [8, 0], [12, 40]]);
  });

  it('adds nothing at the ends where the track has keyframes there, or ends in the range', () => {
    const exact = track([kf(0, 0), kf(4, 40), kf(12, 120), kf(16, 160)]);
    expect(sliceTrack(exact, ...S)!.shapes).toEqual(noIds(exact.shapes.slice(1, 3)));
    // Last keyframe visible inside the range: it goes on to the end of the job as it is.
    const lasting = track([kf(0, 0), kf(6, 60)]);
    expect(sliceTrack(lasting, ...S)!.shapes).toEqual([noIds(kf(4, 40)), noIds(lasting.shapes[1]!)]);
    // Ended by an outside keyframe in the range: that keyframe once (CVAT appends it twice, #8411).
    const ended = track([kf(0, 0), kf(8, 80), out(10, 100)]);
    expect(sliceTrack(ended, ...S)!.shapes).toEqual([noIds(kf(4, 40)), noIds(ended.shapes[1]!), noIds(ended.shapes[2]!)]);
  });

  it('keeps a track entirely inside the range as it is, without ids', () => {
    const t = track([kf(6, 60, { attributes: [{ spec_id: 1, value: 'x' }] }), out(9, 90)]);
    expect(sliceTrack(t, ...S)).toEqual(noIds(t));
  });

  it('sorts keyframes given out of order', () => {
    const t = track([kf(8, 80), kf(0, 0), out(16, 160)]);
    expect(frames(sliceTrack(t, ...S))).toEqual([[4, 'in'], [8, 'in'], [12, 'in']]);
  });

  it('drops tracks with no visible frame in the range', () => {
    const before = track([kf(0, 0), out(3, 30)]);
    const endsAtStart = track([kf(0, 0), out(4, 40)]);
    const after = track([kf(13, 130), kf(20, 200)]);
    // Hidden over the whole range, seen before and after it.
    const gap = track([kf(0, 0), out(3, 30), kf(14, 140)]);
    // The same with outside keyframes in the range (a mutable attribute changed while hidden).
    const gapWithKeys = track([kf(0, 0), out(3, 30), out(6, 60, { attributes: [{ spec_id: 1, value: 'z' }] }), out(12, 120), kf(14, 140)]);
    const never = track([out(5, 50), out(8, 80)]);
    for (const t of [before, endsAtStart, after, gap, gapWithKeys, never]) expect(sliceTrack(t, ...S)).toBeUndefined();
  });

  it('starts a track hidden at start at its first visible keyframe, without the outside keyframes before it', () => {
    const t = track([kf(0, 0), out(2, 20), out(5, 50), kf(7, 70), kf(20, 200)]);
    const s = sliceTrack(t, ...S)!;
    expect(s.frame).toBe(7);
    // 7 → 20 moves 10 px a frame: x = 120 on 12.
    expect(s.shapes).toEqual([noIds(t.shapes[3]!), noIds(kf(12, 120))]);
  });

  it('keeps the outside keyframes after the start keyframe (CVAT drops them and shows the gap)', () => {
    const t = track([kf(0, 0), out(6, 60), kf(9, 90)]);
    expect(sliceTrack(t, ...S)!.shapes).toEqual([noIds(kf(4, 40)), noIds(t.shapes[1]!), noIds(t.shapes[2]!)]);
  });

  it('puts the mutable attributes in effect, and the previous keyframe’s flags, on the added keyframes', () => {
    const t = track([
      kf(0, 0, { attributes: [{ spec_id: 1, value: 'a' }, { spec_id: 2, value: 'x' }] }),
      kf(2, 20, { attributes: [{ spec_id: 1, value: 'b' }], occluded: true, z_order: 4 }),
      kf(6, 60, { attributes: [{ spec_id: 2, value: 'y' }] }),
      kf(16, 160, { attributes: [{ spec_id: 1, value: 'c' }] }),
    ]);
    const s = sliceTrack(t, ...S)!;
    const attrs = (a: AttributeValue[]) => [...a].sort((p, q) => p.spec_id - q.spec_id).map((v) => `${v.spec_id}=${v.value}`);
    expect(s.shapes.map((k) => k.frame)).toEqual([4, 6, 12]);
    expect(s.shapes[0]).toMatchObject({ points: box(40), occluded: true, z_order: 4 });
    expect(attrs(s.shapes[0]!.attributes)).toEqual(['1=b', '2=x']);
    // A kept keyframe keeps only what it sets; the rest it inherits in the job as in the task.
    expect(s.shapes[1]!.attributes).toEqual([{ spec_id: 2, value: 'y' }]);
    expect(s.shapes[2]).toMatchObject({ points: box(120), occluded: false, z_order: 0 });
    expect(attrs(s.shapes[2]!.attributes)).toEqual(['1=b', '2=y']);
    // On every frame of the range the job's copy says what the task's track says.
    for (let f = 4; f <= 12; f++) {
      const want = shapeAt(t, f)!, got = shapeAt(s, f)!;
      expect([got.points, got.occluded, attrs(got.attributes)]).toEqual([want.points, want.occluded, attrs(want.attributes)]);
    }
  });

  it('clips a skeleton’s points each on its own keyframes, leaving out points hidden over the range', () => {
    const t = track([skel(0), skel(20)], {
      label_id: 10,
      elements: [
        element(11, [pt(0, 0, 0), pt(16, 16, 0)]), // moving: added keyframes at 4 and 12
        element(12, [pt(0, 0, 5), pt(2, 2, 5, true)]), // hidden from 2 on
        element(13, [pt(0, 0, 9, true), pt(8, 8, 9), pt(10, 10, 9, true)]), // shows 8..9
      ],
    });
    const s = sliceTrack(t, ...S)!;
    // The parent's points are [] on both sides of 12: CVAT's equal-points rule adds nothing.
    expect(s.shapes).toEqual([{ ...noIds(skel(4)) }]);
    expect(s.frame).toBe(4);
    expect(s.elements).toEqual([
      { ...noIds(t.elements[0]!), frame: 4, shapes: [noIds(pt(4, 4, 0)), noIds(pt(12, 12, 0))] },
      { ...noIds(t.elements[2]!), frame: 8, shapes: noIds(t.elements[2]!.shapes.slice(1)) },
    ]);
  });

  it('takes a skeleton’s presence from its own keyframes, and leaves out one with no point showing', () => {
    const points = [element(11, [pt(0, 1, 1), pt(3, 1, 1, true)])];
    // The parent is hidden over the range: left out whatever its points do (CVAT reads the parent).
    const hiddenParent = track([skel(0), skel(2, true), skel(14)], { elements: [element(11, [pt(0, 1, 1)])] });
    expect(sliceTrack(hiddenParent, ...S)).toBeUndefined();
    // The parent shows but none of its points does.
    const noPoints = track([skel(0), skel(20)], { elements: points });
    expect(sliceTrack(noPoints, ...S)).toBeUndefined();
    expect(sliceTrack(noPoints, 0, 3)!.elements).toHaveLength(1);
  });
});

describe('sliceAnnotations then mergeSegments', () => {
  const attrs = (a: AttributeValue[]) => [...a].sort((p, q) => p.spec_id - q.spec_id);

  /** Everything visible on a frame, as exports list it, ignoring which frames are keyframes. */
  function visibleOn(tracks: LabeledTrack[], frame: number) {
    const seen = [];
    for (const t of tracks) {
      const s = shapeAt(t, frame);
      if (!s) continue;
      seen.push({
        label_id: t.label_id,
        attributes: attrs(t.attributes),
        type: s.type,
        points: s.points,
        rotation: s.rotation,
        occluded: s.occluded,
        z_order: s.z_order,
        mutable: attrs(s.attributes),
        // A point hidden over a job's whole range is absent from that job's copy rather than
        // outside: the same on screen.
        elements: s.elements.filter((e) => !e.outside).map((e) => [e.label_id, e.points]),
      });
    }
    return seen.sort((a, b) => a.label_id - b.label_id || a.points[0]! - b.points[0]!);
  }

  it('gives back the task’s data for segments that do not overlap; tracks come back cut at the seams', () => {
    // Three jobs: 0..9, 10..19, 20..29.
    const segments = [[0, 9], [10, 19], [20, 29]] as const;
    const tags = [tag(0), tag(9, { label_id: 2 }), tag(10), tag(29)];
    const shapes = [shape(3), shape(10), shape(19), shape(20, { type: 'polygon', points: [0, 0, 5, 0, 5, 5] })];
    // Moving 10 px a frame from 2 to 18, then still until it leaves at 25.
    const t1 = track([kf(2, 0, { attributes: [{ spec_id: 7, value: 'a' }] }), kf(18, 160, { attributes: [{ spec_id: 7, value: 'b' }] }), out(25, 160)], {
      label_id: 1,
      attributes: [{ spec_id: 9, value: 'car' }],
    });
    // Appears on 12 and stays to the end of the task.
    const t2 = track([kf(12, 500)], { label_id: 2 });
    // Inside the first job.
    const t3 = track([kf(1, 300), out(4, 300)], { label_id: 3 });
    // A skeleton: point 11 moves from 6 to 13 then stays, point 12 leaves on 8.
    const t4 = track([skel(6), skel(13)], {
      label_id: 10,
      elements: [element(11, [pt(6, 0, 0), pt(13, 7, 0)]), element(12, [pt(6, 0, 5), pt(8, 0, 5, true)])],
    });
    const d = deepFreeze(data({ tags, shapes, tracks: [t1, t2, t3, t4] }));

    const merged = mergeSegments(segments.map(([start, stop]) => ({ start, stop, annotations: sliceAnnotations(d, start, stop) })));

    // Tags and shapes: the same, in the same order, without ids.
    expect(merged.tags).toEqual(noIds(tags));
    expect(merged.shapes).toEqual(noIds(shapes));

    // Tracks: one per job a track shows in, in job order. Each copy after the first starts with
    // the interpolated keyframe at its job's start; each one that still shows at its job's stop
    // and moves on gets the interpolated keyframe at stop, and the merge closes every copy still
    // visible with an outside copy of its last keyframe on the next job's start.
    const k = (s: TrackedShape) => noIds(s);
    const a = [{ spec_id: 7, value: 'a' }];
    const b = [{ spec_id: 7, value: 'b' }];
    const copy = (t: LabeledTrack, shapes: TrackedShape[], elements: SubTrack[] = []) =>
      ({ ...noIds(t), frame: shapes[0]!.frame, shapes, elements });
    const el = (e: SubTrack, shapes: TrackedShape[]) => ({ ...noIds(e), frame: shapes[0]!.frame, shapes });
    const [e11, e12] = t4.elements as [SubTrack, SubTrack];
    expect(merged.tracks).toEqual([
      // Job 0..9.
      copy(t1, [k(t1.shapes[0]!), k(kf(9, 70, { attributes: a })), k(out(10, 70, { attributes: a }))]),
      copy(t3, [k(t3.shapes[0]!), k(t3.shapes[1]!)]),
      copy(t4, [k(skel(6)), k(skel(10, true))], [
        el(e11, [k(e11.shapes[0]!), k(pt(9, 3, 0)), k(pt(10, 3, 0, true))]),
        el(e12, e12.shapes.map(k)),
      ]),
      // Job 10..19: on 19, t1 is still at keyframe 18's points, so no keyframe there.
      copy(t1, [k(kf(10, 80, { attributes: a })), k(t1.shapes[1]!), k(out(20, 160, { attributes: b }))]),
      copy(t2, [k(t2.shapes[0]!), k(out(20, 500))]),
      copy(t4, [k(skel(10)), k(skel(13)), k(skel(20, true))], [
        el(e11, [k(pt(10, 4, 0)), k(e11.shapes[1]!), k(pt(20, 7, 0, true))]),
      ]),
      // Job 20..29.
      copy(t1, [k(kf(20, 160, { attributes: b })), k(t1.shapes[2]!)]),
      copy(t2, [k(kf(20, 500))]),
      copy(t4, [k(skel(20))], [el(e11, [k(pt(20, 7, 0))])]),
    ]);

    // And on every frame of the task the copies show what the tracks showed.
    for (let f = 0; f <= 29; f++) expect(visibleOn(merged.tracks, f), `frame ${f}`).toEqual(visibleOn(d.tracks, f));
  });

  it('joins a track again across overlapping segments, with the seam keyframes on its path', () => {
    const t = track([kf(0, 0), kf(16, 160), out(20, 160)]);
    const d = deepFreeze(data({ tracks: [t] }));
    const merged = mergeSegments([
      { start: 0, stop: 9, annotations: sliceAnnotations(d, 0, 9) },
      { start: 8, stop: 17, annotations: sliceAnnotations(d, 8, 17) },
      { start: 16, stop: 25, annotations: sliceAnnotations(d, 16, 25) },
    ]);
    expect(merged.tracks).toHaveLength(1);
    // 9: the first job's stop; 8: the second job's start; 16, 20: keyframes of the track (16 is
    // also the third job's start, where the copies have the keyframe itself).
    expect(merged.tracks[0]!.shapes).toEqual([noIds(t.shapes[0]!), noIds(kf(8, 80)), noIds(kf(9, 90)), noIds(t.shapes[1]!), noIds(t.shapes[2]!)]);
    for (let f = 0; f <= 25; f++) expect(visibleOn(merged.tracks, f), `frame ${f}`).toEqual(visibleOn(d.tracks, f));
  });
});
