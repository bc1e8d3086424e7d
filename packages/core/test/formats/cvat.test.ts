import { describe, expect, it } from 'vitest';
import { cvatImagesFormat, cvatImportFormat, cvatVideoFormat, importCvat } from '../../src/formats/cvat/index.js';
import { fixed2, pyFloat } from '../../src/formats/cvat/pyformat.js';
import { quoteAttr } from '../../src/formats/cvat/xml-writer.js';
import { AttributeIds, TrackView } from '../../src/formats/cvat/track-view.js';
import type {
  DatasetLabel, DatasetShape, DatasetTrack, ExportInput, FormatCodec, FrameAnnotations, ImportSource, ParsedDataset,
} from '../../src/formats/model.js';
import { DATASETS, ListReport, MemorySink, dirSource, exportInput, iterate, memorySource, sharpRaster } from './harness.js';

async function exportWith(codec: FormatCodec, input: ExportInput) {
  const sink = new MemorySink();
  const report = new ListReport();
  await codec.export!(input, sink, { raster: sharpRaster, report });
  return { sink, report, xml: sink.text('annotations.xml') };
}

function xmlSource(xml: string, path = 'annotations.xml'): ImportSource {
  return memorySource(new Map([[path, new TextEncoder().encode(xml)]]));
}

const importXml = (xml: string) => cvatImportFormat.import!(xmlSource(xml), { raster: sharpRaster, images: [] });

/** What the server would export after importing: frames in order, tracks flattened onto them. */
function toExportInput(parsed: ParsedDataset, base: ExportInput): ExportInput {
  const ids = new AttributeIds();
  const views = parsed.tracks.map((t) => new TrackView(t, ids));
  const frames = [...parsed.frames].sort((a, b) => a.image.frame - b.image.frame).map((f): FrameAnnotations => {
    const shapes: DatasetShape[] = [...f.shapes];
    for (const v of views) {
      const s = v.at(f.image.frame);
      if (!s || s.outside || (s.elements.length > 0 && s.elements.every((e) => e.outside))) continue;
      const t = v.track;
      const elementTracks = new Map((t.elements ?? []).map((e) => [e.label, e]));
      shapes.push({
        label: t.label, group: t.group, source: t.source, attributes: { ...s.attributes, ...t.attributes },
        type: s.type, points: s.points, rotation: s.rotation, occluded: s.occluded, outside: false, z_order: s.z_order,
        track_id: t.id, keyframe: s.keyframe,
        ...(s.type === 'skeleton'
          ? {
              elements: s.elements.map((e) => ({
                label: e.label, group: 0, source: t.source, attributes: { ...e.attributes, ...elementTracks.get(e.label)?.attributes },
                type: e.type, points: e.points, rotation: e.rotation, occluded: e.occluded, outside: e.outside, z_order: e.z_order,
              })),
            }
          : {}),
      });
    }
    return { ...f, shapes };
  });
  return { ...base, labels: parsed.labels, tracks: parsed.tracks, frames: iterate(frames) };
}

const kindCounts = (frames: FrameAnnotations[]) => {
  const out: Record<string, number> = {};
  for (const f of frames) for (const s of f.shapes) out[s.type] = (out[s.type] ?? 0) + 1;
  return out;
};

