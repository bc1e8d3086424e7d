import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DatasetFormatError, type DatasetShape } from '../../src/formats/model.js';
import { labelmeFormat } from '../../src/formats/labelme/index.js';
import { formatAttributes, parseAttributes } from '../../src/formats/labelme/attributes.js';
import { DATASETS, dirSource, sharpRaster } from './harness.js';
import { filesSource, frame, label, reexportInput, reportCounts, runExport, runImport, shape, spec, tag, text } from './voc-helpers.js';

/** Pixels a CVAT mask sets. */
function maskArea(points: readonly number[]): number {
  return points.slice(0, -4).reduce((sum, run, i) => sum + (i % 2 ? run : 0), 0);
}

describe('LabelMe import of the Datumaro sample dataset', () => {
  it('labelme_dataset: polygons, a box, masks, parts as groups, attributes and occlusion', async () => {
    const parsed = await runImport(labelmeFormat, dirSource(join(DATASETS, 'labelme_dataset')));
    expect(parsed.labels.map((l) => l.name)).toEqual(['window', 'license plate', 'o1', 'q1', 'b1', 'm1', 'hg']);
    expect(parsed.frames).toHaveLength(1);
    const f = parsed.frames[0]!;
    expect(f.image).toEqual({ frame: -1, name: 'img1.png', width: 102, height: 77, subset: 'subset1' });
    expect(f.tags).toEqual([]);
    expect(f.shapes.map((s) => [s.type, s.label, s.group, s.occluded])).toEqual([
      ['polygon', 'window', 0, false],
      ['mask', 'license plate', 0, false],
      ['polygon', 'o1', 2, true],
      ['polygon', 'q1', 2, false],
      ['rectangle', 'b1', 2, true],
      ['mask', 'm1', 1, false],
      ['polygon', 'hg', 1, false],
    ]);
    const [window, plate, o1, , b1, m1, hg] = f.shapes as DatasetShape[];
    expect(window!.points).toEqual([43, 34, 45, 34, 45, 37, 43, 37]);
    expect(window!.attributes).toEqual({ username: 'admin' });
    expect(o1!.attributes).toEqual({ a1: 'true', username: 'anonymous' });
    expect(hg!.attributes).toEqual({ 'gfd lkj lkj hi': 'true', username: 'anonymous' });
    expect(b1!.points).toEqual([13, 19, 23, 30]);
    // Masks: any non-zero channel of the PNG, boxed tightly (left, top, right, bottom last).
    expect([maskArea(plate!.points), plate!.points.slice(-4)]).toEqual([10, [58, 67, 62, 68]]);
    expect([maskArea(m1!.points), m1!.points.slice(-4)]).toEqual([130, [55, 14, 69, 23]]);
    expect(parsed.labels.find((l) => l.name === 'o1')!.attributes.map((a) => [a.name, a.input_type])).toEqual([['a1', 'checkbox'], ['username', 'text']]);
  });
});

const labels = [
  label('car', [
    spec('color', 'select', 'red', ['red', 'blue']), spec('speed', 'number', '0', ['0', '100', '1']), spec('flag', 'checkbox', 'false', ['false']),
    spec('code', 'text', '', []), spec('note', 'text', '', []),
  ]),
  label('person'),
];

function sampleFrames() {
  return [
    frame(0, 'dir/img.jpg', [
      shape('rectangle', 'car', [1, 2, 5.5, 8], { group: 1, occluded: true, attributes: { color: 'blue', speed: '5', flag: 'true', code: '42', note: 'a,b=c' } }),
      shape('polygon', 'person', [1.125, 1, 4, 1, 4, 4], { group: 1 }),
      shape('mask', 'car', [0, 12, 3, 4, 6, 6]),
      shape('points', 'car', [1, 1]),
    ], [tag('person')]),
    frame(1, 'other.png', [shape('ellipse', 'person', [10, 5, 12, 3]), shape('rectangle', 'person', [0, 0, 2, 2], { rotation: 45 })], [], undefined, 'val'),
  ];
}

