/**
 * Datumaro 1.0 export: annotations/<subset>.json per subset ("default" when a frame has none) in
 * Datumaro's layout (dm_format_version, media_type, infos, categories, items), images under
 * images/<subset>/. Items are named by the image name without extension and carry
 * attr.frame, the image path and size, as CVAT's Datumaro export writes them.
 *
 * Lossless for everything the dataset model holds, where CVAT's export is not:
 * - Every shape kind: ellipses as Datumaro ellipses and 2D cuboids as cuboid_2d (CVAT turns
 *   ellipses into masks and drops 2D cuboids); masks as COCO RLE over the image.
 * - Tracks as CVAT writes them (their shape on each frame they show on, with track_id and
 *   keyframe attributes), plus their hidden keyframes with outside=true, which CVAT leaves out
 *   (so it loses where a track ends) and its importer reads as the end of a visible run.
 * - source and score as the attributes Datumaro and CVAT's importer read; occluded, outside,
 *   rotation, z_order and group as CVAT writes them; attribute values stay strings.
 * - The label schema in infos.framewise.labels (see categories.ts).
 *
 * An item lists its tags, its standalone shapes, then the tracks on that frame by track id.
 * Shapes or tracks with points that do not fit their type, and skeleton points that are not
 * single points, are reported and left out; so are labels missing from the schema (written
 * without a label, reported).
 *
 * Streaming: the first subset's file is written while frames arrive; frames of other subsets
 * (project exports) are held as serialized JSON until the first file is done.
 */
import type {
  AttributeMap, DatasetImage, DatasetLabel, DatasetShape, DatasetTag, DatasetTrack, ExportContext, ExportInput, ExportSink, FrameAnnotations,
} from '../model.js';
import { stripExtension } from '../match.js';
import { LabelSpecs } from '../cvat/label-specs.js';
import { geometryProblem } from '../cvat/shape-xml.js';
import { AttributeIds, TrackView, type ElementAt, type TrackShapeAt } from '../cvat/track-view.js';
import { CategoryIndex } from './categories.js';
import { cvatMaskToCoco } from './coco-rle.js';
import { ellipseToBox } from './geometry.js';

type Json = Record<string, unknown>;

/** The label schema with its keys in one order, whatever order the input objects had. */
function schemaJson(l: DatasetLabel): Json {
  const out: Json = { name: l.name, type: l.type };
  if (l.color !== undefined) out.color = l.color;
  out.attributes = l.attributes.map((a) => ({
    name: a.name, mutable: a.mutable, input_type: a.input_type, default_value: a.default_value, values: a.values,
  }));
  if (l.sublabels !== undefined) out.sublabels = l.sublabels.map(schemaJson);
  if (l.svg !== undefined) out.svg = l.svg;
  return out;
}

/** Datumaro's MediaType.IMAGE. */
const MEDIA_IMAGE = 2;
/** Datumaro's Points visibility. */
const ABSENT = 0, HIDDEN = 1, VISIBLE = 2;

/** Tracks by frame, for frames that arrive in ascending order. */
class TrackCursor {
  private readonly views: Array<{ view: TrackView; order: number }>;
  private next = 0;
  /** Tracks that have started, with the frame they next need looking at. */
  private active: Array<{ view: TrackView; order: number; wake: number }> = [];

  constructor(tracks: readonly DatasetTrack[]) {
    const ids = new AttributeIds();
    this.views = tracks
      .map((t) => ({ view: new TrackView(t, ids), order: t.id }))
      .filter((v) => v.view.keys.length > 0)
      .sort((a, b) => a.view.keys[0]! - b.view.keys[0]! || a.order - b.order);
  }

  /** The tracks written on `frame`, by track id (so the order does not depend on the input's). */
  at(frame: number): Array<{ track: DatasetTrack; shape: TrackShapeAt }> {
    while (this.next < this.views.length && this.views[this.next]!.view.keys[0]! <= frame) {
      this.active.push({ ...this.views[this.next++]!, wake: 0 });
    }
    const out: Array<{ track: DatasetTrack; shape: TrackShapeAt; order: number }> = [];
    for (const a of this.active) {
      if (a.wake > frame) continue;
      const shape = a.view.at(frame);
      if (shape) {
        out.push({ track: a.view.track, shape, order: a.order });
        a.wake = frame + 1;
      } else a.wake = a.view.nextKey(frame) ?? Infinity;
    }
    if (this.active.some((a) => a.wake === Infinity)) this.active = this.active.filter((a) => a.wake !== Infinity);
    return out.sort((x, y) => x.order - y.order);
  }
}

