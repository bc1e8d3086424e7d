/**
 * Reads one CVAT XML file (CVAT for images or CVAT for video, task, job or project layout) in a
 * single streaming pass, keeping only what the dataset model needs.
 *
 * Tracks keep their keyframes: shapes marked keyframe="1", the first shape, and any shape whose
 * outside flag differs from the shape before it (files written by old versions mark some
 * outside transitions keyframe="0"). Interpolated shapes are dropped as they are read, so a
 * track written on every frame of a long video costs only its keyframes. A track of masks
 * becomes a mask shape on its first frame, as in CVAT, which has no mask tracks.
 */
import type { ShapeType } from '../../annotations/types.js';
import type {
  AttributeMap, DatasetImage, DatasetShape, DatasetTag, DatasetTrack, DatasetTrackShape, FrameAnnotations,
} from '../model.js';
import { streamXml } from '../xml.js';
import { LabelSpecs, splitTrackAttributes } from './label-specs.js';
import type { LabelUsage } from './label-usage.js';
import { SHAPE_TAGS, readGeometry } from './xml-geometry.js';
import { MetaReader } from './xml-meta.js';
import { XmlValues, type Attrs } from './xml-values.js';

/** Where every file's annotations go. */
export interface CvatCollected {
  usage: LabelUsage;
  frames: FrameAnnotations[];
  tracks: DatasetTrack[];
}

interface ShapeDraft {
  tag: string;
  type: ShapeType;
  attrs: Attrs;
  line: number;
  points: number[];
  rotation: number;
  attributes: AttributeMap;
  elements: ShapeDraft[];
}

interface ElementTrack {
  shapes: DatasetTrackShape[];
  lastOutside?: boolean;
}

interface TrackDraft {
  id: number;
  label: string;
  group: number;
  source: DatasetTrack['source'];
  taskId?: string;
  line: number;
  shapes: DatasetTrackShape[];
  lastOutside?: boolean;
  elements: Map<string, ElementTrack>;
}

const pad6 = (n: number) => String(n).padStart(6, '0');

export class CvatXmlReader {
  private readonly v: XmlValues;
  private readonly meta: MetaReader;
  private readonly stack: string[] = [];
  private specs: LabelSpecs | undefined;
  private declaredMutability = new Set<string>();
  private image: { frame: FrameAnnotations; taskId?: string } | undefined;
  private track: TrackDraft | undefined;
  private shape: ShapeDraft | undefined;
  private element: ShapeDraft | undefined;
  private tag: DatasetTag | undefined;
  private attributeName: string | undefined;
  private readonly byFrame = new Map<string, FrameAnnotations>();

  constructor(private readonly file: string, private readonly out: CvatCollected, private readonly usedTrackIds: Set<number>) {
    this.v = new XmlValues(file);
    this.meta = new MetaReader(this.v);
  }

  read(text: string): void {
    streamXml(this.file, text, {
      open: (name, attrs, line) => this.open(name, attrs, line),
      close: (name, text, line) => this.close(name, text, line),
    });
    // A file without annotations still declares its labels.
    this.startAnnotations();
  }

  private open(name: string, attrs: Attrs, line: number): void {
    const parent = this.stack[this.stack.length - 1];
    this.stack.push(name);
    if (this.stack.length === 1) {
      if (name !== 'annotations') this.v.fail(line, `not a CVAT annotation file: the root element is <${name}>, not <annotations>`);
      return;
    }
    if (this.stack[1] === 'meta') {
      this.meta.open(name, parent, line);
      return;
    }
    const type = SHAPE_TAGS[name];
    if (name === 'image' && parent === 'annotations') this.openImage(attrs, line);
    else if (name === 'track' && parent === 'annotations') this.openTrack(attrs, line);
    else if (type && parent === 'skeleton' && this.shape) this.element = this.draft(name, type, attrs, line);
    else if (type && ((parent === 'image' && this.image) || (parent === 'track' && this.track))) this.shape = this.draft(name, type, attrs, line);
    else if (name === 'tag' && parent === 'image' && this.image) {
      this.tag = {
        label: this.v.required(name, attrs, 'label', line),
        group: this.v.int(name, attrs, 'group_id', line, { min: 0, fallback: 0 }),
        source: this.v.source(attrs),
        attributes: {},
      };
    } else if (name === 'attribute' && (this.shape || this.tag)) {
      this.attributeName = this.v.required(name, attrs, 'name', line);
    }
  }

