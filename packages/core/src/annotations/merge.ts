/**
 * A task's annotations from its jobs, as CVAT builds them for GET /api/tasks/{id}/annotations
 * (cvat/apps/dataset_manager/task.py TaskAnnotation.init_from_db, which folds each job into the
 * result with annotation.py AnnotationManager.merge). When segments overlap, each job holds its
 * own copy of the objects on the shared frames; the copies are paired and only one kept.
 *
 * CVAT's rules, job after job in segment order, `boundary` being the first frame after the
 * previous segment (CVAT: start_frame + overlap):
 * - Objects of the new job from `boundary` on are appended as they are.
 * - Tags and shapes of the new job before `boundary` are paired, frame by frame, with those
 *   already merged on that frame by an optimal assignment (Hungarian, like scipy's
 *   linear_sum_assignment) on cost 1 - similarity; a pair counts when its cost is at most 0.25
 *   (similarity ≥ 0.75). The earlier job's object stays, the later one is dropped; unpaired ones
 *   of the new job are appended.
 *   - Tags: similarity 1 for the same label, else 0 (attributes are not compared).
 *   - Shapes: IoU for the same label and the same type, else 0.
 * - Tracks of the new job starting before `boundary` are paired with the merged tracks still
 *   alive there by the same assignment, similarity averaged over the overlap frames: per frame
 *   where either track is visible, the error is 1 if only one is, else 1 - IoU of the two
 *   interpolated shapes; a pair counts when similarity ≥ 0.5. Paired tracks become one whose
 *   keyframes are the union of both, the earlier job's keyframe winning on a frame both have.
 *   Merged tracks left unpaired that are still visible get an outside keyframe at `boundary`
 *   (a copy of their last keyframe, id included, as CVAT's deepcopy does), and so do their
 *   skeleton elements; without that they would run on to the end of the task.
 *
 * Where this goes beyond CVAT (annotation.py's ShapeManager says "FIXME" for these): rotated
 * rectangles are compared with their rotation (CVAT ignores it), ellipses through an inscribed
 * polygon and masks exactly on their RLE (CVAT scores both 0, so it never merges them). Like
 * CVAT, polylines, points, 2D cuboids and skeletons score 0 and are never merged.
 */
import { minCostAssignment } from '../assignment.js';
import {
  boundingBox,
  boxesIntersect,
  boxIoU,
  decodeMask,
  ellipsePolygon,
  isSimplePolygon,
  maskRunsIoU,
  polygonArea,
  rectangleBox,
  rectanglePolygon,
  simplePolygonIoU,
  type Box,
  type MaskRuns,
} from './geometry.js';
import { shapeAt } from './interpolate.js';
import {
  assertNever,
  type Annotations,
  type LabeledShape,
  type LabeledTag,
  type LabeledTrack,
  type ShapeGeometry,
  type SubTrack,
  type TrackedShape,
} from './types.js';

/** One job's annotations with its segment (inclusive frame range). */
export interface SegmentAnnotations {
  start: number;
  stop: number;
  annotations: Pick<Annotations, 'tags' | 'shapes' | 'tracks'>;
}

export interface MergeOptions {
  /** Least IoU for two shapes to be one object (CVAT: cost threshold 0.25, so 0.75). */
  iouThreshold?: number;
  /** Least similarity over the overlap for two tracks to be one object (CVAT: 0.5). */
  trackThreshold?: number;
}

export const SHAPE_IOU_THRESHOLD = 0.75;
export const TRACK_SIMILARITY_THRESHOLD = 0.5;

/**
 * The task's tags, shapes and tracks from its jobs. Pass the jobs CVAT merges: annotation jobs,
 * plus the ground-truth job in tasks whose validation mode is `gt_pool`; order does not matter
 * (they are taken by start frame). Consecutive segments overlap by `previous.stop - start + 1`
 * frames when that is positive. Inputs are not modified; the result shares the input's tag and
 * shape objects and keyframes (tracks are new objects), so treat both as read-only.
 *
 * Objects of a job on frames before its start (not valid job data) are kept, never paired;
 * CVAT silently drops them once there is something to merge.
 */
