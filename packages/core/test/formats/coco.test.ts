import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cocoFormat } from '../../src/formats/coco/index.js';
import { DatasetFormatError, type DatasetLabel, type DatasetShape, type FrameAnnotations, type ImportContext, type ParsedDataset } from '../../src/formats/model.js';
import { DATASETS, dirSource, exportInput, ListReport, memorySource, MemorySink, sharpRaster } from './harness.js';

const ctx: ImportContext = { raster: sharpRaster, images: [] };

function importFixture(dir: string): Promise<ParsedDataset> {
  return cocoFormat.import!(dirSource(join(DATASETS, 'coco_dataset', dir)), ctx);
}

function kinds(parsed: ParsedDataset): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of parsed.frames) {
    for (const s of f.shapes) out[s.type] = (out[s.type] ?? 0) + 1;
    if (f.tags.length) out.tag = (out.tag ?? 0) + f.tags.length;
  }
  return out;
}

function frame(parsed: ParsedDataset, name: string): FrameAnnotations {
  const f = parsed.frames.find((x) => x.image.name === name);
  if (!f) throw new Error(`no frame ${name}`);
  return f;
}

function shape(p: Partial<DatasetShape>): DatasetShape {
  return { type: 'rectangle', points: [], label: 'car', group: 0, source: 'manual', attributes: {}, rotation: 0, occluded: false, outside: false, z_order: 0, ...p };
}

function text(bytes: Uint8Array | undefined): string {
  return new TextDecoder().decode(bytes);
}

function json(sink: MemorySink, path: string): { categories: any[]; images: any[]; annotations: any[] } {
  return JSON.parse(sink.text(path));
}

const labels: DatasetLabel[] = [
  {
    name: 'car', type: 'any', attributes: [
      { name: 'model', mutable: false, input_type: 'text', default_value: 'sedan', values: ['sedan'] },
      { name: 'doors', mutable: false, input_type: 'number', default_value: '4', values: ['2', '5', '1'] },
      { name: 'parked', mutable: true, input_type: 'checkbox', default_value: 'false', values: ['false'] },
    ],
  },
  {
    name: 'person', type: 'skeleton', attributes: [],
    sublabels: [{ name: 'nose', type: 'points', attributes: [] }, { name: 'eye', type: 'points', attributes: [] }],
    svg: '<line data-node-from="1" data-node-to="2"></line><circle data-node-id="1" data-label-name="nose"></circle><circle data-node-id="2" data-label-name="eye"></circle>',
  },
  { name: 'tree', type: 'any', attributes: [] },
];

async function exportCoco(frames: FrameAnnotations[], saveImages = false): Promise<{ sink: MemorySink; report: ListReport }> {
  const sink = new MemorySink();
  const report = new ListReport();
  await cocoFormat.export!(exportInput({ labels, frames, saveImages }), sink, { raster: sharpRaster, report });
  return { sink, report };
}

