import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DatasetFormatError } from '../../src/formats/model.js';
import { imagenetFormat } from '../../src/formats/imagenet/index.js';
import { DATASETS, dirSource } from './harness.js';
import { filesSource, frame, label, reexportInput, reportCounts, runExport, runImport, shape, tag, text } from './voc-helpers.js';

describe('ImageNet import of Datumaro sample datasets', () => {
  it('imagenet_dataset: images one folder deep, the folder as tag; root and deeper images are not items', async () => {
    const parsed = await runImport(imagenetFormat, dirSource(join(DATASETS, 'imagenet_dataset')));
    expect(parsed.labels.map((l) => l.name)).toEqual(['label_0', 'label_1']);
    expect(parsed.frames.map((f) => [f.image.name, f.tags.map((t) => t.label), f.shapes.length])).toEqual([
      ['label_0/label_0_1.jpg', ['label_0'], 0],
      ['label_1/label_1_1.jpg', ['label_1'], 0],
    ]);
  });

  it('imagenet_txt_dataset/basic: synsets.txt and train.txt', async () => {
    const parsed = await runImport(imagenetFormat, dirSource(join(DATASETS, 'imagenet_txt_dataset', 'basic')));
    expect(parsed.labels.map((l) => l.name)).toEqual(Array.from({ length: 10 }, (_, i) => `label_${i}`));
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.tags.map((t) => t.label)])).toEqual([
      ['1.jpg', 'train', ['label_0']], ['2.jpg', 'train', ['label_5']], ['3.jpg', 'train', ['label_3']], ['4.jpg', 'train', ['label_5']],
    ]);
  });

  it('imagenet_txt_dataset/custom_labels: a single synsets-*.txt is the label list', async () => {
    const parsed = await runImport(imagenetFormat, dirSource(join(DATASETS, 'imagenet_txt_dataset', 'custom_labels')));
    expect(parsed.labels).toHaveLength(10);
    expect(parsed.labels[0]!.name).toBe('alt_label_0');
    expect(parsed.frames.map((f) => [f.image.name, f.tags.map((t) => t.label)])).toEqual([['1.jpg', ['alt_label_0']]]);
  });

  it('imagenet_txt_dataset/no_labels: labels generated up to the highest class used', async () => {
    const parsed = await runImport(imagenetFormat, dirSource(join(DATASETS, 'imagenet_txt_dataset', 'no_labels')));
    expect(parsed.labels.map((l) => l.name)).toEqual(['class-0', 'class-1', 'class-2', 'class-3', 'class-4']);
    expect(parsed.frames.map((f) => [f.image.name, f.tags.map((t) => t.label)])).toEqual([['1.jpg', ['class-4']]]);
  });
});

const labels = [label('cat'), label('dog')];
const frames = () => [
  frame(0, 'a.jpg', [shape('rectangle', 'cat', [0, 0, 1, 1])], [tag('dog'), tag('cat', { mood: 'calm' }), tag('dog')]),
  frame(1, 'my pic.png'),
  frame(2, 'val/b.jpg', [], [tag('cat')], undefined, 'val'),
];

describe('ImageNet export', () => {
  it('without images: <subset>.txt with class numbers and synsets.txt, as Datumaro writes them', async () => {
    const { sink, report } = await runExport(imagenetFormat, { labels, frames: frames() });
    expect(text(sink)).toEqual({
      'default.txt': 'a.jpg 0 1\n"my pic".png \n',
      'val.txt': 'val/b.jpg 0\n',
      'synsets.txt': 'cat\ndog\n',
    });
    expect(sink.images.size).toBe(0);
    expect(reportCounts(report).dropped).toEqual({ 'rectangle shapes': 1, 'tag attributes': 1 });
  });

  it('with images: a copy per tag label, no_label for untagged images, nothing else', async () => {
    const { sink, report } = await runExport(imagenetFormat, { labels, frames: frames(), saveImages: true });
    expect(sink.files.size).toBe(0);
    expect([...sink.images]).toEqual([
      ['cat/a.jpg', 'a.jpg'], ['dog/a.jpg', 'a.jpg'], ['no_label/my pic.png', 'my pic.png'], ['cat/val/b.jpg', 'val/b.jpg'],
    ]);
    expect(reportCounts(report).dropped).toMatchObject({ subsets: 1 });
  });

  it('round trip of the text variant: export -> import -> export gives the same files', async () => {
    const first = await runExport(imagenetFormat, { labels, frames: frames() });
    const parsed = await runImport(imagenetFormat, filesSource(Object.fromEntries(first.sink.files)));
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.tags.map((t) => t.label)])).toEqual([
      ['a.jpg', undefined, ['cat', 'dog']], ['my pic.png', undefined, []], ['val/b.jpg', 'val', ['cat']],
    ]);
    const second = await runExport(imagenetFormat, reexportInput(parsed));
    expect(text(second.sink)).toEqual(text(first.sink));
  });

  it('round trip of the folder variant: the images land on the same paths again', async () => {
    const first = await runExport(imagenetFormat, { labels, frames: frames().slice(0, 2), saveImages: true });
    const parsed = await runImport(imagenetFormat, filesSource(Object.fromEntries([...first.sink.images.keys()].map((p) => [p, 'image bytes']))));
    expect(parsed.frames.map((f) => [f.image.name, f.tags.map((t) => t.label)])).toEqual([
      ['cat/a.jpg', ['cat']], ['dog/a.jpg', ['dog']], ['no_label/my pic.png', []],
    ]);
    const second = await runExport(imagenetFormat, reexportInput(parsed, true));
    expect([...second.sink.images.keys()]).toEqual([...first.sink.images.keys()]);
  });
});

describe('ImageNet bad files', () => {
  const fails = async (files: Record<string, string>, file: string, message: RegExp, line: number) => {
    const err = await runImport(imagenetFormat, filesSource(files)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect([(err as DatasetFormatError).file, (err as DatasetFormatError).where?.line]).toEqual([file, line]);
    expect((err as DatasetFormatError).message).toMatch(message);
  };
  it('a class beyond the label list', () => fails({ 'synsets.txt': 'a\nb\n', 'train.txt': '1.jpg 0\n2.jpg 2\n' }, 'train.txt', /class 2 is beyond the 2 labels/, 2));
  it('a class that is not a whole number', () => fails({ 'synsets.txt': 'a\n', 'train.txt': '1.jpg -1\n' }, 'train.txt', /"-1" is not a non-negative whole number/, 1));
  it('a name with one quote', () => fails({ 'synsets.txt': 'a\n', 'train.txt': '"1.jpg 0\n' }, 'train.txt', /quotes/, 1));
  it('an empty label name', () => fails({ 'synsets.txt': 'a\n\nb\n', 'train.txt': '' }, 'synsets.txt', /empty label name/, 2));
});
