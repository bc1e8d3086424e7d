import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cocoKeypointsFormat } from '../../src/formats/coco/index.js';
import { keypointLayout } from '../../src/formats/coco/skeleton.js';
import { DatasetFormatError, type DatasetLabel, type DatasetShape, type FrameAnnotations, type ImportContext, type ParsedDataset } from '../../src/formats/model.js';
import { DATASETS, dirSource, exportInput, ListReport, memorySource, MemorySink, sharpRaster } from './harness.js';

const ctx: ImportContext = { raster: sharpRaster, images: [] };

function importFixture(dir: string): Promise<ParsedDataset> {
  return cocoKeypointsFormat.import!(dirSource(join(DATASETS, 'coco_dataset', dir)), ctx);
}

function shape(p: Partial<DatasetShape>): DatasetShape {
  return { type: 'rectangle', points: [], label: 'person', group: 0, source: 'manual', attributes: {}, rotation: 0, occluded: false, outside: false, z_order: 0, ...p };
}

function point(label: string, x: number, y: number, state: 'visible' | 'occluded' | 'outside' = 'visible'): DatasetShape {
  return shape({ type: 'points', label, points: [x, y], occluded: state === 'occluded', outside: state === 'outside' });
}

function skeletons(parsed: ParsedDataset): DatasetShape[] {
  return parsed.frames.flatMap((f) => f.shapes.filter((s) => s.type === 'skeleton'));
}

/** Each skeleton as label, then per point: name, x, y and 0 absent / 1 occluded / 2 visible. */
function described(s: DatasetShape): unknown[] {
  return [s.label, ...(s.elements ?? []).map((e) => [e.label, ...e.points, e.outside ? 0 : e.occluded ? 1 : 2])];
}

const labels: DatasetLabel[] = [
  { name: 'box', type: 'rectangle', attributes: [] },
  {
    name: 'person', type: 'skeleton',
    attributes: [{ name: 'pose', mutable: false, input_type: 'select', default_value: 'standing', values: ['standing', 'sitting'] }],
    sublabels: ['nose', 'left eye', 'right eye'].map((name) => ({ name, type: 'points' as const, attributes: [] })),
    // Drawn out of order: COCO lists points as the SVG does and numbers edges by that order.
    svg:
      '<line data-type="edge" data-node-from="2" data-node-to="1"></line><line data-type="edge" data-node-from="3" data-node-to="1"></line>' +
      '<circle data-type="element node" data-node-id="2" data-label-name="left eye"></circle>' +
      '<circle data-type="element node" data-node-id="1" data-label-name="nose"></circle>' +
      '<circle data-type="element node" data-node-id="3" data-label-name="right eye"></circle>',
  },
];

async function exportKeypoints(frames: FrameAnnotations[]): Promise<{ sink: MemorySink; report: ListReport }> {
  const sink = new MemorySink();
  const report = new ListReport();
  await cocoKeypointsFormat.export!(exportInput({ labels, frames }), sink, { raster: sharpRaster, report });
  return { sink, report };
}

function person(p: Partial<DatasetShape> = {}): DatasetShape {
  return shape({
    type: 'skeleton',
    elements: [point('nose', 10, 5), point('left eye', 8.5, 4.25, 'occluded'), point('right eye', 12, 4, 'outside')],
    ...p,
  });
}