export function mergeSegments(
  jobs: readonly SegmentAnnotations[],
  options: MergeOptions = {},
): Omit<Annotations, 'version'> {
  const iouThreshold = options.iouThreshold ?? SHAPE_IOU_THRESHOLD;
  const trackThreshold = options.trackThreshold ?? TRACK_SIMILARITY_THRESHOLD;
  const ordered = [...jobs].sort((a, b) => a.start - b.start);
  const tags = new Accumulator<LabeledTag>();
  const shapes = new Accumulator<LabeledShape>();
  const tracks: LabeledTrack[] = [];
  let prevStop = -Infinity;
  for (const job of ordered) {
    const boundary = Math.max(job.start, prevStop + 1);
    mergeFrameObjects(tags, job.annotations.tags, job.start, boundary, matchTags);
    mergeFrameObjects(shapes, job.annotations.shapes, job.start, boundary, (olds, news) =>
      matchShapes(olds, news, iouThreshold),
    );
    mergeTracks(tracks, job.annotations.tracks, job.start, boundary, trackThreshold);
    prevStop = Math.max(prevStop, job.stop);
  }
  return { tags: tags.items, shapes: shapes.items, tracks };
}

// ---------------------------------------------------------------------------------------------
// Similarity

type Prepared =
  | { kind: 'box'; box: Box }
  | { kind: 'polygon'; box: Box; points: number[] }
  | { kind: 'mask'; box: Box; runs: MaskRuns }
  | { kind: 'none' };

const NONE: Prepared = { kind: 'none' };

function polygonPrepared(points: number[]): Prepared {
  return polygonArea(points) > 0 ? { kind: 'polygon', box: boundingBox(points), points } : NONE;
}

/** Geometry a shape is compared by, computed once per shape rather than once per pair. */
function prepare(s: Pick<ShapeGeometry, 'type' | 'points' | 'rotation'>): Prepared {
  switch (s.type) {
    case 'rectangle': {
      if (s.rotation % 360 !== 0) return polygonPrepared(rectanglePolygon(s.points, s.rotation));
      const box = rectangleBox(s.points);
      return box.xmax > box.xmin && box.ymax > box.ymin ? { kind: 'box', box } : NONE;
    }
    case 'polygon':
      // shapely's is_valid, which CVAT requires before comparing polygons.
      return isSimplePolygon(s.points) ? polygonPrepared(s.points) : NONE;
    case 'ellipse':
      return polygonPrepared(ellipsePolygon(s.points, s.rotation));
    case 'mask': {
      const runs = decodeMask(s.points);
      if (runs.area === 0) return NONE;
      const box = { xmin: runs.left, ymin: runs.top, xmax: runs.left + runs.width, ymax: runs.top + runs.height };
      return { kind: 'mask', box, runs };
    }
    case 'polyline':
    case 'points':
    case 'cuboid':
    case 'skeleton':
      return NONE;
    default:
      return assertNever(s.type, 'shape type');
  }
}

function boxCorners(b: Box): number[] {
  return [b.xmin, b.ymin, b.xmax, b.ymin, b.xmax, b.ymax, b.xmin, b.ymax];
}

function preparedIoU(a: Prepared, b: Prepared): number {
  if (a.kind === 'none' || b.kind === 'none') return 0;
  if (!boxesIntersect(a.box, b.box)) return 0;
  if (a.kind === 'box' && b.kind === 'box') return boxIoU(a.box, b.box);
  if (a.kind === 'mask' || b.kind === 'mask') {
    return a.kind === 'mask' && b.kind === 'mask' ? maskRunsIoU(a.runs, b.runs) : 0;
  }
  const pa = a.kind === 'polygon' ? a.points : boxCorners(a.box);
  const pb = b.kind === 'polygon' ? b.points : boxCorners(b.box);
  return simplePolygonIoU(pa, pb);
}

/**
 * How alike two shapes are for merging: IoU for rectangles (rotation included), valid polygons,
 * ellipses and masks of the same type; 0 across types and for polylines, points, cuboids and
 * skeletons, as CVAT's ShapeManager._calc_objects_similarity. Labels are the caller's concern.
 */
export function shapeSimilarity(
  a: Pick<ShapeGeometry, 'type' | 'points' | 'rotation'>,
  b: Pick<ShapeGeometry, 'type' | 'points' | 'rotation'>,
): number {
  if (a.type !== b.type) return 0;
  return preparedIoU(prepare(a), prepare(b));
}

