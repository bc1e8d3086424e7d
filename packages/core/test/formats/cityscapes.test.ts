import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import sharp from 'sharp';
import { cityscapesFormat } from '../../src/formats/cityscapes/index.js';
import { DatasetFormatError, type FormatCodec, type ImportSource } from '../../src/formats/model.js';
import { DATASETS, ListReport, MemorySink, dirSource, exportInput, memorySource, sharpRaster } from './harness.js';
import { export16, import16, values16 } from './raster16-harness.js';
import { filesSource, frame, label, reexportInput, reportCounts, shape, spec, tag, text } from './voc-helpers.js';

const CITYSCAPES = join(DATASETS, 'cityscapes_dataset');
const codec: FormatCodec = cityscapesFormat;

/** Each frame as "subset name: label label ...". */
function summary(parsed: Awaited<ReturnType<typeof import16>>): string[] {
  return parsed.frames.map((f) => `${f.image.subset ?? '-'} ${f.image.name} ${f.image.width}x${f.image.height}: ${f.shapes.map((s) => `${s.type}:${s.label}`).join(' ')}`);
}

describe('Cityscapes import of Datumaro sample datasets', () => {
  it('dataset: 8-bit instanceIds, every value a class number (crowd), Cityscapes labels by default', async () => {
    const parsed = await import16(codec, dirSource(join(CITYSCAPES, 'dataset')));
    expect(parsed.labels).toHaveLength(35);
    expect(parsed.labels.slice(0, 4).map((l) => [l.name, l.color])).toEqual([
      ['unlabeled', '#000000'], ['egovehicle', '#000000'], ['rectificationborder', '#000000'], ['outofroi', '#000000'],
    ]);
    expect(parsed.labels.every((l) => l.attributes.length === 0)).toBe(true);
    // Pixel values: 000031 [3,3,27,27,27], 000032 [31,31,12,3,3], 000045 [3,3,24,3,3], 000019 [3,1,1,3,3].
    expect(summary(parsed)).toEqual([
      'test defaultcity/defaultcity_000001_000031.png 5x1: mask:outofroi mask:truck',
      'test defaultcity/defaultcity_000001_000032.png 5x1: mask:outofroi mask:wall mask:train',
      'train defaultcity/defaultcity_000002_000045.png 5x1: mask:outofroi mask:person',
      'val defaultcity/defaultcity_000001_000019.png 5x1: mask:egovehicle mask:outofroi',
    ]);
    expect(parsed.frames.flatMap((f) => f.shapes)).toHaveLength(9);
    // truck covers x 2..4 of the one row: no pixel off, three on, then the box.
    expect(parsed.frames[0]!.shapes[1]!.points).toEqual([0, 3, 2, 0, 4, 0]);
    expect(parsed.tracks).toEqual([]);
  });

  it('train_dataset: labelTrainIds win over instanceIds, with the 20 training labels; class 19 is the background', async () => {
    const parsed = await import16(codec, dirSource(join(CITYSCAPES, 'train_dataset')));
    expect(parsed.labels.map((l) => l.name)).toEqual([
      'road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'trafficlight', 'trafficsign', 'vegetation', 'terrain', 'sky',
      'person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle', 'background',
    ]);
    // Train ids: 000031 [19,19,14,14,14], 000032 [16,16,3,19,19], 000045 [19,19,11,19,19], 000019 all 19.
    expect(summary(parsed)).toEqual([
      'test defaultcity/defaultcity_000001_000031.png 5x1: mask:truck',
      'test defaultcity/defaultcity_000001_000032.png 5x1: mask:wall mask:train',
      'train defaultcity/defaultcity_000002_000045.png 5x1: mask:person',
      'val defaultcity/defaultcity_000001_000019.png 5x1: ',
    ]);
  });

  it('the background class is a mask only when the task has a label of its name', async () => {
    const files = filesSource({
      'label_colors.txt': '0 0 0 background\n255 0 0 car\n',
      'gtFine/default/a_gtFine_instanceIds.png': new Uint8Array(await sharp(new Uint16Array([0, 1001]), { raw: { width: 2, height: 1, channels: 1 } }).toColourspace('grey16').png().toBuffer()),
    });
    expect(summary(await import16(codec, files, { labels: [label('car')] }))).toEqual(['- a.png 2x1: mask:car']);
    expect(summary(await import16(codec, files, { labels: [label('background'), label('car')] }))).toEqual(['- a.png 2x1: mask:background mask:car']);
  });

  it('without label_colors.txt, the task\'s labels are the label map, as CVAT writes it in', async () => {
    const gray = new Uint8Array(await sharp(new Uint8Array([0, 1, 2]), { raw: { width: 3, height: 1, channels: 1 } }).toColourspace('b-w').png().toBuffer());
    const task = [label('car', [], '#ff0000'), label('person', [], '#00ff00')];
    const parsed = await import16(codec, filesSource({ 'gtFine/default/a_gtFine_instanceIds.png': gray }), { labels: task });
    expect(parsed.labels.map((l) => [l.name, l.color])).toEqual([['background', '#000000'], ['car', '#ff0000'], ['person', '#00ff00']]);
    expect(summary(parsed)).toEqual(['- a.png 3x1: mask:car mask:person']);
    const err = await import16(codec, dirSource(join(CITYSCAPES, 'dataset')), { labels: task }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect((err as Error).message).toMatch(/instanceIds.png: class 3 is beyond the 3 labels of the label map/);
  });

  it('16-bit instanceIds: value // 1000 is the class, is_crowd only for task labels that declare it', async () => {
    const files = new Map<string, Uint8Array>([
      ['label_colors.txt', new TextEncoder().encode('0 0 0 background\n255 0 0 car\n0 255 0 person\n')],
      ['gtFine/val/a_gtFine_instanceIds.png', new Uint8Array(await sharp(new Uint16Array([1001, 1002, 2, 0]), { raw: { width: 2, height: 2, channels: 1 } }).toColourspace('grey16').png().toBuffer())],
      ['imgsFine/leftImg8bit/val/a_leftImg8bit.jpg', new Uint8Array([1])],
      ['imgsFine/leftImg8bit/val/b_leftImg8bit.jpg', new Uint8Array([1])],
    ]);
    const car = label('car', [spec('is_crowd', 'checkbox', 'false', ['true', 'false'])]);
    const parsed = await import16(codec, memorySource(files), { labels: [car, label('person')] });
    expect(summary(parsed)).toEqual(['val a.jpg 2x2: mask:person mask:car mask:car', 'val b.jpg 0x0: ']);
    expect(parsed.frames[0]!.shapes.map((s) => s.attributes)).toEqual([{}, { is_crowd: 'false' }, { is_crowd: 'false' }]);
    expect(parsed.labels.map((l) => [l.name, l.color])).toEqual([['background', '#000000'], ['car', '#ff0000'], ['person', '#00ff00']]);
  });
});

const labels = [
  label('car', [spec('is_crowd', 'checkbox', 'false', ['true', 'false'])], '#ff0000'),
  label('person', [], '#00ff00'),
  { ...label('kp', [], '#0000ff'), type: 'points' as const },
];

function sampleFrames() {
  return [
    frame(0, 'a.jpg', [
      shape('rectangle', 'car', [0, 0, 4, 4], { attributes: { is_crowd: 'true' } }),
      shape('polygon', 'person', [10, 0, 14, 0, 14, 4, 10, 4], { group: 2 }),
      shape('mask', 'person', [0, 4, 15, 5, 16, 6], { group: 2 }),
      shape('rectangle', 'car', [5, 5, 9, 9], { rotation: 90 }),
      shape('points', 'kp', [1, 1]),
    ], [tag('car')]),
    frame(1, 'b.jpg'),
    frame(2, 'dir/c.png', [shape('ellipse', 'person', [10, 5, 13, 3])], [], undefined, 'train'),
  ];
}

describe('Cityscapes export', () => {
  it('writes color, labelIds and 16-bit instanceIds PNGs per image with segments, and label_colors.txt', async () => {
    const { sink, report } = await export16(codec, { labels, frames: sampleFrames(), saveImages: true });
    expect([...sink.files.keys()].sort()).toEqual([
      'gtFine/default/a_gtFine_color.png', 'gtFine/default/a_gtFine_instanceIds.png', 'gtFine/default/a_gtFine_labelIds.png',
      'gtFine/train/dir/c_gtFine_color.png', 'gtFine/train/dir/c_gtFine_instanceIds.png', 'gtFine/train/dir/c_gtFine_labelIds.png',
      'label_colors.txt',
    ]);
    expect([...sink.images.keys()]).toEqual([
      'imgsFine/leftImg8bit/default/a_leftImg8bit.jpg', 'imgsFine/leftImg8bit/default/b_leftImg8bit.jpg', 'imgsFine/leftImg8bit/train/dir/c_leftImg8bit.png',
    ]);
    // The points label is not a segment label in CVAT's Cityscapes export; the background comes first.
    expect(text(sink)['label_colors.txt']).toBe('0 0 0 background\n255 0 0 car\n0 255 0 person\n');
    const inst = await values16(sink.files.get('gtFine/default/a_gtFine_instanceIds.png')!);
    const cls = (await sharpRaster.decodePng(sink.files.get('gtFine/default/a_gtFine_labelIds.png')!));
    const color = await sharpRaster.decodePng(sink.files.get('gtFine/default/a_gtFine_color.png')!);
    const at = (x: number, y: number) => {
      const p = y * 20 + x;
      return [inst[p], cls.data[p * cls.channels], [...color.data.subarray(p * 3, p * 3 + 3)]];
    };
    // Instances: the ungrouped car box (crowd: its class alone), the rotated car box (moved last
    // among the ungrouped), then group 2 merged: class * 1000 + position.
    expect(at(1, 1)).toEqual([1, 1, [255, 0, 0]]);
    expect(at(7, 7)).toEqual([1002, 1, [255, 0, 0]]);
    expect(at(12, 2)).toEqual([2003, 2, [0, 255, 0]]);
    expect(at(15, 5)).toEqual([2003, 2, [0, 255, 0]]);
    expect(at(19, 9)).toEqual([0, 0, [0, 0, 0]]);
    expect(reportCounts(report)).toEqual({
      dropped: { tags: 1, 'points shapes': 1 },
      converted: { 'rectangles': 1, 'polygons': 1, 'rotated rectangles': 1, 'grouped shapes': 1, 'ellipses': 1 },
    });
  });

  it('reports what it leaves out: labels outside the map, the background label, unknown sizes', async () => {
    const { sink, report } = await export16(codec, {
      labels: [label('background', [], '#000000'), label('car', [], '#ff0000')],
      frames: [
        frame(0, 'a.jpg', [shape('polygon', 'background', [0, 0, 3, 0, 3, 3]), shape('polygon', 'ghost', [0, 0, 3, 0, 3, 3])]),
        frame(1, 'b.jpg', [shape('mask', 'car', [0, 1, 0, 0, 0, 0])], [], { width: 0, height: 0 }),
        frame(2, 'a.png', [shape('mask', 'car', [0, 1, 0, 0, 0, 0])]),
      ],
    });
    expect(reportCounts(report).dropped).toEqual({
      'shapes of the background label': 1, 'shapes of labels not in the label map': 1, segments: 1, 'images with the same name as an earlier one': 1,
    });
    // Datumaro writes the PNGs of an image with masks even when none of them paints.
    expect(await values16(sink.files.get('gtFine/default/a_gtFine_instanceIds.png')!)).toEqual(new Array(200).fill(0));
  });

  it('round trip: export -> import into the same task -> export gives the same files, byte for byte', async () => {
    const first = await export16(codec, { labels, frames: sampleFrames() });
    const parsed = await import16(codec, memorySource(first.sink.files), { labels });
    expect(summary(parsed)).toEqual([
      '- a.png 20x10: mask:car mask:car mask:person',
      'train dir/c.png 20x10: mask:person',
    ]);
    expect(parsed.frames[0]!.shapes.map((s) => s.attributes)).toEqual([{ is_crowd: 'true' }, { is_crowd: 'false' }, {}]);
    const second = await export16(codec, { ...reexportInput(parsed), labels });
    expect([...second.sink.files.keys()].sort()).toEqual([...first.sink.files.keys()].sort());
    for (const [path, bytes] of first.sink.files) expect(Buffer.from(second.sink.files.get(path)!).equals(Buffer.from(bytes)), path).toBe(true);
  });
});

describe('Cityscapes bad files', () => {
  const png16 = async (v: number[]) => new Uint8Array(await sharp(new Uint16Array(v), { raw: { width: v.length, height: 1, channels: 1 } }).toColourspace('grey16').png().toBuffer());
  const fails = async (source: ImportSource, file: string, message: RegExp, line?: number, raster = true) => {
    const err = await (raster ? import16(codec, source) : codec.import!(source, { raster: sharpRaster, images: [] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect((err as DatasetFormatError).file).toBe(file);
    expect((err as DatasetFormatError).message).toMatch(message);
    if (line !== undefined) expect((err as DatasetFormatError).where?.line).toBe(line);
  };
  const mask = 'gtFine/train/a_gtFine_instanceIds.png';

  it('an archive without gtFine/ or imgsFine/', () => fails(filesSource({ 'readme.txt': 'x' }), 'readme.txt', /no gtFine\/<subset>\//));
  it('a mask that is not a PNG', () => fails(filesSource({ [mask]: 'not a png' }), mask, /not a PNG file/));
  it('a colour instance PNG', async () => {
    const rgb = new Uint8Array(await sharp(new Uint8Array([1, 2, 3]), { raw: { width: 1, height: 1, channels: 3 } }).png().toBuffer());
    await fails(filesSource({ [mask]: rgb }), mask, /pixel \(0, 0\) is coloured \(1, 2, 3\)/);
  });
  it('a class beyond label_colors.txt', async () =>
    fails(filesSource({ 'label_colors.txt': '0 0 0 background\n1 2 3 car\n', [mask]: await png16([2001]) }), mask, /class 2 is beyond the 2 labels/));
  it('a 16-bit PNG on a host without 16-bit decoding', async () =>
    fails(filesSource({ [mask]: await png16([1001]) }), mask, /cannot decode 16-bit PNGs/, undefined, false));
  it('a label_colors.txt colour out of range', () =>
    fails(filesSource({ 'label_colors.txt': '0 0 0 background\n0 300 0 car\n', [mask]: 'x' }), 'label_colors.txt', /not three numbers from 0 to 255/, 2));
  it('a label_colors.txt label defined twice', () =>
    fails(filesSource({ 'label_colors.txt': '# comment\n\n1 1 1 car\ncar\n', [mask]: 'x' }), 'label_colors.txt', /label "car" is defined twice/, 4));
  it('a label_colors.txt line of two words', () =>
    fails(filesSource({ 'label_colors.txt': 'red car\n', [mask]: 'x' }), 'label_colors.txt', /expected "r g b name"/, 1));
  it('a colour without a name', () => fails(filesSource({ 'label_colors.txt': '1 2 3\n', [mask]: 'x' }), 'label_colors.txt', /a color without a label name/, 1));

  it('export on a host without 16-bit encoding says so', async () => {
    const err = await codec.export!(exportInput({ labels, frames: sampleFrames() }), new MemorySink(), { raster: sharpRaster, report: new ListReport() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect((err as DatasetFormatError).file).toBe('gtFine/default/a_gtFine_instanceIds.png');
    expect((err as Error).message).toMatch(/cannot encode 16-bit PNGs/);
  });
});
