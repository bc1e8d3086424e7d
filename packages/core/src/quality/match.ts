/**
 * One frame of a job against the same frame of the ground truth, kind by kind as CVAT's
 * comparator does: boxes with boxes, points with points, polygons and masks together, lines,
 * skeletons, tags, ellipses. Geometry decides the pairs (optimal assignment over similarities
 * within iou_threshold); labels then split them into matches and mismatching labels.
 */
import type { Box } from '../annotations/geometry.js';
import { matchObjects, type ObjectMatch } from './assign.js';
import type { FrameObject, ObjectKind } from './objects.js';
import type { Runs } from './raster.js';
import type { QualitySettings } from './settings.js';
import { ellipseReach, ellipseSimilarity } from './similarity/ellipses.js';
import { lineReach, lineSimilarity } from './similarity/lines.js';
import { pointsSimilarity } from './similarity/points.js';
import { rectangleReach, rectangleSimilarity } from './similarity/boxes.js';
import { segmentInstances, segmentSimilarity, type SegmentInstance } from './similarity/segments.js';
import { skeletonSimilarity, skeletonVector, type SkeletonVector } from './similarity/skeletons.js';
import { TAG_THRESHOLD, tagSimilarity } from './similarity/tags.js';
import { overlappingPairs } from './spatial.js';

export interface FrameContext {
  width: number;
  height: number;
  settings: QualitySettings;
  /** Skeleton label id -> its sublabel ids in schema order. */
  skeletonPoints: ReadonlyMap<number, readonly number[]>;
}

export interface MatchedPair {
  gt: FrameObject;
  ds: FrameObject;
  similarity: number;
}

export interface FrameMatch {
  /** Pairs with the same label, then pairs with different labels; shapes and tags. */
  matches: MatchedPair[];
  mismatches: MatchedPair[];
  gtUnmatched: FrameObject[];
  dsUnmatched: FrameObject[];
  /** Best similarity each unmatched shape reached with any shape of the other side. */
  closest: Map<FrameObject, number>;
  /** Rasters made on the way (the job's side is reused for covered_annotation). */
  rasters: Map<FrameObject, Runs>;
}

const ZERO_BOX: Box = { xmin: 0, ymin: 0, xmax: 0, ymax: 0 };

/** Each object's group box (datumaro max_bbox over the group; an ungrouped object's own box). */
export function groupBoxes(objects: readonly FrameObject[]): Map<FrameObject, Box> {
  const byGroup = new Map<number, Box>();
  for (const o of objects) {
    if (o.group === 0 || !o.box) continue;
    const b = byGroup.get(o.group);
    byGroup.set(o.group, b ? { xmin: Math.min(b.xmin, o.box.xmin), ymin: Math.min(b.ymin, o.box.ymin), xmax: Math.max(b.xmax, o.box.xmax), ymax: Math.max(b.ymax, o.box.ymax) } : o.box);
  }
  const out = new Map<FrameObject, Box>();
  for (const o of objects) out.set(o, (o.group === 0 ? o.box : byGroup.get(o.group)) ?? ZERO_BOX);
  return out;
}

function ofKind(objects: readonly FrameObject[], ...kinds: ObjectKind[]): FrameObject[] {
  const out: FrameObject[] = [];
  for (const k of kinds) for (const o of objects) if (o.kind === k) out.push(o);
  return out;
}

function byReach<T>(gt: readonly T[], ds: readonly T[], reach: (o: T) => Box): Array<[number, number]> {
  return overlappingPairs(gt.map(reach), ds.map(reach));
}

function matchSegments(gt: readonly FrameObject[], ds: readonly FrameObject[], ctx: FrameContext, rasters: Map<FrameObject, Runs>): ObjectMatch<FrameObject> {
  const panoptic = ctx.settings.panoptic_comparison;
  const gtCache = new Map<FrameObject, Runs>();
  const a = segmentInstances(ofKind(gt, 'polygon', 'mask'), ctx.width, ctx.height, panoptic, gtCache);
  const b = segmentInstances(ofKind(ds, 'polygon', 'mask'), ctx.width, ctx.height, panoptic, rasters);
  const r = matchObjects<SegmentInstance>(a, b, byReach(a, b, (i) => i.box), segmentSimilarity, ctx.settings.iou_threshold);
  // Back to annotations: every part of one object pairs with every part of the other (CVAT's product).
  const best = new Map<FrameObject, number>();
  for (const [inst, s] of r.best) for (const p of inst.parts) best.set(p, s);
  return {
    pairs: r.pairs.flatMap((p) => p.a.parts.flatMap((x) => p.b.parts.map((y) => ({ a: x, b: y, similarity: p.similarity })))),
    aUnmatched: r.aUnmatched.flatMap((i) => i.parts),
    bUnmatched: r.bUnmatched.flatMap((i) => i.parts),
    best,
  };
}

