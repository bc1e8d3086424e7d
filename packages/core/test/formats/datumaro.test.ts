import { describe, expect, it } from 'vitest';
import { datumaroFormat } from '../../src/formats/datumaro/index.js';
import { cvatMaskToCoco, decodeCounts, encodeCounts } from '../../src/formats/datumaro/coco-rle.js';
import { boxToEllipse, ellipseToBox } from '../../src/formats/datumaro/geometry.js';
import { AttributeIds, TrackView } from '../../src/formats/cvat/track-view.js';
import type {
  DatasetLabel, DatasetShape, DatasetTrack, DatasetTrackShape, ExportInput, FrameAnnotations, ImportSource, ParsedDataset,
} from '../../src/formats/model.js';
import { DATASETS, ListReport, MemorySink, dirSource, exportInput, iterate, memorySource, sharpRaster } from './harness.js';

const ctx = { raster: sharpRaster, images: [] };

async function exportWith(input: ExportInput) {
  const sink = new MemorySink();
  const report = new ListReport();
  await datumaroFormat.export!(input, sink, { raster: sharpRaster, report });
  return { sink, report };
}

const importFiles = (files: Map<string, Uint8Array>) => datumaroFormat.import!(memorySource(files), ctx);

function jsonSource(json: unknown, path = 'annotations/default.json'): ImportSource {
  const text = typeof json === 'string' ? json : JSON.stringify(json);
  return memorySource(new Map([[path, new TextEncoder().encode(text)]]));
}

/** What the server would export after importing: frames in order with tracks flattened onto them. */
function toExportInput(parsed: ParsedDataset, base: ExportInput): ExportInput {
  const ids = new AttributeIds();
  const views = parsed.tracks.map((t) => new TrackView(t, ids));
  const frames = [...parsed.frames].sort((a, b) => a.image.frame - b.image.frame).map((f): FrameAnnotations => {
    const shapes = [...f.shapes];
    for (const v of views) {
      const s = v.at(f.image.frame);
      if (!s || s.outside) continue;
      const t = v.track;
      shapes.push({
        label: t.label, group: t.group, source: t.source, attributes: { ...s.attributes, ...t.attributes }, type: s.type, points: s.points,
        rotation: s.rotation, occluded: s.occluded, outside: false, z_order: s.z_order, track_id: t.id, keyframe: s.keyframe,
      });
    }
    return { ...f, shapes };
  });
  return { ...base, labels: parsed.labels, tracks: parsed.tracks, frames: iterate(frames) };
}

describe('Datumaro fixture (legacy layout)', () => {
  it('imports subsets, items and labels with exact counts', async () => {
    const d = await datumaroFormat.import!(dirSource(`${DATASETS}datumaro_dataset/legacy`), ctx);
    expect(d.labels).toEqual(['car', 'bicycle', 'tom', 'mary'].map((name) => ({ name, type: 'any', attributes: [] })));
    expect(d.frames.map((f) => [f.image.subset, f.image.name, f.image.frame])).toEqual([
      ['test', 'c.jpg', -1], ['train', 'a.jpg', -1], ['train', 'b.jpg', -1], ['validation', 'd.jpg', -1],
    ]);
    expect(d.frames.map((f) => f.tags.map((t) => t.label))).toEqual([['bicycle', 'mary'], ['car'], ['car', 'bicycle', 'tom', 'mary'], []]);
    expect(d.frames.flatMap((f) => f.shapes)).toEqual([]);
    expect(d.tracks).toEqual([]);
    // The score attribute is Datumaro's, not a label attribute; tags have no score in the model.
    expect(d.frames[1]!.tags[0]).toEqual({ label: 'car', group: 0, source: 'manual', attributes: {} });
  });
});

const vehicle: DatasetLabel = {
  name: 'vehicle', type: 'rectangle', color: '#ff8000', attributes: [
    { name: 'model', mutable: false, input_type: 'select', default_value: 'a', values: ['a', 'b'] },
    { name: 'speed', mutable: true, input_type: 'number', default_value: '0', values: ['0', '100', '1'] },
    { name: 'parked', mutable: true, input_type: 'checkbox', default_value: 'false', values: ['false', 'true'] },
  ],
};
const person: DatasetLabel = {
  name: 'person', type: 'skeleton', attributes: [{ name: 'pose', mutable: true, input_type: 'text', default_value: '', values: [] }],
  sublabels: [
    { name: 'head', type: 'points', color: '#112233', attributes: [{ name: 'face', mutable: true, input_type: 'checkbox', default_value: 'false', values: ['false', 'true'] }] },
    { name: 'foot', type: 'points', attributes: [] },
  ],
  svg: '<line data-type="edge" data-node-from="1" data-node-to="2"></line><circle data-type="element node" data-node-id="1" data-label-name="head"></circle><circle data-type="element node" data-node-id="2" data-label-name="foot"></circle>',
};
const thing: DatasetLabel = { name: 'thing', type: 'any', attributes: [{ name: 'note', mutable: false, input_type: 'text', default_value: '', values: [] }] };

