/**
 * Coordinate spaces as types. Image space: pixels of the frame as CVAT stores them (continuous,
 * pixel (i, j) covers [i, i+1) x [j, j+1)). View space: CSS pixels from the canvas's top-left.
 * The two are different branded types so a view point can never be stored as geometry by
 * mistake; only viewport.ts converts between them.
 */

declare const space: unique symbol;

export interface ImagePoint {
  readonly x: number;
  readonly y: number;
  readonly [space]: 'image';
}

export interface ViewPoint {
  readonly x: number;
  readonly y: number;
  readonly [space]: 'view';
}

export function imagePoint(x: number, y: number): ImagePoint {
  return { x, y } as ImagePoint;
}

export function viewPoint(x: number, y: number): ViewPoint {
  return { x, y } as ViewPoint;
}

/** An axis-aligned box in image pixels (rbush's field names, so it indexes directly). */
export interface ImageBox {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface Size {
  width: number;
  height: number;
}

/** The box around a point, `r` image pixels each way. */
export function boxAround(p: ImagePoint, r: number): ImageBox {
  return { minX: p.x - r, minY: p.y - r, maxX: p.x + r, maxY: p.y + r };
}

export function boxesOverlap(a: ImageBox, b: ImageBox): boolean {
  return a.minX <= b.maxX && b.minX <= a.maxX && a.minY <= b.maxY && b.minY <= a.maxY;
}

/** `inner` lies inside `outer`. */
export function boxContains(outer: ImageBox, inner: ImageBox): boolean {
  return outer.minX <= inner.minX && outer.minY <= inner.minY && outer.maxX >= inner.maxX && outer.maxY >= inner.maxY;
}

/** A point moved inside the frame [0, width] x [0, height] (CVAT keeps shapes on the image). */
export function clampToFrame(p: ImagePoint, frame: Size): ImagePoint {
  return imagePoint(Math.min(Math.max(p.x, 0), frame.width), Math.min(Math.max(p.y, 0), frame.height));
}
