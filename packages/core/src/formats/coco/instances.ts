/**
 * One frame's shapes as COCO annotation records, the way CVAT's export (Datumaro's COCO
 * converter) builds them:
 *
 * - rectangles give `bbox` with empty `segmentation`; polygons give polygon segmentation; masks
 *   give uncompressed RLE with `iscrowd` 1; ellipses become masks first (CVAT converts them).
 * - shapes of one group (group != 0) become ONE annotation: its label and attributes are the
 *   largest member's (boxes, then polygons, then masks, first of equal areas wins), its bbox
 *   covers every member, and its segmentation holds every polygon - or, when the largest member
 *   has a mask of its label in the group, one RLE of every polygon and mask together.
 * - `attributes` holds the label's attributes (numbers as floats, checkboxes as booleans), then
 *   occluded, rotation (rectangles), and track_id and keyframe for shapes of tracks.
 * - coordinates are rounded to 2 decimals; `area` is the pixel count pycocotools gives for
 *   polygons and masks, width x height for boxes.
 *
 * Keypoints mode writes skeletons: each alone (group 0, or a group without boxes, polygons or
 * masks) with the bbox of its visible points, or merged into its group's annotation.
 */
import { effectiveDefault } from '../../labels.js';
import type { DatasetShape, ExportReport, FrameAnnotations } from '../model.js';
import { pyFloat, round2 } from './json.js';
import type { LabelEntry, LabelTable } from './labels.js';
import { polygonCounts } from '../polygon-fill.js';
import { ellipseRuns, polygonRuns } from './raster.js';
import { countsBbox, cvatMaskToRuns, runsArea, runsToCounts, unionRuns, type Runs } from './rle.js';

export type CocoTask = 'instances' | 'person_keypoints';

type Box = [number, number, number, number];

interface Member {
  shape: DatasetShape;
  entry: LabelEntry;
  kind: 'bbox' | 'polygon' | 'mask';
  bbox: Box;
  /** What decides the group's leader. */
  area: number;
  polygon?: number[];
  runs?: Runs;
}

const DROPPED_IN_COCO: Record<string, string> = {
  polyline: 'COCO has no polylines',
  points: 'COCO instances have no point sets (use COCO Keypoints with skeletons)',
  cuboid: 'COCO has no cuboids',
};

/** The frame's annotations, each a JSON object without its leading `"id":..,"image_id":..,`. */
export function frameAnnotations(task: CocoTask, frame: FrameAnnotations, table: LabelTable, report: ExportReport): string[] {
  const no = frame.image.frame;
  for (const _tag of frame.tags) report.dropped('tags', no, 'COCO object annotations have no image-level labels');
  // CVAT hands shapes to the converter sorted by z_order (a stable sort); most frames already are.
  const shapes = byZOrder(frame.shapes);
  const { width, height } = frame.image;
  const members: Member[] = [];
  const skeletons: Array<{ shape: DatasetShape; entry: LabelEntry }> = [];
  for (const shape of shapes) {
    const entry = table.byName.get(shape.label);
    if (!entry) {
      report.dropped('shapes with labels missing from the label list', no, `label "${shape.label}" is not declared`);
      continue;
    }
    if (shape.type === 'skeleton') {
      if (task === 'person_keypoints' && entry.layout) skeletons.push({ shape, entry });
      else if (task === 'instances') report.dropped('skeleton shapes', no, 'COCO instances cannot hold skeletons (use COCO Keypoints)');
      else report.dropped('skeleton shapes', no, `label "${shape.label}" is not a skeleton, so it has no points to list`);
      continue;
    }
    const member = toMember(shape, entry, width, height, no, report);
    if (member) members.push(member);
  }
  if (task === 'instances') return instances(members).map((g) => instanceRecord(g, width, height, no, report));

  const out: string[] = [];
  const groupsWithInstances = new Set(members.filter((m) => m.shape.group).map((m) => m.shape.group));
  const solitary = skeletons.filter((k) => !k.shape.group || !groupsWithInstances.has(k.shape.group));
  solitary.sort((a, b) => a.shape.group - b.shape.group);
  for (const k of solitary) out.push(skeletonRecord(k.shape, k.entry, no, report));
  for (const group of instances(members)) {
    const leader = findLeader(group);
    const grouped = leader.shape.group ? skeletons.filter((k) => k.shape.group === leader.shape.group) : [];
    const skeleton = grouped[0];
    if (!skeleton) {
      for (const m of group) report.dropped(`${m.shape.type} shapes without a skeleton in their group`, no, 'COCO Keypoints writes skeletons and the shapes grouped with them');
      continue;
    }
    for (const _extra of grouped.slice(1)) report.dropped('skeletons sharing a group with another skeleton', no, 'a COCO annotation holds one skeleton');
    const record = instanceRecord(group, width, height, no, report);
    out.push(`${record.slice(0, -1)},${keypointsFields(skeleton.shape, skeleton.entry, no, report)}}`);
  }
  return out;
}

