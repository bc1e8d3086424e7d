import { describe, expect, it } from 'vitest';
import type { LabelSchema } from '../../src/annotations/schema.js';
import type {
  Annotations, AttributeValue, LabeledShape, LabeledTrack, ShapeGeometry, SubShape, SubTrack, TrackedShape,
} from '../../src/annotations/types.js';
import { annotationsToDataset, applyParsedDataset, schemaToDatasetLabels } from '../../src/formats/convert/index.js';
import type { DatasetImage, FrameAnnotations, ParsedDataset } from '../../src/formats/model.js';

const schema: LabelSchema = {
  labels: [
    {
      id: 1, name: 'car', type: 'rectangle', sublabels: [],
      attributes: [
        { id: 11, name: 'model', mutable: false, input_type: 'select', default_value: 'a', values: ['a', 'b'] },
        { id: 12, name: 'moving', mutable: true, input_type: 'checkbox', default_value: 'false', values: ['false'] },
        { id: 13, name: 'speed', mutable: true, input_type: 'number', default_value: '0', values: ['0', '100', '1'] },
      ],
    },
    { id: 2, name: 'road', type: 'polygon', attributes: [], sublabels: [] },
    { id: 3, name: 'thing', type: 'any', attributes: [{ id: 31, name: 'note', mutable: false, input_type: 'text', default_value: '', values: [] }], sublabels: [] },
    {
      id: 4, name: 'person', type: 'skeleton',
      attributes: [{ id: 41, name: 'pose', mutable: true, input_type: 'select', default_value: 'stand', values: ['stand', 'sit'] }],
      sublabels: [
        { id: 5, name: 'head', type: 'points', attributes: [{ id: 51, name: 'seen', mutable: true, input_type: 'checkbox', default_value: 'true', values: ['true'] }], sublabels: [] },
        { id: 6, name: 'hand', type: 'points', attributes: [], sublabels: [] },
      ],
    },
    { id: 7, name: 'weather', type: 'tag', attributes: [{ id: 71, name: 'kind', mutable: false, input_type: 'radio', default_value: 'sun', values: ['sun', 'rain'] }], sublabels: [] },
    { id: 8, name: 'blob', type: 'mask', attributes: [], sublabels: [] },
    { id: 9, name: 'wheel', type: 'ellipse', attributes: [], sublabels: [] },
  ],
};

const images: DatasetImage[] = Array.from({ length: 10 }, (_, frame) => ({ frame, name: `cam/${String(frame).padStart(4, '0')}.jpg`, width: 100, height: 80 }));

const av = (spec_id: number, value: string): AttributeValue => ({ spec_id, value });
const geo = (type: ShapeGeometry['type'], points: number[], over: Partial<ShapeGeometry> = {}): ShapeGeometry => ({
  type, points, rotation: 0, occluded: false, outside: false, z_order: 0, ...over,
});
const key = (frame: number, g: ShapeGeometry, attributes: AttributeValue[] = []): TrackedShape => ({ frame, ...g, attributes });
const MASK = [0, 3, 1, 2, 10, 20, 12, 21];

function shape(frame: number, label_id: number, g: ShapeGeometry, over: Partial<LabeledShape> = {}): LabeledShape {
  return { frame, label_id, group: 0, source: 'manual', attributes: [], score: 1, elements: [], ...g, ...over };
}
function point(frame: number, label_id: number, xy: [number, number], over: Partial<SubShape> = {}): SubShape {
  return { frame, label_id, group: 0, source: 'manual', attributes: [], score: 1, ...geo('points', xy), ...over };
}
function track(label_id: number, shapes: TrackedShape[], over: Partial<LabeledTrack> = {}): LabeledTrack {
  return { frame: shapes[0]!.frame, label_id, group: 0, source: 'manual', attributes: [], shapes, elements: [], ...over };
}
function sub(label_id: number, shapes: TrackedShape[]): SubTrack {
  return { frame: shapes[0]!.frame, label_id, group: 0, source: 'manual', attributes: [], shapes };
}

/**
 * Annotations in the form an import gives back: shapes by frame then z_order, attributes in the
 * label's order, keyframes listing every mutable value in effect, outside keyframes with the
 * geometry of the frame before, groups 1..n.
 */
