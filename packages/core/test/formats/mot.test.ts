import { describe, expect, it } from 'vitest';
import { motFormat } from '../../src/formats/mot/index.js';
import { AttributeIds, TrackView } from '../../src/formats/cvat/track-view.js';
import type { DatasetImage, DatasetShape, DatasetTrack, ExportInput, FrameAnnotations, ImportContext, ParsedDataset } from '../../src/formats/model.js';
import { DATASETS, ListReport, MemorySink, dirSource, exportInput, iterate, memorySource, sharpRaster } from './harness.js';

async function exportWith(input: ExportInput) {
  const sink = new MemorySink();
  const report = new ListReport();
  await motFormat.export!(input, sink, { raster: sharpRaster, report });
  return { sink, report, gt: sink.text('gt/gt.txt') };
}

const files = (entries: Record<string, string>) => memorySource(new Map(Object.entries(entries).map(([k, v]) => [k, new TextEncoder().encode(v)])));
const noTask: ImportContext = { raster: sharpRaster, images: [] };

const box = (label: string, points: number[], over: Partial<DatasetShape> = {}): DatasetShape => ({
  label, group: 0, source: 'manual', attributes: {}, type: 'rectangle', points, rotation: 0, occluded: false, outside: false, z_order: 0, ...over,
});

/** The task's frames with an import merged in and its tracks flattened, as the server would export them again. */
function reimport(task: readonly DatasetImage[], parsed: ParsedDataset, base: ExportInput): ExportInput {
  const ids = new AttributeIds();
  const views = parsed.tracks.map((t) => new TrackView(t, ids));
  const frames = task.map((image): FrameAnnotations => {
    const shapes = [...(parsed.frames.find((f) => f.image.frame === image.frame)?.shapes ?? [])];
    for (const v of views) {
      const s = v.at(image.frame);
      if (s && !s.outside) shapes.push(box(v.track.label, s.points, { occluded: s.occluded, track_id: v.track.id, keyframe: s.keyframe }));
    }
    return { image, shapes, tags: [] };
  });
  return { ...base, labels: parsed.labels, tracks: parsed.tracks, frames: iterate(frames) };
}

describe('MOT fixtures (Datumaro test assets)', () => {
  it('reads a sequence with images', async () => {
    const d = await motFormat.import!(dirSource(`${DATASETS}mot_dataset/mot_seq`), noTask);
    expect(d.labels.map((l) => l.name)).toEqual(['label_0', 'label_1', 'label_2', 'label_3', 'label_4', 'label_5', 'label_6', 'label_7', 'label_8', 'label_9']);
    expect(d.frames).toEqual([{ image: { frame: 0, name: '000001.jpg', width: 0, height: 0 }, shapes: [box('label_2', [0, 4, 4, 12])], tags: [] }]);
    expect(d.tracks).toEqual([]);
  });

  it('reads a sequence described by seqinfo.ini', async () => {
    const d = await motFormat.import!(dirSource(`${DATASETS}mot_dataset/mot_seq_with_seqinfo`), noTask);
    expect(d.labels).toHaveLength(10);
    expect(d.frames).toEqual([{ image: { frame: 0, name: '000001.jpg', width: 16, height: 16 }, shapes: [box('label_2', [0, 4, 4, 12])], tags: [] }]);
  });
});