function byZOrder(shapes: readonly DatasetShape[]): readonly DatasetShape[] {
  let sorted = true;
  for (let i = 1; i < shapes.length && sorted; i++) sorted = shapes[i - 1]!.z_order <= shapes[i]!.z_order;
  if (sorted) return shapes;
  return shapes.map((s, i) => ({ s, i })).sort((a, b) => a.s.z_order - b.s.z_order || a.i - b.i).map((x) => x.s);
}

function toMember(shape: DatasetShape, entry: LabelEntry, width: number, height: number, no: number, report: ExportReport): Member | null {
  switch (shape.type) {
    case 'rectangle': {
      const [x0 = 0, y0 = 0, x1 = 0, y1 = 0] = shape.points;
      // Datumaro stores x, y, x + w, y + h and rounds those.
      const p = [x0, y0, x0 + (x1 - x0), y0 + (y1 - y0)].map(round2) as Box;
      const w = p[2] - p[0], h = p[3] - p[1];
      return { shape, entry, kind: 'bbox', bbox: [p[0], p[1], w, h], area: w * h };
    }
    case 'polygon': {
      if (shape.points.length < 6) {
        report.dropped('polygons with fewer than 3 points', no, 'COCO polygons need 3 points');
        return null;
      }
      const polygon = shape.points.map(round2);
      const bbox = pointsBbox(polygon);
      // Datumaro's Polygon.get_area rasterizes on a canvas reaching the polygon's far corner.
      const counts = polygonCounts(polygon, Math.trunc(bbox[1] + bbox[3]), Math.trunc(bbox[0] + bbox[2]));
      return { shape, entry, kind: 'polygon', bbox, area: oddSum(counts), polygon };
    }
    case 'mask':
    case 'ellipse': {
      const runs = shape.type === 'mask' ? cvatMaskToRuns(shape.points, height, width) : ellipseRuns(shape.points, shape.rotation, height, width);
      const bbox = countsBbox(runsToCounts(runs, width * height), height, width);
      return { shape, entry, kind: 'mask', bbox, area: runsArea(runs), runs };
    }
    case 'polyline':
    case 'points':
    case 'cuboid':
      report.dropped(`${shape.type} shapes`, no, DROPPED_IN_COCO[shape.type]!);
      return null;
    default:
      report.dropped(`${shape.type} shapes`, no, 'COCO cannot express them');
      return null;
  }
}

/** Groups as Datumaro's find_instances forms them: ungrouped shapes alone first, then groups by id. */
function instances(members: Member[]): Member[][] {
  const out: Member[][] = members.filter((m) => !m.shape.group).map((m) => [m]);
  const groups = new Map<number, Member[]>();
  for (const m of members) if (m.shape.group) (groups.get(m.shape.group) ?? groups.set(m.shape.group, []).get(m.shape.group)!).push(m);
  for (const g of [...groups.keys()].sort((a, b) => a - b)) out.push(groups.get(g)!);
  return out;
}

const KIND_ORDER = { bbox: 0, polygon: 1, mask: 2 } as const;

function ordered(group: Member[]): Member[] {
  return group.map((m, i) => ({ m, i })).sort((a, b) => KIND_ORDER[a.m.kind] - KIND_ORDER[b.m.kind] || a.i - b.i).map((x) => x.m);
}

function findLeader(group: Member[]): Member {
  if (group.length === 1) return group[0]!;
  let leader = ordered(group)[0]!;
  for (const m of ordered(group)) if (m.area > leader.area) leader = m;
  return leader;
}

