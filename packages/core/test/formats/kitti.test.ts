import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import sharp from 'sharp';
import { kittiFormat } from '../../src/formats/kitti/index.js';
import { pyParseFloat } from '../../src/formats/kitti/detection.js';
import { DatasetFormatError, type ImportSource, type ParsedDataset } from '../../src/formats/model.js';
import { DATASETS, dirSource, sharpRaster } from './harness.js';
import { export16, import16, values16 } from './raster16-harness.js';
import { filesSource, frame, label, reexportInput, reportCounts, shape, spec, tag, text } from './voc-helpers.js';

const KITTI = join(DATASETS, 'kitti_dataset');

function summary(parsed: ParsedDataset): string[] {
  return parsed.frames.map((f) => `${f.image.subset ?? '-'} ${f.image.name} ${f.image.width}x${f.image.height}: ${f.shapes.map((s) => `${s.type}:${s.label}`).join(' ')}`);
}

describe('KITTI import of the Datumaro sample datasets', () => {
  it('kitti_segmentation: 16-bit instance PNGs, class = value >> 8, KITTI\'s labels by default', async () => {
    const parsed = await import16(kittiFormat, dirSource(join(KITTI, 'kitti_segmentation')));
    expect(parsed.labels).toHaveLength(35);
    expect(parsed.labels[26]).toEqual({ name: 'car', type: 'any', color: '#00008e', attributes: [] });
    // Values: 000030_10 [768,768,6913,6914,6914] (3/0, 27/1, 27/2); 000030_11 [7937,7937,3073,768,768] (31/1, 12/1, 3/0).
    expect(summary(parsed)).toEqual([
      'training 000030_10.png 5x1: mask:outofroi mask:truck mask:truck',
      'training 000030_11.png 5x1: mask:outofroi mask:wall mask:train',
    ]);
    expect(parsed.frames.flatMap((f) => f.shapes)).toHaveLength(6);
    expect(parsed.frames[0]!.shapes.map((s) => s.points)).toEqual([[0, 2, 0, 0, 1, 0], [0, 1, 2, 0, 2, 0], [0, 2, 3, 0, 4, 0]]);
  });

  it('kitti_detection: 15-field label_2 lines become boxes with truncated and occluded', async () => {
    const parsed = await import16(kittiFormat, dirSource(join(KITTI, 'kitti_detection')));
    expect(parsed.labels).toEqual([
      { name: 'Truck', type: 'any', attributes: [{ name: 'truncated', mutable: false, input_type: 'checkbox', default_value: 'false', values: ['false', 'true'] }] },
      { name: 'Van', type: 'any', attributes: [{ name: 'truncated', mutable: false, input_type: 'checkbox', default_value: 'false', values: ['false', 'true'] }] },
    ]);
    expect(summary(parsed)).toEqual([
      'training 000030_10.png 0x0: rectangle:Truck rectangle:Van',
      'training 000030_11.png 0x0: rectangle:Van rectangle:Van rectangle:Van',
    ]);
    const boxes = parsed.frames.flatMap((f) => f.shapes);
    expect(boxes.map((b) => [b.points, b.occluded, b.attributes.truncated])).toEqual([
      [[0, 1, 2, 3], false, 'true'], [[0, 5, 1, 8], false, 'false'],
      [[0, 0, 2, 2], true, 'true'], [[4, 4, 6, 6], false, 'false'], [[6, 6, 7, 9], true, 'false'],
    ]);
  });

  it('a 16th field is the score; label_colors.txt sits beside the subset folder', async () => {
    const instance = new Uint8Array(await sharp(new Uint16Array([0, 257, 256]), { raw: { width: 3, height: 1, channels: 1 } }).toColourspace('grey16').png().toBuffer());
    const parsed = await import16(kittiFormat, filesSource({
      'kitti/label_colors.txt': '0 0 0 background\n255 0 0 car\n',
      'kitti/val/instance/a.png': instance,
      'kitti/val/label_2/a.txt': 'car 0 0 -1 1 2 3.5 4 -1 -1 -1 -1 -1 -1 -1 0.25\n',
      'kitti/val/image_2/a.jpg': 'x',
      'kitti/val/image_2/b.jpg': 'x',
    }), { labels: [label('car', [spec('is_crowd', 'checkbox', 'false', ['false', 'true'])])] });
    expect(summary(parsed)).toEqual(['val a.jpg 3x1: mask:car mask:car rectangle:car', 'val b.jpg 0x0: ']);
    expect(parsed.frames[0]!.shapes.map((s) => s.attributes)).toEqual([{ is_crowd: 'true' }, { is_crowd: 'false' }, { truncated: 'false', score: '0.25' }]);
    expect(parsed.labels.map((l) => [l.name, l.attributes.map((a) => `${a.name}:${a.input_type}`)])).toEqual([
      ['background', []], ['car', ['truncated:checkbox', 'score:number']],
    ]);
  });
});