const shape = (label: string, type: DatasetShape['type'], points: number[], over: Partial<DatasetShape> = {}): DatasetShape => ({
  label, group: 0, source: 'manual', attributes: {}, type, points, rotation: 0, occluded: false, outside: false, z_order: 0, ...over,
});
const key = (frame: number, type: DatasetTrackShape['type'], points: number[], over: Partial<DatasetTrackShape> = {}): DatasetTrackShape => ({
  frame, type, points, rotation: 0, occluded: false, outside: false, z_order: 0, attributes: {}, keyframe: true, ...over,
});

/** Every shape kind, tags, scores, groups, z_order, sources, two subsets, and tracks with hidden stretches. */
function sample(): ParsedDataset {
  const image = (frame: number, name: string, subset?: string) => ({ frame, name, width: 64, height: 48, ...(subset ? { subset } : {}) });
  const frames: FrameAnnotations[] = [
    {
      image: image(0, 'a.jpg', 'train'),
      shapes: [
        shape('vehicle', 'rectangle', [10.5, 20, 30.25, 40], { rotation: 12.5, group: 1, z_order: 2, occluded: true, source: 'auto', score: 0.75, attributes: { model: 'b', speed: '7', parked: 'true' } }),
        shape('thing', 'polygon', [1, 1, 10, 1, 10, 10], { group: 1, attributes: { note: 'a "quoted" note' } }),
        shape('thing', 'polyline', [0, 0, 5, 5.5, 7.1, 3.3]),
        shape('thing', 'points', [1, 2, 3, 4], { occluded: true }),
      ],
      tags: [{ label: 'thing', group: 4, source: 'auto', attributes: { note: 'n' } }],
    },
    {
      image: image(1, 'dir/b.png'),
      shapes: [
        shape('thing', 'ellipse', [30.1, 20.7, 40.3, 10.9], { rotation: 45, source: 'semi-auto' }),
        shape('thing', 'cuboid', [1, 2, 1, 10, 8, 2, 8, 10, 3, 1, 3, 9, 10, 1, 10, 9], { z_order: -1 }),
        shape('thing', 'mask', [0, 2, 1, 3, 5, 6, 7, 7], { z_order: 3, source: 'file' }),
        shape('person', 'skeleton', [], {
          z_order: 1, group: 2, attributes: { pose: 'sit' },
          elements: [
            shape('head', 'points', [20, 20], { occluded: true, attributes: { face: 'true' } }),
            shape('foot', 'points', [25, 40], { outside: true, occluded: true, source: 'auto' }),
          ],
        }),
      ],
      tags: [],
    },
    { image: image(2, 'c.jpg', 'train'), shapes: [], tags: [] },
    { image: image(3, 'd.jpg'), shapes: [], tags: [] },
    { image: image(4, 'e.jpg', 'train'), shapes: [], tags: [] },
    { image: image(5, 'f.jpg', 'train'), shapes: [], tags: [{ label: 'thing', group: 0, source: 'manual', attributes: {} }] },
  ];
  const tracks: DatasetTrack[] = [
    {
      id: 4, label: 'vehicle', group: 3, source: 'auto', attributes: { model: 'a' },
      shapes: [
        key(0, 'rectangle', [0, 0, 10, 10], { attributes: { speed: '1', parked: 'false' } }),
        key(2, 'rectangle', [10, 10, 20, 20], { attributes: { speed: '5', parked: 'false' }, occluded: true, z_order: 1 }),
        key(3, 'rectangle', [10, 10, 20, 20], { attributes: { speed: '5', parked: 'true' }, outside: true }),
        // Two outside keyframes in a row: CVAT's export would lose the second.
        key(4, 'rectangle', [11, 11, 21, 21], { attributes: { speed: '5', parked: 'true' }, outside: true }),
        key(5, 'rectangle', [12, 12, 22, 22], { attributes: { speed: '9', parked: 'true' } }),
      ],
    },
    {
      id: 2, label: 'person', group: 0, source: 'manual', attributes: {},
      shapes: [key(1, 'skeleton', [], { attributes: { pose: 'stand' } }), key(4, 'skeleton', [], { attributes: { pose: 'run' }, z_order: 2 })],
      elements: [
        { id: 2, label: 'head', group: 0, source: 'manual', attributes: {}, shapes: [
          key(1, 'points', [0, 0], { attributes: { face: 'false' } }), key(3, 'points', [3, 3], { attributes: { face: 'true' }, outside: true }),
          key(4, 'points', [10, 10], { attributes: { face: 'true' } }),
        ] },
        { id: 2, label: 'foot', group: 0, source: 'manual', attributes: {}, shapes: [
          key(1, 'points', [5, 5]), key(2, 'points', [5, 5], { outside: true }), key(3, 'points', [5, 5], { outside: true, occluded: true }),
          key(4, 'points', [6, 6]),
        ] },
      ],
    },
  ];
  return { labels: [vehicle, person, thing], frames, tracks };
}

