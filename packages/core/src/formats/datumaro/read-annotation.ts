/**
 * One Datumaro annotation as a dataset object. CVAT keeps its own fields in the attributes
 * (occluded, outside, keyframe, track_id, rotation, source; score is Datumaro's); the rest are
 * the label's attribute values, turned into strings as CVAT's importer does.
 */
import { SOURCES, type ShapeType, type Source } from '../../annotations/types.js';
import type { AttributeMap, DatasetShape, DatasetTag } from '../model.js';
import type { CategoryLabel } from './read-labels.js';
import { cocoCountsToCvat, decodeCounts } from './coco-rle.js';
import { boxToEllipse } from './geometry.js';
import type { JsonObject, JsonValues } from './json-values.js';

interface Fields {
  user: AttributeMap;
  occluded: boolean;
  outside: boolean;
  keyframe?: boolean;
  trackId?: number;
  rotation: number;
  source: Source;
  score?: number;
}

export type ReadAnnotation =
  | { kind: 'tag'; tag: DatasetTag }
  | {
      kind: 'shape';
      shape: DatasetShape;
      trackId?: number;
      keyframe?: boolean;
      /** Each skeleton point's own keyframe flag, when written. */
      elementKeyframes?: Array<boolean | undefined>;
    }
  | { kind: 'skipped'; type: string };

const TYPES: Readonly<Record<string, ShapeType>> = {
  bbox: 'rectangle',
  polygon: 'polygon',
  polyline: 'polyline',
  points: 'points',
  ellipse: 'ellipse',
  cuboid_2d: 'cuboid',
  mask: 'mask',
  skeleton: 'skeleton',
};

function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return '';
  return JSON.stringify(v);
}

function fields(j: JsonValues, a: JsonObject, path: string): Fields {
  const out: Fields = { user: {}, occluded: false, outside: false, rotation: 0, source: 'manual' };
  const attrs = a.attributes === undefined || a.attributes === null ? {} : j.object(a.attributes, `${path}.attributes`);
  for (const [k, v] of Object.entries(attrs)) {
    const p = `${path}.attributes.${k}`;
    switch (k) {
      case 'occluded':
        out.occluded = j.flag(v, p);
        break;
      case 'outside':
        out.outside = j.flag(v, p);
        break;
      case 'keyframe':
        out.keyframe = j.flag(v, p);
        break;
      case 'track_id':
        out.trackId = j.int(v, p);
        break;
      case 'rotation':
        out.rotation = j.number(v, p);
        break;
      case 'score':
        out.score = j.number(v, p);
        break;
      case 'source': {
        const s = typeof v === 'string' ? v.toLowerCase() : '';
        if ((SOURCES as readonly string[]).includes(s)) out.source = s as Source;
        break;
      }
      default:
        out.user[k] = valueText(v);
    }
  }
  return out;
}

export class AnnotationReader {
  constructor(private readonly j: JsonValues, private readonly categories: readonly CategoryLabel[]) {}

  private label(a: JsonObject, path: string): CategoryLabel {
    if (a.label_id === undefined || a.label_id === null) return { name: '' };
    const id = this.j.int(a.label_id, `${path}.label_id`, 0);
    const c = this.categories[id];
    if (!c) this.j.fail(`${path}.label_id`, `label ${id} is not in categories.label (${this.categories.length} labels)`);
    return c;
  }

  read(v: unknown, path: string, image: { width: number; height: number }): ReadAnnotation {
    const j: JsonValues = this.j;
    const a = j.object(v, path);
    const typeName = j.string(a.type, `${path}.type`);
    const group = j.opt(a, 'group', path, (x, p) => j.int(x, p, 0)) ?? 0;
    if (typeName === 'label') {
      const f = fields(j, a, path);
      return { kind: 'tag', tag: { label: this.label(a, path).name, group, source: f.source, attributes: f.user } };
    }
    const type = TYPES[typeName];
    // Captions, 3D cuboids and the like have no place in the model; CVAT skips them too.
    if (!type) return { kind: 'skipped', type: typeName };
    const f = fields(j, a, path);
    const label = this.label(a, path).name;
    const shape: DatasetShape = {
      label,
      group,
      source: f.source,
      attributes: f.user,
      type,
      points: this.points(type, a, path, image),
      rotation: f.rotation,
      occluded: f.occluded,
      outside: f.outside,
      z_order: j.opt(a, 'z_order', path, j.int) ?? 0,
    };
    if (f.score !== undefined) shape.score = f.score;
    const out: ReadAnnotation = { kind: 'shape', shape };
    if (type === 'skeleton') {
      const elements = j.array(a.elements ?? [], `${path}.elements`).map((e, i) => this.element(e, `${path}.elements[${i}]`));
      shape.elements = elements.map((e) => e.shape);
      out.elementKeyframes = elements.map((e) => e.keyframe);
    }
    if (f.trackId !== undefined) out.trackId = f.trackId;
    if (f.keyframe !== undefined) out.keyframe = f.keyframe;
    return out;
  }

