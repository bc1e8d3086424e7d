/**
 * Reading one COCO JSON file into the builder, as Datumaro's COCO extractors read each task:
 *
 * - instances / stuff: polygons (several in one annotation share a group), RLE masks (counts as
 *   a list or as COCO's compressed string), and boxes for annotations without segmentation.
 * - person_keypoints: one skeleton per annotation; points are named by the category's
 *   `keypoints`; where the list is short (Datumaro's own files leave it empty), by the target
 *   task's skeleton of that name, else by their 1-based position. `skeleton` edges are 1-based; lists that use 0 are taken as 0-based.
 *   An annotation's box and segmentation are not read (CVAT drops them too).
 * - labels: tags. image_info, captions: images only (captions have no place in the model).
 * - CVAT's `attributes` come back: occluded, rotation (rectangles), track_id with keyframe,
 *   outside and source set the shape's fields; the rest become attribute values (booleans as
 *   "true"/"false", numbers as JS prints them). Shapes carrying track_id keep it with keyframe
 *   for the caller to rebuild tracks once frames are matched, as CVAT's import does.
 * - `score` becomes the shape's score; `iscrowd` is checked but not kept (CVAT keeps it only for
 *   labels that have an is_crowd attribute); source is "file" unless the attributes name one.
 * - An RLE mask with no pixel set is skipped: there is nothing to draw.
 */
import type { DatasetShape, FrameAnnotations } from '../model.js';
import { SOURCES, type Source } from '../../annotations/types.js';
import type { DatasetBuilder } from './builder.js';
import { child, JsonReader, type JsonObject } from './json.js';
import { countsToRuns, decodeCountsString, runsToCvatMask } from './rle.js';
import { layoutFromKeypoints } from './skeleton.js';

export type FileKind = 'instances' | 'person_keypoints' | 'labels' | 'image_info' | 'captions' | 'panoptic' | 'stuff';

export interface CocoFile {
  path: string;
  kind: FileKind;
  /** undefined for CVAT's "default" subset. */
  subset: string | undefined;
}

interface Category {
  id: number;
  name: string;
}

/** Common per-file state. */
export interface FileContext {
  r: JsonReader;
  file: CocoFile;
  builder: DatasetBuilder;
  categories: Map<number, Category>;
  images: Map<number, FrameAnnotations>;
}

/**
 * A file's annotations, visited in order: the parsed array, or chunks parsed as they are visited
 * (coco/json-file.ts) so that a file of a million annotations is never held parsed whole.
 */
export interface AnnotationList {
  /** `last`: no visit follows, so each record may be let go once visited. */
  each(visit: (value: unknown, index: number) => void, last?: boolean): void;
}

export function arrayList(values: unknown[]): AnnotationList {
  return {
    each(visit, last = false) {
      values.forEach((value, i) => {
        if (last) values[i] = null;
        visit(value, i);
      });
    },
  };
}

/**
 * Reads a file's categories and images; its annotations are read by the caller's kind. The
 * annotations list is visited here only where categories need it (keypoint counts, skeleton
 * points named by other categories).
 */
export function openCocoFile(file: CocoFile, json: unknown, list: AnnotationList | null, builder: DatasetBuilder): { fc: FileContext; annotations: AnnotationList } {
  const r = new JsonReader(file.path);
  const root = r.object(json, '');
  const annotations = list ?? ('annotations' in root ? arrayList(r.array(root.annotations, 'annotations')) : arrayList([]));
  const fc: FileContext = { r, file, builder, categories: readCategories(r, root, file.kind, annotations, builder), images: new Map() };
  readImages(fc, r.array(r.field(root, 'images', ''), 'images'));
  return { fc, annotations };
}

