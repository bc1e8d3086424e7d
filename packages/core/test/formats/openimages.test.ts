import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { cvatMaskToBitmap } from '../../src/formats/mask.js';
import { DatasetFormatError } from '../../src/formats/model.js';
import { openImagesFormat } from '../../src/formats/openimages/index.js';
import { makeFileName, shlexQuote, shlexSplit } from '../../src/formats/openimages/layout.js';
import { DATASETS, dirSource, sharpRaster } from './harness.js';
import { filesSource, frame, label, reexportInput, reportCounts, runExport, runImport, shape, spec, tag, text } from './voc-helpers.js';

describe('Open Images import of the Datumaro sample datasets', () => {
  it('open_images_dataset/v6: tags, boxes sized from images.meta and the image file, a mask grouped with its box', async () => {
    const parsed = await runImport(openImagesFormat, dirSource(join(DATASETS, 'open_images_dataset', 'v6')));
    expect(parsed.labels.map((l) => l.name)).toEqual(['/m/0', '/m/1', '/m/2', '/m/3']);
    expect(parsed.labels.map((l) => l.attributes.map((a) => `${a.name}:${a.input_type}`))).toEqual([
      ['score:text', 'box_id:text', 'predicted_iou:text'],
      ['score:text'],
      [],
      ['score:text', 'truncated:checkbox', 'is_group_of:checkbox', 'is_depiction:checkbox', 'is_inside:checkbox'],
    ]);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.image.width, f.image.height, f.tags.map((t) => `${t.label}=${t.attributes.score}`)])).toEqual([
      ['a.jpg', 'train', 6, 8, ['/m/0=1']],
      ['b.jpg', 'train', 8, 2, ['/m/0=0']],
      ['c.jpg', 'test', 5, 10, ['/m/1=1', '/m/3=1']],
      ['d.png', 'validation', 5, 1, []],
    ]);
    const [box, mask] = parsed.frames[1]!.shapes;
    expect(box).toMatchObject({ type: 'rectangle', label: '/m/0', points: [1.6, 0.6, 8, 1], occluded: false, group: 1, attributes: { score: '1' } });
    expect(mask).toMatchObject({ type: 'mask', label: '/m/0', group: 1, attributes: { box_id: '01234567', predicted_iou: '0.5' } });
    // The 2x2 block at the left edge of the 8x2 image.
    expect(mask!.points).toEqual([0, 4, 0, 0, 1, 1]);
    expect(parsed.frames[2]!.shapes).toEqual([expect.objectContaining({
      type: 'rectangle', label: '/m/3', points: [3.5, 0, 4, 5], occluded: true, group: 0,
      attributes: { score: '0.7', truncated: 'false', is_group_of: 'true', is_depiction: 'false', is_inside: 'false' },
    })]);
  });

  it('open_images_dataset/v5: class-descriptions.csv without a header and per-subset image lists', async () => {
    const parsed = await runImport(openImagesFormat, dirSource(join(DATASETS, 'open_images_dataset', 'v5')));
    expect(parsed.labels.map((l) => l.name)).toEqual(['/m/0', '/m/1']);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.shapes.length + f.tags.length])).toEqual([['cc.jpg', 'test', 0], ['aa.jpg', 'train', 0]]);
  });
});

const labels = [label('cat', [spec('truncated', 'checkbox', 'false', ['false', 'true'])]), label('dog')];
const frames = () => [
  frame(0, 'a.jpg', [
    shape('rectangle', 'cat', [2, 1, 12, 6], { occluded: true, attributes: { truncated: 'true' } }),
    shape('rectangle', 'dog', [0, 0, 10, 5], { group: 1 }),
    shape('mask', 'dog', [0, 4, 5, 5, 6, 6], { group: 1 }),
    shape('polygon', 'cat', [1, 1, 4, 1, 4, 3, 1, 3]),
  ], [tag('cat')]),
  frame(1, 'b.jpg'),
  frame(2, 'c.jpg', [], [tag('dog')], undefined, 'val'),
  frame(3, 'd.jpg', [shape('points', 'dog', [1, 1])]),
];
const DESC = 'ImageID,Subset,OriginalURL,OriginalLandingURL,License,AuthorProfileURL,Author,Title,OriginalSize,OriginalMD5,Thumbnail300KURL,Rotation\r\n';
const LABELS = 'ImageID,Source,LabelName,Confidence\r\n';
const row = (id: string, subset: string) => `${id},${subset},,,,,,,,,,\r\n`;