function canonical(): Annotations {
  return {
    version: 0,
    tags: [
      { frame: 0, label_id: 7, group: 0, source: 'manual', attributes: [av(71, 'rain')] },
      { frame: 5, label_id: 7, group: 2, source: 'auto', attributes: [av(71, 'sun')] },
    ],
    shapes: [
      shape(0, 1, geo('rectangle', [10, 10, 30, 20], { rotation: 30, occluded: true }), {
        group: 1, score: 0.9, source: 'auto', attributes: [av(11, 'b'), av(12, 'true'), av(13, '5')],
      }),
      shape(0, 2, geo('polygon', [1, 1, 50, 1, 25, 40], { z_order: 1 }), { group: 1 }),
      shape(1, 9, geo('ellipse', [40, 40, 50, 35], { rotation: 15 })),
      shape(2, 8, geo('mask', MASK), { source: 'file' }),
      shape(3, 3, geo('points', [5, 5, 6, 6]), { attributes: [av(31, 'a note')] }),
      shape(3, 4, geo('skeleton', [], { z_order: 2 }), {
        group: 2,
        attributes: [av(41, 'sit')],
        elements: [point(3, 5, [10, 10], { attributes: [av(51, 'false')] }), point(3, 6, [20, 25], { outside: true, occluded: true })],
      }),
    ],
    tracks: [
      // Runs to the last frame: no closing keyframe.
      track(1, [
        key(0, geo('rectangle', [0, 0, 10, 10]), [av(12, 'false'), av(13, '10')]),
        key(3, geo('rectangle', [30, 0, 40, 10], { rotation: 45 }), [av(12, 'true'), av(13, '20')]),
        key(5, geo('rectangle', [30, 0, 40, 10], { rotation: 45, outside: true }), [av(12, 'true'), av(13, '20')]),
        key(7, geo('rectangle', [50, 5, 60, 15], { occluded: true, z_order: 3 }), [av(12, 'true'), av(13, '30')]),
      ], { attributes: [av(11, 'a')], source: 'semi-auto' }),
      // Ends before the last frame.
      track(1, [
        key(2, geo('rectangle', [5, 5, 15, 15]), [av(13, '1')]),
        key(4, geo('rectangle', [5, 5, 15, 15], { outside: true }), [av(13, '1')]),
      ], { attributes: [av(11, 'b')], group: 1 }),
      track(4, [
        key(1, geo('skeleton', []), [av(41, 'stand')]),
        key(4, geo('skeleton', [], { outside: true }), [av(41, 'stand')]),
      ], {
        elements: [
          sub(5, [key(1, geo('points', [10, 10]), [av(51, 'true')]), key(2, geo('points', [10, 10], { outside: true }), [av(51, 'true')])]),
          sub(6, [key(1, geo('points', [20, 20])), key(4, geo('points', [20, 20], { outside: true }))]),
        ],
      }),
      track(2, [key(6, geo('polygon', [0, 0, 10, 0, 5, 8])), key(8, geo('polygon', [20, 0, 30, 0, 25, 8, 22, 9]))]),
      track(8, [key(0, geo('mask', MASK)), key(2, geo('mask', MASK, { outside: true }))]),
    ],
  };
}

/** A codec's output read back: plain JSON, nothing shared with the export. */
const reread = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function flattened(data: Annotations): { frames: FrameAnnotations[]; tracks: ParsedDataset['tracks'] } {
  const out = annotationsToDataset(data, schema);
  return { frames: reread([...out.framesSync(images)]), tracks: reread(out.tracks) };
}

