/**
 * Collects what COCO files declare and annotate into the dataset model: labels in the order the
 * files name them (with the attributes their annotations carry), and images keyed by subset and
 * file name, so files of several tasks (instances, labels, ...) about one image meet in one frame.
 */
import type { AttributeSpec } from '../../labels.js';
import type { DatasetImage, DatasetLabel, DatasetShape, DatasetTag, FrameAnnotations, ImportContext, ParsedDataset } from '../model.js';
import { ImageMatcher } from '../match.js';
import { keypointLayout, skeletonSvg } from './skeleton.js';

interface AttributeSeen {
  booleans: number;
  numbers: number;
  strings: number;
  integersOnly: boolean;
  min: number;
  max: number;
}

interface LabelDraft {
  name: string;
  type: 'any' | 'skeleton';
  attributes: Map<string, AttributeSeen>;
  points: string[];
  edges: Array<[number, number]>;
  positions: Array<[number, number] | undefined>;
}

export class DatasetBuilder {
  private readonly labels = new Map<string, LabelDraft>();
  private readonly frames = new Map<string, { frame: FrameAnnotations; imageId: number; seen: number }>();
  private readonly groups = new Map<FrameAnnotations, number>();
  private readonly matcher: ImageMatcher;
  private readonly taskLabels: readonly DatasetLabel[];

  constructor(ctx: ImportContext) {
    this.matcher = new ImageMatcher(ctx.images);
    this.taskLabels = ctx.labels ?? [];
  }

  /** Point names of the target task's skeleton of this name, in COCO order; [] when none. */
  taskPoints(name: string): string[] {
    const label = this.taskLabels.find((l) => l.name === name && l.type === 'skeleton');
    return label ? keypointLayout(label).names : [];
  }

  /** The label, declared now if the files have not named it yet. */
  label(name: string): LabelDraft {
    let draft = this.labels.get(name);
    if (!draft) {
      draft = { name, type: 'any', attributes: new Map(), points: [], edges: [], positions: [] };
      this.labels.set(name, draft);
    }
    return draft;
  }

  /**
   * Declares a skeleton: its points by name, 1-based edges, and where to draw its points. A
   * label named again by another file keeps its first drawing; further points are appended.
   */
  skeleton(name: string, points: readonly string[], edges: Array<[number, number]>, positions: Array<[number, number] | undefined>): LabelDraft {
    const draft = this.label(name);
    if (draft.type !== 'skeleton') {
      draft.type = 'skeleton';
      draft.edges = edges;
      draft.positions = positions;
    }
    for (const p of points.slice(draft.points.length)) draft.points.push(p);
    return draft;
  }

  /** Records an attribute value an annotation gives, for the label's inferred spec. */
  attribute(label: string, name: string, value: unknown): void {
    const attrs = this.label(label).attributes;
    let seen = attrs.get(name);
    if (!seen) {
      seen = { booleans: 0, numbers: 0, strings: 0, integersOnly: true, min: Infinity, max: -Infinity };
      attrs.set(name, seen);
    }
    if (typeof value === 'boolean') seen.booleans++;
    else if (typeof value === 'number') {
      seen.numbers++;
      seen.integersOnly &&= Number.isInteger(value);
      seen.min = Math.min(seen.min, value);
      seen.max = Math.max(seen.max, value);
    } else seen.strings++;
  }

  /** The frame of an image, created on first mention; sizes the file omits come from the task. */
  frame(subset: string | undefined, name: string, width: number, height: number, imageId: number): FrameAnnotations {
    const key = `${subset ?? ''}\u0000${name}`;
    let entry = this.frames.get(key);
    if (!entry) {
      const image: DatasetImage = { frame: -1, name, width, height };
      if (subset !== undefined) image.subset = subset;
      entry = { frame: { image, shapes: [], tags: [] }, imageId, seen: this.frames.size };
      this.frames.set(key, entry);
    }
    const frame = entry.frame;
    const image = frame.image;
    if (!(image.width > 0 && image.height > 0)) {
      if (width > 0 && height > 0) {
        image.width = width;
        image.height = height;
      } else {
        const known = this.matcher.match(name);
        if (known) {
          image.width = known.width;
          image.height = known.height;
        }
      }
    }
    return frame;
  }

  /** Adds shapes that came from one COCO annotation; several share a new group number. */
  addShapes(frame: FrameAnnotations, shapes: DatasetShape[]): void {
    if (shapes.length > 1) {
      const group = (this.groups.get(frame) ?? 0) + 1;
      this.groups.set(frame, group);
      for (const s of shapes) s.group = group;
    }
    frame.shapes.push(...shapes);
  }

  addTag(frame: FrameAnnotations, tag: DatasetTag): void {
    frame.tags.push(tag);
  }

  result(): ParsedDataset {
    const labels: DatasetLabel[] = [...this.labels.values()].map((d) => {
      const label: DatasetLabel = { name: d.name, type: d.type, attributes: [...d.attributes].map(([name, seen]) => inferSpec(name, seen)) };
      if (d.type === 'skeleton') {
        label.sublabels = d.points.map((name) => ({ name, type: 'points', attributes: [] }));
        label.svg = skeletonSvg(d.points, d.edges, d.positions);
      }
      return label;
    });
    // CVAT numbers images over the whole export in frame order, across subsets; files are read
    // in path order, so image ids restore the frames' order.
    const frames = [...this.frames.values()].sort((a, b) => a.imageId - b.imageId || a.seen - b.seen).map((e) => e.frame);
    return { labels, frames, tracks: [] };
  }
}

/**
 * An attribute spec from the values seen: booleans make a checkbox, integers a number with
 * their range, anything else text.
 */
function inferSpec(name: string, seen: AttributeSeen): AttributeSpec {
  if (seen.booleans > 0 && seen.numbers === 0 && seen.strings === 0) {
    return { name, mutable: false, input_type: 'checkbox', default_value: 'false', values: ['false'] };
  }
  if (seen.numbers > 0 && seen.booleans === 0 && seen.strings === 0 && seen.integersOnly) {
    return { name, mutable: false, input_type: 'number', default_value: String(seen.min), values: [String(seen.min), String(seen.max), '1'] };
  }
  return { name, mutable: false, input_type: 'text', default_value: '', values: [] };
}