describe('COCO 1.0 import of Datumaro fixtures', () => {
  it('reads coco_instances: boxes, polygons with attributes, RLE masks, per subset', async () => {
    const parsed = await importFixture('coco_instances');
    expect(parsed.labels.map((l) => l.name)).toEqual(['a', 'b', 'c']);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset, f.image.width, f.image.height])).toEqual([
      ['a.jpg', 'train', 10, 5],
      ['b.jpg', 'val', 5, 10],
    ]);
    expect(kinds(parsed)).toEqual({ rectangle: 1, polygon: 1, mask: 1 });
    const [box] = frame(parsed, 'a.jpg').shapes;
    expect(box).toMatchObject({ type: 'rectangle', label: 'b', points: [2, 2, 5, 3], group: 0 });
    const [polygon, mask] = frame(parsed, 'b.jpg').shapes;
    expect(polygon).toMatchObject({ type: 'polygon', label: 'a', points: [0, 0, 1, 0, 1, 2, 0, 2], attributes: { x: '1', y: 'hello' } });
    // counts [0, 20, 30] over 10 rows: the first two columns, as a 2x10 CVAT mask.
    expect(mask).toMatchObject({ type: 'mask', label: 'b', points: [0, 20, 0, 0, 1, 9] });
    expect(parsed.labels[0]!.attributes).toEqual([
      { name: 'x', mutable: false, input_type: 'number', default_value: '1', values: ['1', '1', '1'] },
      { name: 'y', mutable: false, input_type: 'text', default_value: '', values: [] },
    ]);
    expect(parsed.labels[1]!.attributes).toEqual([]);
  });

  it('reads coco_labels as tags', async () => {
    const parsed = await importFixture('coco_labels');
    expect(parsed.labels.map((l) => l.name)).toEqual(['a', 'b']);
    expect(parsed.frames).toHaveLength(2);
    expect(kinds(parsed)).toEqual({ tag: 3 });
    expect(frame(parsed, 'b.jpg').tags.map((t) => t.label)).toEqual(['a', 'b']);
  });

  it('reads coco_image_info and coco_captions as images without objects', async () => {
    for (const dir of ['coco_image_info', 'coco_captions']) {
      const parsed = await importFixture(dir);
      expect(parsed.labels).toEqual([]);
      expect(parsed.frames.map((f) => [f.image.name, f.image.subset])).toEqual([['a.jpg', 'train'], ['b.jpg', 'val']]);
      expect(kinds(parsed)).toEqual({});
    }
  });

  it('reads coco_stuff masks', async () => {
    const parsed = await importFixture('coco_stuff');
    expect(parsed.labels.map((l) => l.name)).toEqual(['a', 'b']);
    expect(kinds(parsed)).toEqual({ mask: 2 });
    // counts [10, 10, 5, 10, 15] over 5 rows: columns 2-3 and 5-6 of a.jpg, so each row of the
    // mask's box (columns 2..6) reads on, on, off, on, on.
    expect(frame(parsed, 'a.jpg').shapes[0]).toMatchObject({ label: 'a', points: [0, 2, 1, 4, 1, 4, 1, 4, 1, 4, 1, 2, 2, 0, 6, 4] });
  });

  it('reads coco_panoptic segments from the PNGs beside the JSON', async () => {
    const parsed = await importFixture('coco_panoptic');
    expect(parsed.labels.map((l) => l.name)).toEqual(['a', 'b']);
    expect(kinds(parsed)).toEqual({ mask: 3 });
    // a.png is one 5x5 segment (id 460551); b.png holds segments 7 (columns 0-1) and 20 (2-3).
    expect(frame(parsed, 'a.jpg').shapes.map((s) => [s.label, s.points])).toEqual([['a', [0, 25, 0, 0, 4, 4]]]);
    expect(frame(parsed, 'b.jpg').shapes.map((s) => [s.label, s.points])).toEqual([
      ['a', [0, 20, 0, 0, 1, 9]],
      ['b', [0, 20, 2, 0, 3, 9]],
    ]);
  });

  it('reads the combined coco dataset once per object: panoptic repeats instances and is skipped', async () => {
    const parsed = await importFixture('coco');
    expect(parsed.labels.map((l) => l.name)).toEqual(['a', 'b', 'c']);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset])).toEqual([['a.jpg', 'train'], ['b.jpg', 'val']]);
    // instances: box, polygon, mask; stuff: 2 masks; labels: 3 tags; keypoints belong to the other codec.
    expect(kinds(parsed)).toEqual({ rectangle: 1, polygon: 1, mask: 3, tag: 3 });
  });
});

