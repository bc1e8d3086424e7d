import { describe, expect, it } from 'vitest';
import {
  DatasetFormatError, type DatasetImage, type DatasetLabel, type DatasetShape, type FormatCodec, type FrameAnnotations,
} from '../../src/formats/model.js';
import {
  ultralyticsDetectionFormat, ultralyticsObbFormat, ultralyticsPoseFormat, ultralyticsSegmentationFormat,
} from '../../src/formats/yolo/index.js';
import { exportInput, ListReport, memorySource, MemorySink, sharpRaster } from './harness.js';

function image(name: string, frame = 0, width = 100, height = 50, subset?: string): DatasetImage {
  return { frame, name, width, height, subset };
}

function shape(label: string, type: DatasetShape['type'], points: number[], extra: Partial<DatasetShape> = {}): DatasetShape {
  return { label, type, points, rotation: 0, group: 0, source: 'manual', attributes: {}, occluded: false, outside: false, z_order: 0, ...extra };
}

const anyLabel = (name: string): DatasetLabel => ({ name, type: 'any', attributes: [] });
const skeleton = (name: string, points: string[]): DatasetLabel => ({
  name, type: 'skeleton', attributes: [], sublabels: points.map((p) => ({ name: p, type: 'points', attributes: [] })),
});

async function exportWith(codec: FormatCodec, frames: FrameAnnotations[], labels: DatasetLabel[], saveImages = false) {
  const sink = new MemorySink();
  const report = new ListReport();
  await codec.export!(exportInput({ frames, labels, saveImages }), sink, { raster: sharpRaster, report });
  return { sink, report };
}

function files(sink: MemorySink): Record<string, string> {
  return Object.fromEntries([...sink.files.keys()].sort().map((k) => [k, sink.text(k)]));
}

function source(entries: Record<string, string>) {
  return memorySource(new Map(Object.entries(entries).map(([k, v]) => [k, new TextEncoder().encode(v)])));
}

function importWith(codec: FormatCodec, entries: Record<string, string>, images: DatasetImage[], labels?: DatasetLabel[]) {
  return codec.import!(source(entries), { raster: sharpRaster, images, ...(labels ? { labels } : {}) } as Parameters<NonNullable<FormatCodec['import']>>[1]);
}

async function roundTrip(codec: FormatCodec, frames: FrameAnnotations[], labels: DatasetLabel[], taskLabels?: DatasetLabel[]) {
  const first = await exportWith(codec, frames, labels);
  const parsed = await codec.import!(memorySource(first.sink.files), {
    raster: sharpRaster, images: frames.map((f) => f.image), ...(taskLabels ? { labels: taskLabels } : {}),
  } as Parameters<NonNullable<FormatCodec['import']>>[1]);
  const back = [...parsed.frames].sort((a, b) => a.image.frame - b.image.frame);
  const second = await exportWith(codec, back, parsed.labels);
  return { first: files(first.sink), second: files(second.sink), parsed };
}

async function expectFormatError(p: Promise<unknown>, file: string, where: { line?: number; path?: string }, message?: RegExp) {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(DatasetFormatError);
  const err = e as DatasetFormatError;
  expect(err.file).toBe(file);
  expect(err.where?.line).toBe(where.line);
  expect(err.where?.path).toBe(where.path);
  if (message) expect(err.message).toMatch(message);
}

const DETECTION_YAML = 'names:\n  0: car\n  1: person\npath: .\ntrain: train.txt\n';

