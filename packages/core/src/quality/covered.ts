/**
 * covered_annotation: a job's polygon, mask or box of which less than object_visibility_threshold
 * shows because objects above it in z order (any label, any group) cover the rest. As CVAT,
 * only the job's side is checked, and objects with nothing on top are never reported.
 */
import { boundingBox, rectangleBox, rectanglePolygon, type Box } from '../annotations/geometry.js';
import type { FrameObject } from './objects.js';
import { boxRuns, intersectionArea, polygonRuns, unionRuns, type Runs } from './raster.js';
import { segmentRuns } from './similarity/segments.js';
import { selfOverlappingPairs } from './spatial.js';

function grow(b: Box): Box {
  return { xmin: b.xmin - 1, ymin: b.ymin - 1, xmax: b.xmax + 1, ymax: b.ymax + 1 };
}

/** The covered objects among `objects` (one frame of the job), in z order. */
export function coveredObjects(objects: readonly FrameObject[], width: number, height: number, threshold: number, cache: Map<FrameObject, Runs>): FrameObject[] {
  const spatial = objects
    .map((o, i) => [o, i] as const)
    .filter(([o]) => o.kind === 'polygon' || o.kind === 'mask' || o.kind === 'rectangle')
    .sort((p, q) => p[0].z_order - q[0].z_order || p[1] - q[1])
    .map(([o]) => o);
  // Boxes a pixel or so wider than the shapes: only objects that may touch get rasterized.
  const reach = spatial.map((o) => grow(o.kind === 'rectangle' ? boundingBox(rectanglePolygon(o.points, o.rotation)) : o.box!));
  const above: number[][] = spatial.map(() => []);
  for (const [i, j] of selfOverlappingPairs(reach)) above[i]!.push(j);
  const runs = (o: FrameObject): Runs => {
    if (o.kind !== 'rectangle') return segmentRuns(o, width, height, cache);
    let r = cache.get(o);
    if (!r) {
      const b = rectangleBox(o.points);
      r = o.rotation % 360 === 0 ? boxRuns(b.xmin, b.ymin, b.xmax, b.ymax, width, height) : polygonRuns(rectanglePolygon(o.points, o.rotation), width, height);
      cache.set(o, r);
    }
    return r;
  };
  const out: FrameObject[] = [];
  spatial.forEach((o, i) => {
    if (above[i]!.length === 0) return;
    const own = runs(o);
    if (own.area === 0) return;
    const inter = intersectionArea(own, unionRuns(above[i]!.map((j) => runs(spatial[j]!))));
    if (inter > 0 && 1 - inter / own.area < threshold) out.push(o);
  });
  return out;
}
