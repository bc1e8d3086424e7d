/**
 * Rasterizing shapes into COCO runs. Polygons follow pycocotools' rleFrPoly step for step (CVAT
 * computes polygon areas and crowd masks with it), so areas match what CVAT writes. Ellipses
 * follow CVAT's conversion of ellipses to masks approximately: same rounded centre and axes and
 * rotation, but pixels whose centres fall inside the ellipse rather than OpenCV's polygon fill.
 */
import { polygonCounts } from '../polygon-fill.js';
import { roundHalfEven } from './json.js';
import { countsToRuns, type Runs } from './rle.js';

export function polygonRuns(xy: readonly number[], height: number, width: number): Runs {
  if (height <= 0 || width <= 0) return [];
  return countsToRuns(polygonCounts(xy, height, width), height * width) ?? [];
}

/**
 * An ellipse (CVAT points: cx, cy, rx_point_x, ry_point_y; rotation in degrees, clockwise) as
 * column-major runs over the image.
 */
export function ellipseRuns(points: readonly number[], rotation: number, height: number, width: number): Runs {
  const [pcx = 0, pcy = 0, rightX = 0, topY = 0] = points;
  const cx = roundHalfEven(pcx), cy = roundHalfEven(pcy);
  const rx = Math.max(Math.abs(roundHalfEven(rightX - pcx)), 0.5), ry = Math.max(Math.abs(roundHalfEven(pcy - topY)), 0.5);
  const a = (rotation * Math.PI) / 180;
  const cos = Math.cos(a), sin = Math.sin(a);
  const reach = Math.ceil(Math.max(rx, ry));
  const runs: Runs = [];
  for (let x = Math.max(0, cx - reach); x <= Math.min(width - 1, cx + reach); x++) {
    for (let y = Math.max(0, cy - reach); y <= Math.min(height - 1, cy + reach); y++) {
      const dx = x - cx, dy = y - cy;
      const lx = dx * cos + dy * sin, ly = -dx * sin + dy * cos;
      if ((lx / rx) ** 2 + (ly / ry) ** 2 > 1) continue;
      const idx = x * height + y;
      if (runs.length > 0 && runs[runs.length - 1] === idx) runs[runs.length - 1] = idx + 1;
      else runs.push(idx, idx + 1);
    }
  }
  return runs;
}