describe('annotations -> dataset model -> annotations', () => {
  it('comes back equal through flattened tracks (COCO, YOLO, LabelMe write them so)', () => {
    const { frames } = flattened(canonical());
    const parsed: ParsedDataset = { labels: schemaToDatasetLabels(schema), frames, tracks: [] };
    const back = applyParsedDataset(parsed, schema, images, { onUnknownLabel: 'error' });
    expect(back.problems).toEqual([]);
    expect(back.skipped).toEqual({ labels: {}, items: [], attributes: {} });
    expect(back.annotations).toEqual(canonical());
  });

  it('comes back equal through tracks kept whole (CVAT for video, MOT, Datumaro)', () => {
    const { frames, tracks } = flattened(canonical());
    const parsed: ParsedDataset = {
      labels: schemaToDatasetLabels(schema),
      frames: frames.map((f) => ({ ...f, shapes: f.shapes.filter((s) => s.track_id === undefined) })),
      tracks,
    };
    const back = applyParsedDataset(parsed, schema, images, { onUnknownLabel: 'error' });
    expect(back.problems).toEqual([]);
    expect(back.annotations).toEqual(canonical());
  });

  it('keeps what keyframes mean when they list only the values that change', () => {
    const sparse = canonical();
    const t = sparse.tracks[0]!;
    const full = canonical().tracks[0]!.shapes;
    // Only the values that differ from the keyframe before.
    t.shapes = t.shapes.map((s, i) => ({
      ...s,
      attributes: i === 0 ? s.attributes : s.attributes.filter((a) => full[i - 1]!.attributes.find((p) => p.spec_id === a.spec_id)?.value !== a.value),
    }));
    expect(t.shapes.map((s) => s.attributes.length)).toEqual([2, 2, 0, 1]);
    const back = applyParsedDataset({ labels: [], frames: flattened(sparse).frames, tracks: [] }, schema, images, { onUnknownLabel: 'error' });
    expect(back.problems).toEqual([]);
    // Every keyframe now says what is in effect there, which is what the sparse form meant.
    expect(back.annotations).toEqual(canonical());
  });

  it('compacts group numbers, keeping a group that spans frames one group', () => {
    const data = canonical();
    data.shapes[0]!.group = 7;
    data.shapes[1]!.group = 7;
    data.tracks[1]!.group = 7;
    data.shapes[5]!.group = 40;
    data.tags[1]!.group = 40;
    const back = applyParsedDataset({ labels: [], frames: flattened(data).frames, tracks: [] }, schema, images, { onUnknownLabel: 'error' });
    expect(back.annotations).toEqual(canonical());
  });
});

