import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DatasetFormatError } from '../../src/formats/model.js';
import { vocFormat } from '../../src/formats/voc/index.js';
import sharp from 'sharp';
import { DATASETS, dirSource, sharpRaster } from './harness.js';
import {
  filesSource, frame, label, reexportInput, reportCounts, runExport, runImport, shape, spec, tag, text,
} from './voc-helpers.js';

const VOC = join(DATASETS, 'voc_dataset');
const VOC_LABELS = [
  'background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'diningtable', 'dog',
  'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor', 'ignored',
];
const ACTIONS = ['other', 'jumping', 'phoning', 'playinginstrument', 'reading', 'ridingbike', 'ridinghorse', 'running', 'takingphoto', 'usingcomputer', 'walking'];

describe('PASCAL VOC import of Datumaro sample datasets', () => {
  it('voc_dataset1: classification, detection, layout, action and segmentation merged per image', async () => {
    const parsed = await runImport(vocFormat, dirSource(join(VOC, 'voc_dataset1')));
    // No labelmap.txt: VOC's 22 labels, then the body parts, sorted.
    expect(parsed.labels.map((l) => l.name)).toEqual([...VOC_LABELS, 'foot', 'hand', 'head']);
    expect(parsed.labels.find((l) => l.name === 'ignored')!.color).toBe('#e0e0c0');
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.image.width, f.image.height])).toEqual([
      ['2007_000002.jpg', 'test', 0, 0],
      ['2007_000001.jpg', 'train', 20, 10],
    ]);
    const [empty, img] = parsed.frames as [typeof parsed.frames[0], typeof parsed.frames[0]];
    expect(empty.shapes).toEqual([]);
    expect(empty.tags).toEqual([]);
    // <label>_train.txt with "1": every odd-numbered VOC class and "ignored".
    expect(img.tags.map((t) => t.label)).toEqual(['aeroplane', 'bird', 'bottle', 'car', 'chair', 'diningtable', 'horse', 'person', 'sheep', 'train', 'ignored']);
    expect(img.shapes.map((s) => [s.type, s.label, s.group, s.points.length])).toEqual([
      ['rectangle', 'cat', 1, 4],
      ['rectangle', 'person', 2, 4],
      ['rectangle', 'head', 2, 4],
      // Instance 1 of SegmentationObject: grouped with object 1, as CVAT groups them.
      ['mask', 'bicycle', 1, 6],
    ]);
    const [cat, person, head, mask] = img.shapes as [typeof img.shapes[0], typeof img.shapes[0], typeof img.shapes[0], typeof img.shapes[0]];
    expect(cat.points).toEqual([1, 2, 3, 4]);
    expect(cat.attributes).toEqual({ difficult: 'false', truncated: 'true', pose: 'Unspecified' });
    expect(cat.occluded).toBe(false);
    expect(person.attributes).toEqual({
      difficult: 'false', truncated: 'false', ...Object.fromEntries(ACTIONS.map((a, i) => [a, i % 2 === 0 ? 'true' : 'false'])),
    });
    expect(head.points).toEqual([5.5, 6, 7.5, 8]);
    expect(head.attributes).toEqual({});
    // The whole 20x10 image is bicycle, instance 1.
    expect(mask.points).toEqual([0, 200, 0, 0, 19, 9]);
    const personLabel = parsed.labels.find((l) => l.name === 'person')!;
    expect(personLabel.attributes.map((a) => [a.name, a.input_type])).toEqual([...ACTIONS.map((a) => [a, 'checkbox']), ['difficult', 'checkbox'], ['truncated', 'checkbox']]);
    expect(parsed.labels.find((l) => l.name === 'cat')!.attributes.map((a) => [a.name, a.input_type])).toEqual([
      ['difficult', 'checkbox'], ['truncated', 'checkbox'], ['pose', 'text'],
    ]);
    expect(parsed.tracks).toEqual([]);
  });

  it('voc_dataset2: labelmap.txt, an annotation without objects ("@.xml"), background and occluded objects', async () => {
    const parsed = await runImport(vocFormat, dirSource(join(VOC, 'voc_dataset2')));
    expect(parsed.labels.map((l) => l.name)).toEqual(VOC_LABELS);
    expect(parsed.labels[1]!.color).toBe('#800000');
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.shapes.length, f.tags.length])).toEqual([
      ['@.jpg', 'trainval', 0, 0], ['a.jpg', 'trainval', 1, 0], ['b.jpg', 'trainval', 1, 0], ['c.jpg', 'trainval', 1, 0], ['d.jpg', 'trainval', 1, 0],
    ]);
    const shapes = parsed.frames.flatMap((f) => f.shapes);
    expect(shapes.map((s) => [s.label, s.occluded, s.points])).toEqual([
      ['background', true, [1, 2, 4, 6]], ['aeroplane', true, [2, 2, 7, 6]], ['bicycle', false, [3, 1, 11, 6]], ['bird', false, [4, 4, 8, 8]],
    ]);
    expect(shapes.every((s) => s.type === 'rectangle' && s.group === 0)).toBe(true);
    expect(shapes[0]!.attributes).toEqual({ difficult: 'false', truncated: 'false' });
  });

  it('voc_dataset3: blank and "#" lines in subset lists, no labelmap', async () => {
    const parsed = await runImport(vocFormat, dirSource(join(VOC, 'voc_dataset3')));
    expect(parsed.frames).toHaveLength(1);
    expect(parsed.frames[0]!.image).toEqual({ frame: -1, name: '2007_000001.jpg', width: 20, height: 10, subset: 'train' });
    expect(parsed.frames[0]!.shapes.map((s) => [s.type, s.label, s.attributes.truncated])).toEqual([['rectangle', 'cat', 'true']]);
    expect(parsed.labels).toHaveLength(25);
  });

  it('reads a flat archive of XML files as subset "train", as CVAT does', async () => {
    const xml = '<annotation><filename>x.png</filename><object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>3</ymax></bndbox></object></annotation>';
    const parsed = await runImport(vocFormat, filesSource({ 'x.xml': xml }));
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.shapes[0]!.label])).toEqual([['x.png', 'train', 'dog']]);
  });

  it('finds the dataset in a folder, and takes labels the XML names when there is no labelmap.txt', async () => {
    const xml = '<annotation><object><name>forklift</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>3</ymax></bndbox></object></annotation>';
    const parsed = await runImport(vocFormat, filesSource({ 'VOC2012/ImageSets/Main/val.txt': 'a\n', 'VOC2012/Annotations/a.xml': xml }));
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset])).toEqual([['a.jpg', 'val']]);
    expect(parsed.labels.map((l) => l.name)).toContain('forklift');
  });
});

