import { describe, expect, it } from 'vitest';
import type { LabelSchema } from '../../src/annotations/schema.js';
import { DatasetApplier, applyParsedDataset, type ApplyOptions } from '../../src/formats/convert/index.js';
import type { DatasetImage, DatasetShape, DatasetTag, DatasetTrack, DatasetTrackShape, FrameAnnotations, ParsedDataset } from '../../src/formats/model.js';

const schema: LabelSchema = {
  labels: [
    {
      id: 1, name: 'car', type: 'rectangle', sublabels: [],
      attributes: [
        { id: 11, name: 'parked', mutable: false, input_type: 'checkbox', default_value: 'false', values: ['false'] },
        { id: 12, name: 'lights', mutable: true, input_type: 'select', default_value: 'off', values: ['off', 'on'] },
      ],
    },
    { id: 2, name: 'Car', type: 'any', attributes: [], sublabels: [] },
    {
      id: 3, name: 'person', type: 'skeleton', attributes: [],
      sublabels: [{ id: 4, name: 'head', type: 'points', attributes: [], sublabels: [] }],
    },
    { id: 5, name: 'day', type: 'tag', attributes: [], sublabels: [] },
  ],
};

const task: DatasetImage[] = [
  { frame: 0, name: 'a/x.jpg', width: 10, height: 10 },
  { frame: 1, name: 'b/x.jpg', width: 10, height: 10 },
  { frame: 2, name: 'b/y.png', width: 10, height: 10 },
  { frame: 3, name: 'z.jpg', width: 10, height: 10 },
  { frame: 4, name: 'w.jpg', width: 10, height: 10 },
  { frame: 5, name: 'v.jpg', width: 10, height: 10 },
];

const box = (label: string, points: number[], over: Partial<DatasetShape> = {}): DatasetShape => ({
  label, group: 0, source: 'manual', attributes: {}, type: 'rectangle', points, rotation: 0, occluded: false, outside: false, z_order: 0, ...over,
});
const tag = (label: string, over: Partial<DatasetTag> = {}): DatasetTag => ({ label, group: 0, source: 'manual', attributes: {}, ...over });
const item = (name: string, shapes: DatasetShape[], tags: DatasetTag[] = [], frame = -1): FrameAnnotations => ({
  image: { frame, name, width: 10, height: 10 }, shapes, tags,
});
const parsed = (frames: FrameAnnotations[], tracks: DatasetTrack[] = []): ParsedDataset => ({ labels: [], frames, tracks });
const strict: ApplyOptions = { onUnknownLabel: 'error' };
const apply = (p: ParsedDataset, options: ApplyOptions = strict) => applyParsedDataset(p, schema, task, options);

describe('matching items to task frames', () => {
  it('matches by path, by path without extension or directories, and by a unique stem', () => {
    const out = apply(parsed([
      item('b/y.jpg', [box('car', [0, 0, 1, 1])]),
      item('images/a/x.jpg', [box('car', [0, 0, 2, 2])]),
      item('z', [box('car', [0, 0, 3, 3])]),
      item('other/dir/w.jpeg', [box('car', [0, 0, 4, 4])]),
    ]));
    expect(out.problems).toEqual([]);
    expect(out.annotations.shapes.map((s) => [s.frame, s.points[2]])).toEqual([[2, 1], [0, 2], [3, 3], [4, 4]]);
  });

  it('reports a stem two task images share, naming both', () => {
    const out = apply(parsed([item('x.jpg', [box('car', [0, 0, 1, 1])])]));
    expect(out.problems).toEqual(['item "x.jpg" matches 2 images of the task by file name alone ("a/x.jpg", "b/x.jpg"); name it with its directories']);
  });

  it('reports items naming images the task lacks, or skips them on request', () => {
    const p = parsed([item('nope.jpg', [box('car', [0, 0, 1, 1])]), item('z.jpg', [box('car', [0, 0, 1, 1])]), item('gone/q.png', [], [], 99)]);
    expect(apply(p).problems).toEqual([
      'item "nope.jpg" matches no image of the task',
      'item "gone/q.png" matches no image of the task (nor does its frame number 99)',
    ]);
    const lenient = apply(p, { onUnknownLabel: 'error', ignoreMissingImages: true });
    expect(lenient.problems).toEqual([]);
    expect(lenient.skipped.items).toEqual(['nope.jpg', 'gone/q.png']);
    expect(lenient.annotations.shapes.map((s) => s.frame)).toEqual([3]);
  });

  it('falls back to the frame number when no name matches, and prefers a matching name', () => {
    const out = apply(parsed([item('frame_000005', [box('car', [0, 0, 1, 1])], [], 5), item('z.jpg', [box('car', [0, 0, 2, 2])], [], 1)]));
    expect(out.problems).toEqual([]);
    expect(out.annotations.shapes.map((s) => s.frame)).toEqual([5, 3]);
  });
});