describe('export builder', () => {
  const out = () => annotationsToDataset(canonical(), schema);

  it('gives every image once, in order, as a stream', async () => {
    const got: FrameAnnotations[] = [];
    async function* stream() {
      for (const i of images) yield i;
    }
    for await (const f of out().frames(stream())) got.push(f);
    expect(got.map((f) => f.image.frame)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(got).toEqual([...out().framesSync(images)]);
  });

  it('flattens tracks with names, track ids, keyframe flags and merged attributes', () => {
    const frames = [...out().framesSync(images)];
    const f1 = frames[1]!.shapes.find((s) => s.track_id === 0)!;
    expect(f1).toEqual({
      label: 'car', group: 0, source: 'semi-auto', attributes: { moving: 'false', speed: '10', model: 'a' },
      type: 'rectangle', points: [10, 0, 20, 10], rotation: 15, occluded: false, outside: false, z_order: 0, track_id: 0, keyframe: false,
    });
    expect(frames[3]!.shapes.find((s) => s.track_id === 0)).toMatchObject({ keyframe: true, attributes: { moving: 'true', speed: '20', model: 'a' } });
    // Outside from frame 5 to 6 and for track 1 from frame 4 on.
    const seen = (id: number) => frames.filter((f) => f.shapes.some((s) => s.track_id === id)).map((f) => f.image.frame);
    expect(seen(0)).toEqual([0, 1, 2, 3, 4, 7, 8, 9]);
    expect(seen(1)).toEqual([2, 3]);
    expect(seen(2)).toEqual([1, 2, 3]);
    expect(seen(4)).toEqual([0, 1]);
  });

  it('orders a frame by z_order, shapes before tracks among equals, and gives skeleton points by name', () => {
    const f3 = out().frame(images[3]!);
    expect(f3.shapes.map((s) => [s.label, s.z_order, s.track_id])).toEqual([
      ['thing', 0, undefined], ['car', 0, 0], ['car', 0, 1], ['person', 0, 2], ['person', 2, undefined],
    ]);
    expect(f3.shapes[3]!.elements).toEqual([
      { label: 'head', group: 0, source: 'manual', attributes: { seen: 'true' }, type: 'points', points: [10, 10], rotation: 0, occluded: false, outside: true, z_order: 0, keyframe: false },
      { label: 'hand', group: 0, source: 'manual', attributes: {}, type: 'points', points: [20, 20], rotation: 0, occluded: false, outside: false, z_order: 0, keyframe: false },
    ]);
    expect(f3.shapes[4]!.elements!.map((e) => [e.label, e.outside, e.score])).toEqual([['head', false, 1], ['hand', true, 1]]);
    expect(out().frame(images[0]!).tags).toEqual([{ label: 'weather', group: 0, source: 'manual', attributes: { kind: 'rain' } }]);
  });

  it('lists tracks with keyframes only, ids matching track_id', () => {
    const { tracks } = out();
    expect(tracks.map((t) => [t.id, t.label, t.shapes.map((s) => s.frame)])).toEqual([
      [0, 'car', [0, 3, 5, 7]], [1, 'car', [2, 4]], [2, 'person', [1, 4]], [3, 'road', [6, 8]], [4, 'blob', [0, 2]],
    ]);
    expect(tracks[0]!.attributes).toEqual({ model: 'a' });
    expect(tracks[0]!.shapes[1]).toEqual({
      frame: 3, type: 'rectangle', points: [30, 0, 40, 10], rotation: 45, occluded: false, outside: false, z_order: 0,
      attributes: { moving: 'true', speed: '20' }, keyframe: true,
    });
    expect(tracks[2]!.elements!.map((e) => [e.label, e.shapes.map((s) => [s.frame, s.outside])])).toEqual([
      ['head', [[1, false], [2, true]]], ['hand', [[1, false], [4, true]]],
    ]);
  });

  it('exports a frame range as CVAT gives a job its share', () => {
    const part = annotationsToDataset(canonical(), schema, { range: { start: 6, stop: 9 } });
    const frames = [...part.framesSync(images.slice(6))];
    expect(frames.map((f) => f.shapes.map((s) => [s.label, s.track_id]))).toEqual([
      [['road', 1]], [['road', 1], ['car', 0]], [['road', 1], ['car', 0]], [['road', 1], ['car', 0]],
    ]);
    // Track ids are positions in the range's own list: track 1 and the skeleton end before it.
    expect(part.tracks.map((t) => [t.id, t.label, t.shapes.map((s) => s.frame)])).toEqual([[0, 'car', [7]], [1, 'road', [6, 8]]]);
    expect(frames[0]!.tags).toEqual([]);
  });

  it('refuses annotations whose label the schema lacks', () => {
    const data = canonical();
    data.shapes[0]!.label_id = 99;
    expect(() => annotationsToDataset(data, schema).frame(images[0]!)).toThrow(/label 99/);
  });
});

describe('schemaToDatasetLabels', () => {
  it('names labels, attributes and skeleton points, with colors and an SVG by name', () => {
    const svg = '<line x1="1" data-type="edge" data-node-from="1" data-node-to="2"></line><circle r="1" data-label-id="5"></circle><circle data-label-id="6"></circle>';
    const labels = schemaToDatasetLabels(schema, { colors: new Map([[1, '#ff0000'], [5, '#00ff00']]), svg: { 4: svg } });
    expect(labels.map((l) => l.name)).toEqual(['car', 'road', 'thing', 'person', 'weather', 'blob', 'wheel']);
    expect(labels[0]).toEqual({
      name: 'car', type: 'rectangle', color: '#ff0000',
      attributes: [
        { name: 'model', mutable: false, input_type: 'select', default_value: 'a', values: ['a', 'b'] },
        { name: 'moving', mutable: true, input_type: 'checkbox', default_value: 'false', values: ['false'] },
        { name: 'speed', mutable: true, input_type: 'number', default_value: '0', values: ['0', '100', '1'] },
      ],
    });
    const person = labels[3]!;
    expect(person.sublabels!.map((s) => [s.name, s.type, s.color])).toEqual([['head', 'points', '#00ff00'], ['hand', 'points', undefined]]);
    expect(person.svg).toBe('<line x1="1" data-type="edge" data-node-from="1" data-node-to="2"></line><circle r="1" data-label-name="head"></circle><circle data-label-name="hand"></circle>');
    expect(labels[1]).toEqual({ name: 'road', type: 'polygon', attributes: [] });
  });
});