describe('COCO 1.0 export', () => {
  it("writes CVAT's layout and fields", async () => {
    const { sink } = await exportCoco([
      {
        image: { frame: 0, name: 'dir/0.jpg', width: 8, height: 6 },
        tags: [],
        shapes: [
          shape({ points: [1, 1, 3.5, 4], attributes: { doors: '3', model: 'van' } }),
          shape({ type: 'polygon', label: 'tree', points: [0, 0, 4, 0, 4, 4], occluded: true }),
          shape({ type: 'mask', label: 'tree', points: [0, 2, 2, 1, 1, 2, 2] }),
        ],
      },
    ], true);
    expect([...sink.files.keys()]).toEqual(['annotations/instances_default.json']);
    expect([...sink.images]).toEqual([['images/default/dir/0.jpg', 'dir/0.jpg']]);
    expect(sink.text('annotations/instances_default.json')).toBe(
      '{"licenses":[{"name":"","id":0,"url":""}],"info":{"contributor":"","date_created":"","description":"","url":"","version":"","year":""},' +
        '"categories":[{"id":1,"name":"car","supercategory":""},{"id":2,"name":"person","supercategory":""},' +
        '{"id":3,"name":"nose","supercategory":"person"},{"id":4,"name":"eye","supercategory":"person"},{"id":5,"name":"tree","supercategory":""}],' +
        '"annotations":[' +
        '{"id":1,"image_id":1,"category_id":1,"segmentation":[],"area":7.5,"bbox":[1.0,1.0,2.5,3.0],"iscrowd":0,' +
        '"attributes":{"model":"van","doors":3.0,"parked":false,"occluded":false,"rotation":0.0}},' +
        '{"id":2,"image_id":1,"category_id":5,"segmentation":[[0.0,0.0,4.0,0.0,4.0,4.0]],"area":6.0,"bbox":[0.0,0.0,4.0,4.0],"iscrowd":0,' +
        '"attributes":{"occluded":true}},' +
        '{"id":3,"image_id":1,"category_id":5,"segmentation":{"counts":[7,1,5,1,34],"size":[6,8]},"area":2.0,"bbox":[1.0,1.0,2.0,1.0],"iscrowd":1,' +
        '"attributes":{"occluded":false}}],' +
        '"images":[{"id":1,"width":8,"height":6,"file_name":"dir/0.jpg","license":0,"flickr_url":"","coco_url":"","date_captured":0}]}',
    );
  });

  it('writes one file per subset, numbering images over the export and annotations per file', async () => {
    const frames: FrameAnnotations[] = ['train', 'train', 'val', undefined].map((subset, i) => ({
      image: { frame: i, name: `${i}.png`, width: 4, height: 4, ...(subset ? { subset } : {}) },
      tags: [],
      shapes: [shape({ points: [0, 0, 1, 1] })],
    }));
    const { sink } = await exportCoco(frames, true);
    expect([...sink.files.keys()].sort()).toEqual(['annotations/instances_default.json', 'annotations/instances_train.json', 'annotations/instances_val.json']);
    expect(json(sink, 'annotations/instances_train.json').images.map((i) => [i.id, i.file_name])).toEqual([[1, '0.png'], [2, '1.png']]);
    expect(json(sink, 'annotations/instances_train.json').annotations.map((a) => [a.id, a.image_id])).toEqual([[1, 1], [2, 2]]);
    expect(json(sink, 'annotations/instances_val.json').annotations.map((a) => [a.id, a.image_id])).toEqual([[1, 3]]);
    expect(json(sink, 'annotations/instances_default.json').images.map((i) => i.id)).toEqual([4]);
    expect([...sink.images.keys()]).toEqual(['images/train/0.png', 'images/train/1.png', 'images/val/2.png', 'images/default/3.png']);
  });

  it('writes an empty default file for an export without frames', async () => {
    const { sink } = await exportCoco([]);
    expect(json(sink, 'annotations/instances_default.json')).toMatchObject({ images: [], annotations: [] });
  });

  it('merges a group into one annotation labelled by its largest shape, and reports it', async () => {
    const { sink, report } = await exportCoco([
      {
        image: { frame: 3, name: '3.jpg', width: 20, height: 20 },
        tags: [],
        shapes: [
          shape({ points: [0, 0, 2, 2], group: 7 }),
          shape({ type: 'polygon', label: 'tree', points: [1, 1, 9, 1, 9, 9, 1, 9], group: 7 }),
          shape({ type: 'polygon', label: 'tree', points: [10, 10, 12, 10, 12, 12], group: 7 }),
        ],
      },
    ]);
    const [ann, ...rest] = json(sink, 'annotations/instances_default.json').annotations;
    expect(rest).toEqual([]);
    expect(ann).toMatchObject({
      category_id: 5,
      segmentation: [[1, 1, 9, 1, 9, 9, 1, 9], [10, 10, 12, 10, 12, 12]],
      bbox: [0, 0, 12, 12],
      iscrowd: 0,
      attributes: { occluded: false },
    });
    expect(report.convertedItems.filter((c) => c.what === 'grouped shapes')).toHaveLength(2);
    expect(report.convertedItems[0]!.frame).toBe(3);
  });

  it('writes a group holding a mask of the leading label as one RLE of all its pixels', async () => {
    const { sink } = await exportCoco([
      {
        image: { frame: 0, name: '0.jpg', width: 4, height: 4 },
        tags: [],
        shapes: [
          shape({ type: 'mask', label: 'tree', points: [0, 4, 0, 0, 1, 1], group: 1 }),
          shape({ type: 'mask', label: 'tree', points: [0, 1, 3, 3, 3, 3], group: 1 }),
        ],
      },
    ]);
    const [ann] = json(sink, 'annotations/instances_default.json').annotations;
    expect(ann).toMatchObject({ segmentation: { counts: [0, 2, 2, 2, 9, 1], size: [4, 4] }, area: 5, bbox: [0, 0, 4, 4], iscrowd: 1 });
  });

  it('reports what COCO cannot express: tags, polylines, points, cuboids, skeletons', async () => {
    const { sink, report } = await exportCoco([
      {
        image: { frame: 2, name: '2.jpg', width: 10, height: 10 },
        tags: [{ label: 'car', group: 0, source: 'manual', attributes: {} }],
        shapes: [
          shape({ type: 'polyline', points: [0, 0, 5, 5] }),
          shape({ type: 'points', points: [1, 1] }),
          shape({ type: 'cuboid', points: [0, 0, 1, 0, 1, 1, 0, 1, 2, 2, 3, 2, 3, 3, 2, 3] }),
          shape({ type: 'skeleton', label: 'person', elements: [shape({ type: 'points', label: 'nose', points: [1, 1] })] }),
          shape({ type: 'polygon', points: [0, 0, 1, 1] }),
          shape({ label: 'bus', points: [0, 0, 1, 1] }),
        ],
      },
    ]);
    expect(json(sink, 'annotations/instances_default.json').annotations).toEqual([]);
    expect(report.droppedItems.map((d) => [d.what, d.frame])).toEqual([
      ['tags', 2],
      ['polyline shapes', 2],
      ['points shapes', 2],
      ['cuboid shapes', 2],
      ['skeleton shapes', 2],
      ['polygons with fewer than 3 points', 2],
      ['shapes with labels missing from the label list', 2],
    ]);
  });

  it('writes ellipses as RLE masks and reports the conversion, as CVAT does', async () => {
    const { sink, report } = await exportCoco([
      { image: { frame: 0, name: '0.jpg', width: 8, height: 6 }, tags: [], shapes: [shape({ type: 'ellipse', label: 'tree', points: [4, 3, 6, 1] })] },
    ]);
    const [ann] = json(sink, 'annotations/instances_default.json').annotations;
    expect(ann).toMatchObject({ category_id: 5, iscrowd: 1, area: 13, bbox: [2, 1, 5, 5], attributes: { occluded: false } });
    expect(report.convertedItems.map((c) => c.what)).toEqual(['ellipse shapes']);
  });

  it('keeps a rotated box unrotated with its angle in attributes, and reports it', async () => {
    const { sink, report } = await exportCoco([
      { image: { frame: 0, name: '0.jpg', width: 20, height: 20 }, tags: [], shapes: [shape({ points: [2, 2, 6, 4], rotation: 30 })] },
    ]);
    const [ann] = json(sink, 'annotations/instances_default.json').annotations;
    expect(ann).toMatchObject({ bbox: [2, 2, 4, 2], area: 8, attributes: { rotation: 30 } });
    expect(report.convertedItems.map((c) => c.what)).toEqual(['rotated rectangles']);
    const back = await cocoFormat.import!(memorySource(sink.files), ctx);
    expect(back.frames[0]!.shapes[0]).toMatchObject({ type: 'rectangle', points: [2, 2, 6, 4], rotation: 30 });
  });
});

