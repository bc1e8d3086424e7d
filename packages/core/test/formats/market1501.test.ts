import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { market1501Format } from '../../src/formats/market1501/index.js';
import { DatasetFormatError } from '../../src/formats/model.js';
import { DATASETS, dirSource } from './harness.js';
import { filesSource, frame, label, reexportInput, reportCounts, runExport, runImport, shape, spec, tag, text } from './voc-helpers.js';

describe('Market-1501 import of the Datumaro sample dataset', () => {
  it('market1501_dataset: subsets from the folders, a "market-1501" tag with what each name says', async () => {
    const parsed = await runImport(market1501Format, dirSource(join(DATASETS, 'market1501_dataset')));
    expect(parsed.labels.map((l) => [l.name, l.attributes.map((a) => `${a.name}:${a.input_type}`)])).toEqual([
      ['market-1501', ['person_id:text', 'camera_id:text', 'track_id:text', 'frame_id:text', 'bbox_id:text', 'query:checkbox']],
    ]);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.tags.map((t) => t.attributes)])).toEqual([
      ['0001_c1s1_001051_00.jpg', 'test', [{ person_id: '0001', camera_id: '0', track_id: '1', frame_id: '1051', bbox_id: '0', query: 'false' }]],
      ['0002_c1s3_000151_00.jpg', 'train', [{ person_id: '0002', camera_id: '0', track_id: '3', frame_id: '151', bbox_id: '0', query: 'false' }]],
      ['0001_c2s3_000111_00.jpg', 'query', [{ person_id: '0001', camera_id: '1', track_id: '3', frame_id: '111', bbox_id: '0', query: 'true' }]],
    ]);
  });
});

const market = label('market-1501', [
  spec('person_id', 'text', '', []), spec('camera_id', 'number', '0', ['0', '10', '1']), spec('track_id', 'text', '1', []),
  spec('frame_id', 'text', '', []), spec('bbox_id', 'text', '0', []), spec('query', 'checkbox', 'false', ['false', 'true']),
]);
const frames = () => [
  frame(0, 'a.jpg', [shape('rectangle', 'market-1501', [0, 0, 1, 1])], [tag('market-1501', { person_id: '0007', camera_id: '2', frame_id: '12' })]),
  frame(1, 'sub/b.png', [], [tag('market-1501', { person_id: '0008', query: 'true' })]),
  frame(2, '0003_c1s1_000001_01.jpg', [], [tag('market-1501', { person_id: '9' })], undefined, 'val'),
  frame(3, 'plain.jpg', [], [tag('other')]),
];

describe('Market-1501 export', () => {
  it('names images by their attributes and lists them per subset', async () => {
    const { sink, report } = await runExport(market1501Format, { labels: [market, label('other')], frames: frames(), saveImages: true });
    expect(text(sink)).toEqual({
      'images_default.txt': 'bounding_box_default/0007_c3s1_000012_00.jpg\nquery/sub/0008_c1s1_000000_00.png\nbounding_box_default/plain.jpg\n',
      'images_val.txt': 'bounding_box_val/0003_c1s1_000001_01.jpg\n',
    });
    expect([...sink.images.keys()]).toEqual([
      'bounding_box_default/0007_c3s1_000012_00.jpg', 'query/sub/0008_c1s1_000000_00.png', 'bounding_box_val/0003_c1s1_000001_01.jpg',
      'bounding_box_default/plain.jpg',
    ]);
    expect(reportCounts(report).dropped).toEqual({ 'rectangle shapes': 1, tags: 1 });
  });

  it('round trip: export -> import -> export gives the same lists', async () => {
    const first = await runExport(market1501Format, { labels: [market], frames: frames() });
    const parsed = await runImport(market1501Format, filesSource(Object.fromEntries(first.sink.files)));
    expect(parsed.frames.find((f) => f.image.name === 'sub/0008_c1s1_000000_00.png')!.tags[0]!.attributes.query).toBe('true');
    const second = await runExport(market1501Format, reexportInput(parsed));
    expect(text(second.sink)).toEqual(text(first.sink));
  });

  it('reports a second "market-1501" tag and attribute values that are not integers', async () => {
    const { report } = await runExport(market1501Format, {
      labels: [market],
      frames: [frame(0, 'a.jpg', [], [tag('market-1501', { person_id: '1', track_id: 'x' }), tag('market-1501')]), frame(1, 'b.jpg', [], [tag('market-1501', { person_id: '1', track_id: 'x' })])],
    });
    expect(reportCounts(report)).toEqual({ dropped: { '"market-1501" tags': 1 }, converted: { 'attribute values that are not integers': 1 } });
  });
});

describe('Market-1501 bad files', () => {
  it('names the list and line of an image outside a folder, and refuses an archive with nothing of Market-1501', async () => {
    await expect(runImport(market1501Format, filesSource({ 'images_test.txt': 'bounding_box_test/a.jpg\nb.jpg\n' })))
      .rejects.toMatchObject({ file: 'images_test.txt', where: { line: 2 } });
    await expect(runImport(market1501Format, filesSource({ 'readme.txt': 'x' }))).rejects.toBeInstanceOf(DatasetFormatError);
  });
});