  private close(name: string, text: string, line: number): void {
    const n = this.stack.length;
    const parent = this.stack[n - 2];
    try {
      if (this.stack[1] === 'meta') {
        this.meta.close(name, parent, this.stack[n - 3], text, line);
        return;
      }
      if (name === 'attribute' && this.attributeName !== undefined) {
        const target = this.element ?? this.shape ?? this.tag;
        if (target) target.attributes[this.attributeName] = text;
        this.attributeName = undefined;
      } else if (SHAPE_TAGS[name] && this.element && parent === 'skeleton') {
        this.shape!.elements.push(this.element);
        this.element = undefined;
      } else if (SHAPE_TAGS[name] && this.shape && (parent === 'image' || parent === 'track')) {
        if (this.track) this.trackShape(this.shape);
        else this.imageShape(this.shape);
        this.shape = undefined;
      } else if (name === 'tag' && this.tag) {
        this.image!.frame.tags.push(this.tag);
        this.out.usage.use(this.tag.label, Object.keys(this.tag.attributes));
        this.tag = undefined;
      } else if (name === 'image' && this.image) this.image = undefined;
      else if (name === 'track' && this.track) {
        this.finishTrack(this.track);
        this.track = undefined;
      }
    } finally {
      this.stack.pop();
    }
  }

  /** Called when annotations start, after <meta>: declares its labels. */
  private startAnnotations(): void {
    if (this.specs) return;
    const { labels, declaredMutability } = this.meta.labels();
    for (const l of labels) this.out.usage.declare(l);
    this.specs = new LabelSpecs(labels);
    this.declaredMutability = declaredMutability;
  }

  private frameOf(subset: string | undefined, frame: number): FrameAnnotations {
    const key = `${subset ?? ''}\u0000${frame}`;
    let f = this.byFrame.get(key);
    if (!f) {
      // Video files name no images: CVAT calls such frames frame_NNNNNN (absolute number).
      const { base, step } = this.meta.numbering(undefined);
      const image: DatasetImage = { frame, name: `frame_${pad6(base + frame * step)}`, ...this.meta.originalSize };
      if (subset) image.subset = subset;
      f = { image, shapes: [], tags: [] };
      this.byFrame.set(key, f);
      this.out.frames.push(f);
    }
    return f;
  }

  private openImage(attrs: Attrs, line: number): void {
    this.startAnnotations();
    const taskId = attrs.task_id;
    const image: DatasetImage = {
      frame: this.meta.frame(this.v.int('image', attrs, 'id', line, { min: 0 }), taskId, line),
      name: this.v.required('image', attrs, 'name', line),
      width: this.v.int('image', attrs, 'width', line, { min: 0, fallback: 0 }),
      height: this.v.int('image', attrs, 'height', line, { min: 0, fallback: 0 }),
    };
    if (attrs.subset) image.subset = attrs.subset;
    const frame: FrameAnnotations = { image, shapes: [], tags: [] };
    this.out.frames.push(frame);
    this.byFrame.set(`${image.subset ?? ''}\u0000${image.frame}`, frame);
    this.image = taskId === undefined ? { frame } : { frame, taskId };
  }

  private openTrack(attrs: Attrs, line: number): void {
    this.startAnnotations();
    let id = this.v.int('track', attrs, 'id', line, { min: 0 });
    // Several files may number their tracks alike.
    while (this.usedTrackIds.has(id)) id++;
    this.usedTrackIds.add(id);
    this.track = {
      id,
      label: this.v.required('track', attrs, 'label', line),
      group: this.v.int('track', attrs, 'group_id', line, { min: 0, fallback: 0 }),
      source: this.v.source(attrs),
      line,
      shapes: [],
      elements: new Map(),
    };
    if (attrs.task_id !== undefined) this.track.taskId = attrs.task_id;
  }

  private draft(tag: string, type: ShapeType, attrs: Attrs, line: number): ShapeDraft {
    return { tag, type, attrs, line, ...readGeometry(this.v, tag, attrs, line), attributes: {}, elements: [] };
  }

  private imageShape(d: ShapeDraft): void {
    const label = this.v.required(d.tag, d.attrs, 'label', d.line);
    const shape: DatasetShape = {
      label,
      group: this.v.int(d.tag, d.attrs, 'group_id', d.line, { min: 0, fallback: 0 }),
      source: this.v.source(d.attrs),
      attributes: d.attributes,
      type: d.type,
      points: d.points,
      rotation: d.rotation,
      occluded: this.v.bool(d.tag, d.attrs, 'occluded', d.line),
      outside: false,
      z_order: this.v.int(d.tag, d.attrs, 'z_order', d.line, { fallback: 0 }),
    };
    this.out.usage.use(label, Object.keys(d.attributes));
    if (d.type === 'skeleton') {
      shape.elements = d.elements.map((e) => {
        const name = this.v.required(e.tag, e.attrs, 'label', e.line);
        this.out.usage.use(name, Object.keys(e.attributes), label);
        return {
          label: name,
          group: this.v.int(e.tag, e.attrs, 'group_id', e.line, { min: 0, fallback: 0 }),
          source: this.v.source(e.attrs),
          attributes: e.attributes,
          type: e.type,
          points: e.points,
          rotation: e.rotation,
          occluded: this.v.bool(e.tag, e.attrs, 'occluded', e.line),
          outside: this.v.bool(e.tag, e.attrs, 'outside', e.line),
          z_order: 0,
        };
      });
    }
    this.image!.frame.shapes.push(shape);
  }