function instanceRecord(group: Member[], width: number, height: number, no: number, report: ExportReport): string {
  const leader = findLeader(group);
  const all = group.length === 1 ? group : ordered(group);
  const polygons = all.filter((m) => m.kind === 'polygon');
  const masks = all.filter((m) => m.kind === 'mask');
  for (const m of group) {
    if (m.shape.type === 'ellipse') report.converted('ellipse shapes', no, 'written as RLE masks (iscrowd 1), as CVAT does');
    if (m !== leader) report.converted('grouped shapes', no, `merged into one annotation labelled "${leader.shape.label}" with its group's largest shape`);
    else if (m.shape.type === 'rectangle' && m.shape.rotation) {
      report.converted('rotated rectangles', no, 'written as the unrotated box, the angle kept in attributes.rotation');
    }
  }
  const bbox = unionBox(all.map((m) => m.bbox));
  let useMasks = crowdAttribute(leader) ?? masks.some((m) => m.shape.label === leader.shape.label);
  if (!useMasks && masks.length > 0) {
    // CVAT traces such masks into polygons with OpenCV; we keep them as pixels.
    report.converted('masks grouped under a non-mask shape', no, 'written with the group as one RLE instead of traced polygons');
    useMasks = true;
  }
  let segmentation = '[]', area = bbox[2] * bbox[3], crowd = 0;
  if (useMasks && (polygons.length > 0 || masks.length > 0)) {
    const runs = unionRuns([...polygons.map((p) => polygonRuns(p.polygon!, height, width)), ...masks.map((m) => m.runs!)]);
    segmentation = `{"counts":[${runsToCounts(runs, width * height).join(',')}],"size":[${height},${width}]}`;
    area = runsArea(runs);
    crowd = 1;
  } else if (polygons.length > 0) {
    segmentation = `[${polygons.map((p) => `[${p.polygon!.map(pyFloat).join(',')}]`).join(',')}]`;
    area = runsArea(unionRuns(polygons.map((p) => polygonRuns(p.polygon!, height, width))));
  }
  return (
    `{"category_id":${leader.entry.categoryId},"segmentation":${segmentation},"area":${pyFloat(area)},` +
    `"bbox":[${bbox.map((v) => pyFloat(round2(v))).join(',')}],"iscrowd":${crowd}` +
    `${scoreField(leader.shape, leader.entry)},"attributes":${attributesJson(leader.shape, leader.entry)}}`
  );
}

function skeletonRecord(shape: DatasetShape, entry: LabelEntry, no: number, report: ExportReport): string {
  const bbox = skeletonBox(shape);
  return (
    `{"category_id":${entry.categoryId},"segmentation":[],"area":${pyFloat(bbox[2] * bbox[3])},` +
    `"bbox":[${bbox.map((v) => pyFloat(round2(v))).join(',')}],"iscrowd":0` +
    `${scoreField(shape, entry)},"attributes":${attributesJson(shape, entry)},${keypointsFields(shape, entry, no, report)}}`
  );
}

/** `"keypoints":[x,y,v,...],"num_keypoints":n` in the order of the label's points. */
function keypointsFields(shape: DatasetShape, entry: LabelEntry, no: number, report: ExportReport): string {
  const names = entry.layout?.names ?? [];
  const byName = new Map<string, DatasetShape>();
  for (const el of shape.elements ?? []) {
    if (names.includes(el.label) && !byName.has(el.label)) byName.set(el.label, el);
    else report.dropped('skeleton points missing from their label', no, `point "${el.label}" is not one of ${entry.label.name}'s points`);
  }
  const values: string[] = [];
  let shown = 0;
  for (const name of names) {
    const el = byName.get(name);
    const v = !el || el.outside ? 0 : el.occluded ? 1 : 2;
    if (v) shown++;
    values.push(`${pyFloat(round2(el?.points[0] ?? 0))},${pyFloat(round2(el?.points[1] ?? 0))},${v}`);
  }
  return `"keypoints":[${values.join(',')}],"num_keypoints":${shown}`;
}

/** Datumaro's Skeleton.get_bbox: the box of the points that are not absent. */
function skeletonBox(shape: DatasetShape): Box {
  const xs: number[] = [], ys: number[] = [];
  for (const el of shape.elements ?? []) {
    if (el.outside || el.points.length < 2) continue;
    xs.push(round2(el.points[0]!));
    ys.push(round2(el.points[1]!));
  }
  if (xs.length === 0) return [0, 0, 0, 0];
  const x0 = Math.min(...xs), y0 = Math.min(...ys);
  return [x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0];
}

function pointsBbox(points: readonly number[]): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    x0 = Math.min(x0, points[i]!);
    x1 = Math.max(x1, points[i]!);
    y0 = Math.min(y0, points[i + 1]!);
    y1 = Math.max(y1, points[i + 1]!);
  }
  return [x0, y0, x1 - x0, y1 - y0];
}

