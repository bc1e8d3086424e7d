import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { segmentationMaskFormat } from '../../src/formats/segmentation-mask/index.js';
import { colorLabelmap } from '../../src/formats/segmentation-mask/export.js';
import { writeLabelmap } from '../../src/formats/voc/labelmap.js';
import { DATASETS, dirSource, sharpRaster } from './harness.js';
import { filesSource, frame, label, reexportInput, reportCounts, runExport, runImport, shape, tag, text } from './voc-helpers.js';

const labels = [label('person', [], '#00ff00'), label('car', [], '#ff0000'), label('dog')];

function sampleFrames() {
  return [
    frame(0, 'a.jpg', [
      shape('rectangle', 'car', [0, 0, 4, 4]),
      shape('polygon', 'person', [10, 0, 14, 0, 14, 4, 10, 4], { group: 2 }),
      shape('mask', 'dog', [0, 4, 15, 5, 16, 6], { group: 2 }),
      shape('rectangle', 'car', [5, 5, 9, 9], { rotation: 90 }),
      shape('points', 'car', [1, 1]),
    ], [tag('car')]),
    frame(1, 'b.jpg', [], [tag('dog')]),
    frame(2, 'c.jpg'),
  ];
}

async function pixels(png: Uint8Array) {
  const r = await sharpRaster.decodePng(png);
  return (x: number, y: number) => [...r.data.subarray((y * r.width + x) * r.channels, (y * r.width + x) * r.channels + 3)];
}

describe('Segmentation mask export', () => {
  it('label map: the task colors, sorted by name, background first (added in black)', () => {
    expect(writeLabelmap(colorLabelmap(labels))).toBe(
      '# label:color_rgb:parts:actions\nbackground:0,0,0::\ncar:255,0,0::\ndog:0,128,0::\nperson:0,255,0::\n');
    // The black label is the background, whatever its name (CVAT adds "background" only when missing).
    expect([...colorLabelmap([label('background', [], '#ff0000'), label('void', [], '#000000')]).keys()]).toEqual(['void', 'background']);
  });

  it('writes class and instance PNGs, the Segmentation list and labelmap.txt', async () => {
    const { sink, report } = await runExport(segmentationMaskFormat, { labels, frames: sampleFrames() });
    expect([...sink.files.keys()].sort()).toEqual([
      'ImageSets/Segmentation/default.txt', 'SegmentationClass/a.png', 'SegmentationObject/a.png', 'labelmap.txt',
    ]);
    // b.jpg has a tag, so it is not empty, and has no segment: Datumaro leaves it out.
    expect(text(sink)['ImageSets/Segmentation/default.txt']).toBe('a\nc\n');
    const cls = await pixels(sink.files.get('SegmentationClass/a.png')!);
    const obj = await pixels(sink.files.get('SegmentationObject/a.png')!);
    // Instances: ungrouped first (the rotated box moved last among them), then group 2 merged.
    expect([cls(1, 1), obj(1, 1)]).toEqual([[255, 0, 0], [128, 0, 0]]);
    expect([cls(7, 7), obj(7, 7)]).toEqual([[255, 0, 0], [0, 128, 0]]);
    expect([cls(12, 2), obj(12, 2)]).toEqual([[0, 255, 0], [128, 128, 0]]);
    // The dog mask joined the person polygon's instance, labeled by its larger member.
    expect([cls(15, 5), obj(15, 5)]).toEqual([[0, 255, 0], [128, 128, 0]]);
    expect([cls(19, 9), obj(19, 9)]).toEqual([[0, 0, 0], [0, 0, 0]]);
    const counts = reportCounts(report);
    expect(counts.dropped).toEqual({ tags: 2, 'points shapes': 1 });
    expect(counts.converted).toEqual({ 'rectangle shapes': 2, 'polygon shapes': 1, 'grouped shapes': 1 });
  });

  it('reports labels that share a color', async () => {
    const { report } = await runExport(segmentationMaskFormat, { labels: [label('a', [], '#102030'), label('b', [], '#102030')], frames: [] });
    expect(report.convertedItems).toEqual([{ what: 'labels sharing a color', frame: null, how: 'a, b read back as b' }]);
  });

  it('round trip: export -> import -> export gives the same files, byte for byte', async () => {
    const first = await runExport(segmentationMaskFormat, { labels, frames: sampleFrames() });
    const parsed = await runImport(segmentationMaskFormat, filesSource(Object.fromEntries(first.sink.files)));
    expect(parsed.labels.map((l) => [l.name, l.color])).toEqual([['background', '#000000'], ['car', '#ff0000'], ['dog', '#008000'], ['person', '#00ff00']]);
    expect(parsed.frames.map((f) => [f.image.name, f.shapes.map((s) => `${s.type}:${s.label}`).join(' ')])).toEqual([
      ['a.jpg', 'mask:car mask:car mask:person'], ['c.jpg', ''],
    ]);
    const second = await runExport(segmentationMaskFormat, reexportInput(parsed));
    expect([...second.sink.files.keys()].sort()).toEqual([...first.sink.files.keys()].sort());
    for (const [path, bytes] of first.sink.files) expect(Buffer.from(second.sink.files.get(path)!).equals(Buffer.from(bytes)), path).toBe(true);
  });
});

describe('Segmentation mask import', () => {
  it('reads the VOC sample dataset the way PASCAL VOC does (CVAT uses one reader)', async () => {
    const parsed = await runImport(segmentationMaskFormat, dirSource(join(DATASETS, 'voc_dataset', 'voc_dataset1')));
    const masks = parsed.frames.flatMap((f) => f.shapes.filter((s) => s.type === 'mask'));
    expect(masks.map((m) => [m.label, m.points])).toEqual([['bicycle', [0, 200, 0, 0, 19, 9]]]);
  });
});