describe('CVAT fixtures (Datumaro test assets)', () => {
  it('reads a task file: images, every shape, labels with attribute specs', async () => {
    const d = await importCvat(dirSource(`${DATASETS}cvat_dataset/for_images/export_task`));
    expect(d.frames.map((f) => f.image)).toEqual([
      { frame: 0, name: 'img0.jpg', width: 8, height: 8 },
      { frame: 1, name: 'img1.jpg', width: 10, height: 10 },
    ]);
    expect(kindCounts(d.frames)).toEqual({ rectangle: 1, polyline: 1, polygon: 1, points: 1 });
    expect(d.tracks).toEqual([]);
    expect(d.labels.map((l) => [l.name, l.attributes.length])).toEqual([['label1', 4], ['label2', 0]]);
    expect(d.labels[0]!.attributes).toEqual([
      { name: 'a1', mutable: false, input_type: 'checkbox', default_value: 'false', values: ['false', 'true'] },
      { name: 'a2', mutable: false, input_type: 'radio', default_value: 'v1', values: ['v1', 'v2', 'v3'] },
      { name: 'a3', mutable: false, input_type: 'text', default_value: '0000', values: ['0001', '0002', '0003'] },
      { name: 'a4', mutable: false, input_type: 'number', default_value: '0', values: ['2.4', '1', '-5.6'] },
    ]);
    const box = d.frames[0]!.shapes[0]!;
    expect(box).toMatchObject({ label: 'label1', type: 'rectangle', points: [0, 2, 4, 4], occluded: true, z_order: 1, source: 'file' });
    expect(box.attributes).toEqual({ a1: 'true', a2: 'v3', a3: '0003', a4: '2.4' });
    // Shapes with label="" are kept unlabelled for the server to refuse, as CVAT does.
    expect(d.frames.flatMap((f) => f.shapes.map((s) => s.label))).toEqual(['label1', '', '', 'label2']);
    expect(d.frames[1]!.shapes[1]).toMatchObject({ type: 'points', points: [1, 2, 3, 4, 5, 6], z_order: 2 });
  });

  it('reads a project file: subsets, per-task frame numbers', async () => {
    const d = await importCvat(dirSource(`${DATASETS}cvat_dataset/for_images/export_project`));
    expect(d.frames).toHaveLength(6);
    expect(d.frames.map((f) => `${f.image.subset}/${f.image.name}#${f.image.frame}`)).toEqual([
      'Test/img0.jpg#0', 'Test/img1.jpg#1', 'Train/img0.jpg#0', 'Train/img1.jpg#1', 'Validation/img0.jpg#0', 'Validation/img1.jpg#1',
    ]);
    expect(kindCounts(d.frames)).toEqual({ rectangle: 3, polyline: 3, polygon: 3, points: 3 });
    expect(d.labels.map((l) => l.name)).toEqual(['label1', 'label2']);
    expect(d.labels[0]!.attributes).toHaveLength(4);
  });

  it('reads a video file: tracks keep their keyframes, frames renumbered from start_frame and step', async () => {
    const d = await importCvat(dirSource(`${DATASETS}cvat_dataset/for_video`));
    expect(d.frames).toEqual([]);
    expect(d.labels.map((l) => l.name)).toEqual(['klhg', 'z U k', 'II']);
    expect(d.labels[0]!.attributes).toEqual([{ name: 'hgl', mutable: true, input_type: 'select', default_value: 'jk', values: ['jk', 'hgkf'] }]);
    expect(d.tracks.map((t) => [t.id, t.label, t.shapes.map((s) => `${s.frame}${s.outside ? 'o' : ''}`).join(' ')])).toEqual([
      [0, 'II', '0 1o 2o'],
      [1, 'klhg', '0 1o'],
      [2, 'II', '1 2o'],
    ]);
    const [t0, t1, t2] = d.tracks as [DatasetTrack, DatasetTrack, DatasetTrack];
    expect(t0.shapes[0]).toEqual({
      frame: 0, type: 'rectangle', points: [3, 4, 10, 5], rotation: 0, occluded: true, outside: false, z_order: 0, attributes: {}, keyframe: true,
    });
    // hgl is declared mutable: it stays on each keyframe.
    expect(t1.attributes).toEqual({});
    expect(t1.shapes.map((s) => s.attributes)).toEqual([{ hgl: 'hgkf' }, { hgl: 'jk' }]);
    expect(t1.shapes[0]!.points).toEqual([21.95, 8, 2.55, 15.09, 2.23, 3.16]);
    expect(t2.shapes[0]!.type).toBe('polyline');
  });
});

const car: DatasetLabel = {
  name: 'car', type: 'rectangle', color: '#ff0000',
  attributes: [{ name: 'model', mutable: false, input_type: 'select', default_value: 'a', values: ['a', 'b'] }],
};