/** A track's visible shapes over a window of frames, prepared for comparison. */
interface TrackSample {
  /** Per frame of the window: null where the track is not visible. */
  frames: Array<{ type: ShapeGeometry['type']; prepared: Prepared } | null>;
  /** Union of the boxes of its comparable shapes in the window; null when there are none. */
  box: Box | null;
}

function sampleTrack(track: { shapes: readonly TrackedShape[] }, from: number, to: number): TrackSample {
  const frames: TrackSample['frames'] = [];
  let box: Box | null = null;
  for (let f = from; f < to; f++) {
    const s = shapeAt(track, f);
    if (!s || s.outside) {
      frames.push(null);
      continue;
    }
    const prepared = prepare(s);
    frames.push({ type: s.type, prepared });
    if (prepared.kind !== 'none') {
      const b = prepared.box;
      box = box
        ? { xmin: Math.min(box.xmin, b.xmin), ymin: Math.min(box.ymin, b.ymin), xmax: Math.max(box.xmax, b.xmax), ymax: Math.max(box.ymax, b.ymax) }
        : { ...b };
    }
  }
  return { frames, box };
}

function sampledSimilarity(a: TrackSample, b: TrackSample): number {
  let count = 0;
  let error = 0;
  for (let k = 0; k < a.frames.length; k++) {
    const sa = a.frames[k], sb = b.frames[k];
    if (sa && sb) {
      error += 1 - (sa.type === sb.type ? preparedIoU(sa.prepared, sb.prepared) : 0);
      count++;
    } else if (sa || sb) {
      error += 1;
      count++;
    }
  }
  // CVAT would score 1 here (1 - 0 / 1); two tracks never visible together are not evidence.
  return count === 0 ? 0 : 1 - error / count;
}

/**
 * CVAT's TrackManager._calc_objects_similarity over frames [from, to): the mean, over frames
 * where either track is visible, of the shapes' similarity (0 where only one is visible).
 * Types must match per frame, as for shapes; labels are the caller's concern.
 */
export function trackSimilarity(
  a: { shapes: readonly TrackedShape[] },
  b: { shapes: readonly TrackedShape[] },
  from: number,
  to: number,
): number {
  return sampledSimilarity(sampleTrack(a, from, to), sampleTrack(b, from, to));
}

// ---------------------------------------------------------------------------------------------
// Assignment

interface Edge {
  i: number; // index among the new job's objects
  j: number; // index among the merged objects
  sim: number;
}

/**
 * Largest part (rows × columns) solved exactly. Parts are small in practice (objects overlapping
 * each other's copies); a crowded frame can chain thousands of boxes into one part through small
 * overlaps, and a dense Hungarian on that costs O(n³) time and n² memory.
 */
const EXACT_CELLS = 1_000_000;

/**
 * Pairs maximising total similarity, then keeps those at or above the threshold: what CVAT gets
 * from linear_sum_assignment on the full cost matrix (cost 1 - similarity, 1 for unrelated
 * objects). Unrelated objects cost the same whatever they are paired with, so the optimum splits
 * into the connected parts of the graph of related pairs; each part is solved on its own.
 */
