import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { decodeBmp, encodeBmp } from '../../src/formats/icdar/bmp.js';
import { icdarLocalizationFormat, icdarRecognitionFormat, icdarSegmentationFormat } from '../../src/formats/icdar/index.js';
import { DatasetFormatError } from '../../src/formats/model.js';
import { DATASETS, dirSource } from './harness.js';
import { filesSource, frame, label, reexportInput, reportCounts, runExport, runImport, shape, spec, tag, text } from './voc-helpers.js';

const ICDAR = join(DATASETS, 'icdar_dataset');
const icdar = label('icdar', [spec('text', 'text', '', [])]);

describe('ICDAR import of the Datumaro sample datasets', () => {
  it('word_recognition: a tag "icdar" with the text per word image', async () => {
    const parsed = await runImport(icdarRecognitionFormat, dirSource(join(ICDAR, 'word_recognition')));
    expect(parsed.labels).toEqual([{ name: 'icdar', type: 'any', attributes: [expect.objectContaining({ name: 'text', input_type: 'text' })] }]);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.tags.map((t) => t.attributes.text), f.shapes.length])).toEqual([
      ['word_1.png', 'train', ['PROPER'], 0], ['word_2.png', 'train', ['Canon'], 0],
    ]);
  });

  it('text_localization: a quadrilateral and two boxes with their texts', async () => {
    const parsed = await runImport(icdarLocalizationFormat, dirSource(join(ICDAR, 'text_localization')));
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.shapes.map((s) => [s.type, s.label, s.points, s.attributes.text])])).toEqual([
      ['img_1.png', 'train', [['polygon', 'icdar', [0, 0, 3, 1, 4, 6, 1, 7], 'FOOD']]],
      ['img_2.png', 'train', [['rectangle', 'icdar', [0, 0, 2, 3], 'RED'], ['rectangle', 'icdar', [3, 3, 5, 6], 'LION']]],
    ]);
  });

  it('text_segmentation: a mask per color of the _GT image (a PNG under a .bmp name), words as groups', async () => {
    const parsed = await runImport(icdarSegmentationFormat, dirSource(join(ICDAR, 'text_segmentation')));
    expect(parsed.labels.map((l) => [l.name, l.attributes.map((a) => a.name)])).toEqual([['icdar', ['index', 'color', 'text', 'center']]]);
    const [f] = parsed.frames;
    expect(parsed.frames).toHaveLength(1);
    expect(f!.image).toEqual({ frame: -1, name: '1.png', width: 5, height: 2, subset: 'train' });
    expect(f!.shapes.map((s) => [s.type, s.group, s.points, s.attributes])).toEqual([
      ['mask', 0, [0, 2, 1, 0, 2, 0], { index: '0', color: '108 225 132', text: 'F', center: '0 1' }],
      ['mask', 1, [0, 2, 3, 0, 3, 1], { index: '1', color: '82 174 214', text: 'T', center: '1 3' }],
      ['mask', 1, [0, 1, 4, 1, 4, 1], { index: '2', color: '241 73 144', text: 'h', center: '1 4' }],
    ]);
  });
});