describe('CVAT for images export', () => {
  it('writes CVAT\'s layout byte for byte', async () => {
    const { xml, report } = await exportWith(cvatImagesFormat, exportInput({
      labels: [car],
      meta: { size: 2, mode: 'annotation' },
      frames: [
        {
          image: { frame: 0, name: 'a.jpg', width: 4, height: 3 },
          shapes: [{
            label: 'car', group: 2, source: 'manual', attributes: { model: 'b' }, type: 'rectangle', points: [1, 2, 3.125, 2.5],
            rotation: 0, occluded: false, outside: false, z_order: 0,
          }],
          tags: [{ label: 'car', group: 0, source: 'manual', attributes: {} }],
        },
        { image: { frame: 1, name: 'b.jpg', width: 4, height: 3 }, shapes: [], tags: [] },
      ],
    }));
    expect(xml).toBe(`<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta>
    <task>
      <name>task</name>
      <size>2</size>
      <mode>annotation</mode>
      <start_frame>0</start_frame>
      <stop_frame>1</stop_frame>
      <frame_filter></frame_filter>
      <labels>
        <label>
          <name>car</name>
          <color>#ff0000</color>
          <type>rectangle</type>
          <attributes>
            <attribute>
              <name>model</name>
              <mutable>False</mutable>
              <input_type>select</input_type>
              <default_value>a</default_value>
              <values>a
b</values>
            </attribute>
          </attributes>
        </label>
      </labels>
    </task>
  </meta>
  <image id="0" name="a.jpg" width="4" height="3">
    <box label="car" source="manual" occluded="0" xtl="1.00" ytl="2.00" xbr="3.12" ybr="2.50" z_order="0" group_id="2">
      <attribute name="model">b</attribute>
    </box>
    <tag label="car" source="manual">
    </tag>
  </image>
  <image id="1" name="b.jpg" width="4" height="3">
  </image>
</annotations>
`);
    expect(report.droppedItems).toEqual([]);
  });

  it('streams: the first image is written before the second frame is read', async () => {
    let pulled = 0;
    async function* frames(): AsyncGenerator<FrameAnnotations> {
      for (let i = 0; i < 3; i++) {
        pulled++;
        yield { image: { frame: i, name: `${i}.jpg`, width: 1, height: 1 }, shapes: [], tags: [] };
      }
    }
    const seen: number[] = [];
    const sink = new MemorySink();
    const file = sink.file.bind(sink);
    sink.file = async (path, content) => {
      async function* spy() {
        for await (const c of content as AsyncIterable<string>) {
          if (String(c).includes('<image id="0"')) seen.push(pulled);
          yield c;
        }
      }
      return file(path, spy());
    };
    await cvatImagesFormat.export!({ ...exportInput({ frames: [] }), frames: frames() }, sink, { raster: sharpRaster, report: new ListReport() });
    expect(seen).toEqual([1]);
  });

  it('reports what the format cannot hold', async () => {
    const { report, xml } = await exportWith(cvatImagesFormat, exportInput({
      labels: [car],
      frames: [{
        image: { frame: 0, name: 'a.jpg', width: 4, height: 3 },
        shapes: [
          { label: 'car', group: 0, source: 'auto', attributes: {}, type: 'rectangle', points: [0, 0, 1, 1], rotation: 0, occluded: false, outside: false, z_order: 0, score: 0.5 },
          { label: 'car', group: 0, source: 'auto', attributes: {}, type: 'rectangle', points: [0, 0, 1], rotation: 0, occluded: false, outside: false, z_order: 0 },
          { label: 'car', group: 0, source: 'manual', attributes: {}, type: 'rectangle', points: [0, 0, 1, 1], rotation: 0, occluded: false, outside: false, z_order: 0, track_id: 3, keyframe: true },
        ],
        tags: [],
      }],
    }));
    expect(report.droppedItems).toEqual([
      { what: 'shape scores', frame: 0, reason: 'CVAT XML has no scores' },
      { what: 'rectangle shapes with invalid points', frame: 0, reason: 'rectangle needs 4 numbers, has 3' },
    ]);
    expect(report.convertedItems.map((c) => c.what)).toEqual(['tracks']);
    expect(xml.match(/<box /g)).toHaveLength(2);
  });
});

const person: DatasetLabel = {
  name: 'person', type: 'skeleton', color: '#00ff00', attributes: [],
  sublabels: [
    { name: 'head', type: 'points', attributes: [{ name: 'face', mutable: true, input_type: 'checkbox', default_value: 'false', values: ['false', 'true'] }] },
    { name: 'foot', type: 'points', attributes: [] },
  ],
  svg: '<circle r="1.5" cx="10" cy="10" data-type="element node" data-node-id="1" data-label-name="head"></circle><circle r="1.5" cx="20" cy="20" data-type="element node" data-node-id="2" data-label-name="foot"></circle><line data-type="edge" data-node-from="1" data-node-to="2"></line>',
};
const vehicle: DatasetLabel = {
  name: 'vehicle', type: 'rectangle', attributes: [
    { name: 'model', mutable: false, input_type: 'select', default_value: 'a', values: ['a', 'b'] },
    { name: 'speed', mutable: true, input_type: 'number', default_value: '0', values: ['0', '100', '1'] },
    { name: 'note', mutable: false, input_type: 'text', default_value: '', values: [] },
  ],
};
const thing: DatasetLabel = { name: 'thing "x" & <y>', type: 'any', color: '#0000ff', attributes: [] };

