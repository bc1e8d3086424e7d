import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DatasetFormatError } from '../../src/formats/model.js';
import { widerFaceFormat } from '../../src/formats/widerface/index.js';
import { DATASETS, dirSource } from './harness.js';
import { filesSource, frame, label, reexportInput, reportCounts, runExport, runImport, shape, spec, tag, text } from './voc-helpers.js';

describe('WiderFace import of the Datumaro sample dataset', () => {
  it('widerface_dataset: labels from dataset_meta.json, folder tags, boxes with their six columns', async () => {
    const parsed = await runImport(widerFaceFormat, dirSource(join(DATASETS, 'widerface_dataset')));
    // Boxes name no label, so they are faces; "face" joins the meta file's labels.
    expect(parsed.labels.map((l) => l.name)).toEqual(['Parade', 'Handshaking', 'face']);
    expect(parsed.labels[2]!.attributes.map((a) => [a.name, a.input_type])).toEqual([
      ['blur', 'text'], ['expression', 'text'], ['illumination', 'text'], ['pose', 'text'], ['invalid', 'text'],
    ]);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.tags.map((t) => t.label), f.shapes.length])).toEqual([
      ['0_Parade_image_01.jpg', 'train', ['Parade'], 1],
      ['1_Handshaking_image_02.jpg', 'train', ['Handshaking'], 2],
      ['0_Parade_image_03.jpg', 'val', ['Parade'], 3],
    ]);
    const shapes = parsed.frames.flatMap((f) => f.shapes);
    expect(shapes.every((s) => s.type === 'rectangle' && s.label === 'face')).toBe(true);
    expect(shapes.map((s) => s.points)).toEqual([[1, 2, 3, 4], [1, 1, 3, 3], [5, 1, 7, 3], [0, 0, 1, 1], [3, 2, 4, 4], [5, 6, 6, 7]]);
    expect(shapes.filter((s) => s.occluded)).toHaveLength(1);
    expect(shapes[3]!.attributes).toEqual({ blur: '2', expression: '0', illumination: '0', pose: '2', invalid: '0' });
    expect(shapes[1]!.attributes.illumination).toBe('1');
  });

  it('takes image sizes from the task it imports into', async () => {
    const parsed = await widerFaceFormat.import!(dirSource(join(DATASETS, 'widerface_dataset')), {
      raster: undefined as never, images: [{ frame: 7, name: 'train/0_Parade_image_01.jpg', width: 15, height: 10 }],
    });
    expect(parsed.frames[0]!.image).toMatchObject({ width: 15, height: 10 });
  });
});

const labels = [
  label('face', [spec('blur', 'select', '0', ['0', '1', '2']), spec('pose', 'checkbox', 'false', ['false', 'true']), spec('note', 'text', '', [])]),
  label('Parade'),
  label('Handshaking'),
];
const frames = () => [
  frame(0, 'a.jpg', [
    shape('rectangle', 'face', [1, 2, 3.5, 4], { attributes: { blur: '2', pose: 'true' }, occluded: true }),
    shape('rectangle', 'Parade', [0, 0, 10, 5]),
  ], [tag('Parade')]),
  frame(1, 'b.png'),
  frame(2, 'c.jpg', [shape('polygon', 'face', [0, 0, 1, 0, 1, 1])], [tag('Handshaking', { x: '1' }), tag('Parade')], undefined, 'val'),
];