function assign(nNew: number, nOld: number, edges: readonly Edge[], threshold: number): Array<[number, number]> {
  const maxCost = 1 - threshold;
  const accept = (sim: number) => sim > 0 && 1 - sim <= maxCost;
  const out: Array<[number, number]> = [];
  const solve = (part: Edge[]): void => {
    if (part.length === 1) {
      const e = part[0]!;
      if (accept(e.sim)) out.push([e.i, e.j]);
      return;
    }
    const rows = [...new Set(part.map((e) => e.i))];
    const cols = [...new Set(part.map((e) => e.j))];
    if (rows.length * cols.length > EXACT_CELLS) {
      // Too big to solve exactly: leave out the pairs that could never be kept. CVAT's answer
      // differs only where such a pair would have changed the optimum around it.
      const strong = part.filter((e) => accept(e.sim));
      if (strong.length < part.length) {
        for (const sub of components(nNew, nOld, strong)) solve(sub);
        return;
      }
      // Thousands of near-identical copies stacked on each other: best pairs first.
      const usedRow = new Set<number>(), usedCol = new Set<number>();
      for (const e of [...part].sort((x, y) => y.sim - x.sim)) {
        if (usedRow.has(e.i) || usedCol.has(e.j)) continue;
        usedRow.add(e.i);
        usedCol.add(e.j);
        out.push([e.i, e.j]);
      }
      return;
    }
    const rowOf = new Map(rows.map((r, k) => [r, k]));
    const colOf = new Map(cols.map((c, k) => [c, k]));
    const sim = new Float64Array(rows.length * cols.length);
    for (const e of part) sim[rowOf.get(e.i)! * cols.length + colOf.get(e.j)!] = e.sim;
    for (const [r, c] of maxSimilarityAssignment(sim, rows.length, cols.length)) {
      const s = sim[r * cols.length + c]!;
      if (accept(s)) out.push([rows[r]!, cols[c]!]);
    }
  };
  for (const part of components(nNew, nOld, edges)) solve(part);
  return out;
}

/** Edges grouped by connected part; new objects are nodes 0..nNew-1, merged ones follow. */
function components(nNew: number, nOld: number, edges: readonly Edge[]): Edge[][] {
  const parent = new Int32Array(nNew + nOld);
  for (let k = 0; k < parent.length; k++) parent[k] = k;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (const e of edges) {
    const a = find(e.i), b = find(nNew + e.j);
    if (a !== b) parent[a] = b;
  }
  const parts = new Map<number, Edge[]>();
  for (const e of edges) {
    const root = find(e.i);
    const list = parts.get(root);
    if (list) list.push(e);
    else parts.set(root, [e]);
  }
  return [...parts.values()];
}

/** Optimal assignment on a dense n × m similarity matrix (row-major); pairs as [row, col], by column. */
function maxSimilarityAssignment(sim: Float64Array, n: number, m: number): Array<[number, number]> {
  const colOfRow = minCostAssignment(sim.map((x) => 1 - x), n, m);
  const pairs: Array<[number, number]> = [];
  colOfRow.forEach((c, r) => {
    if (c >= 0) pairs.push([r, c]);
  });
  return pairs.sort((a, b) => a[1] - b[1]);
}

// ---------------------------------------------------------------------------------------------
// Tags and shapes

/**
 * The merged list, in CVAT's order, with the frame range of each job's additions so that a later
 * job only looks at the parts that can reach its frames.
 */
class Accumulator<T extends { frame: number }> {
  readonly items: T[] = [];
  private readonly chunks: Array<{ from: number; to: number; maxFrame: number }> = [];

  add(obj: T): void {
    const last = this.chunks[this.chunks.length - 1];
    if (last && last.to === this.items.length) {
      last.to++;
      last.maxFrame = Math.max(last.maxFrame, obj.frame);
    } else {
      this.chunks.push({ from: this.items.length, to: this.items.length + 1, maxFrame: obj.frame });
    }
    this.items.push(obj);
  }

  /** Merged objects on frames [from, to), by frame. */
  byFrame(from: number, to: number): Map<number, T[]> {
    const out = new Map<number, T[]>();
    for (const c of this.chunks) {
      if (c.maxFrame < from) continue;
      for (let k = c.from; k < c.to; k++) {
        const o = this.items[k]!;
        if (o.frame < from || o.frame >= to) continue;
        const list = out.get(o.frame);
        if (list) list.push(o);
        else out.set(o.frame, [o]);
      }
    }
    return out;
  }

  /** Closes the current chunk, so each job's additions get their own. */
  seal(): void {
    this.chunks.push({ from: this.items.length, to: this.items.length, maxFrame: -Infinity });
  }
}

/** For each of the new job's objects on a frame, whether it pairs with a merged one. */
type FrameMatcher<T> = (olds: readonly T[], news: readonly T[]) => boolean[];