describe('COCO Keypoints import of Datumaro fixtures', () => {
  it('reads coco_person_keypoints as skeletons, naming unnamed points by position', async () => {
    const parsed = await importFixture('coco_person_keypoints');
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset])).toEqual([['a.jpg', 'train'], ['b.jpg', 'val']]);
    expect(parsed.labels.map((l) => [l.name, l.type, l.sublabels?.map((s) => s.name)])).toEqual([
      ['a', 'skeleton', ['1', '2', '3']],
      ['b', 'skeleton', ['1', '2', '3']],
    ]);
    // The file's edges [[0, 1], [1, 2]] use 0: read as 0-based, they join points 1-2 and 2-3.
    expect(keypointLayout(parsed.labels[0]!)).toEqual({ names: ['1', '2', '3'], edges: [[1, 2], [2, 3]] });
    expect(parsed.labels[0]!.attributes.map((a) => [a.name, a.input_type])).toEqual([['x', 'number'], ['y', 'text']]);
    expect(skeletons(parsed).map(described)).toEqual([
      ['b', ['1', 0, 0, 0], ['2', 0, 2, 1], ['3', 4, 1, 2]],
      ['a', ['1', 1, 2, 2], ['2', 3, 4, 2], ['3', 2, 3, 2]],
      ['b', ['1', 2, 4, 2], ['2', 4, 4, 2], ['3', 4, 2, 2]],
    ]);
    expect(skeletons(parsed)[1]!.attributes).toEqual({ x: '1', y: 'hello' });
    // Boxes and segmentation of keypoint annotations are not objects of their own (CVAT drops them).
    expect(parsed.frames.flatMap((f) => f.shapes).length).toBe(3);
  });

  it("names unnamed points after the target task's skeleton", async () => {
    const task: DatasetLabel = {
      name: 'b', type: 'skeleton', attributes: [],
      sublabels: ['head', 'hand', 'foot'].map((name) => ({ name, type: 'points' as const, attributes: [] })),
      svg: '<circle data-node-id="1" data-label-name="head"></circle><circle data-node-id="2" data-label-name="hand"></circle><circle data-node-id="3" data-label-name="foot"></circle>',
    };
    const parsed = await cocoKeypointsFormat.import!(dirSource(join(DATASETS, 'coco_dataset', 'coco_person_keypoints')), { ...ctx, labels: [task] });
    expect(parsed.labels.map((l) => l.sublabels?.map((s) => s.name))).toEqual([['1', '2', '3'], ['head', 'hand', 'foot']]);
    expect(described(skeletons(parsed)[0]!)).toEqual(['b', ['head', 0, 0, 0], ['hand', 0, 2, 1], ['foot', 4, 1, 2]]);
  });

  it('reads only the person_keypoints files of the combined coco dataset', async () => {
    const parsed = await importFixture('coco');
    expect(parsed.labels.map((l) => l.name)).toEqual(['a', 'b']);
    expect(parsed.frames).toHaveLength(2);
    expect(skeletons(parsed)).toHaveLength(3);
    expect(parsed.frames.flatMap((f) => f.tags)).toEqual([]);
  });
});

describe('COCO Keypoints export', () => {
  it("writes CVAT's categories and keypoint annotations", async () => {
    const { sink, report } = await exportKeypoints([
      { image: { frame: 0, name: '0.jpg', width: 20, height: 10 }, tags: [], shapes: [person({ attributes: { pose: 'sitting' } })] },
    ]);
    expect(sink.text('annotations/person_keypoints_default.json')).toBe(
      '{"licenses":[{"name":"","id":0,"url":""}],"info":{"contributor":"","date_created":"","description":"","url":"","version":"","year":""},' +
        '"categories":[{"id":1,"name":"box","supercategory":"","keypoints":[],"skeleton":[]},' +
        '{"id":2,"name":"person","supercategory":"","keypoints":["left eye","nose","right eye"],"skeleton":[[1,2],[3,2]]}],' +
        '"annotations":[{"id":1,"image_id":1,"category_id":2,"segmentation":[],"area":1.125,"bbox":[8.5,4.25,1.5,0.75],"iscrowd":0,' +
        '"attributes":{"pose":"sitting","occluded":false,"keyframe":false},"keypoints":[8.5,4.25,1,10.0,5.0,2,12.0,4.0,0],"num_keypoints":2}],' +
        '"images":[{"id":1,"width":20,"height":10,"file_name":"0.jpg","license":0,"flickr_url":"","coco_url":"","date_captured":0}]}',
    );
    expect(report.droppedItems).toEqual([]);
  });

  it("writes a skeleton's group as one annotation with the group's box, polygon or mask", async () => {
    const { sink, report } = await exportKeypoints([
      {
        image: { frame: 1, name: '1.jpg', width: 20, height: 10 },
        tags: [],
        shapes: [person({ group: 4 }), shape({ label: 'box', points: [5, 2, 15, 9], group: 4 })],
      },
    ]);
    const { annotations } = JSON.parse(sink.text('annotations/person_keypoints_default.json'));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatchObject({ category_id: 1, bbox: [5, 2, 10, 7], area: 70, keypoints: [8.5, 4.25, 1, 10, 5, 2, 12, 4, 0], num_keypoints: 2 });
    expect(annotations[0].attributes).toEqual({ occluded: false, rotation: 0 });
    expect(report.droppedItems).toEqual([]);
  });

  it('reports shapes it cannot write: ungrouped boxes, polylines, tags, a second skeleton in a group', async () => {
    const { sink, report } = await exportKeypoints([
      {
        image: { frame: 6, name: '6.jpg', width: 20, height: 10 },
        tags: [{ label: 'box', group: 0, source: 'manual', attributes: {} }],
        shapes: [
          shape({ label: 'box', points: [0, 0, 2, 2] }),
          shape({ type: 'polyline', label: 'box', points: [0, 0, 2, 2] }),
          person({ group: 2 }),
          person({ group: 2 }),
          shape({ label: 'box', points: [0, 0, 20, 10], group: 2 }),
        ],
      },
    ]);
    expect(JSON.parse(sink.text('annotations/person_keypoints_default.json')).annotations).toHaveLength(1);
    expect(report.droppedItems.map((d) => [d.what, d.frame])).toEqual([
      ['tags', 6],
      ['polyline shapes', 6],
      ['rectangle shapes without a skeleton in their group', 6],
      ['skeletons sharing a group with another skeleton', 6],
    ]);
  });

  it('writes a skeleton with no visible point with an empty box', async () => {
    const { sink } = await exportKeypoints([
      {
        image: { frame: 0, name: '0.jpg', width: 20, height: 10 },
        tags: [],
        shapes: [person({ elements: [point('nose', 3, 3, 'outside')] })],
      },
    ]);
    const [ann] = JSON.parse(sink.text('annotations/person_keypoints_default.json')).annotations;
    // Points the skeleton lacks are written as absent at 0, 0.
    expect(ann).toMatchObject({ bbox: [0, 0, 0, 0], area: 0, keypoints: [0, 0, 0, 3, 3, 0, 0, 0, 0], num_keypoints: 0 });
  });
});

