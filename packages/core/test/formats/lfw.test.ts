import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { lfwFormat } from '../../src/formats/lfw/index.js';
import { parseList, pyListRepr } from '../../src/formats/lfw/names.js';
import { DatasetFormatError } from '../../src/formats/model.js';
import { DATASETS, dirSource } from './harness.js';
import { filesSource, frame, label, reexportInput, reportCounts, runExport, runImport, shape, spec, tag, text } from './voc-helpers.js';

describe('LFW import of the Datumaro sample dataset', () => {
  it('lfw_dataset: persons from people.txt, pairs as tag attributes, landmarks as points', async () => {
    const parsed = await runImport(lfwFormat, dirSource(join(DATASETS, 'lfw_dataset')));
    expect(parsed.labels.map((l) => [l.name, l.attributes.map((a) => a.name)])).toEqual([['name0', ['negative_pairs']], ['name1', ['positive_pairs']]]);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.tags.map((t) => [t.label, t.attributes])])).toEqual([
      ['name1_0001.jpg', 'test', [['name1', { positive_pairs: "['name1/name1_0002']" }]]],
      ['name1_0002.jpg', 'test', [['name1', {}]]],
      ['name0_0001.jpg', 'test', [['name0', { negative_pairs: "['name1/name1_0001', 'name1/name1_0002']" }]]],
    ]);
    expect(parsed.frames.map((f) => f.shapes.map((s) => [s.type, s.label, s.points]))).toEqual([
      [['points', 'name1', [1, 6, 4, 6, 3, 3, 2, 1, 4, 1]]],
      [['points', 'name1', [0, 5, 3, 5, 2, 2, 1, 0, 3, 0]]],
      [['points', 'name0', [0, 4, 3, 3, 2, 2, 1, 0, 3, 0]]],
    ]);
  });
});

const pairSpecs = [spec('positive_pairs', 'text', '', []), spec('negative_pairs', 'text', '', [])];
const labels = [label('ann', pairSpecs), label('bob', pairSpecs)];
const five = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const frames = () => [
  frame(0, 'ann_0001.jpg', [shape('points', 'ann', five)], [tag('ann', { positive_pairs: 'ann/ann_0002' })]),
  frame(1, 'ann_0002.jpg', [], [tag('ann')]),
  frame(2, 'bob_0001.jpg', [], [tag('bob', { negative_pairs: 'ann/ann_0001, ann/ann_0002' })]),
  frame(3, 'bob_0002.jpg', [shape('rectangle', 'bob', [0, 0, 1, 1])], [tag('bob'), tag('ann')]),
];

describe('LFW export', () => {
  it('writes pairs.txt (matched, mismatched, others), landmarks.txt and people.txt per subset', async () => {
    const { sink, report } = await runExport(lfwFormat, { labels, frames: [...frames(), frame(4, 'x.png')], saveImages: true });
    expect(text(sink)).toEqual({
      'default/annotations/pairs.txt': 'ann\t1\t2\nbob\t1\tann\t1\nbob\t1\tann\t2\nbob/bob_0002\n',
      'default/annotations/landmarks.txt': 'ann/ann_0001.jpg\t1.0\t2.0\t3.0\t4.0\t5.0\t6.0\t7.0\t8.0\t9.0\t10.0\n',
      'default/annotations/people.txt': 'ann\t2\nbob\t2\n',
    });
    expect([...sink.images.keys()]).toEqual([
      'default/images/ann/ann_0001.jpg', 'default/images/ann/ann_0002.jpg', 'default/images/bob/bob_0001.jpg',
      'default/images/bob/bob_0002.jpg', 'default/images/x.png',
    ]);
    expect(reportCounts(report).dropped).toEqual({ 'rectangle shapes': 1, 'tags after the first': 1 });
  });

  it('round trip: export -> import -> export gives the same files', async () => {
    const first = await runExport(lfwFormat, { labels, frames: frames() });
    const parsed = await runImport(lfwFormat, filesSource(Object.fromEntries(first.sink.files)));
    expect(parsed.frames.map((f) => f.image.name)).toEqual(['ann_0001.jpg', 'ann_0002.jpg', 'bob_0001.jpg', 'bob_0002.jpg']);
    const second = await runExport(lfwFormat, reexportInput(parsed));
    expect(text(second.sink)).toEqual(text(first.sink));
  });

  it('reads pair lists as CVAT stores them and as people type them', () => {
    expect(parseList("['a/a_0001', 'b/b_0002']")).toEqual(['a/a_0001', 'b/b_0002']);
    expect(parseList('a/a_0001, b/b_0002 c')).toEqual(['a/a_0001', 'b/b_0002', 'c']);
    expect(pyListRepr(["it's", 'x'])).toBe(`["it's", 'x']`);
  });
});

describe('LFW bad files', () => {
  it('names the file and line of a landmark that is not a number or has no person', async () => {
    const base = { 'test/annotations/pairs.txt': 'p/p_0001\n' };
    const bad = await runImport(lfwFormat, filesSource({ ...base, 'test/annotations/landmarks.txt': 'p/p_0001.jpg\t1\tx\n' })).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(DatasetFormatError);
    expect(bad).toMatchObject({ file: 'test/annotations/landmarks.txt', where: { line: 1 } });
    await expect(runImport(lfwFormat, filesSource({ ...base, 'test/annotations/landmarks.txt': '\np_0001.jpg\t1\t2\n' })))
      .rejects.toMatchObject({ where: { line: 2 } });
    await expect(runImport(lfwFormat, filesSource({ ...base, 'test/annotations/landmarks.txt': 'p/p_0001.jpg\t1\t2\t3\n' })))
      .rejects.toThrow(/3 coordinates/);
  });

  it('refuses a pair whose first image has no person, and an archive without pairs.txt', async () => {
    await expect(runImport(lfwFormat, filesSource({ 'annotations/pairs.txt': 'a.jpg\n-\ta.jpg\t-\tb.jpg\n' })))
      .rejects.toMatchObject({ file: 'annotations/pairs.txt', where: { line: 2 } });
    await expect(runImport(lfwFormat, filesSource({ 'annotations/people.txt': 'p\t1\n' }))).rejects.toThrow(/no pairs file/);
  });
});