describe('MOT export', () => {
  const task: DatasetImage[] = [0, 1, 2].map((frame) => ({ frame, name: `f${frame}.jpg`, width: 10, height: 10 }));
  const input = () => exportInput({
    labels: [{ name: 'car', type: 'any', attributes: [] }, { name: 'bus', type: 'any', attributes: [] }],
    frames: [
      { image: task[0]!, shapes: [box('car', [0, 4, 4, 12]), box('car', [1, 1, 3, 3], { track_id: 7, keyframe: true })], tags: [] },
      { image: task[1]!, shapes: [box('car', [2, 2, 4, 4], { track_id: 7, occluded: true }), box('bus', [0.5, 0.25, 1.75, 2], { track_id: 3, keyframe: true })], tags: [] },
      { image: task[2]!, shapes: [], tags: [] },
    ],
    meta: { size: 3, mode: 'interpolation' },
  });

  it('writes gt.txt and labels.txt as CVAT does', async () => {
    const { gt, sink, report } = await exportWith(input());
    expect(gt).toBe('1,-1,0.0,4.0,4.0,8.0,1,1,1.0\r\n1,1,1.0,1.0,2.0,2.0,1,1,1.0\r\n2,1,2.0,2.0,2.0,2.0,1,1,0.0\r\n2,2,0.5,0.25,1.25,1.75,1,2,1.0\r\n');
    expect(sink.text('gt/labels.txt')).toBe('car\nbus');
    expect([...sink.files.keys()]).toEqual(['gt/gt.txt', 'gt/labels.txt']);
    expect(report.droppedItems).toEqual([]);
  });

  it('builds tracks from ids on import: every box a keyframe, an outside keyframe where a run stops', async () => {
    const { sink } = await exportWith(input());
    const d = await motFormat.import!(memorySource(sink.files), { raster: sharpRaster, images: task });
    expect(d.frames).toEqual([{ image: task[0], shapes: [box('car', [0, 4, 4, 12])], tags: [] }, { image: task[1], shapes: [], tags: [] }]);
    const key = (frame: number, points: number[], over = {}) => ({
      frame, type: 'rectangle' as const, points, rotation: 0, occluded: false, outside: false, z_order: 0, attributes: {}, keyframe: true, ...over,
    });
    expect(d.tracks).toEqual([
      { id: 1, label: 'car', group: 0, source: 'manual', attributes: {}, shapes: [key(0, [1, 1, 3, 3]), key(1, [2, 2, 4, 4], { occluded: true }), key(2, [2, 2, 4, 4], { occluded: true, outside: true })] },
      { id: 2, label: 'bus', group: 0, source: 'manual', attributes: {}, shapes: [key(1, [0.5, 0.25, 1.75, 2]), key(2, [0.5, 0.25, 1.75, 2], { outside: true })] },
    ] satisfies DatasetTrack[]);
  });

  it('export, import into the task, export is byte-equal', async () => {
    const first = await exportWith(input());
    const parsed = await motFormat.import!(memorySource(first.sink.files), { raster: sharpRaster, images: task });
    const second = await exportWith(reimport(task, parsed, input()));
    expect(second.gt).toBe(first.gt);
    expect(second.sink.text('gt/labels.txt')).toBe(first.sink.text('gt/labels.txt'));
  });

  it('reports what MOT cannot hold and copies images to img1/', async () => {
    const { report, gt, sink } = await exportWith({
      ...exportInput({
        labels: [{ name: 'car', type: 'any', attributes: [] }],
        frames: [{
          image: { frame: 0, name: 'x/a.png', width: 5, height: 5 },
          shapes: [
            box('car', [0, 0, 1, 1], { rotation: 30, attributes: { color: 'red' }, group: 2 }),
            { ...box('car', [0, 0, 1, 0, 1, 1]), type: 'polygon' },
          ],
          tags: [{ label: 'car', group: 0, source: 'manual', attributes: {} }],
        }],
      }),
      saveImages: true,
    });
    expect(gt).toBe('1,-1,0.0,0.0,1.0,1.0,1,1,1.0\r\n');
    expect(report.convertedItems).toEqual([{ what: 'rotated boxes', frame: 0, how: 'written without their rotation' }]);
    expect(report.droppedItems).toEqual([
      { what: 'attribute values', frame: 0, reason: 'MOT has no attributes' },
      { what: 'groups', frame: 0, reason: 'MOT has no groups' },
      { what: 'polygon shapes', frame: 0, reason: 'MOT holds only boxes' },
      { what: 'tags', frame: 0, reason: 'MOT has no image-level labels' },
    ]);
    expect([...sink.images]).toEqual([['img1/x/a.png', 'x/a.png']]);
  });
});