describe('LabelMe export', () => {
  it('writes Datumaro\'s XML: objects, parts for groups, escaped attributes, masks as PNGs', async () => {
    const { sink, report } = await runExport(labelmeFormat, { labels, frames: sampleFrames() });
    expect([...sink.files.keys()].sort()).toEqual([
      'default/Masks/dir/img_mask_2.png', 'default/dir/img.xml', 'val/Masks/other_mask_0.png', 'val/other.xml',
    ]);
    const pt = (x: string, y: string) => `      <pt>\n        <x>${x}</x>\n        <y>${y}</y>\n      </pt>\n`;
    const head = (name: string, occluded: string, id: number, has: string, of: string) =>
      `  <object>\n    <name>${name}</name>\n    <deleted>0</deleted>\n    <verified>0</verified>\n    <occluded>${occluded}</occluded>\n` +
      `    <date></date>\n    <id>${id}</id>\n    <parts>\n      <hasparts>${has}</hasparts>\n      <ispartof>${of}</ispartof>\n    </parts>\n`;
    expect(text(sink)['default/dir/img.xml']).toBe(
      '<annotation>\n  <filename>img.jpg</filename>\n  <folder>dir</folder>\n' +
      '  <source>\n    <sourceImage></sourceImage>\n    <sourceAnnotation>Datumaro</sourceAnnotation>\n  </source>\n' +
      '  <imagesize>\n    <nrows>10</nrows>\n    <ncols>20</ncols>\n  </imagesize>\n' +
      head('car', 'yes', 0, '1', '') +
      '    <type>bounding_box</type>\n    <polygon>\n' + pt('1.00', '2.00') + pt('5.50', '2.00') + pt('5.50', '8.00') + pt('1.00', '8.00') +
      '      <username></username>\n    </polygon>\n' +
      '    <attributes>color=blue, speed=5.0, flag=True, code="42", note=a\\,b\\=c, rotation=0.0</attributes>\n  </object>\n' +
      head('person', 'no', 1, '', '0') +
      // 1.125 is an exact binary tie: Python's '%.2f' rounds it to even.
      '    <polygon>\n' + pt('1.12', '1.00') + pt('4.00', '1.00') + pt('4.00', '4.00') + '      <username></username>\n    </polygon>\n' +
      '    <attributes></attributes>\n  </object>\n' +
      head('car', 'no', 2, '', '') +
      '    <segm>\n      <mask>dir/img_mask_2.png</mask>\n      <box>\n        <xmin>3.00</xmin>\n        <ymin>4.00</ymin>\n' +
      '        <xmax>6.00</xmax>\n        <ymax>6.00</ymax>\n      </box>\n      <username></username>\n    </segm>\n' +
      '    <attributes>color=red, speed=0.0, flag=False, code=, note=</attributes>\n  </object>\n' +
      '</annotation>\n');
    const mask = await sharpRaster.decodePng(sink.files.get('default/Masks/dir/img_mask_2.png')!);
    expect([mask.width, mask.height, mask.channels]).toEqual([20, 10, 4]);
    const px = (x: number, y: number) => [...mask.data.subarray((y * 20 + x) * 4, (y * 20 + x) * 4 + 4)];
    expect([px(3, 4), px(2, 4)]).toEqual([[255, 203, 0, 153], [0, 0, 0, 0]]);
    expect(text(sink)['val/other.xml']).toContain('<attributes>rotation=45.0</attributes>');
    const counts = reportCounts(report);
    expect(counts.dropped).toEqual({ tags: 1, 'points shapes': 1 });
    expect(counts.converted).toEqual({ ellipses: 1, 'rotated rectangles': 1 });
  });

  it('writes a second image of the same name as <name>.<ext>.xml, without its masks', async () => {
    const mask = shape('mask', 'car', [0, 1, 0, 0, 0, 0]);
    const { sink, report } = await runExport(labelmeFormat, { labels, frames: [frame(0, 'a.jpg', [mask]), frame(1, 'a.png', [mask])] });
    expect([...sink.files.keys()].sort()).toEqual(['default/Masks/a_mask_0.png', 'default/a.png.xml', 'default/a.xml']);
    expect(reportCounts(report).dropped).toEqual({ 'mask shapes': 1 });
  });

  it('copies images next to their XML when asked', async () => {
    const { sink } = await runExport(labelmeFormat, { labels, frames: sampleFrames(), saveImages: true });
    expect([...sink.images.keys()]).toEqual(['default/dir/img.jpg', 'val/other.png']);
  });

  it('round trip: export -> import -> export gives the same files, byte for byte', async () => {
    const first = await runExport(labelmeFormat, { labels, frames: sampleFrames() });
    const parsed = await runImport(labelmeFormat, filesSource(Object.fromEntries(first.sink.files)));
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.shapes.map((s) => `${s.type}:${s.group}`).join(' ')])).toEqual([
      ['dir/img.jpg', undefined, 'rectangle:1 polygon:1 mask:0'],
      ['other.png', 'val', 'mask:0 rectangle:0'],
    ]);
    const car = parsed.frames[0]!.shapes[0]!;
    expect([car.occluded, car.rotation, car.attributes]).toEqual([true, 0, { color: 'blue', speed: '5.0', flag: 'true', code: '42', note: 'a,b=c' }]);
    expect(parsed.frames[1]!.shapes[1]!.rotation).toBe(45);
    const second = await runExport(labelmeFormat, reexportInput(parsed));
    expect([...second.sink.files.keys()].sort()).toEqual([...first.sink.files.keys()].sort());
    for (const [path, bytes] of first.sink.files) expect(Buffer.from(second.sink.files.get(path)!).equals(Buffer.from(bytes)), path).toBe(true);
  });
});