describe('COCO Keypoints round trip', () => {
  it('exports, imports and exports again byte for byte', async () => {
    const frames: FrameAnnotations[] = [
      { image: { frame: 0, name: 'p/0.jpg', width: 20, height: 10, subset: 'train' }, tags: [], shapes: [person(), person({ attributes: { pose: 'sitting' }, occluded: true })] },
      { image: { frame: 1, name: 'p/1.jpg', width: 20, height: 10, subset: 'train' }, tags: [], shapes: [] },
      { image: { frame: 2, name: 'q.jpg', width: 30, height: 30, subset: 'val' }, tags: [], shapes: [person({ track_id: 0, keyframe: true })] },
    ];
    const first = await exportKeypoints(frames);
    const parsed = await cocoKeypointsFormat.import!(memorySource(first.sink.files), ctx);
    expect(parsed.labels.map((l) => [l.name, l.type, l.sublabels?.map((s) => s.name)])).toEqual([
      ['box', 'any', undefined],
      ['person', 'skeleton', ['left eye', 'nose', 'right eye']],
    ]);
    expect(keypointLayout(parsed.labels[1]!).edges).toEqual([[1, 2], [3, 2]]);
    expect(skeletons(parsed).map((s) => [s.occluded, s.attributes, s.track_id, s.keyframe])).toEqual([
      [false, { pose: 'standing' }, undefined, undefined],
      [true, { pose: 'sitting' }, undefined, undefined],
      [false, { pose: 'standing' }, 0, true],
    ]);
    const second = await exportKeypoints(parsed.frames);
    expect([...second.sink.files.keys()]).toEqual([...first.sink.files.keys()]);
    for (const [path, bytes] of first.sink.files) expect(second.sink.text(path), path).toBe(new TextDecoder().decode(bytes));
  });
});

describe('COCO Keypoints bad files', () => {
  const base = () => ({
    categories: [{ id: 1, name: 'person', keypoints: ['a', 'b'], skeleton: [[1, 2]] }] as Array<Record<string, unknown>>,
    images: [{ id: 1, file_name: '0.jpg', width: 10, height: 10 }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, keypoints: [1, 1, 2, 2, 2, 2], num_keypoints: 2 }] as Array<Record<string, unknown>>,
  });

  async function failure(content: object): Promise<DatasetFormatError> {
    const source = memorySource(new Map([['annotations/person_keypoints_default.json', new TextEncoder().encode(JSON.stringify(content))]]));
    const err = await cocoKeypointsFormat.import!(source, ctx).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    return err as DatasetFormatError;
  }

  it('rejects keypoints that are not x, y, visibility triples', async () => {
    const f = base();
    f.annotations[0]!.keypoints = [1, 1, 2, 2, 2];
    expect((await failure(f)).where).toEqual({ path: 'annotations[0].keypoints' });
    const g = base();
    g.annotations[0]!.keypoints = [1, 1, 2, 2, 2, 3];
    const err = await failure(g);
    expect(err.where).toEqual({ path: 'annotations[0].keypoints[5]' });
    expect(err.message).toMatch(/visibility must be 0, 1 or 2/);
    const h = base();
    h.annotations[0]!.keypoints = [1, 'x', 2];
    expect((await failure(h)).where).toEqual({ path: 'annotations[0].keypoints[1]' });
  });

  it('rejects edges outside the points and repeated point names', async () => {
    const f = base();
    f.categories[0]!.skeleton = [[1, 3]];
    expect((await failure(f)).where).toEqual({ path: 'categories[0].skeleton[0]' });
    const g = base();
    g.categories[0]!.keypoints = ['a', 'a'];
    expect((await failure(g)).where).toEqual({ path: 'categories[0].keypoints[1]' });
  });

  it('rejects annotations of unknown categories or images', async () => {
    const f = base();
    f.annotations[0]!.category_id = 2;
    expect((await failure(f)).where).toEqual({ path: 'annotations[0].category_id' });
    const g = base();
    g.annotations[0]!.image_id = 2;
    expect((await failure(g)).where).toEqual({ path: 'annotations[0].image_id' });
  });
});