class ItemWriter {
  constructor(
    private readonly specs: LabelSpecs,
    private readonly cats: CategoryIndex,
    private readonly ctx: ExportContext,
  ) {}

  private labelId(label: string, frame: number, parent?: string): number | null {
    const id = this.cats.id(label, parent);
    if (id === undefined && label !== '') this.ctx.report.converted('objects of undeclared labels', frame, 'written without a label');
    return id ?? null;
  }

  private userAttributes(values: AttributeMap, label: DatasetLabel | undefined): Json {
    return Object.fromEntries(this.specs.ordered(values, label));
  }

  tag(t: DatasetTag, frame: number): Json {
    const attributes = { ...this.userAttributes(t.attributes, this.specs.label(t.label)), source: t.source };
    return { id: 0, type: 'label', attributes, group: t.group, label_id: this.labelId(t.label, frame) };
  }

  /**
   * A standalone shape, or a track's shape on one frame (`meta` then holds the track's fields).
   * Null, and reported, when the shape cannot be written.
   */
  shape(s: DatasetShape | TrackShapeAt, frame: FrameAnnotations, meta: {
    label: string; group: number; source: string; score?: number; trackAttributes?: AttributeMap; trackId?: number;
    elementTracks?: Map<string, DatasetTrack>;
  }): Json | null {
    const problem = geometryProblem(s.type, s.points);
    if (problem) {
      this.ctx.report.dropped(`${s.type} shapes with invalid points`, frame.image.frame, problem);
      return null;
    }
    const label = this.specs.label(meta.label);
    const attributes: Json = this.userAttributes({ ...s.attributes, ...meta.trackAttributes }, label);
    if (s.type !== 'skeleton') attributes.occluded = s.occluded;
    if (s.outside) attributes.outside = true;
    if (s.type === 'rectangle' || s.type === 'ellipse' || s.rotation) attributes.rotation = s.rotation;
    if (meta.trackId !== undefined) {
      attributes.track_id = meta.trackId;
      attributes.keyframe = 'keyframe' in s ? s.keyframe === true : false;
    }
    attributes.source = meta.source;
    if (meta.score !== undefined) attributes.score = meta.score;
    const ann: Json = { id: 0, type: typeName(s.type), attributes, group: meta.group, label_id: this.labelId(meta.label, frame.image.frame) };
    const p = s.points;
    switch (s.type) {
      case 'rectangle':
        return { ...ann, z_order: s.z_order, bbox: [p[0], p[1], p[2]! - p[0]!, p[3]! - p[1]!] };
      case 'polygon':
      case 'polyline':
        return { ...ann, points: p, z_order: s.z_order };
      case 'points':
        return { ...ann, points: p, z_order: s.z_order, visibility: new Array<number>(p.length / 2).fill(VISIBLE) };
      case 'ellipse':
        return { ...ann, points: ellipseToBox(p), z_order: s.z_order };
      case 'cuboid': {
        const pairs: number[][] = [];
        for (let i = 0; i < 16; i += 2) pairs.push([p[i]!, p[i + 1]!]);
        return { ...ann, points: pairs, z_order: s.z_order };
      }
      case 'mask': {
        const { width, height } = frame.image;
        const n = p.length - 4;
        const w = width > 0 ? width : Math.round(p[n + 2]!) + 1;
        const h = height > 0 ? height : Math.round(p[n + 3]!) + 1;
        const { rle, clipped } = cvatMaskToCoco(p, w, h);
        if (clipped) this.ctx.report.converted('mask pixels outside the image', frame.image.frame, 'cut off at the image border');
        return { ...ann, rle, z_order: s.z_order };
      }
      case 'skeleton': {
        const elements: Json[] = [];
        for (const e of s.elements ?? []) {
          const written = this.element(e, meta.label, frame.image.frame, meta.trackId, meta.elementTracks?.get(e.label));
          if (written) elements.push(written);
        }
        return { ...ann, z_order: s.z_order, elements };
      }
    }
  }