const base = () => exportInput({ name: 'sample', frames: [], meta: { size: 6, mode: 'interpolation' } });

describe('Datumaro export', () => {
  it('writes Datumaro\'s layout: items named by image, frame attribute, image path and size, CVAT\'s attributes', async () => {
    const s = sample();
    const { sink, report } = await exportWith(toExportInput(s, base()));
    expect([...sink.files.keys()]).toEqual(['annotations/train.json', 'annotations/default.json']);
    const train = JSON.parse(sink.text('annotations/train.json'));
    expect(Object.keys(train)).toEqual(['dm_format_version', 'media_type', 'infos', 'categories', 'items']);
    expect(train.dm_format_version).toBe('1.0');
    expect(train.categories.label).toEqual({
      labels: [
        { name: 'vehicle', parent: '', attributes: ['model', 'parked', 'speed'] },
        { name: 'person', parent: '', attributes: ['pose'] },
        { name: 'head', parent: 'person', attributes: ['face'] },
        { name: 'foot', parent: 'person', attributes: [] },
        { name: 'thing', parent: '', attributes: ['note'] },
      ],
      label_groups: [],
      attributes: ['occluded'],
    });
    expect(train.categories.mask).toEqual({ colormap: [{ label_id: 0, r: 255, g: 128, b: 0 }, { label_id: 2, r: 17, g: 34, b: 51 }] });
    expect(train.categories.points).toEqual({ items: [{ label_id: 1, labels: ['head', 'foot'], joints: [[1, 2]] }] });
    expect(train.items.map((i: { id: string }) => i.id)).toEqual(['a', 'c', 'e', 'f']);
    const a = train.items[0];
    expect(a.attr).toEqual({ frame: 0 });
    expect(a.image).toEqual({ path: 'a.jpg', size: [48, 64] });
    expect(a.annotations[0]).toEqual({ id: 0, type: 'label', attributes: { note: 'n', source: 'auto' }, group: 4, label_id: 4 });
    expect(a.annotations[1]).toEqual({
      id: 0, type: 'bbox', group: 1, label_id: 0, z_order: 2, bbox: [10.5, 20, 19.75, 20],
      attributes: { model: 'b', speed: '7', parked: 'true', occluded: true, rotation: 12.5, source: 'auto', score: 0.75 },
    });
    // The track on frame 0: CVAT's track_id and keyframe attributes.
    expect(a.annotations[5]).toMatchObject({ type: 'bbox', bbox: [0, 0, 10, 10], group: 3, attributes: { model: 'a', speed: '1', track_id: 4, keyframe: true } });
    // Frame 3: the track's outside keyframe is written, with outside=true.
    const d = JSON.parse(sink.text('annotations/default.json')).items[1];
    expect(d.annotations.map((x: { attributes: Record<string, unknown> }) => [x.attributes.track_id, x.attributes.outside ?? false, x.attributes.keyframe])).toEqual([
      [2, false, false], [4, true, true],
    ]);
    const b = JSON.parse(sink.text('annotations/default.json')).items[0];
    expect(b.id).toBe('dir/b');
    // Standalone shapes, then the tracks on that frame by id: the person, then the vehicle.
    expect(b.annotations.map((x: { type: string }) => x.type)).toEqual(['ellipse', 'cuboid_2d', 'mask', 'skeleton', 'skeleton', 'bbox']);
    expect(b.annotations[0].points).toEqual(ellipseToBox([30.1, 20.7, 40.3, 10.9]));
    expect(b.annotations[2].rle.size).toEqual([48, 64]);
    expect(b.annotations[3].elements.map((e: { visibility: number[] }) => e.visibility)).toEqual([[1], [0]]);
    expect(report.droppedItems).toEqual([]);
  });

  it('streams the first subset while frames arrive', async () => {
    let pulled = 0;
    async function* frames(): AsyncGenerator<FrameAnnotations> {
      for (let i = 0; i < 3; i++) {
        pulled++;
        yield { image: { frame: i, name: `${i}.jpg`, width: 1, height: 1 }, shapes: [], tags: [] };
      }
    }
    const seen: number[] = [];
    const sink = new MemorySink();
    const file = sink.file.bind(sink);
    sink.file = async (path, content) => {
      async function* spy() {
        for await (const c of content as AsyncIterable<string>) {
          if (String(c).includes('"id":"0"')) seen.push(pulled);
          yield c;
        }
      }
      return file(path, spy());
    };
    await datumaroFormat.export!({ ...base(), frames: frames() }, sink, { raster: sharpRaster, report: new ListReport() });
    expect(seen).toEqual([1]);
    expect(JSON.parse(sink.text('annotations/default.json')).items).toHaveLength(3);
  });

  it('reports mask pixels outside the image and non-point skeleton elements', async () => {
    const { report } = await exportWith(exportInput({
      labels: [person, thing],
      frames: [{
        image: { frame: 0, name: 'a.jpg', width: 4, height: 4 },
        shapes: [
          shape('thing', 'mask', [0, 9, 2, 2, 4, 4], { z_order: 0 }),
          shape('person', 'skeleton', [], { elements: [shape('head', 'polygon', [0, 0, 1, 0, 1, 1])] }),
        ],
        tags: [],
      }],
    }));
    expect(report.convertedItems).toEqual([{ what: 'mask pixels outside the image', frame: 0, how: 'cut off at the image border' }]);
    expect(report.droppedItems).toEqual([{ what: 'skeleton points that are not single points', frame: 0, reason: 'Datumaro skeleton elements are points' }]);
  });

  it('reports shapes with broken points and objects of labels the schema lacks', async () => {
    const { report, sink } = await exportWith(exportInput({
      labels: [thing],
      frames: [{
        image: { frame: 0, name: 'a.jpg', width: 4, height: 4 },
        shapes: [shape('thing', 'ellipse', [1, 2, 3]), shape('ghost', 'points', [1, 1])],
        tags: [],
      }],
    }));
    expect(report.droppedItems).toEqual([{ what: 'ellipse shapes with invalid points', frame: 0, reason: 'ellipse needs 4 numbers, has 3' }]);
    expect(report.convertedItems).toEqual([{ what: 'objects of undeclared labels', frame: 0, how: 'written without a label' }]);
    expect(JSON.parse(sink.text('annotations/default.json')).items[0].annotations.map((a: { label_id: unknown }) => a.label_id)).toEqual([null]);
  });
});

