/**
 * How alike two replicas' objects on one frame are, by the quality engine's measures: boxes and
 * ellipses by area IoU, polygons and masks by pixel IoU (filled as pycocotools fills them),
 * lines by CVAT's resampled point distances, points and skeletons by OKS, tags by label. As in
 * CVAT's merge, each object stands alone: groups do not join parts into one object (a merged
 * object has one vote per replica) and no object hides another (no panoptic comparison).
 * Similarities are computed once per pair and frame.
 */
import type { Box } from '../annotations/geometry.js';
import type { FrameObject, ObjectKind } from '../quality/objects.js';
import { maskRuns, polygonRuns, runsBox, runsIoU, type Runs } from '../quality/raster.js';
import { DEFAULT_QUALITY_SETTINGS } from '../quality/settings.js';
import { rectangleReach, rectangleSimilarity } from '../quality/similarity/boxes.js';
import { ellipseReach, ellipseSimilarity } from '../quality/similarity/ellipses.js';
import { lineReach, lineSimilarity } from '../quality/similarity/lines.js';
import { pointsSimilarity } from '../quality/similarity/points.js';
import { skeletonSimilarity, skeletonVector, type SkeletonVector } from '../quality/similarity/skeletons.js';
import { TAG_THRESHOLD, tagSimilarity } from '../quality/similarity/tags.js';

/** Kinds compared with each other (polygons and masks together, as in quality reports). */
export type Family = 'rectangle' | 'points' | 'segment' | 'polyline' | 'skeleton' | 'ellipse' | 'tag';

/** CVAT's order of kinds in a merge: boxes, points, polygons and masks, lines, skeletons, ellipses; tags on their own. */
export const SHAPE_FAMILIES: readonly Family[] = ['rectangle', 'points', 'segment', 'polyline', 'skeleton', 'ellipse'];

export function familyOf(kind: ObjectKind): Family {
  switch (kind) {
    case 'polygon':
    case 'mask':
      return 'segment';
    default:
      return kind;
  }
}

export interface FrameSize {
  width: number;
  height: number;
}

export class FrameSimilarity {
  private readonly runs = new Map<FrameObject, Runs>();
  private readonly vectors = new Map<FrameObject, SkeletonVector | null>();
  private readonly cache = new Map<FrameObject, Map<FrameObject, number>>();
  private readonly sigma = DEFAULT_QUALITY_SETTINGS.oks_sigma;
  private readonly thickness = DEFAULT_QUALITY_SETTINGS.line_thickness;

  constructor(
    private readonly frame: FrameSize,
    /** The least similarity of a match (iou_threshold); also pairs the points of two points shapes. */
    readonly threshold: number,
    /** Skeleton label id -> its sublabel ids in schema order. */
    private readonly skeletonPoints: ReadonlyMap<number, readonly number[]>,
  ) {}

  /** The least similarity for two objects of `family` to be matched (tags: CVAT's 0.5). */
  thresholdOf(family: Family): number {
    return family === 'tag' ? TAG_THRESHOLD : this.threshold;
  }

  /** Whether the object can be compared at all: a skeleton needs a point that is not outside. */
  comparable(o: FrameObject): boolean {
    return o.kind !== 'skeleton' || this.vector(o) !== null;
  }

  /** The pixels of a polygon or mask. */
  pixels(o: FrameObject): Runs {
    let r = this.runs.get(o);
    if (!r) {
      r = o.kind === 'mask' ? maskRuns(o.points, this.frame.width, this.frame.height) : polygonRuns(o.points, this.frame.width, this.frame.height);
      this.runs.set(o, r);
    }
    return r;
  }

  private vector(o: FrameObject): SkeletonVector | null {
    let v = this.vectors.get(o);
    if (v === undefined) {
      const order = this.skeletonPoints.get(o.label_id) ?? [...new Set(o.elements.map((e) => e.label_id))].sort((p, q) => p - q);
      v = skeletonVector(o.elements, order);
      this.vectors.set(o, v);
    }
    return v;
  }

  /**
   * A box that another object's must overlap for the two to be alike at all; null for families
   * whose objects are compared with every other (points, skeletons, tags: OKS with the image as
   * scale reaches far).
   */
  reach(o: FrameObject): Box | null {
    switch (familyOf(o.kind)) {
      case 'rectangle':
        return rectangleReach(o);
      case 'ellipse':
        return ellipseReach(o);
      case 'segment':
        return runsBox(this.pixels(o));
      case 'polyline':
        return lineReach(o.points, this.frame.width * this.frame.height, this.thickness);
      default:
        return null;
    }
  }

  /** Similarity in [0, 1] of two objects (0 across families); symmetric, computed once. */
  of(a: FrameObject, b: FrameObject): number {
    if (a === b) return 1;
    const hit = this.cache.get(a)?.get(b);
    if (hit !== undefined) return hit;
    const s = this.compute(a, b);
    const v = Number.isFinite(s) && s > 0 ? s : 0;
    for (const [x, y] of [[a, b], [b, a]] as const) {
      let m = this.cache.get(x);
      if (!m) this.cache.set(x, (m = new Map()));
      m.set(y, v);
    }
    return v;
  }

  private compute(a: FrameObject, b: FrameObject): number {
    const family = familyOf(a.kind);
    if (family !== familyOf(b.kind)) return 0;
    switch (family) {
      case 'rectangle':
        return rectangleSimilarity(a, b);
      case 'ellipse':
        return ellipseSimilarity(a, b);
      case 'segment':
        return runsIoU(this.pixels(a), this.pixels(b));
      case 'polyline':
        return lineSimilarity(a.points, b.points, { scale: this.frame.width * this.frame.height, thickness: this.thickness, oriented: false });
      case 'points':
        // Groups do not join objects here, so each is scaled by its own box.
        return pointsSimilarity(a.points, b.points, a.box!, b.box!, {
          sigma: this.sigma,
          sizeBase: DEFAULT_QUALITY_SETTINGS.point_size_base,
          imageArea: this.frame.width * this.frame.height,
          threshold: this.threshold,
        });
      case 'skeleton': {
        const va = this.vector(a), vb = this.vector(b);
        return va && vb && a.box && b.box ? skeletonSimilarity(va, vb, a.box, b.box, this.sigma) : 0;
      }
      case 'tag':
        return tagSimilarity(a, b);
    }
  }
}