describe('labels and attributes', () => {
  it('reports a label the task lacks once, with its count and first item', () => {
    const out = apply(parsed([
      item('z.jpg', [box('truck', [0, 0, 1, 1]), box('car', [0, 0, 1, 1])], [tag('truck')]),
      item('w.jpg', [box('truck', [0, 0, 1, 1])]),
    ]));
    expect(out.problems).toEqual(['label "truck" is not a label of the task (used 3 times, first in item "z.jpg")']);
    expect(out.annotations.shapes).toHaveLength(1);
  });

  it('skips and counts unknown labels and skeleton points when asked', () => {
    const skeleton = box('person', [], {
      type: 'skeleton',
      elements: [box('head', [1, 1], { type: 'points' }), box('tail', [2, 2], { type: 'points' })],
    });
    const out = apply(parsed([
      item('z.jpg', [box('truck', [0, 0, 1, 1]), skeleton], [tag('weather')]),
      item('w.jpg', [box('truck', [0, 0, 1, 1])]),
    ]), { onUnknownLabel: 'skip' });
    expect(out.problems).toEqual([]);
    expect(out.skipped.labels).toEqual({ truck: 2, weather: 1, 'person.tail': 1 });
    expect(out.annotations.shapes).toHaveLength(1);
    expect(out.annotations.shapes[0]!.elements.map((e) => [e.label_id, e.points])).toEqual([[4, [1, 1]]]);
    const strictOut = apply(parsed([item('z.jpg', [skeleton])]));
    expect(strictOut.problems).toEqual(['skeleton "person" has no point "tail" (used once, in item "z.jpg")']);
  });

  it('matches label names exactly, case included', () => {
    const out = apply(parsed([item('z.jpg', [box('Car', [0, 0, 1, 1], { type: 'polygon' }), box('CAR', [0, 0, 1, 1])])]));
    expect(out.annotations.shapes.map((s) => s.label_id)).toEqual([2]);
    expect(out.problems).toEqual(['label "CAR" is not a label of the task (used once, in item "z.jpg")']);
  });

  it('reports a label that cannot take the object, naming the item', () => {
    const out = apply(parsed([item('z.jpg', [box('car', [0, 0, 1, 1, 2, 0], { type: 'polygon' })], [tag('car')])]));
    expect(out.problems).toEqual([
      'label "car" (rectangle) cannot label polygon shapes (used once, in item "z.jpg")',
      'label "car" (rectangle) cannot label tags (used once, in item "z.jpg")',
    ]);
  });

  it('maps attributes by name in the label order, normalises checkbox spelling, reports unknown ones', () => {
    const out = apply(parsed([
      item('z.jpg', [box('car', [0, 0, 1, 1], { attributes: { lights: 'on', color: 'red', parked: 'True' } })]),
      item('w.jpg', [box('car', [0, 0, 1, 1], { attributes: { color: 'blue', lights: 'Off' } })]),
    ]));
    expect(out.annotations.shapes.map((s) => s.attributes)).toEqual([
      [{ spec_id: 11, value: 'true' }, { spec_id: 12, value: 'on' }],
      // Not a checkbox: left for the server's validation to report.
      [{ spec_id: 12, value: 'Off' }],
    ]);
    // By default values of undeclared attributes are left out and counted (formats add their own).
    expect(out.problems).toEqual([]);
    expect(out.skipped.attributes).toEqual({ 'car.color': 2 });
    const strictAttrs = apply(parsed([item('z.jpg', [box('car', [0, 0, 1, 1], { attributes: { color: 'red' } })])]), { ...strict, onUnknownAttribute: 'error' });
    expect(strictAttrs.problems).toEqual(['attribute "color" is not an attribute of label "car" (used once, in item "z.jpg")']);
  });
});