describe('ICDAR Recognition export', () => {
  const frames = () => [
    frame(0, 'w1.png', [], [tag('icdar', { text: 'Hello' })]),
    frame(1, 'sub/w2.jpg', [shape('rectangle', 'icdar', [0, 0, 1, 1], { attributes: { text: 'x' } })], [tag('icdar', { text: 'y' })]),
    frame(2, 'w3.png', [], [], undefined, 'val'),
  ];

  it('writes <subset>/gt.txt with the first text of each image and reports the rest', async () => {
    const { sink, report } = await runExport(icdarRecognitionFormat, { labels: [icdar], frames: frames(), saveImages: true });
    expect(text(sink)).toEqual({ 'default/gt.txt': 'w1.png, "Hello"\nsub/w2.jpg, "y"\n', 'val/gt.txt': 'w3.png, \n' });
    expect([...sink.images.keys()]).toEqual(['default/images/w1.png', 'default/images/sub/w2.jpg', 'val/images/w3.png']);
    expect(reportCounts(report).dropped).toEqual({ 'rectangle shapes': 1, 'texts after the first of an image': 1 });
  });

  it('round trip: export -> import -> export gives the same files', async () => {
    const first = await runExport(icdarRecognitionFormat, { labels: [icdar], frames: frames() });
    const parsed = await runImport(icdarRecognitionFormat, filesSource(Object.fromEntries(first.sink.files)));
    const second = await runExport(icdarRecognitionFormat, reexportInput(parsed));
    expect(text(second.sink)).toEqual(text(first.sink));
  });

  it('names the file and line of a text without quotes and a line without ", "', async () => {
    await expect(runImport(icdarRecognitionFormat, filesSource({ 'train/gt.txt': 'a.png, "ok"\nb.png, bad\n' }))).rejects.toMatchObject({ file: 'train/gt.txt', where: { line: 2 } });
    await expect(runImport(icdarRecognitionFormat, filesSource({ 'train/gt.txt': 'a.png "ok"\n' }))).rejects.toBeInstanceOf(DatasetFormatError);
  });
});

describe('ICDAR Localization export', () => {
  const frames = () => [
    frame(0, 'a.png', [
      shape('rectangle', 'icdar', [1, 2, 3.5, 4], { attributes: { text: 'RED' } }),
      shape('polygon', 'icdar', [0, 0, 3, 1, 4, 6, 1, 7], { attributes: { text: 'FOOD' } }),
      shape('points', 'icdar', [1, 1]),
    ], [tag('icdar')]),
    frame(1, 'dir/b.png', [shape('rectangle', 'word', [0, 0, 1, 1])]),
  ];

  it('writes gt_<name>.txt per image, boxes with spaces and quadrilaterals with commas', async () => {
    const { sink, report } = await runExport(icdarLocalizationFormat, { labels: [icdar, label('word')], frames: frames() });
    expect(text(sink)).toEqual({
      'default/gt_a.txt': '1.0 2.0 3.5 4.0 "RED"\n0.0,0.0,3.0,1.0,4.0,6.0,1.0,7.0,"FOOD"\n',
      'default/dir/gt_b.txt': '0.0 0.0 1.0 1.0\n',
    });
    expect(reportCounts(report)).toEqual({ dropped: { 'points shapes': 1, tags: 1 }, converted: { labels: 1 } });
  });

  it('round trip: export -> import -> export gives the same files', async () => {
    const first = await runExport(icdarLocalizationFormat, { labels: [icdar], frames: frames() });
    const parsed = await runImport(icdarLocalizationFormat, filesSource(Object.fromEntries(first.sink.files)));
    expect(parsed.frames.map((f) => f.image.name).sort()).toEqual(['a.png', 'dir/b.png']);
    const second = await runExport(icdarLocalizationFormat, reexportInput(parsed));
    expect(text(second.sink)).toEqual(text(first.sink));
  });

  it('names the file and line of a bad number, a wrong field count and stray quotes', async () => {
    const cases: Array<[string, RegExp]> = [['0 0 x 1', /x1 "x" is not a number/], ['0 0 1', /3 numbers/], ['0 0 1 1 "a" "b"', /one text/]];
    for (const [line, message] of cases) {
      const err = await runImport(icdarLocalizationFormat, filesSource({ 'train/gt_a.txt': `1 1 2 2\n${line}\n` })).catch((e: unknown) => e);
      expect(err).toMatchObject({ file: 'train/gt_a.txt', where: { line: 2 } });
      expect((err as Error).message).toMatch(message);
    }
  });
});