const shape = (label: string, type: DatasetShape['type'], points: number[], over: Partial<DatasetShape> = {}): DatasetShape => ({
  label, group: 0, source: 'manual', attributes: {}, type, points, rotation: 0, occluded: false, outside: false, z_order: 0, ...over,
});

/** Every shape kind, tags, groups, z_order, sources, attributes with awkward characters, and tracks. */
function sample(): { input: () => ExportInput; frames: FrameAnnotations[]; tracks: DatasetTrack[] } {
  const frames: FrameAnnotations[] = [
    {
      image: { frame: 0, name: 'a.jpg', width: 100, height: 80 },
      shapes: [
        shape('vehicle', 'rectangle', [10, 20, 30.5, 40.25], { rotation: 15, group: 1, occluded: true, source: 'auto', attributes: { note: 'say "hi"\tand <bye> & \'go\'', model: 'b', speed: '42' } }),
        shape(thing.name, 'polygon', [1, 1, 10, 1, 10, 10], { group: 1, z_order: -1 }),
        shape(thing.name, 'ellipse', [50, 40, 60, 30], { rotation: 30.5, source: 'semi-auto' }),
      ],
      tags: [{ label: thing.name, group: 3, source: 'auto', attributes: {} }],
    },
    {
      image: { frame: 1, name: 'b.jpg', width: 100, height: 80 },
      shapes: [
        shape(thing.name, 'cuboid', [1, 2, 1, 10, 8, 2, 8, 10, 3, 1, 3, 9, 10, 1, 10, 9]),
        shape(thing.name, 'mask', [0, 2, 1, 3, 5, 6, 7, 7], { z_order: 2 }),
        shape('person', 'skeleton', [], {
          z_order: 1,
          elements: [
            shape('head', 'points', [20, 20], { occluded: true, attributes: { face: 'true' } }),
            shape('foot', 'points', [25, 40], { outside: true }),
          ],
        }),
        shape(thing.name, 'polyline', [0, 0, 5, 5.5]),
        shape(thing.name, 'points', [1, 2, 3, 4]),
      ],
      tags: [],
    },
    { image: { frame: 2, name: 'c.jpg', width: 100, height: 80 }, shapes: [], tags: [] },
    { image: { frame: 3, name: 'sub/d.png', width: 100, height: 80 }, shapes: [], tags: [] },
    { image: { frame: 4, name: 'e.jpg', width: 100, height: 80 }, shapes: [shape('vehicle', 'rectangle', [1, 1, 2, 2], { attributes: { model: 'a', speed: '1', note: '' } })], tags: [] },
  ];
  const key = (frame: number, points: number[], over: Partial<DatasetTrack['shapes'][number]> = {}) => ({
    frame, type: 'rectangle' as const, points, rotation: 0, occluded: false, outside: false, z_order: 0, attributes: {}, keyframe: true, ...over,
  });
  const tracks: DatasetTrack[] = [
    {
      id: 7, label: 'vehicle', group: 2, source: 'manual', attributes: { model: 'a', note: 'n' },
      shapes: [
        key(0, [0, 0, 10, 10], { attributes: { speed: '1' } }),
        key(2, [10, 10, 20, 20], { attributes: { speed: '5' }, occluded: true }),
        key(3, [10, 10, 20, 20], { attributes: { speed: '5' }, outside: true }),
      ],
    },
    {
      id: 9, label: 'person', group: 0, source: 'auto', attributes: {},
      shapes: [key(1, [], { type: 'skeleton', z_order: 3 }), key(3, [], { type: 'skeleton', z_order: 3 })],
      elements: [
        { id: 9, label: 'head', group: 0, source: 'auto', attributes: {}, shapes: [
          key(1, [0, 0], { type: 'points', attributes: { face: 'false' } }), key(3, [10, 10], { type: 'points', attributes: { face: 'true' } }),
        ] },
        { id: 9, label: 'foot', group: 0, source: 'auto', attributes: {}, shapes: [
          key(1, [5, 5], { type: 'points' }), key(2, [5, 5], { type: 'points', outside: true }), key(3, [6, 6], { type: 'points' }),
        ] },
      ],
    },
  ];
  const labels = [vehicle, person, thing];
  return {
    frames,
    tracks,
    input: () => toExportInput({ labels, frames, tracks }, exportInput({ name: 'sample', labels, frames: [], meta: { size: 5, mode: 'interpolation' } })),
  };
}

