import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import sharp from 'sharp';
import { camvidFormat } from '../../src/formats/camvid/index.js';
import { DatasetFormatError, type ImportSource, type ParsedDataset } from '../../src/formats/model.js';
import { DATASETS, dirSource, sharpRaster } from './harness.js';
import { filesSource, frame, label, reexportInput, reportCounts, runExport, runImport, shape, tag, text } from './voc-helpers.js';

function summary(parsed: ParsedDataset): string[] {
  return parsed.frames.map((f) => `${f.image.subset ?? '-'} ${f.image.name} ${f.image.width}x${f.image.height}: ${f.shapes.map((s) => `${s.type}:${s.label}`).join(' ')}`);
}

async function rgbPng(pixels: number[][]): Promise<Uint8Array> {
  return new Uint8Array(await sharp(new Uint8Array(pixels.flat()), { raw: { width: pixels.length, height: 1, channels: 3 } }).png().toBuffer());
}

describe('CamVid import of the Datumaro sample dataset', () => {
  it('reads every list with its masks, CamVid\'s 32 classes by colour', async () => {
    const parsed = await runImport(camvidFormat, dirSource(join(DATASETS, 'camvid_dataset')));
    expect(parsed.labels).toHaveLength(32);
    expect(parsed.labels[0]).toEqual({ name: 'Void', type: 'any', color: '#000000', attributes: [] });
    expect(parsed.labels.find((l) => l.name === 'Sky')!.color).toBe('#808080');
    // Mask colours, per pixel: Animal Animal Road Sky Sky | Archway Archway Bridge Tree Tree |
    // Bicyclist Bicyclist Road Bicyclist Bicyclist | Animal x3 Child x2.
    expect(summary(parsed)).toEqual([
      'test 0001TP_008550.png 5x1: mask:Animal mask:Road mask:Sky',
      'test 0001TP_008580.png 5x1: mask:Archway mask:Bridge mask:Tree',
      'train 0001TP_006690.png 5x1: mask:Bicyclist mask:Road',
      'val 0016E5_07959.png 5x1: mask:Animal mask:Child',
    ]);
    expect(parsed.frames.flatMap((f) => f.shapes)).toHaveLength(10);
    // Bicyclist: pixels 0, 1, 3, 4 of the row.
    expect(parsed.frames[2]!.shapes[0]!.points).toEqual([0, 2, 1, 2, 0, 0, 4, 0]);
    expect(parsed.tracks).toEqual([]);
  });

  it('the background (black) class is a mask only for a task with a label of its name', async () => {
    const files = { 'default.txt': '/default/a.jpg /defaultannot/a.png\n', 'defaultannot/a.png': await rgbPng([[0, 0, 0], [64, 128, 64]]) };
    expect(summary(await runImport(camvidFormat, filesSource(files)))).toEqual(['- a.jpg 2x1: mask:Animal']);
    const parsed = await camvidFormat.import!(filesSource(files), { raster: sharpRaster, images: [], labels: [label('Void'), label('Animal')] });
    expect(summary(parsed)).toEqual(['- a.jpg 2x1: mask:Void mask:Animal']);
  });
});

const labels = [label('car', [], '#ff0000'), label('person', [], '#00ff00')];

function sampleFrames() {
  return [
    frame(0, 'a.jpg', [
      shape('rectangle', 'car', [0, 0, 4, 4]),
      shape('polygon', 'person', [10, 0, 14, 0, 14, 4, 10, 4], { group: 2, attributes: { pose: 'up' } }),
      shape('mask', 'car', [0, 4, 15, 5, 16, 6], { group: 2 }),
      shape('points', 'car', [1, 1]),
    ], [tag('car')]),
    frame(1, 'b c.jpg'),
    frame(2, 'dir/c.png', [shape('ellipse', 'person', [10, 5, 13, 3], { z_order: 1 }), shape('rectangle', 'car', [8, 2, 18, 8])], [], undefined, 'train'),
  ];
}