describe('ICDAR Segmentation export', () => {
  const seg = label('icdar', [spec('text', 'text', '', [])]);
  const frames = () => [
    frame(0, 'a.png', [
      shape('rectangle', 'icdar', [0, 0, 1, 1], { attributes: { text: 'A' } }),
      shape('mask', 'icdar', [0, 2, 4, 0, 5, 0], { group: 3, attributes: { text: 'b' } }),
      shape('polygon', 'icdar', [7, 0, 9, 0, 9, 2, 7, 2], { group: 3, attributes: { text: 'c' } }),
      shape('mask', 'icdar', [0, 1, 12, 3, 12, 3], { group: 4, attributes: { text: ' ' } }),
      shape('points', 'icdar', [1, 1]),
    ], [], { width: 16, height: 4 }),
    frame(1, 'b.png', [], [], { width: 4, height: 4 }),
  ];

  it('writes <id>_GT.txt lines with generated colors and words, and the colored _GT.bmp', async () => {
    const { sink, report } = await runExport(icdarSegmentationFormat, { labels: [seg], frames: frames() });
    expect(text(sink)['default/a_GT.txt']).toBe(
      // Boxes and polygons cover the pixels pycocotools fills (the box 0,0-1,1 is one pixel).
      '128 0 0 - - 0 0 0 0 "A"\n\n0 128 0 - - 4 0 5 0 "b"\n128 128 0 - - 7 0 8 1 "c"\n\n#0 0 128 - - 12 3 12 3 " "\n',
    );
    expect(text(sink)['default/b_GT.txt']).toBe('');
    expect(sink.files.has('default/b_GT.bmp')).toBe(false);
    const bmp = decodeBmp(sink.files.get('default/a_GT.bmp')!)!;
    expect([bmp.width, bmp.height]).toEqual([16, 4]);
    const at = (x: number, y: number) => [...bmp.rgb.slice((y * 16 + x) * 3, (y * 16 + x) * 3 + 3)];
    expect([at(0, 0), at(4, 0), at(8, 1), at(12, 3), at(15, 3)]).toEqual([[128, 0, 0], [0, 128, 0], [128, 128, 0], [0, 0, 128], [255, 255, 255]]);
    expect(reportCounts(report)).toEqual({ dropped: { 'points shapes': 1 }, converted: { rectangles: 1, polygons: 1 } });
  });

  it('round trip: export -> import -> export gives the same files, BMPs included', async () => {
    const first = await runExport(icdarSegmentationFormat, { labels: [seg], frames: frames() });
    const parsed = await runImport(icdarSegmentationFormat, filesSource(Object.fromEntries(first.sink.files)));
    expect(parsed.frames[0]!.shapes.map((s) => [s.group, s.attributes.text])).toEqual([[0, 'A'], [1, 'b'], [1, 'c'], [0, ' ']]);
    const second = await runExport(icdarSegmentationFormat, reexportInput(parsed));
    expect([...second.sink.files.keys()]).toEqual([...first.sink.files.keys()]);
    for (const [path, bytes] of first.sink.files) expect(Buffer.from(second.sink.files.get(path)!).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses a line of the wrong length, a bad color and a pixel color no line names', async () => {
    const bmp = encodeBmp(2, 1, new Uint8Array([255, 255, 255, 1, 2, 3]));
    const load = (txt: string) => runImport(icdarSegmentationFormat, filesSource({ 'train/x_GT.txt': txt, 'train/x_GT.bmp': bmp }));
    await expect(load('1 2 3 0 0 1 0 1 0\n')).rejects.toMatchObject({ file: 'train/x_GT.txt', where: { line: 1 } });
    await expect(load('1 2 300 0 0 1 0 1 0 "a"\n')).rejects.toThrow(/outside 0\.\.255/);
    await expect(load('9 9 9 0 0 1 0 1 0 "a"\n')).rejects.toMatchObject({ file: 'train/x_GT.bmp' });
    const ok = await load('1 2 3 0 0 1 0 1 0 "a"\n');
    expect(ok.frames[0]!.shapes.map((s) => s.points)).toEqual([[0, 1, 1, 0, 1, 0]]);
  });
});