describe('CVAT for images round trip', () => {
  it('export, import, export is byte-equal and keeps every shape kind', async () => {
    const s = sample();
    const first = await exportWith(cvatImagesFormat, s.input());
    const parsed = await importXml(first.xml);
    const second = await exportWith(cvatImagesFormat, toExportInput(parsed, s.input()));
    expect(second.xml).toBe(first.xml);

    expect(parsed.labels).toEqual([vehicle, person, thing]);
    expect(parsed.tracks).toEqual([]);
    expect(parsed.frames.map((f) => f.image)).toEqual(s.frames.map((f) => f.image));
    // Track shapes come back as plain shapes on each frame they showed on: 7 on 0..2, 9 from 1 on.
    expect(parsed.frames.map((f) => f.shapes.length)).toEqual([4, 7, 2, 1, 2]);
    const f1 = parsed.frames[1]!;
    expect(f1.shapes.map((x) => x.type)).toEqual(['cuboid', 'polyline', 'points', 'rectangle', 'skeleton', 'mask', 'skeleton']);
    expect(f1.shapes.find((x) => x.type === 'mask')!.points).toEqual([0, 2, 1, 3, 5, 6, 7, 7]);
    expect(f1.shapes.find((x) => x.type === 'skeleton')!.elements).toEqual(s.frames[1]!.shapes[2]!.elements);
    const f0 = parsed.frames[0]!;
    expect(f0.shapes[0]).toEqual(s.frames[0]!.shapes[1]); // z_order -1 first
    expect(f0.shapes.find((x) => x.type === 'ellipse')).toEqual(s.frames[0]!.shapes[2]);
    expect(f0.shapes.find((x) => x.source === 'auto')).toEqual(s.frames[0]!.shapes[0]);
    expect(f0.tags).toEqual(s.frames[0]!.tags);
  });

  it('quotes attribute values as Python\'s quoteattr does', () => {
    expect(quoteAttr('a"b')).toBe(`'a"b'`);
    expect(quoteAttr(`a"b'c`)).toBe(`"a&quot;b'c"`);
    expect(quoteAttr('x\ny\t<&>')).toBe('"x&#10;y&#9;&lt;&amp;&gt;"');
  });

  it('formats numbers as Python does', () => {
    expect([0.125, 0.375, 2.675, -0.001, -0, 1e-9, 3.14159].map(fixed2)).toEqual(['0.12', '0.38', '2.67', '-0.00', '-0.00', '0.00', '3.14']);
    expect([0, 1, 2.5, 1e16, 1.5e-5, 0.0001, 123456789.125, -3].map(pyFloat)).toEqual(['0.0', '1.0', '2.5', '1e+16', '1.5e-05', '0.0001', '123456789.125', '-3.0']);
  });
});