  private element(e: DatasetShape | ElementAt, parent: string, frame: number, trackId?: number, track?: DatasetTrack): Json | null {
    if (e.type !== 'points' || e.points.length !== 2) {
      this.ctx.report.dropped('skeleton points that are not single points', frame, 'Datumaro skeleton elements are points');
      return null;
    }
    const label = this.specs.find(e.label, parent);
    const attributes: Json = this.userAttributes({ ...e.attributes, ...track?.attributes }, label);
    // Visibility says outside or occluded, not both; the rarer combination keeps its flag here.
    if (e.outside && e.occluded) attributes.occluded = true;
    if (trackId !== undefined) {
      attributes.track_id = trackId;
      attributes.keyframe = e.keyframe === true;
    }
    if ('source' in e) attributes.source = e.source;
    return {
      id: 0,
      type: 'points',
      attributes,
      group: 'group' in e ? e.group : 0,
      label_id: this.labelId(e.label, frame, parent),
      points: e.points,
      z_order: e.z_order,
      visibility: [e.outside ? ABSENT : e.occluded ? HIDDEN : VISIBLE],
    };
  }
}

function typeName(type: DatasetShape['type']): string {
  switch (type) {
    case 'rectangle':
      return 'bbox';
    case 'cuboid':
      return 'cuboid_2d';
    default:
      return type;
  }
}

export function datumaroImagePath(image: DatasetImage): string {
  return `images/${image.subset ?? 'default'}/${image.name}`;
}

export async function exportDatumaro(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const specs = new LabelSpecs(input.labels);
  const cats = new CategoryIndex(input.labels);
  const writer = new ItemWriter(specs, cats, ctx);
  const tracks = new TrackCursor(input.tracks);
  const trackIds = new Set(input.tracks.map((t) => t.id));
  const head =
    `{"dm_format_version":"1.0","media_type":${MEDIA_IMAGE},` +
    `"infos":${JSON.stringify({ framewise: { labels: input.labels.map(schemaJson) } })},` +
    `"categories":${JSON.stringify(cats.json())},"items":[`;

  const item = (f: FrameAnnotations): string => {
    const annotations: Json[] = f.tags.map((t) => writer.tag(t, f.image.frame));
    for (const s of f.shapes) {
      // Shapes of known tracks are written from the tracks, with their hidden keyframes.
      if (s.track_id !== undefined && trackIds.has(s.track_id)) continue;
      const meta: Parameters<ItemWriter['shape']>[2] = { label: s.label, group: s.group, source: s.source };
      if (s.score !== undefined) meta.score = s.score;
      if (s.track_id !== undefined) meta.trackId = s.track_id;
      const a = writer.shape(s, f, meta);
      if (a) annotations.push(a);
    }
    for (const { track, shape } of tracks.at(f.image.frame)) {
      const a = writer.shape(shape, f, {
        label: track.label, group: track.group, source: track.source, trackAttributes: track.attributes, trackId: track.id,
        elementTracks: new Map((track.elements ?? []).map((e) => [e.label, e])),
      });
      if (a) annotations.push(a);
    }
    const image: Json = { path: f.image.name };
    if (f.image.width > 0 && f.image.height > 0) image.size = [f.image.height, f.image.width];
    return JSON.stringify({ id: stripExtension(f.image.name), annotations, attr: { frame: f.image.frame }, image });
  };

  const frames = input.frames[Symbol.asyncIterator]();
  const first = await frames.next();
  const mainSubset = first.done ? 'default' : (first.value.image.subset ?? 'default');
  const others = new Map<string, string[]>();
  const images: DatasetImage[] = [];
  async function* main(): AsyncGenerator<string> {
    yield head;
    let sep = '';
    for (let r = first; !r.done; r = await frames.next()) {
      const f = r.value;
      if (input.saveImages) images.push(f.image);
      const json = item(f);
      const subset = f.image.subset ?? 'default';
      if (subset === mainSubset) {
        yield sep + json;
        sep = ',';
      } else {
        let list = others.get(subset);
        if (!list) others.set(subset, (list = []));
        list.push(json);
      }
    }
    yield ']}';
  }
  await sink.file(`annotations/${mainSubset}.json`, main());
  for (const [subset, items] of others) await sink.file(`annotations/${subset}.json`, `${head}${items.join(',')}]}`);
  for (const image of images) await sink.image(image, datumaroImagePath(image));
}