describe('Datumaro round trip', () => {
  it('import(export(x)) equals x: every shape kind, tracks, attributes, groups, z_order, sources, scores', async () => {
    const s = sample();
    const first = await exportWith(toExportInput(s, base()));
    const parsed = await importFiles(first.sink.files);
    expect(parsed.labels).toEqual(s.labels);
    const byFrame = (frames: FrameAnnotations[]) => [...frames].sort((a, b) => a.image.frame - b.image.frame);
    expect(byFrame(parsed.frames)).toEqual(s.frames);
    expect(parsed.tracks).toEqual([...s.tracks].sort((a, b) => a.id - b.id));
  });

  it('export, import, export is byte-equal', async () => {
    const s = sample();
    const first = await exportWith(toExportInput(s, base()));
    const second = await exportWith(toExportInput(await importFiles(first.sink.files), base()));
    expect([...second.sink.files.keys()]).toEqual([...first.sink.files.keys()]);
    for (const [path] of first.sink.files) expect(second.sink.text(path)).toBe(first.sink.text(path));
  });

  it('reads tracks from CVAT\'s export, inferring keyframes as CVAT does', async () => {
    // CVAT writes only visible track shapes: a run that stops early ends with an outside keyframe.
    const box = (frame: number, x: number, keyframe: boolean) => ({
      id: String(frame), annotations: [{ id: 0, type: 'bbox', attributes: { occluded: false, rotation: 0.0, track_id: 0, keyframe, speed: 2.5, parked: false }, group: 0, label_id: 0, z_order: 0, bbox: [x, 0, 2, 2] }],
      attr: { frame }, image: { path: `${frame}.jpg`, size: [10, 10] },
    });
    const file = {
      info: {}, categories: { label: { labels: [{ name: 'car', parent: '', attributes: [] }], attributes: ['occluded'] } },
      items: [box(0, 0, true), box(1, 1, false), box(2, 2, true), box(5, 5, true), { id: 'x', annotations: [], attr: { frame: 9 } }],
    };
    const d = await datumaroFormat.import!(jsonSource(file), ctx);
    expect(d.tracks).toHaveLength(1);
    const t = d.tracks[0]!;
    expect(t.shapes.map((x) => `${x.frame}${x.outside ? 'o' : ''}`)).toEqual(['0', '2', '3o', '5', '6o']);
    // Values the same on every keyframe belong to the track; numbers and booleans become strings.
    expect(t.attributes).toEqual({ speed: '2.5', parked: 'false' });
    expect(d.labels).toEqual([{ name: 'car', type: 'any', attributes: [
      { name: 'speed', mutable: false, input_type: 'text', default_value: '', values: [] },
      { name: 'parked', mutable: false, input_type: 'text', default_value: '', values: [] },
    ] }]);
  });

  it('builds skeleton labels and colors from categories of other tools', async () => {
    const d = await datumaroFormat.import!(jsonSource({
      categories: {
        label: { labels: [{ name: 'body', parent: '' }, { name: 'l', parent: 'body' }, { name: 'r', parent: 'body' }] },
        mask: { colormap: [{ label_id: 0, r: 1, g: 2, b: 255 }] },
        points: { items: [{ label_id: 0, labels: ['l', 'r'], joints: [[1, 2]] }] },
      },
      items: [{ id: 'a', annotations: [{ type: 'skeleton', label_id: 0, elements: [
        { type: 'points', label_id: 1, points: [1, 2], visibility: [2] }, { type: 'points', label_id: 2, points: [3, 4], visibility: [1] },
      ] }] }],
    }), ctx);
    const body = d.labels[0]!;
    expect([body.name, body.type, body.color, body.sublabels?.map((s) => [s.name, s.type])]).toEqual(['body', 'skeleton', '#0102ff', [['l', 'points'], ['r', 'points']]]);
    expect(body.svg).toContain('data-node-from="1"');
    expect(body.svg).toContain('data-label-name="r"');
    expect(d.frames[0]!.image).toEqual({ frame: -1, name: 'a', width: 0, height: 0 });
    expect(d.frames[0]!.shapes[0]!.elements!.map((e) => [e.label, e.points, e.occluded])).toEqual([['l', [1, 2], false], ['r', [3, 4], true]]);
  });
});