describe('MOT import', () => {
  it('uses MOT\'s own classes without labels.txt, and the task\'s image names', async () => {
    const d = await motFormat.import!(files({ 'gt/gt.txt': '2,-1,1,1,2,2,0,3,0\n' }), {
      raster: sharpRaster, images: [{ frame: 1, name: 'b.jpg', width: 20, height: 10 }],
    });
    expect(d.labels).toHaveLength(12);
    expect(d.frames).toEqual([{ image: { frame: 1, name: 'b.jpg', width: 20, height: 10 }, shapes: [box('car', [1, 1, 3, 3], { occluded: true })], tags: [] }]);
  });

  it('sorts a track\'s rows and closes gaps with outside keyframes', async () => {
    const d = await motFormat.import!(files({ 'seq/gt/gt.txt': '5,4,0,0,1,1,1,1,1\r\n1,4,0,0,1,1,1,1,1\r\n2,4,1,0,1,1,1,1,1\r\n', 'seq/gt/labels.txt': 'a\n' }), noTask);
    expect(d.tracks[0]!.shapes.map((s) => `${s.frame}${s.outside ? 'o' : ''}`)).toEqual(['0', '1', '2o', '4']);
    expect(d.tracks[0]!.label).toBe('a');
  });

  it('leaves boxes without a class unlabelled, as Datumaro does', async () => {
    const d = await motFormat.import!(files({ 'gt/gt.txt': '1,-1,0,0,1,1\n1,-1,0,0,1,1,1,-1,1\n' }), noTask);
    expect(d.frames[0]!.shapes.map((s) => s.label)).toEqual(['', '']);
  });

  it('needs gt/gt.txt', async () => {
    await expect(motFormat.import!(files({ 'det/det.txt': '' }), noTask)).rejects.toThrow('det/det.txt: no MOT annotation file (gt/gt.txt) found');
  });

  it.each([
    ['too few fields', '1,-1,0,0,1\n', 'gt/gt.txt:1: expected frame,id,x,y,w,h[,not_ignored,class,visibility], got 5 fields'],
    ['a coordinate that is not a number', '1,-1,0,0,1,1\n1,-1,0,zero,1,1\n', 'gt/gt.txt:2: y "zero" is not a number'],
    ['frame 0', '0,-1,0,0,1,1\n', 'gt/gt.txt:1: frame 0 must be a whole number from 1'],
    ['a fractional id', '1,1.5,0,0,1,1\n', 'gt/gt.txt:1: id 1.5 is not an integer'],
    ['a negative size', '1,-1,0,0,-1,1\n', 'gt/gt.txt:1: box size -1x1 is negative'],
    ['an unknown class', '1,-1,0,0,1,1,1,3,1\n', 'gt/gt.txt:1: class 3 is not one of the 2 labels'],
    ['a visibility above 1', '1,-1,0,0,1,1,1,1,1.5\n', 'gt/gt.txt:1: visibility 1.5 is outside 0..1'],
    ['a bad not-ignored flag', '1,-1,0,0,1,1,x,1,1\n', 'gt/gt.txt:1: not_ignored "x" is not a number'],
  ])('rejects %s', async (_what, gt, message) => {
    await expect(motFormat.import!(files({ 'gt/gt.txt': gt, 'gt/labels.txt': 'a\nb' }), noTask)).rejects.toThrow(message);
  });

  it('rejects a bad seqinfo.ini', async () => {
    await expect(motFormat.import!(files({ 'gt/gt.txt': '', 'seqinfo.ini': '[Sequence]\nseqLength=ten\n' }), noTask)).rejects.toThrow('seqinfo.ini:2: seqlength=ten is not a non-negative integer');
  });
});