const labels = [
  label('car', [spec('truncated', 'checkbox', 'false', ['false']), spec('color', 'select', 'red', ['red', 'blue']), spec('speed', 'number', '0', ['0', '100', '1'])]),
  label('person'),
];

function sampleFrames() {
  return [
    frame(0, 'img_01.jpg', [
      shape('rectangle', 'car', [1, 2, 5.5, 8], { attributes: { truncated: 'true', color: 'blue' }, occluded: true }),
      shape('rectangle', 'person', [2, 2, 6, 6], { rotation: 30 }),
      shape('polygon', 'person', [1, 1, 4, 1, 4, 4, 1, 4]),
      shape('mask', 'car', [0, 12, 3, 4, 6, 6]),
      shape('ellipse', 'car', [15, 5, 17, 3]),
      shape('points', 'car', [1, 1]),
      shape('polyline', 'person', [1, 1, 2, 2]),
    ], [tag('person', { mood: 'x' })]),
    frame(1, 'sub/b.png', [], [], { width: 20, height: 10 }, 'val'),
  ];
}

describe('PASCAL VOC import of gray PNGs', () => {
  it('reads gray values as class and instance numbers, one mask per instance', async () => {
    const parsed = await runImport(vocFormat, filesSource({
      'ImageSets/Segmentation/train.txt': 'a\n',
      'SegmentationClass/a.png': await grayPng(new Uint8Array([0, 8, 8, 15])),
      'SegmentationObject/a.png': await grayPng(new Uint8Array([0, 1, 2, 2])),
    }));
    const f = parsed.frames[0]!;
    expect([f.image.width, f.image.height]).toEqual([4, 1]);
    // Instance 2 covers a cat pixel and a person pixel: the higher class wins, as in Datumaro.
    expect(f.shapes.map((s) => [s.type, s.label, s.points])).toEqual([['mask', 'cat', [0, 1, 1, 0, 1, 0]], ['mask', 'person', [0, 2, 2, 0, 3, 0]]]);
  });

  it('without instances, makes one mask per class and none for the background', async () => {
    const parsed = await runImport(vocFormat, filesSource({
      'ImageSets/Segmentation/train.txt': 'a\n', 'SegmentationClass/a.png': await grayPng(new Uint8Array([0, 8, 15, 8])),
    }));
    expect(parsed.frames[0]!.shapes.map((s) => [s.label, s.group, s.points])).toEqual([['cat', 0, [0, 1, 1, 1, 1, 0, 3, 0]], ['person', 0, [0, 1, 2, 0, 2, 0]]]);
  });
});