describe('COCO 1.0 round trip', () => {
  const frames: FrameAnnotations[] = [
    {
      image: { frame: 0, name: 'a/0.jpg', width: 12, height: 10, subset: 'train' },
      tags: [],
      shapes: [
        shape({ points: [1.25, 2.5, 6.75, 8], attributes: { model: 'van', doors: '2', parked: 'true' }, rotation: 12.5, occluded: true }),
        shape({ type: 'polygon', label: 'tree', points: [0.5, 0.5, 9.33, 1, 5, 7.01, 1, 6] }),
        shape({ type: 'mask', label: 'tree', points: [1, 3, 2, 3, 1, 2, 3, 4, 5] }),
      ],
    },
    {
      image: { frame: 1, name: 'a/1.jpg', width: 12, height: 10, subset: 'train' },
      tags: [],
      shapes: [shape({ points: [0, 0, 4, 4], track_id: 3, keyframe: true }), shape({ points: [5, 5, 9, 9], track_id: 4, keyframe: false })],
    },
    { image: { frame: 2, name: 'b.png', width: 6, height: 6, subset: 'val' }, tags: [], shapes: [] },
    {
      image: { frame: 3, name: 'c.png', width: 6, height: 6 },
      tags: [],
      shapes: [shape({ type: 'polygon', label: 'tree', points: [0, 0, 5, 0, 5, 5, 0, 5], z_order: 2 }), shape({ points: [1, 1, 2, 2], z_order: 1 })],
    },
  ];

  it('exports, imports and exports again byte for byte', async () => {
    const first = await exportCoco(frames);
    const parsed = await cocoFormat.import!(memorySource(first.sink.files), ctx);
    expect(kinds(parsed)).toEqual({ rectangle: 4, polygon: 2, mask: 1 });
    const tracked = frame(parsed, 'a/1.jpg').shapes;
    expect(tracked.map((s) => [s.track_id, s.keyframe])).toEqual([[3, true], [4, false]]);
    expect(frame(parsed, 'a/0.jpg').shapes[0]).toMatchObject({ rotation: 12.5, occluded: true, attributes: { model: 'van', doors: '2', parked: 'true' } });
    expect(frame(parsed, 'c.png').image.subset).toBeUndefined();
    const second = await exportCoco(parsed.frames);
    expect([...second.sink.files.keys()]).toEqual([...first.sink.files.keys()]);
    for (const [path, bytes] of first.sink.files) expect(text(second.sink.files.get(path)), path).toBe(text(bytes));
  });

  it('imports a single JSON file of any name as instances of the default subset', async () => {
    const first = await exportCoco(frames.slice(3));
    const files = new Map([['task_7.json', first.sink.files.get('annotations/instances_default.json')!]]);
    const parsed = await cocoFormat.import!(memorySource(files), ctx);
    expect(parsed.frames.map((f) => [f.image.name, f.image.subset])).toEqual([['c.png', undefined]]);
    expect(kinds(parsed)).toEqual({ rectangle: 1, polygon: 1 });
  });
});