function mergeFrameObjects<T extends { frame: number }>(
  acc: Accumulator<T>,
  incoming: readonly T[],
  start: number,
  boundary: number,
  match: FrameMatcher<T>,
): void {
  const olds = boundary > start ? acc.byFrame(start, boundary) : new Map<number, T[]>();
  acc.seal();
  const shared: T[] = [];
  const sharedByFrame = new Map<number, T[]>();
  for (const o of incoming) {
    if (o.frame >= boundary) {
      acc.add(o);
      continue;
    }
    shared.push(o);
    const list = sharedByFrame.get(o.frame);
    if (list) list.push(o);
    else sharedByFrame.set(o.frame, [o]);
  }
  if (olds.size === 0 || shared.length === 0) {
    for (const o of shared) acc.add(o);
    return;
  }
  for (const [frame, news] of sharedByFrame) {
    const onFrame = olds.get(frame);
    if (!onFrame) {
      for (const o of news) acc.add(o);
      continue;
    }
    const matched = match(onFrame, news);
    news.forEach((o, k) => {
      if (!matched[k]) acc.add(o);
    });
  }
}

/** Tags pair by label alone, in order (all pairs of a label cost the same). */
function matchTags(olds: readonly LabeledTag[], news: readonly LabeledTag[]): boolean[] {
  const available = new Map<number, number>();
  for (const t of olds) available.set(t.label_id, (available.get(t.label_id) ?? 0) + 1);
  return news.map((t) => {
    const left = available.get(t.label_id) ?? 0;
    if (left === 0) return false;
    available.set(t.label_id, left - 1);
    return true;
  });
}

interface Item {
  index: number;
  box: Box;
  prepared: Prepared;
}

/** Pairs of items from `a` and `b` whose boxes overlap, by a sweep over x. */
function overlappingPairs(a: readonly Item[], b: readonly Item[]): Array<[Item, Item]> {
  const events = [...a.map((it) => ({ it, side: 0 })), ...b.map((it) => ({ it, side: 1 }))];
  events.sort((x, y) => x.it.box.xmin - y.it.box.xmin);
  const active: [Item[], Item[]] = [[], []];
  const out: Array<[Item, Item]> = [];
  for (const { it, side } of events) {
    const other = active[1 - side]!;
    let keep = 0;
    for (const o of other) {
      if (o.box.xmax <= it.box.xmin) continue; // can meet nothing from here on
      other[keep++] = o;
      if (o.box.ymin < it.box.ymax && it.box.ymin < o.box.ymax) out.push(side === 0 ? [it, o] : [o, it]);
    }
    other.length = keep;
    active[side]!.push(it);
  }
  return out;
}

