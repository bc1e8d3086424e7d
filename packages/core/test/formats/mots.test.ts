import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import sharp from 'sharp';
import { motsFormat } from '../../src/formats/mots/index.js';
import { DatasetFormatError, type DatasetShape, type DatasetTrack, type FrameAnnotations, type ImportSource, type ParsedDataset } from '../../src/formats/model.js';
import { DATASETS, dirSource, sharpRaster } from './harness.js';
import { export16, import16, values16 } from './raster16-harness.js';
import { filesSource, frame, label, reportCounts, shape, tag, text } from './voc-helpers.js';

/** Tracks as "label@frames", an outside keyframe marked with "x". */
function trackSummary(tracks: DatasetTrack[]): string[] {
  return tracks.map((t) => `${t.id} ${t.label}@${t.shapes.map((s) => `${s.frame}${s.outside ? 'x' : ''}`).join(',')}`);
}

/** What the server hands an exporter for imported tracks: their visible shapes on each frame. */
function flatten(parsed: ParsedDataset) {
  const frames: FrameAnnotations[] = parsed.frames.map((f) => ({ ...f, shapes: [] }));
  const byFrame = new Map(frames.map((f) => [f.image.frame, f]));
  for (const t of parsed.tracks) {
    for (const s of t.shapes) {
      if (s.outside) continue;
      const flat: DatasetShape = {
        label: t.label, group: 0, source: t.source, attributes: {}, type: s.type, points: s.points, rotation: s.rotation,
        occluded: s.occluded, outside: false, z_order: s.z_order, track_id: t.id, keyframe: true,
      };
      byFrame.get(s.frame)!.shapes.push(flat);
    }
  }
  return { labels: parsed.labels, tracks: parsed.tracks, frames };
}

async function png16(values: number[]): Promise<Uint8Array> {
  return new Uint8Array(await sharp(new Uint16Array(values), { raw: { width: values.length, height: 1, channels: 1 } }).toColourspace('grey16').png().toBuffer());
}

