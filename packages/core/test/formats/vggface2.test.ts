import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DatasetFormatError } from '../../src/formats/model.js';
import { vggFace2Format } from '../../src/formats/vggface2/index.js';
import { csvRow, parseCsv } from '../../src/formats/vggface2/csv.js';
import { DATASETS, dirSource } from './harness.js';
import { filesSource, frame, label, reexportInput, reportCounts, runExport, runImport, shape, tag, text } from './voc-helpers.js';

describe('VGGFace2 import of the Datumaro sample dataset', () => {
  it('vgg_face2_dataset: labels.txt, a set of landmarks and a box per image, subsets from the file names', async () => {
    const parsed = await runImport(vggFace2Format, dirSource(join(DATASETS, 'vgg_face2_dataset')));
    expect(parsed.labels.map((l) => [l.name, l.attributes.length])).toEqual([['n000001', 0], ['n000002', 0], ['n000003', 0]]);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.shapes.map((s) => `${s.type}:${s.label}`), f.tags.length])).toEqual([
      ['n000003/0003_01.jpg', 'test', ['points:n000003', 'rectangle:n000003'], 0],
      ['n000001/0001_01.jpg', 'train', ['points:n000001', 'rectangle:n000001'], 0],
      ['n000002/0001_01.jpg', 'train', ['points:n000002', 'rectangle:n000002'], 0],
      ['n000002/0002_01.jpg', 'train', ['points:n000002', 'rectangle:n000002'], 0],
    ]);
    expect(parsed.frames[1]!.shapes.map((s) => s.points)).toEqual([
      [2.787, 2.898, 2.965, 2.79, 2.8, 2.456, 2.81, 2.32, 2.89, 2.3],
      [2, 2, 3, 4],
    ]);
  });
});

const labels = [label('n1'), label('n2')];
const five = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10.5];
const frames = () => [
  frame(0, 'a.jpg', [shape('points', 'n1', five), shape('rectangle', 'n1', [1, 2, 3.5, 4])], [tag('n2')]),
  frame(1, 'dir/b.png'),
  frame(2, 'c.jpg', [shape('rectangle', 'n2', [0, 0, 1, 1])], [], undefined, 'val'),
  frame(3, 'd.jpg', [shape('polygon', 'n1', [0, 0, 1, 0, 1, 1]), shape('points', 'n1', [1, 1, 2, 2, 3, 3])]),
];
const HEAD = 'NAME_ID,P1X,P1Y,P2X,P2Y,P3X,P3Y,P4X,P4Y,P5X,P5Y\r\n';

describe('VGGFace2 export', () => {
  it('writes labels.txt and the landmark and box CSVs per subset, rows named <label>/<item>', async () => {
    const { sink, report } = await runExport(vggFace2Format, { labels, frames: frames(), saveImages: true });
    expect(text(sink)).toEqual({
      'labels.txt': 'n1\nn2\n',
      'bb_landmark/loose_landmark_default.csv':
        `${HEAD}n1/a,1.0,2.0,3.0,4.0,5.0,6.0,7.0,8.0,9.0,10.5\r\nn2/a,,,,,,,,,,\r\nno_label/dir/b,,,,,,,,,,\r\nn1/d,,,,,,,,,,\r\n`,
      'bb_landmark/loose_bb_default.csv': 'NAME_ID,X,Y,W,H\r\nn1/a,1.0,2.0,2.5,2.0\r\n',
      'bb_landmark/loose_landmark_val.csv': HEAD,
      'bb_landmark/loose_bb_val.csv': 'NAME_ID,X,Y,W,H\r\nn2/c,0.0,0.0,1.0,1.0\r\n',
    });
    expect([...sink.images.keys()]).toEqual(['default/n1/a.jpg', 'default/n2/a.jpg', 'default/no_label/dir/b.png', 'val/n2/c.jpg', 'default/n1/d.jpg']);
    expect(reportCounts(report).dropped).toEqual({ 'polygon shapes': 1, 'points shapes of other than 5 points': 1 });
  });

  it('writes a skeleton\'s points after it with the skeleton as their class', async () => {
    const skeleton = { ...label('face'), type: 'skeleton' as const, sublabels: [label('eye')] };
    const { sink } = await runExport(vggFace2Format, { labels: [label('n1'), skeleton], frames: [] });
    expect(text(sink)['labels.txt']).toBe('n1\nface\neye face\n');
  });

  it('reports a second set of landmarks, a second box and attribute values', async () => {
    const { report } = await runExport(vggFace2Format, {
      labels,
      frames: [frame(0, 'a.jpg', [
        shape('points', 'n1', five), shape('points', 'n2', five), shape('rectangle', 'n1', [0, 0, 1, 1], { attributes: { age: '3' } }),
        shape('rectangle', 'n2', [0, 0, 1, 1]),
      ])],
    });
    expect(reportCounts(report).dropped).toEqual({ 'points shapes after the first': 1, 'rectangle shapes after the first': 1, 'attribute values': 1 });
  });

  it('round trip: export -> import -> export gives the same files', async () => {
    const first = await runExport(vggFace2Format, { labels, frames: frames() });
    const parsed = await runImport(vggFace2Format, filesSource(Object.fromEntries(first.sink.files)));
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.shapes.map((s) => s.type), f.tags.map((t) => t.label)])).toEqual([
      ['n1/a.jpg', undefined, ['points', 'rectangle'], []], ['n2/a.jpg', undefined, [], ['n2']], ['no_label/dir/b.jpg', undefined, [], []],
      ['n1/d.jpg', undefined, [], ['n1']], ['n2/c.jpg', 'val', ['rectangle'], []],
    ]);
    const second = await runExport(vggFace2Format, reexportInput(parsed));
    expect(text(second.sink)).toEqual(text(first.sink));
  });
});

