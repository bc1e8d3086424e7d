/**
 * Rectangles: IoU of their areas. CVAT compares boxes of equal rotation as axis-aligned boxes
 * and rasterizes the others; both approximate the exact area IoU computed here, which equals
 * CVAT's for unrotated boxes.
 */
import { boundingBox, boxIoU, rectangleBox, rectanglePolygon, type Box } from '../../annotations/geometry.js';
import { convexIoU } from './convex.js';

export function rectangleSimilarity(a: { points: readonly number[]; rotation: number }, b: { points: readonly number[]; rotation: number }): number {
  if (a.rotation % 360 === 0 && b.rotation % 360 === 0) return boxIoU(rectangleBox(a.points), rectangleBox(b.points));
  return convexIoU(rectanglePolygon(a.points, a.rotation), rectanglePolygon(b.points, b.rotation));
}

/** The box a rectangle covers on screen, turned: rectangles whose reaches do not overlap share no area. */
export function rectangleReach(r: { points: readonly number[]; rotation: number }): Box {
  return boundingBox(rectanglePolygon(r.points, r.rotation));
}