describe('CamVid export', () => {
  it('writes a list per subset, a colour mask per image with segments and label_colors.txt without the added background', async () => {
    const { sink, report } = await runExport(camvidFormat, { labels, frames: sampleFrames(), saveImages: true });
    expect([...sink.files.keys()].sort()).toEqual(['default.txt', 'defaultannot/a.png', 'label_colors.txt', 'train.txt', 'trainannot/dir/c.png']);
    expect([...sink.images.keys()]).toEqual(['default/a.jpg', 'default/b c.jpg', 'train/dir/c.png']);
    const t = text(sink);
    expect(t['default.txt']).toBe('/default/a.jpg defaultannot/a.png\n"/default/b c.jpg" ""\n');
    expect(t['train.txt']).toBe('/train/dir/c.png trainannot/dir/c.png\n');
    expect(t['label_colors.txt']).toBe('255 0 0 car\n0 255 0 person\n');
    const a = await sharpRaster.decodePng(sink.files.get('defaultannot/a.png')!);
    const at = (r: typeof a, x: number, y: number) => [...r.data.subarray((y * 20 + x) * 3, (y * 20 + x) * 3 + 3)];
    expect([at(a, 1, 1), at(a, 12, 2), at(a, 15, 5), at(a, 19, 9)]).toEqual([[255, 0, 0], [0, 255, 0], [0, 255, 0], [0, 0, 0]]);
    // The ellipse is drawn over the box (higher z_order) though it comes first.
    const c = await sharpRaster.decodePng(sink.files.get('trainannot/dir/c.png')!);
    expect([at(c, 10, 5), at(c, 17, 7)]).toEqual([[0, 255, 0], [255, 0, 0]]);
    expect(reportCounts(report)).toEqual({
      dropped: { tags: 1, 'points shapes': 1, 'attribute values': 1 },
      converted: { rectangles: 2, polygons: 1, 'grouped shapes': 1, ellipses: 1 },
    });
  });

  it('keeps a task label named background in label_colors.txt, the black label being class 0', async () => {
    const { sink, report } = await runExport(camvidFormat, {
      labels: [label('void', [], '#000000'), label('background', [], '#0000ff'), label('car', [], '#ff0000')],
      frames: [frame(0, 'a.jpg', [shape('polygon', 'void', [0, 0, 3, 0, 3, 3]), shape('polygon', 'ghost', [0, 0, 3, 0, 3, 3])])],
    });
    expect(text(sink)['label_colors.txt']).toBe('0 0 0 void\n0 0 255 background\n255 0 0 car\n');
    expect(reportCounts(report).dropped).toEqual({ 'shapes of the background label': 1, 'shapes of labels not in the label map': 1 });
  });

  it('round trip: export -> import -> export gives the same files, byte for byte', async () => {
    const first = await runExport(camvidFormat, { labels, frames: sampleFrames() });
    const parsed = await runImport(camvidFormat, filesSource(Object.fromEntries(first.sink.files)));
    expect(parsed.labels.map((l) => [l.name, l.color])).toEqual([['car', '#ff0000'], ['person', '#00ff00']]);
    expect(summary(parsed)).toEqual(['- a.jpg 20x10: mask:car mask:person', '- b c.jpg 0x0: ', 'train dir/c.png 20x10: mask:car mask:person']);
    const second = await runExport(camvidFormat, reexportInput(parsed));
    expect([...second.sink.files.keys()].sort()).toEqual([...first.sink.files.keys()].sort());
    for (const [path, bytes] of first.sink.files) expect(Buffer.from(second.sink.files.get(path)!).equals(Buffer.from(bytes)), path).toBe(true);
  });
});

describe('CamVid bad files', () => {
  const fails = async (source: ImportSource, file: string, message: RegExp, line?: number) => {
    const err = await runImport(camvidFormat, source).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect((err as DatasetFormatError).file).toBe(file);
    expect((err as DatasetFormatError).message).toMatch(message);
    if (line !== undefined) expect((err as DatasetFormatError).where?.line).toBe(line);
  };

  it('an archive without a list', () => fails(filesSource({ 'label_colors.txt': '1 2 3 a\n' }), 'label_colors.txt', /no subset list/));
  it('a line with unbalanced quotes', () => fails(filesSource({ 'train.txt': '/train/a.png\n"/train/b.png" "x\n' }), 'train.txt', /both paths in quotes/, 2));
  it('a mask the archive lacks', () => fails(filesSource({ 'train.txt': '\n/train/a.png /trainannot/a.png\n' }), 'train.txt', /mask "\/trainannot\/a.png" is not in the archive/, 2));
  it('a mask colour no class has', async () =>
    fails(filesSource({ 'train.txt': '/train/a.png trainannot/a.png\n', 'trainannot/a.png': await rgbPng([[64, 128, 64], [1, 2, 3]]) }),
      'trainannot/a.png', /color \(1, 2, 3\) at pixel \(1, 0\) has no meaning/));
  it('a mask that is not a PNG', () =>
    fails(filesSource({ 'train.txt': '/train/a.png trainannot/a.png\n', 'trainannot/a.png': 'text' }), 'trainannot/a.png', /not a readable PNG/));
  it('a bad label_colors.txt line', () =>
    fails(filesSource({ 'train.txt': '', 'label_colors.txt': '0 0 0 Void\n1 2 x y\n' }), 'label_colors.txt', /expected "r g b name"/, 2));
});