describe('Open Images export', () => {
  it('writes class descriptions, the hierarchy, per-subset CSVs, mask PNGs and images.meta', async () => {
    const { sink, report } = await runExport(openImagesFormat, { labels, frames: frames(), saveImages: true });
    expect(text(sink)).toEqual({
      'annotations/class-descriptions.csv': 'cat,cat\r\ndog,dog\r\n',
      'annotations/bbox_labels_600_hierarchy.json': '{\n    "LabelName": "/m/0",\n    "Subcategory": []\n}\n',
      'annotations/default-images-with-rotation.csv': DESC + row('a', 'default') + row('b', 'default') + row('d', 'default'),
      'annotations/val-images-with-rotation.csv': DESC + row('c', 'val'),
      'annotations/default-annotations-human-imagelabels.csv': `${LABELS}a,,cat,1\r\n`,
      'annotations/val-annotations-human-imagelabels.csv': `${LABELS}c,,dog,1\r\n`,
      'annotations/default-annotations-bbox.csv':
        'ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside\r\n' +
        'a,,cat,1,0.1,0.6,0.1,0.6,1,1,-1,-1,-1\r\na,,dog,1,0.0,0.5,0.0,0.5,0,-1,-1,-1,-1\r\n',
      'annotations/default-annotations-object-segmentation.csv':
        'MaskPath,ImageID,LabelName,BoxID,BoxXMin,BoxXMax,BoxYMin,BoxYMax,PredictedIoU,Clicks\r\n' +
        'a_cat_00000000.png,a,cat,00000000,,,,,,\r\na_dog_00000001.png,a,dog,00000001,0.0,0.5,0.0,0.5,,\r\n',
      'annotations/images.meta': '# <image name> <height> <width>\n\na 10 20\n',
    });
    const dogMask = await sharpRaster.decodePng(sink.files.get('masks/default/a_dog_00000001.png')!);
    expect(dogMask).toMatchObject({ width: 20, height: 10 });
    const firstChannel = dogMask.data.filter((_, i) => i % dogMask.channels === 0);
    // 0 and 1, as CVAT writes boolean masks.
    expect([...firstChannel]).toEqual([...cvatMaskToBitmap([0, 4, 5, 5, 6, 6], 20, 10).data]);
    expect([...sink.images.keys()]).toEqual(['images/default/a.jpg', 'images/default/b.jpg', 'images/val/c.jpg', 'images/default/d.jpg']);
    expect(reportCounts(report)).toEqual({ dropped: { 'points shapes': 1 }, converted: { polygons: 1 } });
  });

  it('puts a skeleton\'s points under it in the hierarchy', async () => {
    const skeleton = { ...label('body'), type: 'skeleton' as const, sublabels: [label('head'), label('/m/0')] };
    const { sink } = await runExport(openImagesFormat, { labels: [label('cat'), skeleton], frames: [] });
    expect(JSON.parse(text(sink)['annotations/bbox_labels_600_hierarchy.json']!)).toEqual({
      LabelName: '/m/1', Subcategory: [{ LabelName: 'body', Subcategory: [{ LabelName: 'head' }, { LabelName: '/m/0' }] }],
    });
  });

  it('reports boxes and masks of images of unknown size, and box flags that are not numbers', async () => {
    const { report } = await runExport(openImagesFormat, {
      labels: [label('cat', [spec('is_inside', 'text', 'maybe', [])])],
      frames: [
        frame(0, 'a.jpg', [shape('rectangle', 'cat', [0, 0, 1, 1]), shape('polygon', 'cat', [0, 0, 1, 0, 1, 1])], [], { width: 0, height: 0 }),
        frame(1, 'b.jpg', [shape('rectangle', 'cat', [0, 0, 1, 1])]),
      ],
    });
    expect(reportCounts(report)).toEqual({
      dropped: { 'rectangle shapes': 1, 'polygon shapes': 1 },
      converted: { 'box flags that are not numbers': 1 },
    });
  });

  it('round trip: export -> import -> export gives the same files, mask PNGs included', async () => {
    const first = await runExport(openImagesFormat, { labels, frames: frames() });
    const parsed = await runImport(openImagesFormat, filesSource(Object.fromEntries(first.sink.files)));
    expect(parsed.frames[0]!.shapes.map((s) => [s.type, s.label, s.group])).toEqual([
      ['rectangle', 'cat', 0], ['rectangle', 'dog', 1], ['mask', 'cat', 0], ['mask', 'dog', 1],
    ]);
    const second = await runExport(openImagesFormat, reexportInput(parsed));
    expect(text(second.sink)).toEqual(text(first.sink));
    expect([...second.sink.files.keys()].sort()).toEqual([...first.sink.files.keys()].sort());
    for (const [path, bytes] of first.sink.files) expect(Buffer.from(second.sink.files.get(path)!).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('Open Images helpers', () => {
  it('names files and quotes image names as Datumaro and shlex do', () => {
    expect(makeFileName('/m/0')).toBe('m0');
    expect(makeFileName('Café au lait / 2')).toBe('cafe-au-lait-2');
    expect(shlexQuote("it's")).toBe(`'it'"'"'s'`);
    expect(shlexSplit(`'it'"'"'s' 2 3 # comment`)).toEqual(["it's", '2', '3']);
  });
});

describe('Open Images bad files', () => {
  const cls = { 'annotations/class-descriptions.csv': '/m/0,Zero\r\n' };
  const desc = { 'annotations/image_ids_and_rotation.csv': 'ImageID,Subset\r\na,train\r\n' };
  const meta = { 'annotations/images.meta': 'a 10 20\n' };
  const bbox = 'annotations/train-annotations-bbox.csv';
  const header = 'ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside\r\n';
  const expectError = async (files: Record<string, string>, file: string, where: object, message: RegExp) => {
    const err = await runImport(openImagesFormat, filesSource(files)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect(err).toMatchObject({ file, where });
    expect((err as Error).message).toMatch(message);
  };

  it('names the file and row of a corner that is not a number and of an unknown label', async () => {
    await expectError({ ...cls, ...desc, ...meta, [bbox]: `${header}a,,/m/0,1,0.1,x,0,1,0,0,0,0,0\r\n` }, bbox, { line: 2 }, /XMax "x" is not a number/);
    await expectError({ ...cls, ...desc, ...meta, [bbox]: `${header}a,,/m/9,1,0,1,0,1,0,0,0,0,0\r\n` }, bbox, { line: 2 }, /label "\/m\/9"/);
  });

  it('refuses boxes of images of unknown size, a twice-described image and a missing mask file', async () => {
    await expectError({ ...cls, ...desc, [bbox]: `${header}a,,/m/0,1,0,1,0,1,0,0,0,0,0\r\n` }, bbox, { line: 2 }, /size of image "a" is unknown/);
    await expectError({ ...cls, 'annotations/image_ids_and_rotation.csv': 'ImageID,Subset\r\na,train\r\na,test\r\n' }, 'annotations/image_ids_and_rotation.csv', { line: 3 }, /described twice/);
    const masks = 'annotations/train-annotations-object-segmentation.csv';
    await expectError({ ...cls, ...desc, ...meta, [masks]: 'MaskPath,ImageID,LabelName,BoxID\r\nm.png,a,/m/0,1\r\n' }, masks, { line: 2 }, /mask file masks\/train\/m.png is missing/);
    await expectError({ ...cls, ...desc, ...meta, [masks]: 'MaskPath,ImageID,LabelName,BoxID\r\n../m.png,a,/m/0,1\r\n' }, masks, { line: 2 }, /not a file name/);
  });

  it('refuses a broken images.meta and hierarchy, and an archive without class descriptions', async () => {
    await expectError({ ...cls, ...desc, 'annotations/images.meta': 'a ten 20\n' }, 'annotations/images.meta', { line: 1 }, /height "ten"/);
    await expectError({ ...cls, ...desc, 'annotations/bbox_labels_600_hierarchy.json': '{"LabelName": ' }, 'annotations/bbox_labels_600_hierarchy.json', {}, /not valid JSON/);
    await expectError({ ...desc }, 'annotations/class-descriptions.csv', {}, /no class description file/);
  });
});