describe('PASCAL VOC export', () => {
  it('writes what CVAT writes: XML, lists, labelmap and class/instance PNGs', async () => {
    const { sink, report } = await runExport(vocFormat, { labels, frames: sampleFrames() });
    const files = text(sink);
    expect(Object.keys(files).sort()).toEqual([
      'Annotations/img_01.xml', 'Annotations/sub/b.xml',
      'ImageSets/Action/val.txt', 'ImageSets/Layout/val.txt',
      'ImageSets/Main/background_default.txt', 'ImageSets/Main/car_default.txt', 'ImageSets/Main/default.txt', 'ImageSets/Main/person_default.txt',
      'ImageSets/Main/val.txt', 'ImageSets/Segmentation/default.txt', 'ImageSets/Segmentation/val.txt',
      'labelmap.txt',
    ]);
    expect([...sink.files.keys()].filter((p) => p.endsWith('.png')).sort()).toEqual(['SegmentationClass/img_01.png', 'SegmentationObject/img_01.png']);
    expect(files['Annotations/img_01.xml']).toBe(`<annotation>
  <folder>img</folder>
  <filename>img_01.jpg</filename>
  <source>
    <database>Unknown</database>
    <annotation>Unknown</annotation>
    <image>Unknown</image>
  </source>
  <size>
    <width>20</width>
    <height>10</height>
    <depth></depth>
  </size>
  <segmented>1</segmented>
  <object>
    <name>car</name>
    <truncated>1</truncated>
    <occluded>1</occluded>
    <difficult>0</difficult>
    <bndbox>
      <xmin>1.0</xmin>
      <ymin>2.0</ymin>
      <xmax>5.5</xmax>
      <ymax>8.0</ymax>
    </bndbox>
    <attributes>
      <attribute>
        <name>color</name>
        <value>blue</value>
      </attribute>
      <attribute>
        <name>speed</name>
        <value>0.0</value>
      </attribute>
      <attribute>
        <name>rotation</name>
        <value>0.0</value>
      </attribute>
    </attributes>
  </object>
  <object>
    <name>person</name>
    <truncated>0</truncated>
    <occluded>0</occluded>
    <difficult>0</difficult>
    <bndbox>
      <xmin>2.0</xmin>
      <ymin>2.0</ymin>
      <xmax>6.0</xmax>
      <ymax>6.0</ymax>
    </bndbox>
    <attributes>
      <attribute>
        <name>rotation</name>
        <value>30.0</value>
      </attribute>
    </attributes>
  </object>
</annotation>
`);
    expect(files['Annotations/sub/b.xml']).toContain('<folder></folder>\n  <filename>sub/b.png</filename>');
    expect(files['Annotations/sub/b.xml']).toContain('<segmented>0</segmented>\n</annotation>\n');
    expect(files['labelmap.txt']).toBe('# label:color_rgb:parts:actions\nbackground:0,0,0::\ncar:128,0,0::\nperson:0,128,0::\n');
    expect(files['ImageSets/Main/default.txt']).toBe('img_01\n');
    expect(files['ImageSets/Main/person_default.txt']).toBe('img_01  1\n');
    expect(files['ImageSets/Main/car_default.txt']).toBe('img_01 -1\n');
    expect(files['ImageSets/Segmentation/default.txt']).toBe('img_01\n');
    // Datumaro lists images without annotations in every task's list.
    for (const task of ['Main', 'Segmentation', 'Layout', 'Action']) expect(files[`ImageSets/${task}/val.txt`]).toBe('sub/b\n');

    const counts = reportCounts(report);
    expect(counts.dropped).toEqual({ 'points shapes': 1, 'polyline shapes': 1, 'tag attributes': 1 });
    expect(counts.converted).toEqual({ 'rotated rectangles': 1, polygons: 1, ellipses: 1 });
  });

  it('colors classes with the VOC colormap and instances 1, 2, 3 in shape order', async () => {
    const { sink } = await runExport(vocFormat, { labels, frames: sampleFrames() });
    const cls = await sharpRaster.decodePng(sink.files.get('SegmentationClass/img_01.png')!);
    const obj = await sharpRaster.decodePng(sink.files.get('SegmentationObject/img_01.png')!);
    const at = (r: typeof cls, x: number, y: number) => [...r.data.subarray((y * r.width + x) * r.channels, (y * r.width + x) * r.channels + 3)];
    expect([cls.width, cls.height]).toEqual([20, 10]);
    expect(at(cls, 2, 2)).toEqual([0, 128, 0]); // person polygon (pycocotools covers x, y in 1..3)
    expect(at(obj, 2, 2)).toEqual([128, 0, 0]); // instance 1
    expect(at(cls, 4, 2)).toEqual([0, 0, 0]); // outside the polygon
    expect(at(cls, 3, 4)).toEqual([128, 0, 0]); // car mask, rows 4.. of its box from x 3
    expect(at(obj, 3, 4)).toEqual([0, 128, 0]); // instance 2
    expect(at(cls, 15, 5)).toEqual([128, 0, 0]); // car ellipse
    expect(at(obj, 15, 5)).toEqual([128, 128, 0]); // instance 3
  });

  it('copies images into JPEGImages when asked, under the frame name', async () => {
    const { sink } = await runExport(vocFormat, { labels, frames: sampleFrames(), saveImages: true });
    expect([...sink.images]).toEqual([['JPEGImages/img_01.jpg', 'img_01.jpg'], ['JPEGImages/sub/b.png', 'sub/b.png']]);
  });

  it('reports objects of labels the task does not have, and a second image with the same item name', async () => {
    const frames = [frame(0, 'a.jpg', [shape('rectangle', 'ghost', [0, 0, 1, 1])], [tag('ghost')]), frame(1, 'a.png')];
    const { sink, report } = await runExport(vocFormat, { labels, frames });
    expect(text(sink)['Annotations/a.xml']).not.toContain('ghost');
    expect(reportCounts(report).dropped).toEqual({
      'rectangle shapes of labels not in the task': 1, 'tags of labels not in the task': 1, 'images with the same name as an earlier one': 1,
    });
  });

  it('round trip: export -> import -> export gives the same files, byte for byte', async () => {
    const first = await runExport(vocFormat, { labels, frames: sampleFrames() });
    const parsed = await runImport(vocFormat, filesSource(Object.fromEntries(first.sink.files)));
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.shapes.map((s) => s.type).join(','), f.tags.length])).toEqual([
      ['img_01.jpg', undefined, 'rectangle,rectangle,mask,mask,mask', 1],
      ['sub/b.png', 'val', '', 0],
    ]);
    const rotated = parsed.frames[0]!.shapes[1]!;
    expect([rotated.label, rotated.rotation, rotated.attributes]).toEqual(['person', 30, { difficult: 'false', truncated: 'false' }]);
    expect(parsed.frames[0]!.shapes[0]!.attributes).toEqual({ difficult: 'false', truncated: 'true', color: 'blue', speed: '0.0' });
    const second = await runExport(vocFormat, reexportInput(parsed));
    expect([...second.sink.files.keys()].sort()).toEqual([...first.sink.files.keys()].sort());
    for (const [path, bytes] of first.sink.files) expect(Buffer.from(second.sink.files.get(path)!).equals(Buffer.from(bytes)), path).toBe(true);
  });
});