describe('CVAT for video', () => {
  it('writes tracks on every frame and standalone shapes as two-frame tracks, byte for byte', async () => {
    const label: DatasetLabel = { name: 'car', type: 'any', attributes: [] };
    const key = (frame: number, points: number[], outside = false) => ({
      frame, type: 'rectangle' as const, points, rotation: 0, occluded: false, outside, z_order: 0, attributes: {}, keyframe: true,
    });
    const { xml, report } = await exportWith(cvatVideoFormat, exportInput({
      labels: [label],
      meta: { size: 4, mode: 'interpolation' },
      tracks: [{ id: 5, label: 'car', group: 0, source: 'manual', attributes: {}, shapes: [key(0, [0, 0, 2, 2]), key(2, [2, 2, 4, 4]), key(3, [2, 2, 4, 4], true)] }],
      frames: [0, 1, 2, 3].map((frame) => ({
        image: { frame, name: `${frame}.jpg`, width: 8, height: 8 },
        shapes: frame === 2 ? [shape('car', 'polygon', [0, 0, 1, 0, 1, 1], { source: 'auto' })] : [],
        tags: frame === 1 ? [{ label: 'car', group: 0, source: 'manual', attributes: {} }] : [],
      })),
    }));
    const body = xml.slice(xml.indexOf('  <track'));
    expect(body).toBe(`  <track id="0" label="car" source="manual">
    <box frame="0" keyframe="1" outside="0" occluded="0" xtl="0.00" ytl="0.00" xbr="2.00" ybr="2.00" z_order="0">
    </box>
    <box frame="1" keyframe="0" outside="0" occluded="0" xtl="1.00" ytl="1.00" xbr="3.00" ybr="3.00" z_order="0">
    </box>
    <box frame="2" keyframe="1" outside="0" occluded="0" xtl="2.00" ytl="2.00" xbr="4.00" ybr="4.00" z_order="0">
    </box>
    <box frame="3" keyframe="1" outside="1" occluded="0" xtl="2.00" ytl="2.00" xbr="4.00" ybr="4.00" z_order="0">
    </box>
  </track>
  <track id="1" label="car" source="auto">
    <polygon frame="2" keyframe="1" outside="0" occluded="0" points="0.00,0.00;1.00,0.00;1.00,1.00" z_order="0">
    </polygon>
    <polygon frame="3" keyframe="1" outside="1" occluded="0" points="0.00,0.00;1.00,0.00;1.00,1.00" z_order="0">
    </polygon>
  </track>
</annotations>
`);
    expect(xml).toContain('<mode>interpolation</mode>');
    expect(xml).toContain(`<label>
          <name>car</name>
          <color></color>
          <type>any</type>
          <attributes>
          </attributes>
        </label>`);
    expect(report.droppedItems).toEqual([{ what: 'tags', frame: 1, reason: 'CVAT for video has no tags' }]);
  });

  it('export, import, export is byte-equal; tracks come back with their keyframes', async () => {
    const s = sample();
    // Masks come back as shapes (below), written after all tracks: leave them out here.
    s.frames[1]!.shapes.splice(1, 1);
    const first = await exportWith(cvatVideoFormat, s.input());
    const parsed = await importXml(first.xml);
    const second = await exportWith(cvatVideoFormat, toExportInput(parsed, s.input()));
    expect(second.xml).toBe(first.xml);
    expect(first.report.droppedItems).toEqual([{ what: 'tags', frame: 0, reason: 'CVAT for video has no tags' }]);

    // The two tracks (renumbered), then the 8 standalone shapes as tracks of their own.
    expect(parsed.frames).toEqual([]);
    expect(parsed.tracks).toHaveLength(10);
    const [vehicleTrack, personTrack] = s.tracks as [DatasetTrack, DatasetTrack];
    expect(parsed.tracks[0]).toEqual({ ...vehicleTrack, id: 0 });
    expect(parsed.tracks[1]).toEqual({ ...personTrack, id: 1, elements: personTrack.elements!.map((e) => ({ ...e, id: 1 })) });
    const ellipse = parsed.tracks.find((t) => t.shapes[0]!.type === 'ellipse')!;
    expect(ellipse.shapes.map((x) => [x.frame, x.outside, x.points, x.rotation])).toEqual([[0, false, [50, 40, 60, 30], 30.5], [1, true, [50, 40, 60, 30], 30.5]]);
    // Immutable attributes go to the track, mutable ones stay on the keyframes.
    const last = parsed.tracks[9]!;
    expect([last.attributes, last.shapes.map((x) => x.attributes)]).toEqual([{ model: 'a', note: '' }, [{ speed: '1' }]]);
    // A shape on the last frame has no closing outside shape.
    expect(last.shapes.map((x) => x.frame)).toEqual([4]);
  });

  it('reports skeletons without points, which CVAT for video cannot write', async () => {
    const { report, xml } = await exportWith(cvatVideoFormat, exportInput({
      labels: [person], meta: { size: 2, mode: 'interpolation' },
      tracks: [{ id: 1, label: 'person', group: 0, source: 'manual', attributes: {}, shapes: [{ frame: 0, type: 'skeleton', points: [], rotation: 0, occluded: false, outside: false, z_order: 0, attributes: {}, keyframe: true }] }],
      frames: [{ image: { frame: 1, name: 'b.jpg', width: 9, height: 9 }, shapes: [shape('person', 'skeleton', [])], tags: [] }],
    }));
    expect(report.droppedItems).toEqual([
      { what: 'skeletons without points', frame: 0, reason: 'CVAT writes a skeleton only through its points' },
      { what: 'skeletons without points', frame: 1, reason: 'CVAT writes a skeleton only through its points' },
    ]);
    expect(xml).not.toContain('<track');
  });

  it('brings a mask back as a shape, as CVAT does (it has no mask tracks)', async () => {
    const mask = shape('car', 'mask', [0, 2, 1, 3, 5, 6, 7, 7], { z_order: 2, attributes: { model: 'b' } });
    const { xml } = await exportWith(cvatVideoFormat, exportInput({
      labels: [car], meta: { size: 3, mode: 'interpolation' },
      frames: [{ image: { frame: 1, name: 'b.jpg', width: 9, height: 9 }, shapes: [mask], tags: [] }],
    }));
    expect(xml).toContain('<mask frame="1" keyframe="1" outside="0" occluded="0" rle="0, 2, 1, 3" left="5" top="6" width="3" height="2" z_order="2">');
    expect(xml).toContain('<mask frame="2" keyframe="1" outside="1"');
    const parsed = await importXml(xml);
    expect(parsed.tracks).toEqual([]);
    expect(parsed.frames).toEqual([{ image: { frame: 1, name: 'frame_000001', width: 0, height: 0 }, shapes: [mask], tags: [] }]);
  });
});