describe('tracks', () => {
  it('rebuilds tracks from shapes with track ids and no keyframe flags (YOLO), closing each visible run', () => {
    const t = (frame: string, x: number, id: number, attributes: Record<string, string> = {}) =>
      item(frame, [box('car', [x, 0, x + 1, 1], { track_id: id, attributes })]);
    const out = apply(parsed([
      t('a/x.jpg', 0, 7, { parked: 'false', lights: 'off' }),
      t('b/x.jpg', 1, 7, { parked: 'false', lights: 'on' }),
      t('z.jpg', 3, 7),
      t('v.jpg', 9, 2),
    ]));
    expect(out.problems).toEqual([]);
    expect(out.annotations.tracks.map((tr) => [tr.attributes, tr.shapes.map((s) => [s.frame, s.outside, s.points[0], s.attributes])])).toEqual([
      // Track 2 runs to the last frame: nothing to close.
      [[], [[5, false, 9, []]]],
      [[{ spec_id: 11, value: 'false' }], [
        [0, false, 0, [{ spec_id: 12, value: 'off' }]],
        [1, false, 1, [{ spec_id: 12, value: 'on' }]],
        // Not written on frame 2: hidden there, then back on 3 until hidden on 4.
        [2, true, 1, [{ spec_id: 12, value: 'on' }]],
        [3, false, 3, []],
        [4, true, 3, []],
      ]],
    ]);
  });

  it('keeps only marked keyframes where a flag is given, and reports two shapes of a track on one frame', () => {
    const out = apply(parsed([
      item('a/x.jpg', [box('car', [0, 0, 1, 1], { track_id: 0, keyframe: true })]),
      item('b/x.jpg', [box('car', [1, 0, 2, 1], { track_id: 0, keyframe: false }), box('car', [5, 0, 6, 1], { track_id: 0, keyframe: true })]),
      item('b/y.png', [box('car', [2, 0, 3, 1], { track_id: 0, keyframe: true })]),
      item('z.jpg', [box('Car', [2, 0, 3, 1], { track_id: 0, keyframe: true })]),
    ]));
    expect(out.annotations.tracks[0]!.shapes.map((s) => [s.frame, s.outside, s.points[0]])).toEqual([[0, false, 0], [2, false, 2], [3, true, 2]]);
    expect(out.problems).toEqual([
      'track 0 has shapes of label "Car" (used once, in item "z.jpg"), but its first shape (item "a/x.jpg") has "car"',
      'item "b/x.jpg": track 0 has two shapes on frame 1; the first is kept',
    ]);
  });

  it('rebuilds skeleton tracks point by point', () => {
    const sk = (name: string, outsideHead: boolean) => item(name, [box('person', [], {
      type: 'skeleton', track_id: 1, keyframe: name === 'a/x.jpg',
      elements: [box('head', [4, 4], { type: 'points', outside: outsideHead, keyframe: name !== 'b/y.png' })],
    })]);
    const out = apply(parsed([sk('a/x.jpg', false), sk('b/x.jpg', true), sk('b/y.png', true)]));
    expect(out.problems).toEqual([]);
    const [tr] = out.annotations.tracks;
    expect(tr!.shapes.map((s) => [s.frame, s.outside, s.type])).toEqual([[0, false, 'skeleton'], [3, true, 'skeleton']]);
    expect(tr!.elements.map((e) => [e.label_id, e.frame, e.shapes.map((s) => [s.frame, s.outside])])).toEqual([[4, 0, [[0, false], [1, true]]]]);
  });

  const kf = (frame: number, x: number, over: Partial<DatasetTrackShape> = {}): DatasetTrackShape => ({
    frame, type: 'rectangle', points: [x, 0, x + 1, 1], rotation: 0, occluded: false, outside: false, z_order: 0, attributes: {}, keyframe: true, ...over,
  });
  const videoTrack = (shapes: DatasetTrackShape[], over: Partial<DatasetTrack> = {}): DatasetTrack => ({
    id: 0, label: 'car', group: 0, source: 'manual', attributes: {}, shapes, ...over,
  });

  it('converts parsed tracks, moving attributes to where the task declares them', () => {
    const out = apply(parsed([], [videoTrack([
      kf(1, 0, { attributes: { parked: 'true' } }),
      kf(2, 1, { keyframe: false }),
      kf(3, 2, { attributes: { lights: 'on' } }),
      kf(4, 2, { outside: true }),
    ], { attributes: { lights: 'off' } })]));
    expect(out.problems).toEqual([]);
    expect(out.annotations.tracks).toEqual([{
      frame: 1, label_id: 1, group: 0, source: 'manual', attributes: [{ spec_id: 11, value: 'true' }], elements: [],
      shapes: [
        { frame: 1, type: 'rectangle', points: [0, 0, 1, 1], rotation: 0, occluded: false, outside: false, z_order: 0, attributes: [{ spec_id: 12, value: 'off' }] },
        { frame: 3, type: 'rectangle', points: [2, 0, 3, 1], rotation: 0, occluded: false, outside: false, z_order: 0, attributes: [{ spec_id: 12, value: 'on' }] },
        { frame: 4, type: 'rectangle', points: [2, 0, 3, 1], rotation: 0, occluded: false, outside: true, z_order: 0, attributes: [] },
      ],
    }]);
  });

  it('places track frames by the offset numbered items show, and reports frames the task lacks', () => {
    // Items numbered from 1 (MOT rows) name task frames 0..: tracks move by -1.
    const frames = [item('a/x.jpg', [], [], 1), item('b/x.jpg', [], [], 2)];
    const out = apply(parsed(frames, [videoTrack([kf(1, 0), kf(3, 1), kf(7, 1, { outside: true })]), videoTrack([kf(9, 0)], { id: 5 })]));
    expect(out.annotations.tracks.map((t) => t.shapes.map((s) => s.frame))).toEqual([[0, 2]]);
    expect(out.problems).toEqual(['track 5: the track has a keyframe on frame 9 of the file, which is no frame of the task']);
  });

  it('counts unknown track labels as objects when skipping', () => {
    const out = apply(parsed([], [videoTrack([kf(0, 0)], { label: 'bus' }), videoTrack([kf(0, 0)], { label: 'bus', id: 1 })]), { onUnknownLabel: 'skip' });
    expect(out.skipped.labels).toEqual({ bus: 2 });
    expect(out.annotations.tracks).toEqual([]);
  });
});