describe('Ultralytics YOLO Detection', () => {
  const labels = [anyLabel('car'), anyLabel('person'), skeleton('hand', ['thumb'])];

  it('writes data.yaml as PyYAML dumps it, list files with data/ paths, label files only for annotated frames', async () => {
    const frames: FrameAnnotations[] = [
      { image: image('a.jpg', 0, 640, 480), shapes: [shape('person', 'rectangle', [5, 10, 45, 90])], tags: [] },
      { image: image('sub/b.png', 1, 640, 480), shapes: [], tags: [] },
      { image: image('c', 2, 640, 480, 'val'), shapes: [shape('car', 'rectangle', [0, 0, 640, 480])], tags: [] },
    ];
    const { sink, report } = await exportWith(ultralyticsDetectionFormat, frames, labels, true);
    expect(files(sink)).toEqual({
      'data.yaml': 'names:\n  0: car\n  1: person\n  2: hand\npath: .\ntrain: train.txt\nval: val.txt\n',
      'train.txt': 'data/images/train/a.jpg\ndata/images/train/sub/b.png\n',
      'val.txt': 'data/images/val/c.jpg\n',
      'labels/train/a.txt': '1 0.039062 0.104167 0.062500 0.166667\n',
      'labels/val/c.txt': '0 0.500000 0.500000 1.000000 1.000000\n',
    });
    expect([...sink.images.keys()]).toEqual(['images/train/a.jpg', 'images/train/sub/b.png', 'images/val/c.jpg']);
    expect(report.droppedItems).toEqual([]);
  });

  it('reports shapes other than rectangles and tags as dropped', async () => {
    const frames: FrameAnnotations[] = [{
      image: image('a.jpg', 4),
      shapes: [shape('car', 'polygon', [1, 1, 5, 1, 5, 5]), shape('car', 'ellipse', [10, 10, 20, 5])],
      tags: [{ label: 'car', group: 0, source: 'manual', attributes: {} }],
    }];
    const { sink, report } = await exportWith(ultralyticsDetectionFormat, frames, labels);
    expect(sink.files.has('labels/train/a.txt')).toBe(false);
    expect(report.droppedItems.map((d) => [d.what, d.frame])).toEqual([['polygon shapes', 4], ['ellipse shapes', 4], ['tags', 4]]);
  });

  it('round-trips: export, import, export gives identical files', async () => {
    const frames: FrameAnnotations[] = [
      { image: image('a.jpg', 0, 1280, 720), shapes: [shape('person', 'rectangle', [5, 10, 45, 90]), shape('car', 'rectangle', [1.3, 2.7, 1279, 700.1])], tags: [] },
      { image: image('b.jpg', 1, 333, 221, 'val'), shapes: [shape('car', 'rectangle', [10.5, 20.25, 30.125, 40])], tags: [] },
      { image: image('c.jpg', 2), shapes: [], tags: [] },
    ];
    const { first, second, parsed } = await roundTrip(ultralyticsDetectionFormat, frames, labels);
    expect(parsed.frames.map((f) => f.shapes.length).sort()).toEqual([0, 1, 2]);
    expect(second).toEqual(first);
  });

  it('imports the reversed <subset>/images layout (Roboflow\'s too), names as a list, and trailing track ids', async () => {
    const parsed = await importWith(ultralyticsDetectionFormat, {
      'ds/data.yaml': 'path: .\ntrain: train/images\nval: ../valid/images\ntest:\nnames: [car, person]\nnc: 2\n',
      'ds/train/images/a.jpg': '',
      'ds/train/labels/a.txt': '1 0.5 0.5 0.2 0.2 7\n0 0.25 0.25 0.5 0.5\n',
      'ds/valid/images/b.jpg': '',
      'ds/valid/labels/b.txt': '0 0.5 0.5 1 1\n',
    }, [image('a.jpg', 3), image('b.jpg', 4)]);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.shapes.length])).toEqual([['a.jpg', 'train', 2], ['b.jpg', 'val', 1]]);
    expect(parsed.labels.map((l) => l.name)).toEqual(['car', 'person']);
    const [a, b] = parsed.frames[0]!.shapes;
    expect(parsed.frames[0]!.image).toMatchObject({ name: 'a.jpg', frame: 3, subset: 'train' });
    expect(a).toMatchObject({ label: 'person', type: 'rectangle', track_id: 7 });
    expect(a!.points).toEqual([40, 20, 60, 30]);
    expect(b).toMatchObject({ label: 'car', points: [0, 0, 50, 25] });
    expect(b!.track_id).toBeUndefined();
  });

  it('imports labels uploaded without images, and class ids that skip numbers', async () => {
    const parsed = await importWith(ultralyticsDetectionFormat, {
      'data.yaml': 'names:\n  0: car\n  5: person\ntrain: images/train\nval: images/train\n',
      'labels/train/a.txt': '5 0.5 0.5 0.2 0.2\n',
    }, [image('a.jpg')]);
    expect(parsed.labels.map((l) => l.name)).toEqual(['car', 'person']);
    // Listed by two subsets, the label file is still read once.
    expect(parsed.frames.map((f) => [f.image.name, f.shapes.map((s) => s.label)])).toEqual([['a.jpg', ['person']]]);
  });

  it('names the file and line or setting of bad input', async () => {
    const base = { 'data.yaml': DETECTION_YAML, 'train.txt': 'data/images/train/a.jpg\n' };
    const run = (label: string) => importWith(ultralyticsDetectionFormat, { ...base, 'labels/train/a.txt': label }, [image('a.jpg')]);
    await expectFormatError(run('0 0.5 0.5 0.2\n'), 'labels/train/a.txt', { line: 1 }, /4 fields; expected 5 or 6/);
    await expectFormatError(run('0 0.5 0.5 0.2 0.2 0.5 0.5\n'), 'labels/train/a.txt', { line: 1 }, /7 fields/);
    await expectFormatError(run('\n0 0.5 0.5 0.2 0.2 x\n'), 'labels/train/a.txt', { line: 2 }, /track id "x"/);
    await expectFormatError(run('2 0.5 0.5 0.2 0.2\n'), 'labels/train/a.txt', { line: 1 }, /class index 2 is not declared in data.yaml/);
    await expectFormatError(run('0 0.5 1.2 0.2 0.2\n'), 'labels/train/a.txt', { line: 1 }, /outside \[0, 1\]/);
    await expectFormatError(run('0 0,5 0.5 0.2 0.2\n'), 'labels/train/a.txt', { line: 1 }, /not a number/);
    await expectFormatError(
      importWith(ultralyticsDetectionFormat, { ...base, 'train.txt': 'images/train/a.jpg\nfoo/a.jpg\n' }, [image('a.jpg')]),
      'train.txt', { line: 2 }, /not inside an images/,
    );
    await expectFormatError(importWith(ultralyticsDetectionFormat, { ...base, 'data.yaml': 'names: [a\ntrain: x' }, []), 'data.yaml', { line: 2 });
    await expectFormatError(importWith(ultralyticsDetectionFormat, { ...base, 'data.yaml': 'train: train.txt\n' }, []), 'data.yaml', { path: 'names' });
    await expectFormatError(importWith(ultralyticsDetectionFormat, { ...base, 'data.yaml': 'names: {a: car}\n' }, []), 'data.yaml', { path: 'names.a' });
    await expectFormatError(importWith(ultralyticsDetectionFormat, { ...base, 'data.yaml': '- 1\n' }, []), 'data.yaml', {}, /not a mapping/);
    await expectFormatError(
      importWith(ultralyticsDetectionFormat, { 'data.yaml': DETECTION_YAML }, [image('a.jpg')]), 'data.yaml', { path: 'train' }, /image list train.txt/,
    );
    await expectFormatError(importWith(ultralyticsDetectionFormat, { 'obj.names': 'a\n' }, []), 'data.yaml', {}, /no data.yaml/);
  });
});