describe('COCO RLE and geometry', () => {
  it('encodes and decodes run lengths as pycocotools does', () => {
    // pycocotools' packing: five bits a character from '0', deltas from the second-previous run from the fourth on.
    expect(encodeCounts([0, 4])).toBe('04');
    expect(encodeCounts([5, 2, 2, 2, 5])).toBe('52203');
    expect(encodeCounts([10, 5, 1, 1, 2])).toBe(':51L1');
    for (const counts of [[0, 5], [3, 2, 1], [100000, 7, 3, 2, 99999], [1, 1, 1, 1, 40, 2, 40]]) expect(decodeCounts(encodeCounts(counts))).toEqual(counts);
    expect(decodeCounts(':51L1')).toEqual([10, 5, 1, 1, 2]);
    expect(decodeCounts('5b')).toBeNull();
    expect(decodeCounts(' ')).toBeNull();
  });

  it('turns a CVAT mask into a column-major RLE over the image', () => {
    // 2x2 box at (1,1) fully set in a 4x4 image: column-major runs 5 off, 2 on, 2 off, 2 on, 5 off.
    const { rle, clipped } = cvatMaskToCoco([0, 4, 1, 1, 2, 2], 4, 4);
    expect(decodeCounts(rle.counts)).toEqual([5, 2, 2, 2, 5]);
    expect([rle.size, clipped]).toEqual([[4, 4], false]);
  });

  it('keeps ellipse centers exact through their boxes', () => {
    for (const e of [[30.1, 20.7, 40.3, 10.9], [0.1, 0.2, 0.3, 0.05], [1e6 + 0.01, 3.33, 1e6 + 7.77, 1.11]]) expect(boxToEllipse(ellipseToBox(e))).toEqual(e);
  });
});

