/**
 * The server's annotations (ids) as an exporter reads them (names): `ExportInput.frames` and
 * `ExportInput.tracks`, as CVAT's TaskData.group_by_frame and .tracks give them to Datumaro
 * (cvat/apps/dataset_manager/bindings.py).
 *
 * On each frame: its shapes, then the tracks seen there, stably sorted by z_order (CVAT sorts
 * AnnotationManager.to_shapes the same way), then its tags. A track seen on a frame is its shape
 * there (annotations/interpolate.ts) with `track_id` = the track's position in the list and
 * `keyframe` telling whether the frame is one of its keyframes; frames where it is outside are left
 * out. Its attributes are the frame's mutable ones in effect followed by the track's own
 * (CVAT: `tracked_shape["attributes"] += track["attributes"]`). A skeleton's points are its
 * elements, outside ones included (each with its own keyframe flag); a skeleton whose points are
 * all outside is left out, as interpolate.ts decides.
 *
 * Shapes and tags are indexed by frame once; tracks are looked up only while they can show
 * (from their first keyframe to a final outside keyframe), so a frame costs its own objects plus
 * O(log K) per live track.
 */
import { indexLabels, type IndexedLabel, type LabelIndex } from '../../annotations/label-index.js';
import { indexTrack, shapeAt, type InterpolatedElement, type TrackIndex } from '../../annotations/interpolate.js';
import type { LabelSchema } from '../../annotations/schema.js';
import { sliceAnnotations } from '../../annotations/slice.js';
import type {
  Annotations, AttributeValue, LabeledShape, LabeledTag, LabeledTrack, SubShape, SubTrack, TrackedShape,
} from '../../annotations/types.js';
import type {
  AttributeMap, DatasetImage, DatasetShape, DatasetTag, DatasetTrack, DatasetTrackShape, FrameAnnotations,
} from '../model.js';

export type AnnotationData = Pick<Annotations, 'tags' | 'shapes' | 'tracks'>;

export interface DatasetExportOptions {
  /**
   * Export only frames start..stop (inclusive): shapes and tags on them, tracks clipped as CVAT
   * gives a job its share (annotations/slice.ts). Without it everything given is exported.
   */
  range?: { start: number; stop: number };
}

export interface DatasetExport {
  /** Every track with its keyframes only, in frame order; `id` is the `track_id` of its shapes in frames. */
  readonly tracks: DatasetTrack[];
  /** What is annotated on one image. */
  frame(image: DatasetImage): FrameAnnotations;
  /** One FrameAnnotations per image, in the order given (frame order keeps lookups cheap). */
  framesSync(images: Iterable<DatasetImage>): Generator<FrameAnnotations>;
  /** The same over a stream of images, for `ExportInput.frames`. */
  frames(images: Iterable<DatasetImage> | AsyncIterable<DatasetImage>): AsyncGenerator<FrameAnnotations>;
  /**
   * Replaces the shapes and tags frames are built from, keeping the tracks: a large task is
   * exported a window of frames at a time (its shapes read per window), tracks given whole once.
   */
  setFrameObjects(data: Pick<AnnotationData, 'shapes' | 'tags'>): void;
}

/** Label and attribute names by id; ids the schema lacks mean the data and schema disagree. */
class Names {
  private readonly index: LabelIndex;

  constructor(schema: LabelSchema) {
    this.index = indexLabels(schema);
  }

  label(id: number): IndexedLabel {
    const label = this.index.get(id);
    if (!label) throw new Error(`annotations refer to label ${id}, which is not in the label schema`);
    return label;
  }

  attributes(label: IndexedLabel, values: readonly AttributeValue[], out: AttributeMap = {}): AttributeMap {
    for (const v of values) {
      const spec = label.specs.get(v.spec_id);
      if (!spec) throw new Error(`annotations refer to attribute ${v.spec_id}, which label "${label.label.name}" does not have`);
      out[spec.name] = v.value;
    }
    return out;
  }
}