describe('COCO 1.0 import: compressed RLE and sizes', () => {
  it("decodes iscrowd masks in pycocotools' compressed string form", async () => {
    const file = {
      categories: [{ id: 1, name: 'blob' }],
      images: [{ id: 1, file_name: 'x.png', width: 5, height: 4 }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, iscrowd: 1, segmentation: { counts: '522000OO2', size: [4, 5] } }],
    };
    const parsed = await cocoFormat.import!(memorySource(new Map([['instances_default.json', new TextEncoder().encode(JSON.stringify(file))]])), ctx);
    // Rows '....#', '.###.', '.###.', '.....' as a CVAT mask over columns 1..4, rows 0..2.
    expect(parsed.frames[0]!.shapes[0]).toMatchObject({ type: 'mask', label: 'blob', points: [3, 4, 1, 3, 1, 1, 0, 4, 2] });
  });

  it('takes sizes the file leaves out from the task', async () => {
    const file = {
      categories: [{ id: 1, name: 'blob' }],
      images: [{ id: 1, file_name: 'x.png' }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }],
    };
    const parsed = await cocoFormat.import!(memorySource(new Map([['instances_default.json', new TextEncoder().encode(JSON.stringify(file))]])), {
      raster: sharpRaster,
      images: [{ frame: 4, name: 'images/x.png', width: 64, height: 48 }],
    });
    expect(parsed.frames[0]!.image).toMatchObject({ name: 'x.png', width: 64, height: 48, frame: -1 });
  });
});