describe('groups', () => {
  it('renumbers file groups 1..n over the import, keeping 0 and groups across frames', () => {
    const out = apply(parsed([
      item('z.jpg', [box('car', [0, 0, 1, 1], { group: 12 }), box('car', [0, 0, 1, 1], { group: 3 })], [tag('day', { group: 12 })]),
      item('w.jpg', [box('car', [0, 0, 1, 1], { group: 12 }), box('car', [0, 0, 1, 1], { group: 0 }), box('car', [0, 0, 1, 1], { group: -1 })]),
    ]));
    expect(out.annotations.shapes.map((s) => s.group)).toEqual([2, 1, 2, 0, 0]);
    expect(out.annotations.tags.map((t) => t.group)).toEqual([2]);
    expect(out.annotations.version).toBe(0);
  });
});

describe('conversion in batches (large imports)', () => {
  const frames = () => [
    item('a/x.jpg', [box('car', [0, 0, 1, 1], { group: 9 }), box('car', [0, 0, 2, 2], { track_id: 4 })], [tag('day', { group: 3 })]),
    item('b/x.jpg', [box('car', [1, 1, 2, 2]), box('car', [1, 0, 2, 1], { track_id: 4 })]),
    item('z.jpg', [box('car', [2, 2, 3, 3], { group: 9 }), box('car', [2, 0, 3, 1], { track_id: 4 })]),
    item('w.jpg', [box('car', [3, 3, 4, 4], { group: 3 })], [tag('day')]),
  ];

  it('gives, batch after batch, what one pass gives: same objects, groups numbered over the whole file, tracks across batches', () => {
    const whole = apply(parsed(frames()));
    const applier = new DatasetApplier(parsed(frames()), schema, task, strict);
    const batches = [];
    for (let b = applier.next(2); b; b = applier.next(2)) batches.push(b);
    const rest = applier.finish();
    // Whole frames only: a frame is never split between batches.
    expect(batches.map((b) => [...new Set([...b.shapes, ...b.tags].map((o) => o.frame))])).toEqual([[0], [1], [3], [4]]);
    expect(batches.flatMap((b) => b.shapes)).toEqual(whole.annotations.shapes);
    expect(batches.flatMap((b) => b.tags)).toEqual(whole.annotations.tags);
    expect(batches.flatMap((b) => b.shapes).map((s) => s.group)).toEqual([2, 0, 2, 1]);
    expect(rest.tracks).toEqual(whole.annotations.tracks);
    // Seen on frames 0, 1 and 3 (z.jpg), in three batches: hidden on 2 and after 3.
    expect(rest.tracks[0]!.shapes.map((s) => [s.frame, s.outside])).toEqual([[0, false], [1, false], [2, true], [3, false], [4, true]]);
    expect(rest.problems).toEqual([]);
    expect(applier.fractionDone()).toBe(1);
  });

  it('lets each frame\'s objects go once converted when asked to consume, and only then', () => {
    const kept = parsed(frames());
    const keeping = new DatasetApplier(kept, schema, task, strict);
    keeping.next(2);
    expect(kept.frames[0]!.shapes.length).toBeGreaterThan(0);
    const consumed = parsed(frames());
    const consuming = new DatasetApplier(consumed, schema, task, { ...strict, consume: true });
    const first = consuming.next(2)!;
    expect(first.shapes.length).toBeGreaterThan(0);
    expect(consumed.frames[0]!.shapes).toEqual([]);
    expect(consumed.frames[consumed.frames.length - 1]!.shapes.length).toBeGreaterThan(0);
    // Tracks are still built from every frame's shapes.
    for (let b = consuming.next(2); b; b = consuming.next(2));
    expect(consuming.finish().tracks).toEqual(apply(parsed(frames())).annotations.tracks);
  });

  it('reports a problem with the batch that holds it, before later batches are converted', () => {
    const applier = new DatasetApplier(parsed([...frames(), item('v.jpg', [box('truck', [0, 0, 1, 1])])]), schema, task, strict);
    for (let i = 0; i < 4; i++) {
      applier.next(1);
      expect(applier.problems()).toEqual([]);
    }
    applier.next(1);
    expect(applier.problems()).toEqual([expect.stringContaining('"truck"')]);
  });
});
