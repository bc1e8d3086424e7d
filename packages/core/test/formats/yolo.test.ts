import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetFormatError, type DatasetImage, type DatasetLabel, type FrameAnnotations, type ImportSource } from '../../src/formats/model.js';
import { yoloFormat } from '../../src/formats/yolo/index.js';
import { DATASETS, dirSource, exportInput, ListReport, memorySource, MemorySink, sharpRaster } from './harness.js';

const FIXTURE = join(DATASETS, 'yolo_dataset');
const TEN_LABELS = Array.from({ length: 10 }, (_, i) => `label_${i}`);

function image(name: string, frame = 0, width = 15, height = 10, subset?: string): DatasetImage {
  return { frame, name, width, height, subset };
}

function importFrom(source: ImportSource, images: DatasetImage[]) {
  return yoloFormat.import!(source, { raster: sharpRaster, images });
}

async function exportFrames(frames: FrameAnnotations[], labels: DatasetLabel[], saveImages = false) {
  const sink = new MemorySink();
  const report = new ListReport();
  await yoloFormat.export!(exportInput({ frames, labels, saveImages }), sink, { raster: sharpRaster, report });
  return { sink, report };
}

function files(sink: MemorySink): Record<string, string> {
  return Object.fromEntries([...sink.files.keys()].sort().map((k) => [k, sink.text(k)]));
}

const rect = (label: string, points: number[], rotation = 0) => ({
  label, type: 'rectangle' as const, points, rotation, group: 0, source: 'manual' as const, attributes: {},
  occluded: false, outside: false, z_order: 0,
});

const labels = (...names: string[]): DatasetLabel[] => names.map((name) => ({ name, type: 'any', attributes: [] }));

async function expectFormatError(p: Promise<unknown>, file: string, line?: number, message?: RegExp) {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(DatasetFormatError);
  const err = e as DatasetFormatError;
  expect(err.file).toBe(file);
  expect(err.where?.line).toBe(line);
  if (message) expect(err.message).toMatch(message);
}

describe('YOLO 1.1 fixtures (Datumaro test assets)', () => {
  it('imports the strict layout: obj.data, obj.names, train.txt, obj_train_data', async () => {
    const parsed = await importFrom(dirSource(join(FIXTURE, 'strict')), [image('1.jpg', 7)]);
    expect(parsed.labels.map((l) => l.name)).toEqual(TEN_LABELS);
    expect(parsed.labels.every((l) => l.attributes.length === 0 && l.type === 'any')).toBe(true);
    expect(parsed.frames).toHaveLength(1);
    const [frame] = parsed.frames;
    expect(frame!.image).toMatchObject({ name: '1.jpg', frame: 7, width: 15, height: 10, subset: 'train' });
    expect(frame!.tags).toHaveLength(0);
    expect(frame!.shapes.map((s) => [s.type, s.label])).toEqual([['rectangle', 'label_2'], ['rectangle', 'label_4']]);
    // "2 0.133333 0.300000 0.266667 0.200000" on a 15x10 image is the box (0, 2)-(4, 4).
    const [a, b] = frame!.shapes;
    [0, 2, 4, 4].forEach((v, i) => expect(a!.points[i]).toBeCloseTo(v, 4));
    [3, 3, 5, 6].forEach((v, i) => expect(b!.points[i]).toBeCloseTo(v, 4));
    expect(a!.source).toBe('file');
  });

  it('imports the loose layout with Annotations/ and Images/ folders', async () => {
    const parsed = await importFrom(dirSource(join(FIXTURE, 'annotations')), [image('Images/1.jpg')]);
    expect(parsed.labels).toHaveLength(10);
    expect(parsed.frames).toHaveLength(1);
    expect(parsed.frames[0]!.image.subset).toBeUndefined();
    expect(parsed.frames[0]!.shapes.map((s) => s.label)).toEqual(['label_2', 'label_4']);
  });

  it('imports the loose layout with labels/<subset> and images/<subset>, ignoring README.txt', async () => {
    const images = [image('images/train/1.jpg', 0), image('images/val/1.jpg', 1)];
    const parsed = await importFrom(dirSource(join(FIXTURE, 'labels')), images);
    expect(parsed.labels).toHaveLength(10);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.shapes.length])).toEqual([
      ['images/train/1.jpg', 'train', 2],
      ['images/val/1.jpg', 'val', 2],
    ]);
    expect(parsed.frames.flatMap((f) => f.shapes).filter((s) => s.type === 'rectangle')).toHaveLength(4);
  });

  it('matches items to task images named without folders', async () => {
    const parsed = await importFrom(dirSource(join(FIXTURE, 'strict')), [image('0.jpg', 0, 100, 100), image('1.png', 1, 30, 20)]);
    expect(parsed.frames.map((f) => f.image.name)).toEqual(['1.png']);
    // Sizes come from the task image: 0.133333 * 30 - 0.266667 * 30 / 2 ≈ 0.
    expect(parsed.frames[0]!.shapes[0]!.points[2]).toBeCloseTo(8, 3);
  });

  it('refuses items no task image matches, naming the label file', async () => {
    await expectFormatError(importFrom(dirSource(join(FIXTURE, 'strict')), [image('2.jpg')]), 'obj_train_data/1.txt', undefined, /no image of the task matches/);
  });

  it('refuses to guess image sizes when no images are known', async () => {
    await expectFormatError(importFrom(dirSource(join(FIXTURE, 'strict')), []), 'obj_train_data/1.txt', undefined, /size of image .* is unknown/);
  });
});