describe('LabelMe attribute text', () => {
  it('escapes what would split it and quotes strings that read as numbers', () => {
    const attrs = new Map([
      ['a', { kind: 'str' as const, value: 'x\\y="z",w' }], ['n', { kind: 'str' as const, value: '1.5' }], ['b', { kind: 'bool' as const, value: true }],
      ['occluded', { kind: 'bool' as const, value: true }],
    ]);
    const written = formatAttributes(attrs);
    expect(written).toBe('a=x\\\\y\\=\\"z\\"\\,w, n="1.5", b=True');
    expect(parseAttributes(written)).toEqual([
      { name: 'a', value: 'x\\y="z",w', number: false }, { name: 'n', value: '1.5', number: false }, { name: 'b', value: true, number: false },
    ]);
  });
  it('reads bare names as true flags and unquoted numbers as numbers', () => {
    expect(parseAttributes('flag, n=3, f=0.5, t=TRUE, s=abc')).toEqual([
      { name: 'flag', value: true, number: false }, { name: 'n', value: '3', number: true }, { name: 'f', value: '0.5', number: true },
      { name: 't', value: true, number: false }, { name: 's', value: 'abc', number: false },
    ]);
  });
});

describe('LabelMe bad files', () => {
  const obj = (inner: string) => `<annotation>\n<filename>a.jpg</filename>\n<object>\n<name>cat</name>\n${inner}\n</object>\n</annotation>\n`;
  const fails = async (files: Record<string, string>, file: string, message: RegExp, line?: number) => {
    const err = await runImport(labelmeFormat, filesSource(files)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect((err as DatasetFormatError).file).toBe(file);
    expect((err as DatasetFormatError).message).toMatch(message);
    if (line !== undefined) expect((err as DatasetFormatError).where?.line).toBe(line);
  };
  const poly = '<polygon><pt><x>1</x><y>1</y></pt><pt><x>2</x><y>1</y></pt><pt><x>2</x><y>2</y></pt></polygon>';
  it('malformed XML', () => fails({ 'default/a.xml': '<annotation>\n<object>\n</annotation>' }, 'default/a.xml', /malformed XML/, 3));
  it('no filename', () => fails({ 'default/a.xml': '<annotation/>' }, 'default/a.xml', /<filename> is missing/, 1));
  it('an object without a numeric id', () => fails({ 'a.xml': obj(`<id>x</id>${poly}`) }, 'a.xml', /<id> is "x"/, 5));
  it('a polygon of two points', () =>
    fails({ 'a.xml': obj('<id>0</id>\n<polygon><pt><x>1</x><y>1</y></pt><pt><x>2</x><y>1</y></pt></polygon>') }, 'a.xml', /needs 3 points, this one has 2/, 6));
  it('a coordinate that is not a number', () =>
    fails({ 'a.xml': obj('<id>0</id>\n<polygon><pt><x>1</x><y>one</y></pt></polygon>') }, 'a.xml', /<y> is "one", not a number/, 6));
  it('a mask file that is missing', () =>
    fails({ 'default/a.xml': obj('<id>0</id>\n<segm><mask>m.png</mask></segm>') }, 'default/a.xml', /mask "m.png" is not in the archive/, 6));
  it('a part that is no object', () =>
    fails({ 'a.xml': obj(`<id>0</id>${poly}<parts><hasparts>7</hasparts><ispartof/></parts>`) }, 'a.xml', /part 7, which is not an object/));
  it('an image size that is not a number', () =>
    fails({ 'a.xml': '<annotation>\n<filename>a.jpg</filename>\n<imagesize><nrows>ten</nrows><ncols>3</ncols></imagesize></annotation>' }, 'a.xml', /<nrows> is "ten"/, 3));
  it('an archive without XML', () => fails({ 'readme.txt': '' }, '.', /no LabelMe annotation/));
});