function matchPoints(gt: readonly FrameObject[], ds: readonly FrameObject[], ctx: FrameContext): ObjectMatch<FrameObject> {
  const a = ofKind(gt, 'points'), b = ofKind(ds, 'points');
  if (!a.length && !b.length) return { pairs: [], aUnmatched: [], bUnmatched: [], best: new Map() };
  const ga = groupBoxes(gt), gb = groupBoxes(ds);
  const s = ctx.settings;
  const opts = { sigma: s.oks_sigma, sizeBase: s.point_size_base, imageArea: ctx.width * ctx.height, threshold: s.iou_threshold };
  // OKS with the image as scale reaches far: every pair is scored.
  return matchObjects(a, b, 'all', (x, y) => pointsSimilarity(x.points, y.points, ga.get(x)!, gb.get(y)!, opts), s.iou_threshold);
}

function matchSkeletons(gt: readonly FrameObject[], ds: readonly FrameObject[], ctx: FrameContext): ObjectMatch<FrameObject> {
  const vectors = new Map<FrameObject, SkeletonVector>();
  const side = (objects: readonly FrameObject[]) =>
    ofKind(objects, 'skeleton').filter((o) => {
      const order = ctx.skeletonPoints.get(o.label_id) ?? [...new Set(o.elements.map((e) => e.label_id))].sort((p, q) => p - q);
      const v = skeletonVector(o.elements, order);
      if (v) vectors.set(o, v);
      return v !== null;
    });
  const a = side(gt), b = side(ds);
  const ga = groupBoxes(gt), gb = groupBoxes(ds);
  const sigma = ctx.settings.oks_sigma;
  return matchObjects(a, b, overlappingPairs(a.map((o) => ga.get(o)!), b.map((o) => gb.get(o)!)), (x, y) => skeletonSimilarity(vectors.get(x)!, vectors.get(y)!, ga.get(x)!, gb.get(y)!, sigma), ctx.settings.iou_threshold);
}

/** Matches the objects of one frame; `gt` and `ds` in CVAT's order (tags, shapes, tracks). */
export function matchFrame(gt: readonly FrameObject[], ds: readonly FrameObject[], ctx: FrameContext): FrameMatch {
  const s = ctx.settings;
  const thr = s.iou_threshold;
  const rasters = new Map<FrameObject, Runs>();
  const lineOpts = { scale: ctx.width * ctx.height, thickness: s.line_thickness, oriented: false };
  const rect = [ofKind(gt, 'rectangle'), ofKind(ds, 'rectangle')] as const;
  const ell = [ofKind(gt, 'ellipse'), ofKind(ds, 'ellipse')] as const;
  const lines = [ofKind(gt, 'polyline'), ofKind(ds, 'polyline')] as const;
  const tags = [ofKind(gt, 'tag'), ofKind(ds, 'tag')] as const;
  // CVAT's order of kinds: boxes, points, polygons and masks, lines, skeletons, tags, ellipses.
  const results: Array<ObjectMatch<FrameObject>> = [
    matchObjects(rect[0], rect[1], byReach(rect[0], rect[1], rectangleReach), rectangleSimilarity, thr),
    matchPoints(gt, ds, ctx),
    matchSegments(gt, ds, ctx, rasters),
    matchObjects(lines[0], lines[1], byReach(lines[0], lines[1], (o) => lineReach(o.points, lineOpts.scale, lineOpts.thickness)), (x, y) => lineSimilarity(x.points, y.points, lineOpts), thr),
    matchSkeletons(gt, ds, ctx),
    matchObjects(tags[0], tags[1], 'all', tagSimilarity, TAG_THRESHOLD),
    matchObjects(ell[0], ell[1], byReach(ell[0], ell[1], ellipseReach), ellipseSimilarity, thr),
  ];
  const out: FrameMatch = { matches: [], mismatches: [], gtUnmatched: [], dsUnmatched: [], closest: new Map(), rasters };
  for (const r of results) {
    for (const p of r.pairs) (p.a.label_id === p.b.label_id ? out.matches : out.mismatches).push({ gt: p.a, ds: p.b, similarity: p.similarity });
    out.gtUnmatched.push(...r.aUnmatched);
    out.dsUnmatched.push(...r.bUnmatched);
    for (const o of [...r.aUnmatched, ...r.bUnmatched]) if (o.kind !== 'tag') out.closest.set(o, r.best.get(o) ?? 0);
  }
  return out;
}
