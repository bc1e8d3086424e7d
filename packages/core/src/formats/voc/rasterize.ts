/**
 * Shapes to pixels for the raster formats. CVAT turns polygons and boxes into masks with
 * pycocotools (`frPyObjects`), whose fill decides which edge pixels are in; the polygon fill here
 * is that algorithm (polygon-fill.ts, shared with COCO), so a polygon exported here covers the
 * pixels it covers when CVAT exports it.
 *
 * Ellipses: CVAT draws them with OpenCV's `cv2.ellipse` (a polygon through integer centre and
 * axes, filled with OpenCV's own scan conversion). Here a pixel is in when its centre lies inside
 * the ellipse of rounded centre and axes grown by half a pixel; edge pixels can differ from
 * OpenCV's, which exports report as a conversion.
 */

import { polygonCounts } from '../polygon-fill.js';

/**
 * Writes `value` into `target` (row-major, width x height) over the polygon's pixels.
 * `xy` is x0,y0,x1,y1,...; pixels outside the image are clipped.
 */
export function fillPolygon(xy: readonly number[], width: number, height: number, target: Uint8Array, value: number): void {
  if (xy.length < 2 || width <= 0 || height <= 0) return;
  // Column-major runs over the image, background first: odd runs are inside.
  const runs = polygonCounts(xy, height, width);
  let pos = 0;
  for (let r = 0; r < runs.length; r++) {
    const len = runs[r]!;
    if (r % 2 === 1) {
      for (let p = pos; p < pos + len && p < height * width; p++) target[(p % height) * width + Math.floor(p / height)] = value;
    }
    pos += len;
  }
}

/** A rectangle, as CVAT rasterizes boxes: the polygon of its four corners. */
export function fillBox(x1: number, y1: number, x2: number, y2: number, width: number, height: number, target: Uint8Array, value: number): void {
  fillPolygon([x1, y1, x2, y1, x2, y2, x1, y2], width, height, target, value);
}

/** The corners of a rectangle rotated by `degrees` around its centre (CVAT's RotatedBoxesToPolygons). */
export function rotatedBoxPolygon(x0: number, y0: number, x1: number, y1: number, degrees: number): number[] {
  const a = (degrees * Math.PI) / 180;
  const cx = x0 + (x1 - x0) / 2, cy = y0 + (y1 - y0) / 2;
  const out: number[] = [];
  for (const [x, y] of [[x0, y0], [x1, y0], [x1, y1], [x0, y1]] as const) {
    out.push(cx + Math.cos(a) * (x - cx) - Math.sin(a) * (y - cy), cy + Math.sin(a) * (x - cx) + Math.cos(a) * (y - cy));
  }
  return out;
}

/** An ellipse given CVAT's points (cx, cy, right x, top y) and rotation in degrees. */
export function fillEllipse(points: readonly number[], rotation: number, width: number, height: number, target: Uint8Array, value: number): void {
  const [cxRaw, cyRaw, rightX, topY] = points as [number, number, number, number];
  const cx = Math.round(cxRaw), cy = Math.round(cyRaw);
  // OpenCV's fill takes in the pixels its outline passes through: half a pixel beyond the axes
  // comes closest (about 3% of pixels differ, all on the edge).
  const rx = Math.abs(Math.round(rightX - cxRaw)) + 0.5, ry = Math.abs(Math.round(cyRaw - topY)) + 0.5;
  const a = (rotation * Math.PI) / 180, cos = Math.cos(a), sin = Math.sin(a);
  const reach = Math.ceil(Math.max(rx, ry));
  for (let py = Math.max(0, cy - reach); py <= Math.min(height - 1, cy + reach); py++) {
    for (let px = Math.max(0, cx - reach); px <= Math.min(width - 1, cx + reach); px++) {
      const dx = px - cx, dy = py - cy;
      // Into the ellipse's own frame (rotation is clockwise on screen, y pointing down).
      const ex = dx * cos + dy * sin, ey = -dx * sin + dy * cos;
      if ((ex * ex) / (rx * rx) + (ey * ey) / (ry * ry) <= 1) target[py * width + px] = value;
    }
  }
}