describe('Ultralytics YOLO Segmentation', () => {
  const labels = [anyLabel('road'), anyLabel('car')];

  it('writes polygons normalized and masks as the polygons of their outer contours', async () => {
    // A 3x3 ring at (10, 20) (its middle pixel unset), and two pixels touching at a corner.
    const ring = [0, 4, 1, 4, 10, 20, 12, 22];
    const diagonal = [0, 1, 2, 1, 40, 10, 41, 11];
    const frames: FrameAnnotations[] = [{
      image: image('a.jpg', 2),
      shapes: [
        shape('road', 'polygon', [10, 10, 50, 10, 30, 40]),
        shape('car', 'mask', ring),
        shape('car', 'mask', diagonal),
        shape('car', 'rectangle', [1, 1, 2, 2]),
      ],
      tags: [],
    }];
    const { sink, report } = await exportWith(ultralyticsSegmentationFormat, frames, labels);
    expect(sink.text('labels/train/a.txt')).toBe(
      '0 0.100000 0.200000 0.500000 0.200000 0.300000 0.800000\n' +
        '1 0.100000 0.400000 0.130000 0.400000 0.130000 0.460000 0.100000 0.460000\n' +
        '1 0.400000 0.200000 0.410000 0.200000 0.410000 0.220000 0.400000 0.220000\n' +
        '1 0.410000 0.220000 0.420000 0.220000 0.420000 0.240000 0.410000 0.240000\n',
    );
    expect(report.convertedItems.map((c) => [c.what, c.frame, c.how])).toEqual([
      ['masks', 2, 'written as the polygons of their outer contours (holes filled)'],
      ['masks', 2, 'written as the polygons of their outer contours'],
    ]);
    expect(report.droppedItems.map((d) => [d.what, d.frame])).toEqual([['rectangle shapes', 2]]);
  });

  it('clips polygons to the image and drops those left without area', async () => {
    const frames: FrameAnnotations[] = [{
      image: image('a.jpg', 0, 10, 10),
      shapes: [shape('road', 'polygon', [-5, 0, 5, 0, 5, 10]), shape('road', 'polygon', [20, 20, 30, 20, 30, 30]), shape('road', 'polygon', [1, 1, 2, 2])],
      tags: [],
    }];
    const { sink, report } = await exportWith(ultralyticsSegmentationFormat, frames, labels);
    expect(sink.text('labels/train/a.txt')).toBe('0 0.000000 0.500000 0.000000 0.000000 0.500000 0.000000 0.500000 1.000000\n');
    expect(report.convertedItems.map((c) => c.what)).toEqual(['polygons crossing the image border']);
    expect(report.droppedItems.map((d) => d.what)).toEqual(['polygons outside the image', 'polygons of fewer than 3 points']);
  });

  it('round-trips polygons, masks written as polygons included', async () => {
    const frames: FrameAnnotations[] = [
      { image: image('a.jpg', 0, 640, 480), shapes: [shape('road', 'polygon', [10.5, 20.25, 300, 20, 310.75, 479.5, 5, 400])], tags: [] },
      { image: image('b.jpg', 1, 333, 221), shapes: [shape('car', 'mask', [0, 4, 1, 4, 10, 20, 12, 22])], tags: [] },
    ];
    const { first, second, parsed } = await roundTrip(ultralyticsSegmentationFormat, frames, labels);
    expect(parsed.frames.flatMap((f) => f.shapes.map((s) => s.type))).toEqual(['polygon', 'polygon']);
    expect(second).toEqual(first);
  });

  it('reads polygons with a trailing track id and refuses short lines', async () => {
    const base = { 'data.yaml': 'names: [road]\ntrain: train.txt\n', 'train.txt': 'images/train/a.jpg\n' };
    const parsed = await importWith(ultralyticsSegmentationFormat, { ...base, 'labels/train/a.txt': '0 0 0 1 0 1 1 3\n' }, [image('a.jpg')]);
    expect(parsed.frames[0]!.shapes[0]).toMatchObject({ type: 'polygon', points: [0, 0, 100, 0, 100, 50], track_id: 3 });
    await expectFormatError(
      importWith(ultralyticsSegmentationFormat, { ...base, 'labels/train/a.txt': '0 0.1 0.1 0.2 0.2\n' }, [image('a.jpg')]),
      'labels/train/a.txt', { line: 1 }, /at least 3 points/,
    );
    await expectFormatError(
      importWith(ultralyticsSegmentationFormat, { ...base, 'labels/train/a.txt': '0 0.1 0.1 0.2 0.2 0.3 -0.5\n' }, [image('a.jpg')]),
      'labels/train/a.txt', { line: 1 }, /point 3 y -0.5 is outside/,
    );
  });
});