describe('YOLO 1.1 export', () => {
  const names = labels('car', 'person');

  it('writes the files CVAT writes, numbers as Python formats them', async () => {
    const frames: FrameAnnotations[] = [
      { image: image('a.jpg', 0, 640, 480), shapes: [rect('person', [5, 10, 45, 90]), rect('car', [0.1, 0.2, 0.3, 0.4])], tags: [] },
      { image: image('dir/b.png', 1, 640, 480), shapes: [], tags: [] },
    ];
    const { sink, report } = await exportFrames(frames, names);
    expect(files(sink)).toEqual({
      'obj.data': 'classes = 2\ntrain = data/train.txt\nnames = data/obj.names\nbackup = backup/\n',
      'obj.names': 'car\nperson\n',
      'train.txt': 'data/obj_train_data/a.jpg\ndata/obj_train_data/dir/b.png\n',
      // 25/640 = 0.0390625 is a tie: Python rounds it to even (0.039062), toFixed would give 0.039063.
      'obj_train_data/a.txt': '1 0.039062 0.104167 0.062500 0.166667\n0 0.000313 0.000625 0.000312 0.000417\n',
      'obj_train_data/dir/b.txt': '',
    });
    expect(report.droppedItems).toEqual([]);
    expect(report.convertedItems).toEqual([]);
  });

  it('writes subsets to their own folders and list files; the default subset is train', async () => {
    const frames: FrameAnnotations[] = [
      { image: image('a.jpg', 0, 10, 10, 'Validation'), shapes: [], tags: [] },
      { image: image('b.jpg', 1, 10, 10), shapes: [], tags: [] },
      { image: image('c.jpg', 2, 10, 10, 'default'), shapes: [], tags: [] },
    ];
    const { sink } = await exportFrames(frames, names, true);
    expect(sink.text('obj.data')).toBe('classes = 2\nValidation = data/Validation.txt\ntrain = data/train.txt\nnames = data/obj.names\nbackup = backup/\n');
    expect(sink.text('train.txt')).toBe('data/obj_train_data/b.jpg\ndata/obj_train_data/c.jpg\n');
    expect([...sink.images.entries()]).toEqual([
      ['obj_Validation_data/a.jpg', 'a.jpg'],
      ['obj_train_data/b.jpg', 'b.jpg'],
      ['obj_train_data/c.jpg', 'c.jpg'],
    ]);
  });

  it('refuses a subset named like an obj.data key', async () => {
    const frames = [{ image: image('a.jpg', 0, 10, 10, 'names'), shapes: [], tags: [] }];
    await expect(exportFrames(frames, names)).rejects.toThrow(/reserved/);
  });

  it('reports what YOLO cannot hold: other shapes and tags dropped, rotated and overhanging boxes converted', async () => {
    const polygon = { ...rect('car', [1, 1, 5, 1, 5, 5]), type: 'polygon' as const };
    const frames: FrameAnnotations[] = [{
      image: image('a.jpg', 3, 100, 100),
      shapes: [rect('car', [10, 10, 30, 20], 90), rect('car', [-10, 90, 20, 120]), rect('car', [200, 200, 300, 300]), polygon],
      tags: [{ label: 'car', group: 0, source: 'manual', attributes: {} }],
    }];
    const { sink, report } = await exportFrames(frames, names);
    // Rotated 90° about (20, 15): the box (15, 5)-(25, 25); the overhanging one is cut at the border.
    expect(sink.text('obj_train_data/a.txt')).toBe('0 0.200000 0.150000 0.100000 0.200000\n0 0.100000 0.950000 0.200000 0.100000\n');
    expect(report.convertedItems.map((c) => [c.what, c.frame])).toEqual([
      ['rotated rectangles', 3],
      ['rectangles crossing the image border', 3],
    ]);
    expect(report.droppedItems.map((d) => [d.what, d.frame])).toEqual([
      ['rectangles outside the image', 3],
      ['polygon shapes', 3],
      ['tags', 3],
    ]);
  });

  it('round-trips: export, import, export gives identical files', async () => {
    const frames: FrameAnnotations[] = [
      { image: image('x/a.jpg', 0, 1280, 720), shapes: [rect('person', [5, 10, 45, 90]), rect('car', [100.25, 33.3, 640.7, 719.9])], tags: [] },
      { image: image('b.jpg', 1, 333, 221, 'val'), shapes: [rect('car', [0, 0, 333, 221]), rect('person', [1.5, 2.5, 3.5, 4.5])], tags: [] },
      { image: image('c.jpg', 2, 50, 50), shapes: [], tags: [] },
    ];
    const first = await exportFrames(frames, names);
    const parsed = await importFrom(memorySource(first.sink.files), frames.map((f) => f.image));
    expect(parsed.labels.map((l) => l.name)).toEqual(['car', 'person']);
    // Frames come in the files' order (subset by subset); the server hands them back in frame order.
    const back = [...parsed.frames].sort((a, b) => a.image.frame - b.image.frame);
    expect(back.map((f) => [f.image.name, f.image.subset, f.shapes.length])).toEqual([['x/a.jpg', 'train', 2], ['b.jpg', 'val', 2], ['c.jpg', 'train', 0]]);
    const second = await exportFrames(back, parsed.labels);
    expect(files(second.sink)).toEqual(files(first.sink));
  });
});