/** Annotations of every kind but panoptic (see panoptic.ts). */
export function readAnnotations(fc: FileContext, annotations: AnnotationList): void {
  const { r, file, builder } = fc;
  annotations.each((value, i) => {
    const path = `annotations[${i}]`;
    const ann = r.object(value, path);
    const frame = imageOf(fc, ann, path);
    switch (file.kind) {
      case 'instances':
      case 'stuff':
        builder.addShapes(frame, instanceShapes(fc, ann, path, frame));
        break;
      case 'person_keypoints':
        builder.addShapes(frame, skeletonShape(fc, ann, path));
        break;
      case 'labels': {
        const label = categoryOf(fc, ann, path).name;
        const props = readProperties(fc, ann, path, label);
        builder.addTag(frame, { label, group: 0, source: props.source, attributes: props.attributes });
        break;
      }
      case 'captions':
        if ('caption' in ann) r.string(ann.caption, child(path, 'caption'));
        break;
      case 'image_info':
      case 'panoptic':
        break;
    }
  }, true);
}

function readCategories(r: JsonReader, root: JsonObject, kind: FileKind, annotations: AnnotationList, builder: DatasetBuilder): Map<number, Category> {
  const out = new Map<number, Category>();
  if (kind === 'image_info' || kind === 'captions') return out;
  const list = r.array(r.field(root, 'categories', ''), 'categories');
  const parsed = list.map((value, i) => {
    const path = `categories[${i}]`;
    const c = r.object(value, path);
    const id = r.integer(r.field(c, 'id', path), child(path, 'id'));
    const name = r.string(r.field(c, 'name', path), child(path, 'name'));
    if (!name) r.fail(child(path, 'name'), 'category name is empty');
    if (out.has(id)) r.fail(child(path, 'id'), `duplicate category id ${id}`);
    const supercategory = typeof c.supercategory === 'string' ? c.supercategory : '';
    const category = { id, name };
    out.set(id, category);
    return { category, c, path, supercategory };
  });
  const names = new Set(parsed.map((p) => p.category.name));
  const pointLike = (supercategory: string, name: string) => supercategory !== '' && supercategory !== name && names.has(supercategory);
  const used = parsed.some((p) => pointLike(p.supercategory, p.category.name)) ? usedCategories(annotations) : new Set<number>();
  const points = kind === 'person_keypoints' ? keypointStats(annotations) : null;
  // Datumaro orders labels by category id.
  for (const { category, c, path, supercategory } of [...parsed].sort((a, b) => a.category.id - b.category.id)) {
    if (points) {
      declareSkeleton(r, builder, category, c, path, points.get(category.id));
      continue;
    }
    // CVAT lists a skeleton's points as categories under the skeleton's name; unused, they
    // would only add stray labels.
    if (!pointLike(supercategory, category.name) || used.has(category.id)) builder.label(category.name);
  }
  return out;
}

function usedCategories(annotations: AnnotationList): Set<number> {
  const used = new Set<number>();
  const note = (v: unknown) => {
    if (typeof v === 'object' && v !== null && typeof (v as JsonObject).category_id === 'number') used.add((v as JsonObject).category_id as number);
  };
  annotations.each((a) => {
    note(a);
    const segments = typeof a === 'object' && a !== null ? (a as JsonObject).segments_info : undefined;
    if (Array.isArray(segments)) segments.forEach(note);
  });
  return used;
}

interface KeypointStats {
  count: number;
  best: Array<{ x: number; y: number; visible: boolean }>;
}

/** Per category: the most points any annotation has, and the annotation showing the most. */
function keypointStats(annotations: AnnotationList): Map<number, KeypointStats> {
  const out = new Map<number, KeypointStats>();
  annotations.each((a) => {
    if (typeof a !== 'object' || a === null) return;
    const { category_id: id, keypoints } = a as JsonObject;
    if (typeof id !== 'number' || !Array.isArray(keypoints)) return;
    const pts: KeypointStats['best'] = [];
    for (let i = 0; i + 2 < keypoints.length; i += 3) {
      const [x, y, v] = keypoints.slice(i, i + 3);
      pts.push({ x: Number(x), y: Number(y), visible: Number(v) > 0 && Number.isFinite(Number(x)) && Number.isFinite(Number(y)) });
    }
    const stats = out.get(id) ?? { count: 0, best: [] };
    stats.count = Math.max(stats.count, pts.length);
    if (pts.filter((p) => p.visible).length > stats.best.filter((p) => p.visible).length) stats.best = pts;
    out.set(id, stats);
  });
  return out;
}