  private points(type: ShapeType, a: JsonObject, path: string, image: { width: number; height: number }): number[] {
    const j: JsonValues = this.j;
    switch (type) {
      case 'rectangle': {
        const [x, y, w, h] = j.numbers(a.bbox, `${path}.bbox`, 4) as [number, number, number, number];
        return [x, y, x + w, y + h];
      }
      case 'ellipse':
        return boxToEllipse(j.numbers(a.points, `${path}.points`, 4));
      case 'cuboid':
        return j.array(a.points, `${path}.points`).flatMap((p, i) => j.numbers(p, `${path}.points[${i}]`, 2));
      case 'mask':
        return this.mask(a, path, image);
      case 'skeleton':
        return [];
      default: {
        const p = j.numbers(a.points, `${path}.points`);
        if (p.length < 2 || p.length % 2 !== 0) j.fail(`${path}.points`, 'must hold x, y pairs');
        return p;
      }
    }
  }

  private mask(a: JsonObject, path: string, image: { width: number; height: number }): number[] {
    const j: JsonValues = this.j;
    const rle = j.object(a.rle, `${path}.rle`);
    const [height, width] = j.numbers(rle.size, `${path}.rle.size`, 2) as [number, number];
    if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) j.fail(`${path}.rle.size`, 'must be [height, width], positive integers');
    if (image.width > 0 && image.height > 0 && (width !== image.width || height !== image.height)) {
      j.fail(`${path}.rle.size`, `is ${height}x${width}, the image is ${image.height}x${image.width}`);
    }
    const counts = typeof rle.counts === 'string' ? decodeCounts(rle.counts) : j.numbers(rle.counts, `${path}.rle.counts`);
    if (!counts) j.fail(`${path}.rle.counts`, 'is not a COCO RLE string');
    const total = counts.reduce((s, c) => s + c, 0);
    if (total !== width * height) j.fail(`${path}.rle.counts`, `covers ${total} pixels, the mask has ${width * height}`);
    const points = cocoCountsToCvat(counts, height, width);
    if (!points) j.fail(`${path}.rle`, 'is an empty mask');
    return points;
  }

  private element(v: unknown, path: string): { shape: DatasetShape; keyframe?: boolean } {
    const j: JsonValues = this.j;
    const a = j.object(v, path);
    const type = j.string(a.type, `${path}.type`);
    if (type !== 'points') j.fail(`${path}.type`, `skeleton elements must be points, not "${type}"`);
    const f = fields(j, a, path);
    const points = j.numbers(a.points, `${path}.points`, 2);
    const visibility = j.opt(a, 'visibility', path, j.numbers) ?? [2];
    const vis = visibility[0] ?? 2;
    if (vis !== 0 && vis !== 1 && vis !== 2) j.fail(`${path}.visibility`, 'must be 0 (absent), 1 (hidden) or 2 (visible)');
    const shape: DatasetShape = {
      label: this.label(a, path).name,
      group: j.opt(a, 'group', path, (x, p) => j.int(x, p, 0)) ?? 0,
      source: f.source,
      attributes: f.user,
      type: 'points',
      points,
      rotation: 0,
      occluded: vis === 1 || f.occluded,
      outside: vis === 0,
      z_order: j.opt(a, 'z_order', path, j.int) ?? 0,
    };
    return f.keyframe === undefined ? { shape } : { shape, keyframe: f.keyframe };
  }
}