describe('CVAT import', () => {
  const head = '<?xml version="1.0"?>\n<annotations><version>1.1</version><meta><task><labels><label><name>car</name></label></labels></task></meta>\n';

  it('keeps keyframes and outside transitions of long tracks, nothing else', async () => {
    let body = '<track id="3" label="car">';
    for (let f = 0; f < 1000; f++) {
      const outside = f >= 600 && f < 700 ? 1 : 0;
      const keyframe = f === 0 || f === 300 ? 1 : 0;
      body += `<box frame="${f}" keyframe="${keyframe}" outside="${outside}" occluded="0" xtl="${f}" ytl="0" xbr="${f + 1}" ybr="1" z_order="0"></box>`;
    }
    const d = await importXml(`${head}${body}</track></annotations>`);
    expect(d.tracks[0]!.shapes.map((s) => `${s.frame}${s.outside ? 'o' : ''}`)).toEqual(['0', '300', '600o', '700']);
    expect(d.labels).toEqual([{ name: 'car', type: 'any', attributes: [] }]);
  });

  it('declares labels and attributes used without a declaration', async () => {
    const d = await importXml(`${head}<image id="0" name="a.jpg" width="2" height="2"><box label="bus" xtl="0" ytl="0" xbr="1" ybr="1"><attribute name="color"> red </attribute></box></image></annotations>`);
    expect(d.labels.map((l) => [l.name, l.type, l.attributes.map((a) => `${a.name}:${a.input_type}`)])).toEqual([['car', 'any', []], ['bus', 'any', ['color:text']]]);
    expect(d.frames[0]!.shapes[0]!.attributes).toEqual({ color: 'red' });
  });

  it('reads a job file and skeleton labels with their points', async () => {
    const xml = `<annotations><version>1.1</version><meta><job><id>4</id><start_frame>20</start_frame><frame_filter>step=2</frame_filter>
      <segments><segment><id>1</id><start>5</start><stop>9</stop></segment></segments>
      <labels><label><name>p</name><color>#112233</color><type>skeleton</type><attributes></attributes><svg>&lt;circle data-label-name="n"/&gt;</svg></label>
      <label><name>n</name><type>points</type><attributes></attributes><parent>p</parent></label></labels></job></meta>
      <image id="24" name="x.png" width="3" height="3"><skeleton label="p" source="manual" z_order="0"><points label="n" source="manual" outside="0" occluded="1" points="1,1"></points></skeleton></image></annotations>`;
    const d = await importXml(xml);
    expect(d.labels).toEqual([{ name: 'p', type: 'skeleton', color: '#112233', attributes: [], svg: '<circle data-label-name="n"/>', sublabels: [{ name: 'n', type: 'points', attributes: [] }] }]);
    // (24 - 20) / 2 + 5: the job's first frame is the task's frame 5.
    expect(d.frames[0]!.image.frame).toBe(7);
    expect(d.frames[0]!.shapes[0]!.elements).toEqual([shape('n', 'points', [1, 1], { occluded: true })]);
  });

  it('reads every .xml file of an archive, keeping track ids apart', async () => {
    const track = '<track id="0" label="car"><box frame="0" keyframe="1" xtl="0" ytl="0" xbr="1" ybr="1"/></track>';
    const src = memorySource(new Map([
      ['a/annotations.xml', new TextEncoder().encode(`${head}${track}</annotations>`)],
      ['b/annotations.xml', new TextEncoder().encode(`<annotations><meta><task><labels><label><name>bus</name></label></labels></task></meta>${track}</annotations>`)],
    ]));
    const d = await cvatImportFormat.import!(src, { raster: sharpRaster, images: [] });
    expect(d.tracks.map((t) => t.id)).toEqual([0, 1]);
    expect(d.labels.map((l) => l.name)).toEqual(['car', 'bus']);
  });

  it('needs an .xml file', async () => {
    const src = memorySource(new Map([['images/a.jpg', new Uint8Array(1)]]));
    await expect(cvatImportFormat.import!(src, { raster: sharpRaster, images: [] })).rejects.toThrow('images/a.jpg: no CVAT annotation file (.xml) found');
  });

  it.each([
    ['malformed XML', `${head}<image id="0" name="a"></annotations>`, 'annotations.xml:3: malformed XML'],
    ['another root', '<root></root>', 'annotations.xml:1: not a CVAT annotation file: the root element is <root>, not <annotations>'],
    ['a missing coordinate', `${head}<image id="0" name="a"><box label="car" xtl="0" ytl="0" xbr="1"></box></image></annotations>`, 'annotations.xml:3: <box> has no "ybr" attribute'],
    ['a coordinate that is not a number', `${head}<image id="0" name="a"><polygon label="car" points="0,0;1,x"/></image></annotations>`, 'annotations.xml:3: <polygon> points="x" is not a number'],
    ['a broken point list', `${head}<image id="0" name="a"><polygon label="car" points="0,0;1"/></image></annotations>`, 'annotations.xml:3: <polygon> points="0,0;1" is not a list of x,y pairs'],
    ['a negative frame', `${head}<image id="-1" name="a"/></annotations>`, 'annotations.xml:3: <image> id="-1" is below 0'],
    ['an image without a name', `${head}<image id="0"/></annotations>`, 'annotations.xml:3: <image> has no "name" attribute'],
    ['a shape without a label', `${head}<image id="0" name="a"><box xtl="0" ytl="0" xbr="1" ybr="1"/></image></annotations>`, 'annotations.xml:3: <box> has no "label" attribute'],
    ['a bad flag', `${head}<image id="0" name="a"><box label="car" occluded="maybe" xtl="0" ytl="0" xbr="1" ybr="1"/></image></annotations>`, 'annotations.xml:3: <box> occluded="maybe" is not 0 or 1'],
    ['a mask overflowing its box', `${head}<image id="0" name="a"><mask label="car" rle="3, 4" left="0" top="0" width="2" height="2"/></image></annotations>`, 'annotations.xml:3: <mask> rle covers 7 pixels, more than its 2x2 box'],
    ['a mask with a bad run', `${head}<image id="0" name="a"><mask label="car" rle="1, -2" left="0" top="0" width="2" height="2"/></image></annotations>`, 'annotations.xml:3: <mask> rle="1, -2" holds -2, not a run length'],
    ['a frame off the step', `<annotations><meta><task><start_frame>10</start_frame><frame_filter>step=3</frame_filter></task></meta>\n<track id="0" label="a"><box frame="11" xtl="0" ytl="0" xbr="1" ybr="1"/></track></annotations>`, 'annotations.xml:2: frame 11 is not a frame of the task (first frame 10, step 3)'],
    ['an unknown input type', '<annotations><meta><task><labels><label><name>a</name><attributes><attribute><name>x</name>\n<input_type>slider</input_type></attribute></attributes></label></labels></task></meta></annotations>', 'annotations.xml:1: attribute "x" has unknown input_type "slider"'],
    ['a point of no skeleton', '<annotations><meta><task><labels>\n<label><name>a</name><parent>b</parent></label></labels></task></meta></annotations>', 'annotations.xml:2: label "a" names parent "b", which is not declared'],
    ['an entity declaration', '<!DOCTYPE a [<!ENTITY x "y">]><annotations/>', 'annotations.xml:1: XML entity declarations are not allowed'],
  ])('rejects %s', async (_what, xml, message) => {
    await expect(importXml(xml)).rejects.toThrow(message);
  });
});