function declareSkeleton(r: JsonReader, builder: DatasetBuilder, category: Category, c: JsonObject, path: string, stats: KeypointStats | undefined): void {
  const names = 'keypoints' in c ? r.array(c.keypoints, child(path, 'keypoints')).map((v, j) => r.string(v, `${path}.keypoints[${j}]`)) : [];
  names.forEach((n, j) => {
    if (names.indexOf(n) !== j) r.fail(`${path}.keypoints[${j}]`, `duplicate keypoint name "${n}"`);
  });
  // Points the file leaves unnamed take the task's names for them, else their position.
  const known = builder.taskPoints(category.name);
  for (let i = names.length; i < (stats?.count ?? 0); i++) {
    let name = known[i] ?? String(i + 1);
    while (names.includes(name)) name += '_';
    names.push(name);
  }
  if (names.length === 0) {
    builder.label(category.name);
    return;
  }
  const pairs = 'skeleton' in c ? r.array(c.skeleton, child(path, 'skeleton')) : [];
  const edges = pairs.map((value, j): [number, number] => {
    const p = `${path}.skeleton[${j}]`;
    const pair = r.array(value, p);
    if (pair.length !== 2) r.fail(p, `an edge needs 2 point indexes, got ${pair.length}`);
    return [r.integer(pair[0], `${p}[0]`), r.integer(pair[1], `${p}[1]`)];
  });
  const shift = edges.some(([a, b]) => a === 0 || b === 0) ? 1 : 0;
  edges.forEach((e, j) => {
    e[0] += shift;
    e[1] += shift;
    if (e.some((v) => v < 1 || v > names.length)) r.fail(`${path}.skeleton[${j}]`, `edge [${e[0] - shift}, ${e[1] - shift}] names a point outside 1..${names.length}`);
  });
  builder.skeleton(category.name, names, edges, layoutFromKeypoints(stats?.best ?? []));
}

function readImages(fc: FileContext, list: unknown[]): void {
  const { r } = fc;
  list.forEach((value, i) => {
    const path = `images[${i}]`;
    const o = r.object(value, path);
    const id = r.integer(r.field(o, 'id', path), child(path, 'id'));
    if (fc.images.has(id)) r.fail(child(path, 'id'), `duplicate image id ${id}`);
    const name = r.string(r.field(o, 'file_name', path), child(path, 'file_name'));
    if (!name) r.fail(child(path, 'file_name'), 'file_name is empty');
    // Datumaro treats absent, null or 0 sizes as unknown.
    const size = (key: string) => {
      if (o[key] === undefined || o[key] === null) return 0;
      const v = r.integer(o[key], child(path, key));
      if (v < 0) r.fail(child(path, key), `negative ${key} ${v}`);
      return v;
    };
    fc.images.set(id, fc.builder.frame(fc.file.subset, name.replace(/\\/g, '/'), size('width'), size('height'), id));
  });
}

export function imageOf(fc: FileContext, ann: JsonObject, path: string): FrameAnnotations {
  const p = child(path, 'image_id');
  const id = fc.r.integer(fc.r.field(ann, 'image_id', path), p);
  const frame = fc.images.get(id);
  if (!frame) fc.r.fail(p, `unknown image id ${id}`);
  return frame;
}

export function categoryOf(fc: FileContext, ann: JsonObject, path: string): Category {
  const p = child(path, 'category_id');
  const id = fc.r.integer(fc.r.field(ann, 'category_id', path), p);
  const category = fc.categories.get(id);
  if (!category) fc.r.fail(p, `unknown category id ${id}`);
  return category;
}

interface Properties {
  attributes: Record<string, string>;
  occluded: boolean;
  outside: boolean;
  rotation: number;
  source: Source;
  track?: { id: number; keyframe: boolean };
  score?: number;
}