describe('Datumaro import errors', () => {
  const minimal = (annotations: unknown[]) => ({
    categories: { label: { labels: [{ name: 'a', parent: '', attributes: [] }] } },
    items: [{ id: 'x', annotations, image: { path: 'x.jpg', size: [4, 4] } }],
  });
  it.each([
    ['malformed JSON', '{"items": [}', "annotations/default.json:1: malformed JSON: Unexpected token '}'"],
    ['malformed JSON further down', '{\n  "categories": {},\n  "items": [\n    {"id": "a",}\n  ]\n}', 'annotations/default.json:4: malformed JSON'],
    ['a file that is not an object', '[]', 'annotations/default.json at $: must be an object'],
    ['missing items', { categories: {} }, 'annotations/default.json at items: must be an array'],
    ['a label out of range', minimal([{ type: 'bbox', label_id: 3, bbox: [0, 0, 1, 1] }]), 'annotations/default.json at items[0].annotations[0].label_id: label 3 is not in categories.label (1 labels)'],
    ['a short bbox', minimal([{ type: 'bbox', label_id: 0, bbox: [0, 0, 1] }]), 'at items[0].annotations[0].bbox: must hold 4 numbers, holds 3'],
    ['a coordinate that is not a number', minimal([{ type: 'polygon', label_id: 0, points: [0, 0, 1, 'x', 2, 2] }]), 'at items[0].annotations[0].points[3]: must be a number'],
    ['an odd point list', minimal([{ type: 'polyline', label_id: 0, points: [0, 0, 1] }]), 'at items[0].annotations[0].points: must hold x, y pairs'],
    ['a negative group', minimal([{ type: 'label', label_id: 0, group: -1 }]), 'at items[0].annotations[0].group: must be at least 0'],
    ['a bad flag', minimal([{ type: 'bbox', label_id: 0, bbox: [0, 0, 1, 1], attributes: { occluded: 'maybe' } }]), 'at items[0].annotations[0].attributes.occluded: must be true or false'],
    ['a mask of another size', minimal([{ type: 'mask', label_id: 0, rle: { counts: encodeCounts([0, 4]), size: [2, 2] } }]), 'at items[0].annotations[0].rle.size: is 2x2, the image is 4x4'],
    ['a mask with the wrong pixel count', minimal([{ type: 'mask', label_id: 0, rle: { counts: encodeCounts([3, 4]), size: [4, 4] } }]), 'at items[0].annotations[0].rle.counts: covers 7 pixels, the mask has 16'],
    ['a broken RLE string', minimal([{ type: 'mask', label_id: 0, rle: { counts: '\u0001', size: [4, 4] } }]), 'at items[0].annotations[0].rle.counts: is not a COCO RLE string'],
    ['an empty mask', minimal([{ type: 'mask', label_id: 0, rle: { counts: encodeCounts([16]), size: [4, 4] } }]), 'at items[0].annotations[0].rle: is an empty mask'],
    ['a negative frame', { categories: {}, items: [{ id: 'x', annotations: [], attr: { frame: -2 } }] }, 'at items[0].attr.frame: must be at least 0'],
    ['a bad image size', { categories: {}, items: [{ id: 'x', annotations: [], image: { size: [4] } }] }, 'at items[0].image.size: must be [height, width]'],
    ['a non-point skeleton element', minimal([{ type: 'skeleton', label_id: 0, elements: [{ type: 'bbox', label_id: 0 }] }]), 'at items[0].annotations[0].elements[0].type: skeleton elements must be points, not "bbox"'],
    ['a bad schema', { infos: { framewise: { labels: [{ name: 'a', type: 'blob', attributes: [] }] } }, categories: {}, items: [] }, 'at infos.framewise.labels[0].type: unknown label type "blob"'],
  ])('rejects %s', async (_what, json, message) => {
    await expect(datumaroFormat.import!(jsonSource(json), ctx)).rejects.toThrow(message);
  });

  it('needs annotations/<subset>.json', async () => {
    await expect(datumaroFormat.import!(jsonSource({}, 'data.json'), ctx)).rejects.toThrow('data.json: no Datumaro annotation file (annotations/<subset>.json) found');
  });

  it('skips annotation types the model cannot hold, as CVAT does', async () => {
    const d = await datumaroFormat.import!(jsonSource(minimal([{ type: 'caption', caption: 'hi' }, { type: 'label', label_id: 0 }])), ctx);
    expect(d.frames[0]!.tags).toHaveLength(1);
    expect(d.frames[0]!.shapes).toEqual([]);
  });
});