const labels = [
  label('car', [spec('truncated', 'checkbox', 'false', ['false', 'true']), spec('score', 'number', '1', ['0', '1', '0.01'])], '#ff0000'),
  label('person', [], '#00ff00'),
];

function sampleFrames() {
  return [
    frame(0, 'a.jpg', [
      shape('rectangle', 'car', [0, 0, 4, 4], { occluded: true, attributes: { truncated: 'true', score: '0.75' } }),
      shape('polygon', 'person', [10, 0, 14, 0, 14, 4, 10, 4]),
      shape('polygon', 'car', [0, 5, 3, 5, 3, 8, 0, 8]),
      shape('polygon', 'car', [5, 5, 8, 5, 8, 8, 5, 8]),
      shape('rectangle', 'car', [15, 5, 19, 9], { rotation: 90 }),
      shape('points', 'car', [1, 1]),
    ], [tag('car')]),
    frame(1, 'b.jpg'),
    frame(2, 'c.jpg', [shape('rectangle', 'person', [1.5, 2, 3, 4.25])], [], undefined, 'train'),
  ];
}

describe('KITTI export', () => {
  it('writes label_2 boxes, semantic, semantic_rgb and instance PNGs, and label_colors.txt', async () => {
    const { sink, report } = await export16(kittiFormat, { labels, frames: sampleFrames(), saveImages: true });
    expect([...sink.files.keys()].sort()).toEqual([
      'default/instance/a.png', 'default/label_2/a.txt', 'default/semantic/a.png', 'default/semantic_rgb/a.png', 'label_colors.txt', 'train/label_2/c.txt',
    ]);
    expect([...sink.images.keys()]).toEqual(['default/image_2/a.jpg', 'default/image_2/b.jpg', 'train/image_2/c.jpg']);
    const t = text(sink);
    expect(t['label_colors.txt']).toBe('0 0 0 background\n255 0 0 car\n0 255 0 person\n');
    expect(t['default/label_2/a.txt']).toBe('car 1.0 1 -1 0.0 0.0 4.0 4.0 -1 -1 -1 -1 -1 -1 -1 0.75\n');
    expect(t['train/label_2/c.txt']).toBe('person 0.0 0 -1 1.5 2.0 3.0 4.25 -1 -1 -1 -1 -1 -1 -1 1.0\n');
    const semantic = await values16(sink.files.get('default/semantic/a.png')!);
    const instance = await values16(sink.files.get('default/instance/a.png')!);
    const rgb = await sharpRaster.decodePng(sink.files.get('default/semantic_rgb/a.png')!);
    const at = (x: number, y: number) => {
      const p = y * 20 + x;
      return [semantic[p], instance[p], [...rgb.data.subarray(p * 3, p * 3 + 3)]];
    };
    // Instances of a class numbered 1, 2, ...; the rotated box comes after the other segments.
    expect([at(12, 2), at(1, 6), at(6, 6), at(17, 7), at(19, 0)]).toEqual([
      [2, 513, [0, 255, 0]], [1, 257, [255, 0, 0]], [1, 258, [255, 0, 0]], [1, 259, [255, 0, 0]], [0, 0, [0, 0, 0]],
    ]);
    expect(reportCounts(report)).toEqual({
      dropped: { tags: 1, 'points shapes': 1 },
      converted: { polygons: 3, 'rotated rectangles': 1 },
    });
  });

  it('reports segments it cannot number', async () => {
    const polys = Array.from({ length: 256 }, () => shape('polygon', 'car', [0, 0, 1, 0, 1, 1]));
    const { report } = await export16(kittiFormat, { labels, frames: [frame(0, 'a.jpg', [...polys, shape('polygon', 'background', [0, 0, 1, 0, 1, 1])])] });
    expect(reportCounts(report).dropped).toEqual({ 'instances beyond the 255th of a class': 1, 'shapes of the background label': 1 });
  });

  it('round trip: export -> import into the same task -> export gives the same files, byte for byte', async () => {
    const first = await export16(kittiFormat, { labels, frames: sampleFrames() });
    const parsed = await import16(kittiFormat, filesSource(Object.fromEntries(first.sink.files)), { labels });
    expect(summary(parsed)).toEqual([
      '- a.png 20x10: mask:car mask:car mask:car mask:person rectangle:car',
      'train c.png 0x0: rectangle:person',
    ]);
    const second = await export16(kittiFormat, reexportInput(parsed));
    expect([...second.sink.files.keys()].sort()).toEqual([...first.sink.files.keys()].sort());
    for (const [path, bytes] of first.sink.files) expect(Buffer.from(second.sink.files.get(path)!).equals(Buffer.from(bytes)), path).toBe(true);
  });
});