describe('COCO 1.0 bad files', () => {
  const base = () => ({
    categories: [{ id: 1, name: 'car', supercategory: '' }],
    images: [{ id: 1, file_name: '0.jpg', width: 10, height: 10 }],
    annotations: [{ id: 1, image_id: 1, category_id: 1, segmentation: [], bbox: [0, 0, 2, 2], iscrowd: 0 }] as Array<Record<string, unknown>>,
  });

  async function failure(content: string | object, name = 'annotations/instances_default.json'): Promise<DatasetFormatError> {
    const body = typeof content === 'string' ? content : JSON.stringify(content, null, 1);
    const source = memorySource(new Map([[name, new TextEncoder().encode(body)]]));
    const err = await cocoFormat.import!(source, ctx).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    return err as DatasetFormatError;
  }

  it('names the line of malformed JSON', async () => {
    const err = await failure('{\n  "images": [\n    {"id": 1,}\n  ]\n}');
    expect(err.file).toBe('annotations/instances_default.json');
    expect(err.where).toEqual({ line: 3 });
    expect(err.message).toMatch(/property name/);
    expect((await failure('{"images": [\n\n')).where).toEqual({ line: 3 });
    // Annotations are parsed as they are read, after the file's images and categories.
    const nan = await failure('{"images": [], "categories": [],\n "annotations": [{"area": 1},\n {"area": NaN}]}');
    expect(nan.message).toMatch(/NaN/);
    expect(nan.where).toEqual({ line: 3 });
  });

  it('names the JSON path of an unknown category or image', async () => {
    const f = base();
    f.annotations.push({ id: 2, image_id: 1, category_id: 9, bbox: [0, 0, 1, 1] });
    expect((await failure(f)).where).toEqual({ path: 'annotations[1].category_id' });
    const g = base();
    g.annotations[0]!.image_id = 5;
    const err = await failure(g);
    expect(err.where).toEqual({ path: 'annotations[0].image_id' });
    expect(err.message).toMatch(/unknown image id 5/);
  });

  it('rejects a bbox with a negative width, or of the wrong length', async () => {
    const f = base();
    f.annotations[0]!.bbox = [0, 0, -2, 2];
    const err = await failure(f);
    expect(err.where).toEqual({ path: 'annotations[0].bbox' });
    expect(err.message).toMatch(/negative width/);
    const g = base();
    g.annotations[0]!.bbox = [0, 0, 2];
    expect((await failure(g)).where).toEqual({ path: 'annotations[0].bbox' });
  });

  it('rejects numbers out of range and values of the wrong type', async () => {
    const f = JSON.stringify(base()).replace('"bbox":[0,0,2,2]', '"bbox":[0,1e999,2,2]');
    expect((await failure(f)).where).toEqual({ path: 'annotations[0].bbox[1]' });
    const g = base() as Record<string, any>;
    g.images[0].width = 'wide';
    expect((await failure(g)).where).toEqual({ path: 'images[0].width' });
    const h = base();
    h.annotations[0]!.attributes = { color: { r: 1 } };
    expect((await failure(h)).where).toEqual({ path: 'annotations[0].attributes.color' });
  });

  it('rejects missing fields and duplicate ids', async () => {
    const f = base() as Record<string, unknown>;
    delete f.images;
    expect((await failure(f)).message).toMatch(/missing field "images"/);
    const g = base();
    g.images.push({ id: 1, file_name: '1.jpg', width: 1, height: 1 });
    expect((await failure(g)).where).toEqual({ path: 'images[1].id' });
    const h = base();
    delete h.annotations[0]!.bbox;
    expect((await failure(h)).message).toMatch(/missing field "bbox"/);
    expect((await failure('[]')).where).toEqual({ path: '(root)' });
  });

  it('rejects malformed polygons and masks', async () => {
    const f = base();
    f.annotations[0]!.segmentation = [[0, 0, 1, 1]];
    expect((await failure(f)).where).toEqual({ path: 'annotations[0].segmentation[0]' });
    const g = base();
    g.annotations[0]!.segmentation = { counts: [0, 50, 60], size: [10, 10] };
    expect((await failure(g)).where).toEqual({ path: 'annotations[0].segmentation.counts' });
    const h = base();
    h.annotations[0]!.segmentation = { counts: [0, 10], size: [5, 10] };
    expect((await failure(h)).message).toMatch(/does not match the image's \[10, 10\]/);
    const k = base();
    k.annotations[0]!.segmentation = { counts: '5 !', size: [10, 10] };
    expect((await failure(k)).where).toEqual({ path: 'annotations[0].segmentation.counts' });
  });

  it('says what it expected when no annotation file is there', async () => {
    const err = await cocoFormat.import!(memorySource(new Map([['images/default/0.jpg', new Uint8Array([1])]])), ctx).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetFormatError);
    expect((err as Error).message).toMatch(/instances_<subset>\.json/);
  });
});