describe('Ultralytics YOLO Oriented Bounding Boxes', () => {
  const labels = [anyLabel('ship')];

  it('writes rectangles as four corners from the top-left, rotated clockwise', async () => {
    const frames: FrameAnnotations[] = [{
      image: image('a.jpg', 0, 100, 100),
      shapes: [shape('ship', 'rectangle', [10, 10, 30, 20]), shape('ship', 'rectangle', [10, 10, 30, 20], { rotation: 90 })],
      tags: [],
    }];
    const { sink } = await exportWith(ultralyticsObbFormat, frames, labels);
    expect(sink.text('labels/train/a.txt')).toBe(
      '0 0.100000 0.100000 0.300000 0.100000 0.300000 0.200000 0.100000 0.200000\n' +
        '0 0.250000 0.050000 0.250000 0.250000 0.150000 0.250000 0.150000 0.050000\n',
    );
  });

  it('reads corners back as a rectangle and its rotation', async () => {
    const parsed = await importWith(ultralyticsObbFormat, {
      'data.yaml': 'names: [ship]\ntrain: train.txt\n',
      'train.txt': 'images/train/a.jpg\n',
      'labels/train/a.txt': '0 0.25 0.05 0.25 0.25 0.15 0.25 0.15 0.05\n',
    }, [image('a.jpg', 0, 100, 100)]);
    const s = parsed.frames[0]!.shapes[0]!;
    expect(s.type).toBe('rectangle');
    expect(s.rotation).toBeCloseTo(90, 6);
    [10, 10, 30, 20].forEach((v, i) => expect(s.points[i]).toBeCloseTo(v, 6));
  });

  it('round-trips: identical files for upright boxes, within 1e-6 for rotated ones', async () => {
    const upright: FrameAnnotations[] = [{ image: image('a.jpg', 0, 640, 480), shapes: [shape('ship', 'rectangle', [5, 10, 45.5, 90.25])], tags: [] }];
    const a = await roundTrip(ultralyticsObbFormat, upright, labels);
    expect(a.second).toEqual(a.first);
    const rotated: FrameAnnotations[] = [{
      image: image('b.jpg', 0, 640, 480),
      shapes: [shape('ship', 'rectangle', [100, 100, 200, 150], { rotation: 33.3 }), shape('ship', 'rectangle', [300, 200, 400, 260], { rotation: 271 })],
      tags: [],
    }];
    const b = await roundTrip(ultralyticsObbFormat, rotated, labels);
    const numbers = (text: string) => text.split(/\s+/).filter(Boolean).map(Number);
    const one = numbers(b.first['labels/train/b.txt']!), two = numbers(b.second['labels/train/b.txt']!);
    expect(two).toHaveLength(one.length);
    two.forEach((v, i) => expect(Math.abs(v - one[i]!)).toBeLessThanOrEqual(1.5e-6));
  });

  it('refuses lines that are not a class and four corners', async () => {
    await expectFormatError(importWith(ultralyticsObbFormat, {
      'data.yaml': 'names: [ship]\ntrain: train.txt\n',
      'train.txt': 'images/train/a.jpg\n',
      'labels/train/a.txt': '0 0.25 0.05 0.25 0.25 0.15 0.25 0.15\n',
    }, [image('a.jpg')]), 'labels/train/a.txt', { line: 1 }, /8 fields; expected 9 or 10/);
  });
});