describe('WiderFace export', () => {
  it('writes labels.txt, one annotation file per subset and CVAT\'s box lines', async () => {
    const { sink } = await runExport(widerFaceFormat, { labels, frames: frames(), saveImages: true });
    expect(text(sink)).toEqual({
      'labels.txt': 'face\nParade\nHandshaking',
      'wider_face_split/wider_face_default_bbx_gt.txt':
        '1--Parade/a.jpg\n2\n1.0 2.0 2.5 2.0 2 - - True True - \n0.0 0.0 10.0 5.0 - - - False - - Parade\nno_label/b.png\n',
      'wider_face_split/wider_face_val_bbx_gt.txt': '2--Handshaking/c.jpg\n',
    });
    expect([...sink.images]).toEqual([
      ['WIDER_default/images/1--Parade/a.jpg', 'a.jpg'],
      ['WIDER_default/images/no_label/b.png', 'b.png'],
      ['WIDER_val/images/2--Handshaking/c.jpg', 'c.jpg'],
    ]);
  });

  it('reports what WIDER Face cannot hold', async () => {
    const withRotation = frames();
    withRotation[0]!.shapes[0]!.rotation = 30;
    withRotation[0]!.shapes[0]!.attributes.note = 'two words';
    const { report } = await runExport(widerFaceFormat, { labels, frames: withRotation });
    expect(reportCounts(report)).toEqual({
      dropped: { 'polygon shapes': 1, 'tags after the first': 1, 'tag attributes': 1, 'attributes without a WIDER Face column': 1 },
      converted: { 'rotated rectangles': 1 },
    });
  });

  it('round trip: export -> import -> export gives the same files', async () => {
    const first = await runExport(widerFaceFormat, { labels, frames: frames() });
    const parsed = await runImport(widerFaceFormat, filesSource(Object.fromEntries(first.sink.files)));
    expect(parsed.labels.map((l) => l.name)).toEqual(['face', 'Parade', 'Handshaking']);
    expect(parsed.frames[0]!.shapes[0]).toMatchObject({ points: [1, 2, 3.5, 4], occluded: true, attributes: { blur: '2', pose: 'true' } });
    const second = await runExport(widerFaceFormat, reexportInput(parsed));
    expect(text(second.sink)).toEqual(text(first.sink));
  });
});

describe('WiderFace bad files', () => {
  const gt = 'wider_face_split/wider_face_train_bbx_gt.txt';
  const load = (content: string, extra: Record<string, string> = {}) => runImport(widerFaceFormat, filesSource({ [gt]: content, ...extra }));
  const cases: Array<[string, string, RegExp, number]> = [
    ['a count that is not a number', 'x/a.jpg\nmany\n', /box count "many" is not an integer/, 2],
    ['a coordinate that is not a number', 'x/a.jpg\n1\n1 2 nan 4\n', /box width "nan" is not a number/, 3],
    ['a box line of 7 fields', 'x/a.jpg\n1\n1 2 3 4 0 0 0\n', /7 fields/, 3],
    ['fewer box lines than counted', 'x/a.jpg\n2\n1 2 3 4\n', /expected 2 box lines, found 1/, 4],
    ['a negative size', 'x/a.jpg\n1\n1 2 -3 4\n', /must not be negative/, 3],
    ['a stray line', 'x/a.jpg\n1\n1 2 3 4\nhello\n', /expected an image path/, 4],
  ];
  for (const [what, content, message, line] of cases) {
    it(`names the file and line of ${what}`, async () => {
      const err = await load(content).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatasetFormatError);
      expect(err).toMatchObject({ file: gt, where: { line } });
      expect((err as Error).message).toMatch(message);
    });
  }

  it('refuses a box of a label the label list does not declare', async () => {
    await expect(load('x/a.jpg\n1\n1 2 3 4 cat\n', { 'labels.txt': 'dog' })).rejects.toMatchObject({ file: gt, where: { line: 3 } });
  });

  it('refuses a broken dataset_meta.json and an archive without annotation files', async () => {
    await expect(load('x/a.jpg\n', { 'dataset_meta.json': '{"label_map": [1]}' })).rejects.toMatchObject({ file: 'dataset_meta.json', where: { path: '$.label_map' } });
    await expect(runImport(widerFaceFormat, filesSource({ 'labels.txt': 'face' }))).rejects.toThrow(/no annotation files/);
  });

  it('skips the placeholder line WIDER writes after a count of 0', async () => {
    const parsed = await load('x/a.jpg\n0\n0 0 0 0 0 0 0 0 0 0\ny/b.jpg\n1\n1 1 1 1\n');
    expect(parsed.frames.map((f) => [f.image.name, f.shapes.length])).toEqual([['a.jpg', 0], ['b.jpg', 1]]);
  });
});
