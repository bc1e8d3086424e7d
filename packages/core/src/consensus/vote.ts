/**
 * What a cluster becomes, as CVAT's merge decides it: the label most replicas gave it (kept only
 * with the quorum's votes), attribute values by majority among those replicas, and the shape of
 * the replica nearest the cluster's mean: for most kinds the one whose pixels best overlap the
 * mean of the members' boxes, for skeletons the one most alike to the others.
 */
import { boundingBox, ellipsePolygon, rectangleBox, rectanglePolygon, type Box } from '../annotations/geometry.js';
import type { IndexedLabel } from '../annotations/label-index.js';
import { effectiveDefault } from '../labels.js';
import { OCCLUDED_KEY, type FrameObject } from '../quality/objects.js';
import { boxRuns, maskRuns, polygonRuns, runsIoU, type Runs } from '../quality/raster.js';
import type { FrameSimilarity, FrameSize } from './similarity.js';

export interface LabelVote {
  label_id: number;
  votes: number;
}

/**
 * The label given by most of `members` (one object per replica); a tie goes to the label of the
 * earliest replica among the tied.
 */
export function winningLabel(members: readonly FrameObject[]): LabelVote {
  const votes = new Map<number, number>();
  for (const m of members) votes.set(m.label_id, (votes.get(m.label_id) ?? 0) + 1);
  let best: LabelVote = { label_id: members[0]!.label_id, votes: 0 };
  for (const [label_id, n] of votes) if (n > best.votes) best = { label_id, votes: n };
  return best;
}

/**
 * The value most of `members` hold for each attribute of `label` (and for occluded), if it has
 * `required` votes; otherwise the attribute's default (occluded: false). Ties go to the value of
 * the earliest member.
 */
export function votedAttributes(members: readonly FrameObject[], label: IndexedLabel, required: number): { attributes: Array<{ spec_id: number; value: string }>; occluded: boolean } {
  const winner = (key: number): string | null => {
    const counts = new Map<string, number>();
    for (const m of members) {
      const v = m.attributes.get(key);
      if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    let best: string | null = null, n = 0;
    for (const [v, c] of counts) if (c > n) [best, n] = [v, c];
    return best !== null && n >= required ? best : null;
  };
  const attributes = [...label.specs.values()].map((spec) => ({ spec_id: spec.id, value: winner(spec.id) ?? effectiveDefault(spec) }));
  return { attributes, occluded: winner(OCCLUDED_KEY) === 'true' };
}

/** datumaro's mean_bbox: the mean of the members' corners. */
export function meanBox(members: readonly FrameObject[]): Box {
  const out = { xmin: 0, ymin: 0, xmax: 0, ymax: 0 };
  let n = 0;
  for (const m of members) {
    if (!m.box) continue;
    out.xmin += m.box.xmin;
    out.ymin += m.box.ymin;
    out.xmax += m.box.xmax;
    out.ymax += m.box.ymax;
    n++;
  }
  return n ? { xmin: out.xmin / n, ymin: out.ymin / n, xmax: out.xmax / n, ymax: out.ymax / n } : out;
}

/**
 * How much of `o` and the box overlap, as CVAT measures it for the choice: both made pixels as
 * pycocotools fills polygons (the box, rectangles turned or not, ellipses as polygons, lines and
 * points as their bounding box; masks as they are), then IoU of the pixels. Pixels, not areas:
 * the mean of boxes at x = 0 and x = 1 covers the columns of the box at x = 1, and CVAT takes it.
 */
export function overlapWithBox(o: FrameObject, box: Box, frame: FrameSize, segmentPixels?: (o: FrameObject) => Runs): number {
  const { width, height } = frame;
  const boxPixels = (b: Box) => boxRuns(b.xmin, b.ymin, b.xmax, b.ymax, width, height);
  let pixels: Runs;
  switch (o.kind) {
    case 'rectangle':
      pixels = o.rotation % 360 === 0 ? boxPixels(rectangleBox(o.points)) : polygonRuns(rectanglePolygon(o.points, o.rotation), width, height);
      break;
    case 'ellipse':
      pixels = polygonRuns(ellipsePolygon(o.points, o.rotation), width, height);
      break;
    case 'points':
    case 'polyline':
      pixels = boxPixels(boundingBox(o.points));
      break;
    case 'polygon':
      pixels = segmentPixels?.(o) ?? polygonRuns(o.points, width, height);
      break;
    case 'mask':
      pixels = segmentPixels?.(o) ?? maskRuns(o.points, width, height);
      break;
    case 'skeleton':
    case 'tag':
      return 0;
  }
  return runsIoU(pixels, boxPixels(box));
}

/**
 * The member whose shape the merged object takes: for skeletons the one least distant (1 -
 * similarity) from the members on average, for other kinds the one overlapping the mean box
 * most (overlapWithBox). Ties go to the earliest member.
 */
export function representative(members: readonly FrameObject[], sim: FrameSimilarity, frame: FrameSize): FrameObject {
  let best = members[0]!;
  if (best.kind === 'skeleton') {
    let least = Infinity;
    for (const a of members) {
      let d = 0;
      for (const b of members) d += 1 - sim.of(a, b);
      if (d < least - 1e-12) [best, least] = [a, d];
    }
    return best;
  }
  const mean = meanBox(members);
  let most = -Infinity;
  for (const m of members) {
    const v = overlapWithBox(m, mean, frame, (o) => sim.pixels(o));
    if (v > most + 1e-12) [best, most] = [m, v];
  }
  return best;
}