describe('Ultralytics YOLO Pose', () => {
  const hand = skeleton('hand', ['thumb', 'index', 'pinky']);
  const face = skeleton('face', ['nose', 'eye']);
  const labels = [anyLabel('car'), hand, face];
  const point = (label: string, x: number, y: number, extra: Partial<DatasetShape> = {}) => shape(label, 'points', [x, y], extra);

  it('writes kpt_shape, the skeleton labels as classes, the box around visible points, x y v per point', async () => {
    const frames: FrameAnnotations[] = [{
      image: image('a.jpg', 1),
      shapes: [
        shape('hand', 'skeleton', [], { elements: [point('thumb', 10, 5), point('index', 20, 25, { occluded: true }), point('pinky', 90, 45, { outside: true })] }),
        shape('face', 'skeleton', [], { elements: [point('nose', 50, 10)] }),
        shape('car', 'rectangle', [1, 1, 2, 2]),
      ],
      tags: [],
    }];
    const { sink, report } = await exportWith(ultralyticsPoseFormat, frames, labels);
    expect(files(sink)).toEqual({
      'data.yaml': 'kpt_shape:\n- 3\n- 3\nnames:\n  0: hand\n  1: face\npath: .\ntrain: train.txt\n',
      'train.txt': 'data/images/train/a.jpg\n',
      'labels/train/a.txt':
        '0 0.150000 0.300000 0.100000 0.400000 0.100000 0.100000 2 0.200000 0.500000 1 0.900000 0.900000 0\n' +
        '1 0.500000 0.200000 0.000000 0.000000 0.500000 0.200000 2 0.0 0.0 0 0.0 0.0 0\n',
    });
    expect(report.droppedItems.map((d) => [d.what, d.frame])).toEqual([['objects of labels without a class', 1]]);
  });

  it('names points after the task skeletons when given them, else as CVAT does without', async () => {
    const entries = {
      'data.yaml': 'kpt_shape: [3, 3]\nflip_idx: [0, 2, 1]\nnames: {0: hand, 1: face}\ntrain: train.txt\n',
      'train.txt': 'data/images/train/a.jpg\n',
      'labels/train/a.txt': '1 0.5 0.2 0 0 0.5 0.2 2 0.1 0.2 1 0.0 0.0 0\n',
    };
    const withTask = await importWith(ultralyticsPoseFormat, entries, [image('a.jpg')], labels);
    expect(withTask.labels).toEqual([hand, face]);
    const s = withTask.frames[0]!.shapes[0]!;
    expect(s).toMatchObject({ label: 'face', type: 'skeleton', points: [] });
    expect(s.elements!.map((e) => [e.label, e.points, e.occluded, e.outside])).toEqual([
      ['nose', [50, 10], false, false],
      ['eye', [10, 10], true, false],
    ]);
    const alone = await importWith(ultralyticsPoseFormat, entries, [image('a.jpg')]);
    expect(alone.labels.map((l) => [l.name, l.type, l.sublabels!.map((p) => p.name)])).toEqual([
      ['hand', 'skeleton', ['hand_point_0', 'hand_point_1', 'hand_point_2']],
      ['face', 'skeleton', ['face_point_0', 'face_point_1', 'face_point_2']],
    ]);
    expect(alone.frames[0]!.shapes[0]!.elements!.map((e) => e.outside)).toEqual([false, false, true]);
  });

  it('reads 2-value points as visible', async () => {
    const parsed = await importWith(ultralyticsPoseFormat, {
      'data.yaml': 'kpt_shape: [2, 2]\nnames: [face]\ntrain: train.txt\n',
      'train.txt': 'images/train/a.jpg\n',
      'labels/train/a.txt': '0 0.5 0.5 0.2 0.2 0.5 0.5 0.6 0.6\n',
    }, [image('a.jpg')], [face]);
    expect(parsed.frames[0]!.shapes[0]!.elements!.map((e) => [e.label, e.outside, e.occluded])).toEqual([['nose', false, false], ['eye', false, false]]);
  });

  it('round-trips skeletons, missing points included', async () => {
    const frames: FrameAnnotations[] = [
      {
        image: image('a.jpg', 0, 640, 480),
        shapes: [shape('hand', 'skeleton', [], { elements: [point('thumb', 10.5, 5.25), point('index', 220.125, 125, { occluded: true }), point('pinky', 90, 45, { outside: true })] })],
        tags: [],
      },
      { image: image('b.jpg', 1, 333, 221), shapes: [shape('face', 'skeleton', [], { elements: [point('eye', 33.3, 22.2)] })], tags: [] },
    ];
    const withTask = await roundTrip(ultralyticsPoseFormat, frames, labels, labels);
    expect(withTask.second).toEqual(withTask.first);
    const alone = await roundTrip(ultralyticsPoseFormat, frames, labels);
    expect(alone.second).toEqual(alone.first);
  });

  it('names the setting or line of bad input', async () => {
    const base = { 'data.yaml': 'kpt_shape: [2, 3]\nnames: [face]\ntrain: train.txt\n', 'train.txt': 'images/train/a.jpg\n' };
    const run = (label: string, yaml?: string, task?: DatasetLabel[]) =>
      importWith(ultralyticsPoseFormat, { ...base, ...(yaml ? { 'data.yaml': yaml } : {}), 'labels/train/a.txt': label }, [image('a.jpg')], task);
    await expectFormatError(run('0 0.5 0.5 0.2 0.2 0.5 0.5 3 0.6 0.6 2\n'), 'labels/train/a.txt', { line: 1 }, /visibility 3 is not 0, 1 or 2/);
    await expectFormatError(run('0 0.5 0.5 0.2 0.2 0.5 0.5 2\n'), 'labels/train/a.txt', { line: 1 }, /8 fields; expected 11 or 12/);
    await expectFormatError(run('', 'names: [face]\ntrain: train.txt\n'), 'data.yaml', { path: 'kpt_shape' });
    await expectFormatError(run('', 'kpt_shape: [2, 4]\nnames: [face]\ntrain: train.txt\n'), 'data.yaml', { path: 'kpt_shape' });
    await expectFormatError(run('', 'kpt_shape: [2, 3]\nflip_idx: [0]\nnames: [face]\ntrain: train.txt\n'), 'data.yaml', { path: 'flip_idx' });
    await expectFormatError(run('', undefined, [hand]), 'data.yaml', { path: 'names' }, /"face" is not a skeleton label of the task/);
    await expectFormatError(run('', 'kpt_shape: [1, 3]\nnames: [face]\ntrain: train.txt\n', [face]), 'data.yaml', { path: 'kpt_shape' }, /2 points/);
  });
});