describe('VGGFace2 CSV', () => {
  it('quotes as Python\'s csv module does and reads quoted fields back with their line numbers', () => {
    expect(csvRow(['a,b', 'say "hi"', 'x'])).toBe('"a,b","say ""hi""",x\r\n');
    expect(parseCsv('f.csv', 'h1,h2\r\n"multi\nline",2\n\n3,4')).toEqual([
      { line: 1, fields: ['h1', 'h2'] }, { line: 2, fields: ['multi\nline', '2'] }, { line: 5, fields: ['3', '4'] },
    ]);
  });
});

describe('VGGFace2 bad files', () => {
  const lm = 'bb_landmark/loose_landmark_train.csv';
  const bb = 'bb_landmark/loose_bb_train.csv';
  const expectError = async (files: Record<string, string>, file: string, line: number, message: RegExp) => {
    const err = await runImport(vggFace2Format, filesSource(files)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect(err).toMatchObject({ file, where: { line } });
    expect((err as Error).message).toMatch(message);
  };

  it('names the file and row of a coordinate that is not a number', async () => {
    await expectError({ [lm]: `${HEAD}n1/a,1,2,3,4,5,6,7,8,9,ten\r\n` }, lm, 2, /P5Y "ten" is not a number/);
  });
  it('refuses a second set of landmarks and a second box for an image', async () => {
    await expectError({ [lm]: `${HEAD}n1/a,1,2,3,4,5,6,7,8,9,10\r\nn1/a,1,2,3,4,5,6,7,8,9,10\r\n` }, lm, 3, /second set of landmarks/);
    await expectError({ [bb]: 'NAME_ID,X,Y,W,H\r\nn1/a,1,2,3,4\r\nn1/a,1,2,3,4\r\n' }, bb, 3, /second box/);
  });
  it('refuses a label labels.txt does not declare, a missing column and an unclosed quote', async () => {
    await expectError({ 'labels.txt': 'n1\n', [bb]: 'NAME_ID,X,Y,W,H\r\nn9/a,1,2,3,4\r\n' }, bb, 2, /label "n9"/);
    await expectError({ [bb]: 'NAME_ID,X,Y,W\r\nn1/a,1,2,3\r\n' }, bb, 1, /no column "H"/);
    await expectError({ [bb]: 'NAME_ID,X,Y,W,H\r\n"n1/a,1,2,3,4\r\n' }, bb, 2, /not closed/);
  });
  it('refuses boxes without a label and an archive without annotation files', async () => {
    await expectError({ [bb]: 'NAME_ID,X,Y,W,H\r\nno_label/a,1,2,3,4\r\n' }, bb, 2, /no label/);
    await expect(runImport(vggFace2Format, filesSource({ 'labels.txt': 'n1' }))).rejects.toThrow(/no annotation files/);
  });
});