interface LiveTrack {
  id: number;
  track: LabeledTrack;
  label: IndexedLabel;
  index: TrackIndex;
  /** First keyframe; the track shows nothing before it. */
  start: number;
  /** The final keyframe when it is outside (nothing shows from there on), else Infinity. */
  end: number;
  elements: Map<number, { track: SubTrack; label: IndexedLabel }>;
}

function groupByFrame<T extends { frame: number }>(items: readonly T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const item of items) {
    const list = out.get(item.frame);
    if (list) list.push(item);
    else out.set(item.frame, [item]);
  }
  return out;
}

function byFrame(a: { frame: number }, b: { frame: number }): number {
  return a.frame - b.frame;
}

class Exporter implements DatasetExport {
  readonly tracks: DatasetTrack[];
  private readonly names: Names;
  private shapes: Map<number, LabeledShape[]>;
  private tags: Map<number, LabeledTag[]>;
  /** Tracks by first keyframe; `live` holds those started and not ended at the last frame asked. */
  private readonly byStart: LiveTrack[];
  private next = 0;
  private live: LiveTrack[] = [];
  private lastFrame = -Infinity;

  constructor(data: AnnotationData, schema: LabelSchema) {
    this.names = new Names(schema);
    this.shapes = groupByFrame(data.shapes);
    this.tags = groupByFrame(data.tags);
    const prepared = data.tracks.map((t, id) => this.prepare(t, id));
    this.tracks = prepared.map((t) => this.datasetTrack(t));
    this.byStart = prepared.filter((t) => t.start !== Infinity).sort((a, b) => a.start - b.start || a.id - b.id);
  }

  setFrameObjects(data: Pick<AnnotationData, 'shapes' | 'tags'>): void {
    this.shapes = groupByFrame(data.shapes);
    this.tags = groupByFrame(data.tags);
  }

  private prepare(track: LabeledTrack, id: number): LiveTrack {
    const index = indexTrack(track);
    const last = index.frames.length - 1;
    const elements = new Map(track.elements.map((e) => [e.label_id, { track: e, label: this.names.label(e.label_id) }]));
    return {
      id,
      track,
      label: this.names.label(track.label_id),
      index,
      start: last >= 0 ? index.frames[0]! : Infinity,
      end: last >= 0 && index.isOutside(last) ? index.frames[last]! : Infinity,
      elements,
    };
  }

  private keyframes(label: IndexedLabel, shapes: readonly TrackedShape[]): DatasetTrackShape[] {
    return [...shapes].sort(byFrame).map((s) => ({
      frame: s.frame,
      type: s.type,
      points: s.points,
      rotation: s.rotation,
      occluded: s.occluded,
      outside: s.outside,
      z_order: s.z_order,
      attributes: this.names.attributes(label, s.attributes),
      keyframe: true,
    }));
  }

  private datasetTrack(t: LiveTrack): DatasetTrack {
    const { track, label } = t;
    const out: DatasetTrack = {
      id: t.id,
      label: label.label.name,
      group: track.group,
      source: track.source,
      attributes: this.names.attributes(label, track.attributes),
      shapes: this.keyframes(label, track.shapes),
    };
    if (track.elements.length > 0 || label.label.type === 'skeleton') {
      out.elements = track.elements.map((e) => {
        const point = this.names.label(e.label_id);
        return {
          id: t.id,
          label: point.label.name,
          group: e.group,
          source: e.source,
          attributes: this.names.attributes(point, e.attributes),
          shapes: this.keyframes(point, e.shapes),
        };
      });
    }
    return out;
  }

  private element(e: SubShape): DatasetShape {
    const label = this.names.label(e.label_id);
    return {
      label: label.label.name,
      group: e.group,
      source: e.source,
      attributes: this.names.attributes(label, e.attributes),
      type: e.type,
      points: e.points,
      rotation: e.rotation,
      occluded: e.occluded,
      outside: e.outside,
      z_order: e.z_order,
      score: e.score,
    };
  }