/** A one-pixel-high 8-bit gray PNG (the harness encoder writes RGB). */
async function grayPng(values: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await sharp(values, { raw: { width: values.length, height: 1, channels: 1 } }).toColourspace('b-w').png().toBuffer());
}

describe('PASCAL VOC bad files', () => {
  const obj = (inner: string) => `<annotation>\n<object>\n<name>cat</name>\n${inner}\n</object>\n</annotation>\n`;
  const box = '<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox>';
  const withXml = (xml: string) => filesSource({ 'ImageSets/Main/train.txt': 'a\n', 'Annotations/a.xml': xml });
  const fails = async (source: ReturnType<typeof filesSource>, file: string, message: RegExp, line?: number) => {
    const err = await runImport(vocFormat, source).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect((err as DatasetFormatError).file).toBe(file);
    expect((err as DatasetFormatError).message).toMatch(message);
    if (line !== undefined) expect((err as DatasetFormatError).where?.line).toBe(line);
  };

  it('malformed XML names the file and line', () => fails(withXml('<annotation>\n<object>\n</annotation>'), 'Annotations/a.xml', /malformed XML/, 3));
  it('a root other than <annotation>', () => fails(withXml('<doc/>'), 'Annotations/a.xml', /root element is <doc>/, 1));
  it('a flag other than 0 or 1', () => fails(withXml(obj(`<truncated>yes</truncated>\n${box}`)), 'Annotations/a.xml', /<truncated> is "yes", expected 0 or 1/, 4));
  it('an object without a box', () => fails(withXml(obj('')), 'Annotations/a.xml', /<object> has no <bndbox>/, 2));
  it('a coordinate that is not a number', () => fails(withXml(obj('<bndbox><xmin>one</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox>')), 'Annotations/a.xml', /<xmin> is "one", not a number/, 4));
  it('a box whose max is below its min', () => fails(withXml(obj('<bndbox><xmin>5</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox>')), 'Annotations/a.xml', /max below its min/, 4));
  it('an image size that is not a whole number', () => fails(withXml('<annotation>\n<size><width>-3</width><height>2</height></size></annotation>'), 'Annotations/a.xml', /<width> is "-3"/, 2));
  it('an object without a name', () => fails(withXml('<annotation><object><name></name></object></annotation>'), 'Annotations/a.xml', /<name> is empty/));
  it('a label that labelmap.txt does not declare', () =>
    fails(filesSource({ 'ImageSets/Main/train.txt': 'a\n', 'Annotations/a.xml': obj(box), 'labelmap.txt': 'dog:::\n' }), 'Annotations/a.xml', /label "cat" is not in labelmap.txt/, 3));
  it('a labelmap line without four fields', () =>
    fails(filesSource({ 'ImageSets/Main/train.txt': 'a\n', 'labelmap.txt': '# label:color_rgb:parts:actions\ncat:1,2,3\n' }), 'labelmap.txt', /expected 4/, 2));
  it('a labelmap color out of range', () =>
    fails(filesSource({ 'ImageSets/Main/train.txt': 'a\n', 'labelmap.txt': 'cat:300,0,0::\n' }), 'labelmap.txt', /not an r,g,b triplet of 0..255/, 1));
  it('a labelmap label defined twice', () =>
    fails(filesSource({ 'ImageSets/Main/train.txt': 'a\n', 'labelmap.txt': 'cat:::\ncat:::\n' }), 'labelmap.txt', /defined twice/, 2));
  it('a class list line with a presence other than 1, 0, -1', () =>
    fails(filesSource({ 'ImageSets/Main/train.txt': 'a\n', 'ImageSets/Main/cat_train.txt': 'a 1\na 2\n' }), 'ImageSets/Main/cat_train.txt', /presence is "2"/, 2));
  it('a class list line without a presence', () =>
    fails(filesSource({ 'ImageSets/Main/train.txt': 'a\n', 'ImageSets/Main/cat_train.txt': 'a\n' }), 'ImageSets/Main/cat_train.txt', /expected "<image> <1\|0\|-1>"/, 1));
  it('a layout list line with one quote', () =>
    fails(filesSource({ 'ImageSets/Layout/train.txt': '"a b 1\n' }), 'ImageSets/Layout/train.txt', /quotes/, 1));
  it('an archive with neither lists nor XML', () => fails(filesSource({ 'readme.txt': 'hi' }), 'ImageSets/Main', /no subset lists/));

  it('a class PNG color that is no label color', async () => {
    const png = await sharpRaster.encodePng({ width: 2, height: 1, channels: 3, data: new Uint8Array([0, 0, 0, 1, 2, 3]) });
    await fails(filesSource({ 'ImageSets/Segmentation/train.txt': 'a\n', 'SegmentationClass/a.png': png }), 'SegmentationClass/a.png', /color \(1, 2, 3\) at pixel \(1, 0\)/);
  });
  it('a class number beyond the label map in a gray PNG', async () => {
    const png = await grayPng(new Uint8Array([40]));
    await fails(filesSource({ 'ImageSets/Segmentation/train.txt': 'a\n', 'SegmentationClass/a.png': png }), 'SegmentationClass/a.png', /class number 40 is beyond the 25 labels/);
  });
  it('instances without a class PNG', async () => {
    const png = await grayPng(new Uint8Array([1]));
    await fails(filesSource({ 'ImageSets/Segmentation/train.txt': 'a\n', 'SegmentationObject/a.png': png }), 'SegmentationObject/a.png', /classes are unknown/);
  });
  it('a PNG that is not one', () =>
    fails(filesSource({ 'ImageSets/Segmentation/train.txt': 'a\n', 'SegmentationClass/a.png': 'not a png' }), 'SegmentationClass/a.png', /not a readable PNG/));
});