function truthy(v: unknown): boolean {
  return v === true || v === 1 || (typeof v === 'string' && ['true', '1'].includes(v.toLowerCase()));
}

/** The annotation's `attributes` and `score`, split into shape fields and attribute values. */
function readProperties(fc: FileContext, ann: JsonObject, path: string, label: string): Properties {
  const { r } = fc;
  const out: Properties = { attributes: {}, occluded: false, outside: false, rotation: 0, source: 'file' };
  if ('score' in ann) out.score = r.number(ann.score, child(path, 'score'));
  if (!('attributes' in ann)) return out;
  const apath = child(path, 'attributes');
  const attrs = r.object(ann.attributes, apath);
  let trackId: number | undefined, keyframe: boolean | undefined;
  for (const [key, value] of Object.entries(attrs)) {
    const p = child(apath, key);
    if (key === 'occluded') out.occluded = truthy(value);
    else if (key === 'outside') out.outside = truthy(value);
    else if (key === 'keyframe') keyframe = truthy(value);
    else if (key === 'rotation') out.rotation = r.number(value, p);
    else if (key === 'track_id') {
      trackId = r.integer(value, p);
      if (trackId < 0) r.fail(p, `negative track id ${trackId}`);
    } else if (key === 'source' && typeof value === 'string' && (SOURCES as readonly string[]).includes(value.toLowerCase())) {
      out.source = value.toLowerCase() as Source;
    } else {
      if (typeof value === 'number') r.number(value, p);
      else if (typeof value !== 'string' && typeof value !== 'boolean') r.fail(p, 'attribute values must be strings, numbers or booleans');
      out.attributes[key] = String(value);
      fc.builder.attribute(label, key, value);
    }
  }
  // CVAT rebuilds tracks only from shapes that say whether they are keyframes.
  if (trackId !== undefined && keyframe !== undefined) out.track = { id: trackId, keyframe };
  return out;
}

function shapeOf(props: Properties, label: string, type: DatasetShape['type'], points: number[]): DatasetShape {
  const shape: DatasetShape = {
    type, points, label, group: 0, source: props.source, attributes: props.attributes,
    rotation: type === 'rectangle' ? props.rotation : 0, occluded: props.occluded, outside: props.outside, z_order: 0,
  };
  if (props.score !== undefined) shape.score = props.score;
  if (props.track) {
    shape.track_id = props.track.id;
    shape.keyframe = props.track.keyframe;
  }
  return shape;
}

function numbers(fc: FileContext, value: unknown, path: string): number[] {
  return fc.r.array(value, path).map((v, i) => fc.r.number(v, `${path}[${i}]`));
}

function readBbox(fc: FileContext, ann: JsonObject, path: string): [number, number, number, number] {
  const p = child(path, 'bbox');
  const box = numbers(fc, fc.r.field(ann, 'bbox', path), p);
  if (box.length !== 4) fc.r.fail(p, `bbox needs 4 numbers [x, y, width, height], got ${box.length}`);
  if (box[2]! < 0 || box[3]! < 0) fc.r.fail(p, `bbox has a negative ${box[2]! < 0 ? 'width' : 'height'}`);
  return box as [number, number, number, number];
}