describe('KITTI bad files', () => {
  const fails = async (source: ImportSource, file: string, message: RegExp, line?: number) => {
    const err = await import16(kittiFormat, source).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect((err as DatasetFormatError).file).toBe(file);
    expect((err as DatasetFormatError).message).toMatch(message);
    if (line !== undefined) expect((err as DatasetFormatError).where?.line).toBe(line);
  };
  const det = (lines: string) => filesSource({ 'training/label_2/a.txt': lines });
  const row = '-1 -1 -1 -1 -1 -1 -1';

  it('an archive without instance/ or label_2/', () => fails(filesSource({ 'training/image_2/a.png': 'x' }), 'training/image_2/a.png', /no instance\/ or label_2\//));
  it('a line of the wrong length', () => fails(det(`Car 0 0 -1 1 2 3 4 ${row}\nCar 0 0 -1 1 2 3\n`), 'training/label_2/a.txt', /expected 15 or 16 .* got 7/, 2));
  it('a coordinate that is not a number', () => fails(det(`Car 0 0 -1 1 two 3 4 ${row}\n`), 'training/label_2/a.txt', /top "two" is not a number/, 1));
  it('an occlusion that is not an integer', () => fails(det(`Car 0 1.0 -1 1 2 3 4 ${row}\n`), 'training/label_2/a.txt', /occluded "1.0" is not an integer/, 1));
  it('a class beyond the label map', async () => {
    const png = new Uint8Array(await sharp(new Uint16Array([36 * 256]), { raw: { width: 1, height: 1, channels: 1 } }).toColourspace('grey16').png().toBuffer());
    await fails(filesSource({ 'training/instance/a.png': png }), 'training/instance/a.png', /class 36 is beyond the 35 labels/);
  });

  it('numbers are read as Python reads them', () => {
    expect(['1', '-2.5', '1e3', '.5', '1_000', 'inf', '-Infinity', 'x', '1.2.3', ''].map(pyParseFloat)).toEqual([1, -2.5, 1000, 0.5, 1000, Infinity, -Infinity, undefined, undefined, undefined]);
  });
});