function matchShapes(olds: readonly LabeledShape[], news: readonly LabeledShape[], threshold: number): boolean[] {
  const groups = new Map<string, { olds: Item[]; news: Item[] }>();
  const put = (s: LabeledShape, index: number, side: 'olds' | 'news') => {
    const prepared = prepare(s);
    if (prepared.kind === 'none') return;
    const key = `${s.label_id}:${s.type}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { olds: [], news: [] }));
    g[side].push({ index, box: prepared.box, prepared });
  };
  olds.forEach((s, j) => put(s, j, 'olds'));
  news.forEach((s, i) => put(s, i, 'news'));
  const edges: Edge[] = [];
  for (const g of groups.values()) {
    if (g.olds.length === 0 || g.news.length === 0) continue;
    for (const [n, o] of overlappingPairs(g.news, g.olds)) {
      const sim = preparedIoU(n.prepared, o.prepared);
      if (sim > 0) edges.push({ i: n.index, j: o.index, sim });
    }
  }
  const matched = new Array<boolean>(news.length).fill(false);
  for (const [i] of assign(news.length, olds.length, edges, threshold)) matched[i] = true;
  return matched;
}

// ---------------------------------------------------------------------------------------------
// Tracks

function byFrame(shapes: readonly TrackedShape[]): TrackedShape[] {
  const out = [...shapes];
  for (let k = 1; k < out.length; k++) {
    if (out[k]!.frame < out[k - 1]!.frame) return out.sort((a, b) => a.frame - b.frame);
  }
  return out;
}

/** Our own copy, since merging appends keyframes; the keyframes themselves are shared. */
function copyTrack(t: LabeledTrack): LabeledTrack {
  return {
    ...t,
    shapes: byFrame(t.shapes),
    elements: (t.elements ?? []).map((e) => ({ ...e, shapes: byFrame(e.shapes) })),
  };
}

function lastShape(t: { shapes: TrackedShape[] }): TrackedShape | undefined {
  return t.shapes[t.shapes.length - 1];
}

/** CVAT's test for a merged track that may reach the new job's frames. */
function mayReach(t: { shapes: TrackedShape[] }, start: number): boolean {
  const last = lastShape(t);
  return !!last && (last.frame >= start || !last.outside);
}

/**
 * Ends a track that is still visible at `end` (the frame after the previous segment), and its
 * elements likewise (CVAT's TrackManager._modify_unmatched_object). A last keyframe at or after
 * `end` is left alone: an outside keyframe before it would break the frame order.
 */
function closeAt(t: { shapes: TrackedShape[]; elements?: SubTrack[] }, end: number): void {
  const last = lastShape(t);
  if (!last || last.outside || last.frame >= end) return;
  t.shapes.push({ ...last, attributes: last.attributes.map((a) => ({ ...a })), frame: end, outside: true });
  for (const e of t.elements ?? []) closeAt(e, end);
}

/**
 * One track from a merged one and its copy in the new job (CVAT's TrackManager._unite_objects):
 * all keyframes of both, the earlier job's where both have one on a frame; the rest of the
 * object (id, attributes, elements) from whichever starts first, the earlier job's on a tie.
 * When the new job's copy starts first, CVAT builds the united track on that copy but leaves the
 * old one in its list and drops the copy, losing the union; this keeps the union in the old
 * one's place.
 */
function unite(old: LabeledTrack, neu: LabeledTrack): LabeledTrack {
  const keyframes = new Map<number, TrackedShape>();
  for (const s of neu.shapes) keyframes.set(s.frame, s);
  for (const s of old.shapes) keyframes.set(s.frame, s);
  const base = neu.frame < old.frame ? neu : old;
  return {
    ...base,
    frame: Math.min(old.frame, neu.frame),
    shapes: [...keyframes.values()].sort((a, b) => a.frame - b.frame),
  };
}

function mergeTracks(
  acc: LabeledTrack[],
  incoming: readonly LabeledTrack[],
  start: number,
  boundary: number,
  threshold: number,
): void {
  // Which merged tracks may continue into this job, decided before this job's own are added.
  const oldIdx: number[] = [];
  for (let j = 0; j < acc.length; j++) if (mayReach(acc[j]!, start)) oldIdx.push(j);
  const shared: LabeledTrack[] = [];
  for (const t of incoming) {
    const copy = copyTrack(t);
    if (copy.frame >= boundary) acc.push(copy);
    else shared.push(copy);
  }
  const newIdx = shared.map((_, i) => i).filter((i) => mayReach(shared[i]!, start));
  if (oldIdx.length === 0 || newIdx.length === 0 || boundary <= start) {
    for (const j of oldIdx) closeAt(acc[j]!, boundary);
    for (const t of shared) acc.push(t);
    return;
  }
  const oldSamples = oldIdx.map((j) => sampleTrack(acc[j]!, start, boundary));
  const newSamples = newIdx.map((i) => sampleTrack(shared[i]!, start, boundary));
  const edges: Edge[] = [];
  for (let a = 0; a < newIdx.length; a++) {
    const tn = shared[newIdx[a]!]!, sn = newSamples[a]!;
    if (!sn.box) continue;
    for (let b = 0; b < oldIdx.length; b++) {
      const to = acc[oldIdx[b]!]!, so = oldSamples[b]!;
      if (to.label_id !== tn.label_id || !so.box || !boxesIntersect(so.box, sn.box)) continue;
      const sim = sampledSimilarity(sn, so);
      if (sim > 0) edges.push({ i: a, j: b, sim });
    }
  }
  const pairedNew = new Set<number>();
  const pairedOld = new Set<number>();
  for (const [a, b] of assign(newIdx.length, oldIdx.length, edges, threshold)) {
    const i = newIdx[a]!, j = oldIdx[b]!;
    acc[j] = unite(acc[j]!, shared[i]!);
    pairedNew.add(i);
    pairedOld.add(j);
  }
  for (const j of oldIdx) if (!pairedOld.has(j)) closeAt(acc[j]!, boundary);
  shared.forEach((t, i) => {
    if (!pairedNew.has(i)) acc.push(t);
  });
}