  private trackShape(d: ShapeDraft): void {
    const t = this.track!;
    const frame = this.meta.frame(this.v.int(d.tag, d.attrs, 'frame', d.line, { min: 0 }), t.taskId, d.line);
    const keyframe = this.v.bool(d.tag, d.attrs, 'keyframe', d.line);
    const outside = this.v.bool(d.tag, d.attrs, 'outside', d.line);
    const keep = (last: boolean | undefined) => keyframe || last === undefined || last !== outside;
    if (keep(t.lastOutside)) {
      t.shapes.push({
        frame,
        type: d.type,
        points: d.points,
        rotation: d.rotation,
        occluded: this.v.bool(d.tag, d.attrs, 'occluded', d.line),
        outside,
        z_order: this.v.int(d.tag, d.attrs, 'z_order', d.line, { fallback: 0 }),
        attributes: d.attributes,
        keyframe: true,
      });
    }
    t.lastOutside = outside;
    for (const e of d.elements) {
      const name = this.v.required(e.tag, e.attrs, 'label', e.line);
      let et = t.elements.get(name);
      if (!et) t.elements.set(name, (et = { shapes: [] }));
      const eKey = this.v.bool(e.tag, e.attrs, 'keyframe', e.line);
      const eOut = this.v.bool(e.tag, e.attrs, 'outside', e.line);
      if (eKey || et.lastOutside === undefined || et.lastOutside !== eOut) {
        et.shapes.push({
          frame,
          type: e.type,
          points: e.points,
          rotation: e.rotation,
          occluded: this.v.bool(e.tag, e.attrs, 'occluded', e.line),
          outside: eOut,
          z_order: 0,
          attributes: e.attributes,
          keyframe: true,
        });
      }
      et.lastOutside = eOut;
    }
  }

  private mutability(label: string, parent?: string) {
    const spec = this.specs!.find(label, parent);
    return (attr: string) =>
      this.declaredMutability.has(`${parent ?? ''}\u0000${label}\u0000${attr}`) ? this.specs!.mutable(attr, spec) : undefined;
  }

  private finishTrack(t: TrackDraft): void {
    const first = t.shapes[0];
    if (!first) return;
    if (first.type === 'mask') {
      const frame = this.frameOf(undefined, first.frame);
      frame.shapes.push({
        label: t.label, group: t.group, source: t.source, attributes: first.attributes,
        type: 'mask', points: first.points, rotation: first.rotation, occluded: first.occluded, outside: false, z_order: first.z_order,
      });
      this.out.usage.use(t.label, Object.keys(first.attributes));
      return;
    }
    const split = splitTrackAttributes(t.shapes.map((s) => s.attributes), this.mutability(t.label));
    t.shapes.forEach((s, i) => (s.attributes = split.shapes[i]!));
    const track: DatasetTrack = { id: t.id, label: t.label, group: t.group, source: t.source, attributes: split.track, shapes: t.shapes };
    this.out.usage.use(t.label, Object.keys(split.track).concat(t.shapes.flatMap((s) => Object.keys(s.attributes))));
    if (t.elements.size > 0) {
      const order = this.specs!.label(t.label)?.sublabels?.map((s) => s.name) ?? [];
      const names = [...t.elements.keys()].sort((a, b) => rank(order, a) - rank(order, b));
      track.elements = names.map((name) => {
        const et = t.elements.get(name)!;
        const es = splitTrackAttributes(et.shapes.map((s) => s.attributes), this.mutability(name, t.label));
        et.shapes.forEach((s, i) => (s.attributes = es.shapes[i]!));
        this.out.usage.use(name, Object.keys(es.track).concat(et.shapes.flatMap((s) => Object.keys(s.attributes))), t.label);
        return { id: t.id, label: name, group: 0, source: t.source, attributes: es.track, shapes: et.shapes };
      });
    }
    this.out.tracks.push(track);
  }
}

/** Position in the declared order; undeclared names after, in the order met (sort is stable). */
function rank(order: readonly string[], name: string): number {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
}