function unionBox(boxes: readonly Box[]): Box {
  if (boxes.length === 1) return boxes[0]!;
  const x0 = Math.min(...boxes.map((b) => b[0])), y0 = Math.min(...boxes.map((b) => b[1]));
  const x1 = Math.max(...boxes.map((b) => b[0] + b[2])), y1 = Math.max(...boxes.map((b) => b[1] + b[3]));
  return [x0, y0, x1 - x0, y1 - y0];
}

function oddSum(counts: readonly number[]): number {
  let s = 0;
  for (let i = 1; i < counts.length; i += 2) s += counts[i]!;
  return s;
}

/** What a label's records need of its attributes, worked out once per label (an export writes millions of records). */
interface LabelAttributes {
  crowd: AttributeSpec | undefined;
  score: AttributeSpec | undefined;
  /** The attributes written under `attributes`, with their JSON keys. */
  written: Array<{ spec: AttributeSpec; key: string }>;
  /** A label attribute named like one the record adds itself: its value is replaced in place (slow path). */
  clash: boolean;
}

type AttributeSpec = LabelEntry['label']['attributes'][number];

const RECORD_ATTRIBUTES = new Set(['occluded', 'rotation', 'track_id', 'keyframe']);
const labelAttributes = new WeakMap<LabelEntry, LabelAttributes>();

function attributesOf(entry: LabelEntry): LabelAttributes {
  let out = labelAttributes.get(entry);
  if (!out) {
    const specs = entry.label.attributes;
    const written = specs.filter((a) => a.name !== 'is_crowd' && a.name !== 'score').map((spec) => ({ spec, key: JSON.stringify(spec.name) }));
    out = {
      crowd: specs.find((a) => a.name === 'is_crowd'),
      score: specs.find((a) => a.name === 'score'),
      written,
      clash: written.some((w) => RECORD_ATTRIBUTES.has(w.spec.name)),
    };
    labelAttributes.set(entry, out);
  }
  return out;
}

/** A checkbox attribute named is_crowd decides between polygons and RLE, as in Datumaro. */
function crowdAttribute(leader: Member): boolean | undefined {
  const spec = attributesOf(leader.entry).crowd;
  if (!spec) return undefined;
  if (spec.input_type !== 'checkbox') return false;
  return (leader.shape.attributes.is_crowd ?? effectiveDefault(spec)).toLowerCase() === 'true';
}

/** A label attribute named score goes to COCO's own `score` field, as Datumaro writes it. */
function scoreField(shape: DatasetShape, entry: LabelEntry): string {
  const spec = attributesOf(entry).score;
  if (!spec) return '';
  const v = Number(shape.attributes.score ?? effectiveDefault(spec));
  return Number.isFinite(v) ? `,"score":${pyFloat(v)}` : '';
}

function attributeValue(spec: AttributeSpec, shape: DatasetShape): string {
  const raw = shape.attributes[spec.name] ?? effectiveDefault(spec);
  if (spec.input_type === 'number') {
    const n = raw.trim() === '' ? NaN : Number(raw);
    if (Number.isFinite(n)) return pyFloat(n);
  } else if (spec.input_type === 'checkbox') return String(raw.toLowerCase() === 'true');
  return JSON.stringify(raw);
}

function attributesJson(shape: DatasetShape, entry: LabelEntry): string {
  const attributes = attributesOf(entry);
  if (!attributes.clash && shape.type !== 'skeleton') {
    let out = '{';
    for (const { spec, key } of attributes.written) out += `${key}:${attributeValue(spec, shape)},`;
    out += `"occluded":${shape.occluded}`;
    if (shape.type === 'rectangle') out += `,"rotation":${pyFloat(shape.rotation)}`;
    if (shape.track_id !== undefined) out += `,"track_id":${shape.track_id},"keyframe":${shape.keyframe ?? false}`;
    return `${out}}`;
  }
  const out = new Map<string, string>();
  for (const { spec } of attributes.written) out.set(spec.name, attributeValue(spec, shape));
  out.set('occluded', String(shape.occluded));
  if (shape.type === 'rectangle') out.set('rotation', pyFloat(shape.rotation));
  if (shape.track_id !== undefined) {
    out.set('track_id', String(shape.track_id));
    out.set('keyframe', String(shape.keyframe ?? false));
  }
  if (shape.type === 'skeleton') {
    // CVAT sets a skeleton's keyframe from its points', which only tracks have.
    const tracked = shape.track_id !== undefined;
    out.set('keyframe', String(tracked && (shape.elements ?? []).some((e) => e.keyframe ?? shape.keyframe ?? false)));
  }
  return `{${[...out].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}