describe('MOTS import of the Datumaro sample dataset', () => {
  it('every instance a track of masks, keyed by subset, label and instance', async () => {
    const parsed = await import16(motsFormat, dirSource(join(DATASETS, 'mots_dataset')));
    expect(parsed.labels.map((l) => l.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(parsed.frames.map((f) => [f.image.frame, f.image.subset, f.image.name, f.image.width, f.image.height, f.shapes.length])).toEqual([
      [0, 'train', '1.jpg', 5, 1, 0], [1, 'train', '2.jpg', 5, 1, 0], [2, 'val', '3.jpg', 5, 1, 0],
    ]);
    // Values: 1.png [4003,4003,3002,4001,0], 2.png [4002,0,0,0,0], 3.png [0,1001,0,0,0]; class c is labels[c - 1].
    expect(trackSummary(parsed.tracks)).toEqual(['0 d@0,1x', '1 a@2', '2 c@0,1x', '3 d@1,2x', '4 d@0,1x']);
    expect(parsed.tracks.flatMap((t) => t.shapes.filter((s) => !s.outside))).toHaveLength(5);
    expect(parsed.tracks[4]!.shapes[0]).toMatchObject({ type: 'mask', points: [0, 2, 0, 0, 1, 0], keyframe: true, z_order: 0 });
  });

  it('into a task: items are the task\'s frames, runs end with an outside keyframe before the next gap', async () => {
    const images = [{ frame: 0, name: '1.jpg', width: 5, height: 1 }, { frame: 3, name: 'train/2.jpg', width: 5, height: 1 }, { frame: 5, name: '3.jpg', width: 5, height: 1 }];
    const parsed = await import16(motsFormat, dirSource(join(DATASETS, 'mots_dataset')), { images });
    expect(parsed.frames.map((f) => f.image.frame)).toEqual([0, 3, 5]);
    expect(trackSummary(parsed.tracks)).toEqual(['0 d@0,1x', '1 a@5', '2 c@0,1x', '3 d@3,4x', '4 d@0,1x']);
    const err = await import16(motsFormat, dirSource(join(DATASETS, 'mots_dataset')), { images: images.slice(0, 2) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect((err as Error).message).toBe('val/instances/3.png: no image of the task matches "3.jpg"');
  });

  it('without labels.txt, MOTS classes: 1 car, 2 pedestrian, 10 ignored (drawn on top)', async () => {
    const parsed = await import16(motsFormat, filesSource({ 'instances/000001.png': await png16([1001, 2002, 10003, 0]) }));
    expect(parsed.labels.map((l) => l.name)).toEqual(['car', 'pedestrian', 'ignored']);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset])).toEqual([['000001.jpg', undefined]]);
    expect(parsed.tracks.map((t) => [t.label, t.shapes[0]!.z_order])).toEqual([['car', 0], ['pedestrian', 0], ['ignored', 1]]);
  });
});

const labels = [label('car'), label('person')];

function sampleFrames(): FrameAnnotations[] {
  return [
    frame(0, 'a.jpg', [
      shape('polygon', 'car', [0, 0, 4, 0, 4, 4, 0, 4], { track_id: 7, keyframe: true }),
      shape('rectangle', 'person', [2, 2, 8, 8], { track_id: 9, keyframe: true, z_order: -1 }),
      shape('mask', 'car', [0, 1, 5, 5, 5, 5]),
      shape('points', 'car', [1, 1], { track_id: 3 }),
    ], [tag('car')]),
    frame(1, 'b.jpg', [shape('polygon', 'car', [1, 0, 5, 0, 5, 4, 1, 4], { track_id: 7, keyframe: false })]),
    frame(2, 'c.jpg'),
  ];
}
const tracks: DatasetTrack[] = [9, 7].map((id) => ({ id, label: '', group: 0, source: 'manual', attributes: {}, shapes: [] }));

describe('MOTS export', () => {
  it('writes 16-bit instance PNGs of 1000 * (1 + label) + track number and labels.txt', async () => {
    const { sink, report } = await export16(motsFormat, { labels, tracks, frames: sampleFrames(), saveImages: true });
    expect([...sink.files.keys()].sort()).toEqual(['default/instances/a.png', 'default/instances/b.png', 'default/instances/labels.txt']);
    expect([...sink.images.keys()]).toEqual(['default/images/a.jpg', 'default/images/b.jpg', 'default/images/c.jpg']);
    expect(text(sink)['default/instances/labels.txt']).toBe('car\nperson');
    const a = await values16(sink.files.get('default/instances/a.png')!);
    // Track 9 is the task's first track (0), track 7 its second (1); the box lies under the car.
    expect([a[1 * 20 + 1], a[3 * 20 + 3], a[6 * 20 + 6], a[9 * 20 + 9]]).toEqual([1001, 1001, 2000, 0]);
    expect((await values16(sink.files.get('default/instances/b.png')!))[20 + 4]).toBe(1001);
    expect(reportCounts(report)).toEqual({
      dropped: { tags: 1, 'shapes outside tracks': 1, 'points shapes': 1 },
      converted: { polygons: 2, rectangles: 1 },
    });
  });

  it('reports track numbers beyond 999', async () => {
    const many: DatasetTrack[] = Array.from({ length: 1001 }, (_, id) => ({ id, label: 'car', group: 0, source: 'manual', attributes: {}, shapes: [] }));
    const { sink, report } = await export16(motsFormat, { labels, tracks: many, frames: [frame(0, 'a.jpg', [shape('polygon', 'car', [0, 0, 3, 0, 3, 3], { track_id: 1000 })])] });
    expect(reportCounts(report).dropped).toEqual({ 'tracks numbered 1000 and above': 1 });
    expect(new Set(await values16(sink.files.get('default/instances/a.png')!))).toEqual(new Set([0]));
  });

  it('round trip: export -> import -> export gives the same files, byte for byte', async () => {
    const first = await export16(motsFormat, { labels, tracks, frames: sampleFrames() });
    const parsed = await import16(motsFormat, filesSource(Object.fromEntries(first.sink.files)));
    expect(trackSummary(parsed.tracks)).toEqual(['0 person@0,1x', '1 car@0,1']);
    const second = await export16(motsFormat, flatten(parsed));
    expect([...second.sink.files.keys()].sort()).toEqual([...first.sink.files.keys()].sort());
    for (const [path, bytes] of first.sink.files) expect(Buffer.from(second.sink.files.get(path)!).equals(Buffer.from(bytes)), path).toBe(true);
  });
});

describe('MOTS bad files', () => {
  const fails = async (source: ImportSource, file: string, message: RegExp, raster16 = true) => {
    const err = await (raster16 ? import16(motsFormat, source) : motsFormat.import!(source, { raster: sharpRaster, images: [] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect((err as DatasetFormatError).file).toBe(file);
    expect((err as DatasetFormatError).message).toMatch(message);
  };

  it('an archive without instances/', () => fails(filesSource({ 'images/1.jpg': 'x' }), 'images/1.jpg', /no instances\/ folder/));
  it('a class beyond labels.txt', async () =>
    fails(filesSource({ 'instances/labels.txt': 'a\nb\n', 'instances/1.png': await png16([3001]) }), 'instances/1.png', /class 3 is not one of the 2 labels of instances\/labels.txt/));
  it('class 10 without an "ignored" label', async () =>
    fails(filesSource({ 'instances/labels.txt': 'a\n', 'instances/1.png': await png16([10001]) }), 'instances/1.png', /class 10 is not one of the 1 labels/));
  it('a class MOTS does not define', async () => fails(filesSource({ 'instances/1.png': await png16([3001]) }), 'instances/1.png', /class 3 is not one of MOTS classes 1, 2 and 10/));
  it('a mask that is not a PNG', () => fails(filesSource({ 'instances/1.png': 'nope' }), 'instances/1.png', /not a PNG file/));
  it('a 16-bit PNG on a host without 16-bit decoding', async () =>
    fails(filesSource({ 'instances/1.png': await png16([1001]) }), 'instances/1.png', /cannot decode 16-bit PNGs/, false));
});