describe('YOLO 1.1 bad files', () => {
  const base = {
    'obj.data': 'classes = 2\ntrain = data/train.txt\nnames = data/obj.names\n',
    'obj.names': 'a\nb\n',
    'train.txt': 'data/obj_train_data/1.jpg\n',
  };
  const source = (extra: Record<string, string>, without: string[] = []) => {
    const all: Record<string, string> = { ...base, ...extra };
    for (const k of without) delete all[k];
    return memorySource(new Map(Object.entries(all).map(([k, v]) => [k, new TextEncoder().encode(v)])));
  };
  const run = (label: string) => importFrom(source({ 'obj_train_data/1.txt': label }), [image('1.jpg')]);

  it('names the file and line of a line with the wrong number of fields', async () => {
    await expectFormatError(run('0 0.5 0.5 0.1 0.1\n\n1 0.5 0.5 0.1\n'), 'obj_train_data/1.txt', 3, /4 fields; expected 5/);
    await expectFormatError(run('0 0.5 0.5 0.1 0.1 7\n'), 'obj_train_data/1.txt', 1, /6 fields/);
  });

  it('names the file and line of a field that is not a number', async () => {
    await expectFormatError(run('0 0.5 abc 0.1 0.1\n'), 'obj_train_data/1.txt', 1, /box centre y "abc" is not a number/);
    await expectFormatError(run('0 0.5 nan 0.1 0.1\n'), 'obj_train_data/1.txt', 1, /not a number/);
    await expectFormatError(run('x 0.5 0.5 0.1 0.1\n'), 'obj_train_data/1.txt', 1, /class index "x" is not an integer/);
  });

  it('refuses class indexes obj.names does not declare', async () => {
    await expectFormatError(run('2 0.5 0.5 0.1 0.1\n'), 'obj_train_data/1.txt', 1, /class index 2 is not declared in obj.names/);
    await expectFormatError(run('-1 0.5 0.5 0.1 0.1\n'), 'obj_train_data/1.txt', 1, /class index -1/);
  });

  it('refuses coordinates outside [0, 1] beyond a small tolerance, accepts rounding overshoot', async () => {
    await expectFormatError(run('0 1.5 0.5 0.1 0.1\n'), 'obj_train_data/1.txt', 1, /outside \[0, 1\]/);
    await expectFormatError(run('0 0.5 0.5 -0.2 0.1\n'), 'obj_train_data/1.txt', 1, /outside \[0, 1\]/);
    await expectFormatError(run('0 0.95 0.5 0.3 0.1\n'), 'obj_train_data/1.txt', 1, /reaches outside the image/);
    const ok = await run('0 0.5 0.5 1.000001 1.0\n');
    expect(ok.frames[0]!.shapes).toHaveLength(1);
  });

  it('names what is missing: obj.names, the list file, a label file, the whole layout', async () => {
    await expectFormatError(importFrom(source({}, ['obj.names']), [image('1.jpg')]), 'obj.data', 3, /labels file obj.names is missing/);
    await expectFormatError(importFrom(source({}, ['train.txt']), [image('1.jpg')]), 'obj.data', 2, /image list train.txt/);
    await expectFormatError(importFrom(source({}), [image('1.jpg')]), 'train.txt', 1, /annotation file obj_train_data\/1.txt/);
    await expectFormatError(importFrom(source({ 'obj.data': 'classes = 2\n' }), [image('1.jpg')]), 'obj.data', undefined, /no "names/);
    await expectFormatError(importFrom(source({}, ['obj.data', 'obj.names']), [image('1.jpg')]), 'obj.data', undefined, /neither obj.data nor obj.names/);
  });

  it('refuses a label listed twice in obj.names', async () => {
    await expectFormatError(importFrom(source({ 'obj.names': 'a\nb\na\n', 'obj_train_data/1.txt': '' }), [image('1.jpg')]), 'obj.names', 3, /listed twice/);
  });
});