  private shape(s: LabeledShape): DatasetShape {
    const label = this.names.label(s.label_id);
    const out: DatasetShape = {
      label: label.label.name,
      group: s.group,
      source: s.source,
      attributes: this.names.attributes(label, s.attributes),
      type: s.type,
      points: s.points,
      rotation: s.rotation,
      occluded: s.occluded,
      outside: s.outside,
      z_order: s.z_order,
      score: s.score,
    };
    if (s.type === 'skeleton' || s.elements.length > 0) out.elements = s.elements.map((e) => this.element(e));
    return out;
  }

  private tag(t: LabeledTag): DatasetTag {
    const label = this.names.label(t.label_id);
    return { label: label.label.name, group: t.group, source: t.source, attributes: this.names.attributes(label, t.attributes) };
  }

  private trackElement(t: LiveTrack, e: InterpolatedElement): DatasetShape {
    const sub = t.elements.get(e.label_id);
    const label = sub?.label ?? this.names.label(e.label_id);
    const attributes = this.names.attributes(label, e.attributes);
    if (sub) this.names.attributes(label, sub.track.attributes, attributes);
    return {
      label: label.label.name,
      group: sub?.track.group ?? t.track.group,
      source: sub?.track.source ?? t.track.source,
      attributes,
      type: e.type,
      points: e.points,
      rotation: e.rotation,
      occluded: e.occluded,
      outside: e.outside,
      z_order: e.z_order,
      keyframe: e.keyframe,
    };
  }

  private liveAt(frame: number): LiveTrack[] {
    if (frame < this.lastFrame) {
      this.next = 0;
      this.live = [];
    }
    this.lastFrame = frame;
    let added = false;
    while (this.next < this.byStart.length && this.byStart[this.next]!.start <= frame) {
      this.live.push(this.byStart[this.next++]!);
      added = true;
    }
    if (added) this.live.sort((a, b) => a.id - b.id);
    if (this.live.some((t) => t.end <= frame)) this.live = this.live.filter((t) => t.end > frame);
    return this.live;
  }

  frame(image: DatasetImage): FrameAnnotations {
    const frame = image.frame;
    const shapes = (this.shapes.get(frame) ?? []).map((s) => this.shape(s));
    for (const t of this.liveAt(frame)) {
      const at = shapeAt(t.index, frame);
      if (!at) continue;
      const attributes = this.names.attributes(t.label, at.attributes);
      this.names.attributes(t.label, t.track.attributes, attributes);
      const shape: DatasetShape = {
        label: t.label.label.name,
        group: t.track.group,
        source: t.track.source,
        attributes,
        type: at.type,
        points: at.points,
        rotation: at.rotation,
        occluded: at.occluded,
        outside: at.outside,
        z_order: at.z_order,
        track_id: t.id,
        keyframe: at.keyframe,
      };
      if (at.type === 'skeleton' || at.elements.length > 0) shape.elements = at.elements.map((e) => this.trackElement(t, e));
      shapes.push(shape);
    }
    shapes.sort((a, b) => a.z_order - b.z_order);
    const tags = (this.tags.get(frame) ?? []).map((t) => this.tag(t));
    return { image, shapes, tags };
  }

  *framesSync(images: Iterable<DatasetImage>): Generator<FrameAnnotations> {
    for (const image of images) yield this.frame(image);
  }

  async *frames(images: Iterable<DatasetImage> | AsyncIterable<DatasetImage>): AsyncGenerator<FrameAnnotations> {
    for await (const image of images) yield this.frame(image);
  }
}

/**
 * Prepares the export of `data` (a task's or job's annotations, label ids valid in `schema`).
 * Labels or attributes the schema lacks throw: the server's data and schema disagree.
 */
export function annotationsToDataset(data: AnnotationData, schema: LabelSchema, options: DatasetExportOptions = {}): DatasetExport {
  const range = options.range;
  return new Exporter(range ? sliceAnnotations(data, range.start, range.stop) : data, schema);
}
