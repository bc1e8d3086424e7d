import { describe, expect, it } from 'vitest';
import { DatasetFormatError, type DatasetImage, type DatasetLabel, type FrameAnnotations } from '../../src/formats/model.js';
import { ultralyticsClassificationFormat as codec } from '../../src/formats/yolo/index.js';
import { exportInput, ListReport, memorySource, MemorySink, sharpRaster } from './harness.js';

const image = (name: string, frame = 0, subset?: string): DatasetImage => ({ frame, name, width: 64, height: 48, subset });
const tag = (label: string) => ({ label, group: 0, source: 'manual' as const, attributes: {} });
const labels: DatasetLabel[] = ['cat', 'dog'].map((name) => ({ name, type: 'any', attributes: [] }));

async function exportFrames(frames: FrameAnnotations[], saveImages: boolean) {
  const sink = new MemorySink();
  const report = new ListReport();
  await codec.export!(exportInput({ frames, labels, saveImages }), sink, { raster: sharpRaster, report });
  return { sink, report };
}

function source(entries: Record<string, string>) {
  return memorySource(new Map(Object.entries(entries).map(([k, v]) => [k, new TextEncoder().encode(v)])));
}

const FRAMES: FrameAnnotations[] = [
  { image: image('a.jpg', 0), shapes: [], tags: [tag('cat')] },
  { image: image('sub/b.png', 1), shapes: [], tags: [tag('dog'), tag('cat')] },
  { image: image('c.jpg', 2, 'val'), shapes: [], tags: [] },
];

describe('Ultralytics YOLO Classification', () => {
  it('puts each image in the folder of its class and writes labels.json per subset', async () => {
    const { sink } = await exportFrames(FRAMES, true);
    expect([...sink.images.entries()]).toEqual([
      ['train/cat/a.jpg', 'a.jpg'],
      ['train/dog/sub/b.png', 'sub/b.png'],
      ['val/no_label/c.jpg', 'c.jpg'],
    ]);
    expect(sink.text('train/labels.json')).toBe(
      '{"a":{"labels":["cat"],"path":"cat/a.jpg"},"sub/b":{"labels":["dog","cat"],"path":"dog/sub/b.png"}}',
    );
    expect(sink.text('val/labels.json')).toBe('{"c":{"labels":[],"path":"no_label/c.jpg"}}');
    expect([...sink.files.keys()].sort()).toEqual(['train/labels.json', 'val/labels.json']);
  });

  it('writes only labels.json without images, and reports shapes as dropped', async () => {
    const frames: FrameAnnotations[] = [{
      image: image('a.jpg', 5),
      shapes: [{ label: 'cat', type: 'rectangle', points: [1, 1, 2, 2], rotation: 0, group: 0, source: 'manual', attributes: {}, occluded: false, outside: false, z_order: 0 }],
      tags: [tag('cat')],
    }];
    const { sink, report } = await exportFrames(frames, false);
    expect(sink.images.size).toBe(0);
    expect([...sink.files.keys()]).toEqual(['train/labels.json']);
    expect(report.droppedItems.map((d) => [d.what, d.frame])).toEqual([['rectangle shapes', 5]]);
  });

  it('round-trips through labels.json: export, import, export gives identical files', async () => {
    const first = await exportFrames(FRAMES, false);
    const parsed = await codec.import!(memorySource(first.sink.files), { raster: sharpRaster, images: FRAMES.map((f) => f.image) });
    expect(parsed.labels.map((l) => l.name)).toEqual(['cat', 'dog']);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.tags.map((t) => t.label)])).toEqual([
      ['a.jpg', 'train', ['cat']],
      ['sub/b.png', 'train', ['dog', 'cat']],
      ['c.jpg', 'val', []],
    ]);
    const second = await exportFrames(parsed.frames, false);
    expect(new Map([...second.sink.files].map(([k, v]) => [k, Buffer.from(v).toString()]))).toEqual(
      new Map([...first.sink.files].map(([k, v]) => [k, Buffer.from(v).toString()])),
    );
  });

  it('imports the plain Ultralytics layout of class folders, without labels.json', async () => {
    const parsed = await codec.import!(
      source({ 'train/cat/1.jpg': '', 'train/dog/2.jpg': '', 'train/no_label/3.jpg': '', 'train/bird/notes.txt': '', 'val/cat/4.png': '' }),
      { raster: sharpRaster, images: [image('1.jpg', 0), image('2.jpg', 1), image('3.jpg', 2), image('4.png', 3)] },
    );
    expect(parsed.labels.map((l) => l.name)).toEqual(['bird', 'cat', 'dog']);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.tags.map((t) => t.label)])).toEqual([
      ['1.jpg', 'train', ['cat']],
      ['2.jpg', 'train', ['dog']],
      ['3.jpg', 'train', []],
      ['4.png', 'val', ['cat']],
    ]);
  });

  it('names the file and JSON path of bad labels.json content', async () => {
    const run = (text: string) => codec.import!(source({ 'train/labels.json': text }), { raster: sharpRaster, images: [image('a.jpg')] });
    const fail = async (text: string, path: string | undefined, message: RegExp) => {
      const e = await run(text).then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(DatasetFormatError);
      expect((e as DatasetFormatError).file).toBe('train/labels.json');
      expect((e as DatasetFormatError).where?.path).toBe(path);
      expect((e as DatasetFormatError).message).toMatch(message);
    };
    await fail('{"a": {"labels": ["cat"]', undefined, /not valid JSON/);
    await fail('[]', '$', /object of items/);
    await fail('{"a": {"labels": ["cat"]}}', '$["a"].path', /missing image path/);
    await fail('{"a": {"path": "cat/a.jpg", "labels": "cat"}}', '$["a"].labels', /missing label list/);
    await fail('{"a": {"path": "cat/a.jpg", "labels": [3]}}', '$["a"].labels[0]', /non-empty strings/);
  });

  it('refuses archives without class folders, and images no task image matches', async () => {
    await expect(codec.import!(source({ 'readme.txt': '' }), { raster: sharpRaster, images: [] })).rejects.toThrow(DatasetFormatError);
    await expect(
      codec.import!(source({ 'train/cat/1.jpg': '' }), { raster: sharpRaster, images: [image('2.jpg')] }),
    ).rejects.toThrow(/no image of the task matches "train\/cat\/1.jpg"/);
  });
});