function instanceShapes(fc: FileContext, ann: JsonObject, path: string, frame: FrameAnnotations): DatasetShape[] {
  const { r } = fc;
  const label = categoryOf(fc, ann, path).name;
  if ('iscrowd' in ann) {
    const c = ann.iscrowd;
    if (c !== 0 && c !== 1 && typeof c !== 'boolean') r.fail(child(path, 'iscrowd'), 'iscrowd must be 0 or 1');
  }
  const box = 'bbox' in ann ? readBbox(fc, ann, path) : undefined;
  const props = readProperties(fc, ann, path, label);
  const spath = child(path, 'segmentation');
  const seg = ann.segmentation;
  const emptyList = Array.isArray(seg) && (seg.length === 0 || (seg.length === 1 && Array.isArray(seg[0]) && seg[0].length === 0));
  if (seg === undefined || seg === null || emptyList) {
    const [x, y, w, h] = box ?? readBbox(fc, ann, path);
    return [shapeOf(props, label, 'rectangle', [x, y, x + w, y + h])];
  }
  if (Array.isArray(seg)) {
    return seg.map((poly, j) => {
      const points = numbers(fc, poly, `${spath}[${j}]`);
      if (points.length % 2 !== 0 || points.length < 6) {
        r.fail(`${spath}[${j}]`, `a polygon needs at least 3 x, y pairs, got ${points.length} numbers`);
      }
      return shapeOf(props, label, 'polygon', points);
    });
  }
  const mask = readRle(fc, r.object(seg, spath), spath, frame);
  return mask ? [shapeOf(props, label, 'mask', mask)] : [];
}

/** An RLE segmentation as a CVAT mask; null when no pixel is set. */
function readRle(fc: FileContext, rle: JsonObject, path: string, frame: FrameAnnotations): number[] | null {
  const { r } = fc;
  const sizePath = child(path, 'size');
  const size = r.array(r.field(rle, 'size', path), sizePath).map((v, i) => r.integer(v, `${sizePath}[${i}]`));
  const [height = 0, width = 0] = size;
  if (size.length !== 2 || height < 0 || width < 0) r.fail(sizePath, 'size must be [height, width]');
  const image = frame.image;
  if (image.width > 0 && image.height > 0 && (image.width !== width || image.height !== height)) {
    r.fail(sizePath, `mask size [${height}, ${width}] does not match the image's [${image.height}, ${image.width}]`);
  }
  if (!(image.width > 0 && image.height > 0)) {
    image.width = width;
    image.height = height;
  }
  const cpath = child(path, 'counts');
  const raw = r.field(rle, 'counts', path);
  let counts: number[];
  if (typeof raw === 'string') {
    const decoded = decodeCountsString(raw);
    counts = typeof decoded === 'string' ? r.fail(cpath, decoded) : decoded;
  } else {
    counts = r.array(raw, cpath).map((v, i) => {
      const c = r.integer(v, `${cpath}[${i}]`);
      if (c < 0) r.fail(`${cpath}[${i}]`, `negative run length ${c}`);
      return c;
    });
  }
  const runs = countsToRuns(counts, height * width) ?? r.fail(cpath, `runs cover more than the ${height * width} pixels of a ${height}x${width} mask`);
  return runsToCvatMask(runs, height);
}

/** The annotation's skeleton; none when its category has no points at all. */
function skeletonShape(fc: FileContext, ann: JsonObject, path: string): DatasetShape[] {
  const { r } = fc;
  const label = categoryOf(fc, ann, path).name;
  const kpath = child(path, 'keypoints');
  const values = numbers(fc, r.field(ann, 'keypoints', path), kpath);
  if (values.length % 3 !== 0) r.fail(kpath, `keypoints need x, y, visibility triples, got ${values.length} numbers`);
  const props = readProperties(fc, ann, path, label);
  const names = fc.builder.label(label).points;
  if (names.length === 0) return [];
  const elements = names.map((name, i): DatasetShape => {
    const [x = 0, y = 0, v = 0] = values.slice(3 * i, 3 * i + 3);
    if (![0, 1, 2].includes(v)) r.fail(`${kpath}[${3 * i + 2}]`, `visibility must be 0, 1 or 2, got ${v}`);
    const element: DatasetShape = {
      type: 'points', points: [x, y], label: name, group: 0, source: props.source, attributes: {},
      rotation: 0, occluded: v === 1, outside: v === 0, z_order: 0,
    };
    if (props.track) {
      element.track_id = props.track.id;
      element.keyframe = props.track.keyframe;
    }
    return element;
  });
  const shape = shapeOf(props, label, 'skeleton', []);
  shape.elements = elements;
  return [shape];
}
