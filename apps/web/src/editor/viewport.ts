/**
 * The viewport maps image space to view space: view = image * scale + (x, y). These functions
 * are the only conversions between the two spaces (coords.ts). Viewports are immutable values.
 */
import { imagePoint, viewPoint, type ImageBox, type ImagePoint, type Size, type ViewPoint } from './coords';

export interface Viewport {
  /** View pixels per image pixel. */
  readonly scale: number;
  /** Where the image's origin (0, 0) lies in view pixels. */
  readonly x: number;
  readonly y: number;
}

export interface ScaleLimits {
  min: number;
  max: number;
}

export const IDENTITY: Viewport = { scale: 1, x: 0, y: 0 };

export function toImage(v: Viewport, p: ViewPoint): ImagePoint {
  return imagePoint((p.x - v.x) / v.scale, (p.y - v.y) / v.scale);
}

export function toView(v: Viewport, p: ImagePoint): ViewPoint {
  return viewPoint(p.x * v.scale + v.x, p.y * v.scale + v.y);
}

/** A length on screen (handle size, hit tolerance) in image pixels at this zoom. */
export function viewLengthToImage(v: Viewport, viewPx: number): number {
  return viewPx / v.scale;
}

/** The part of image space the canvas shows (may extend past the frame). */
export function visibleImageBox(v: Viewport, canvas: Size): ImageBox {
  const a = toImage(v, viewPoint(0, 0));
  const b = toImage(v, viewPoint(canvas.width, canvas.height));
  return { minX: a.x, minY: a.y, maxX: b.x, maxY: b.y };
}

export function clampScale(scale: number, limits: ScaleLimits): number {
  return Math.min(Math.max(scale, limits.min), limits.max);
}

/** The scale at which the whole frame fits the canvas, `margin` view pixels left on each side. */
export function fitScale(frame: Size, canvas: Size, margin = 0): number {
  if (frame.width <= 0 || frame.height <= 0) return 1;
  const w = Math.max(canvas.width - 2 * margin, 1);
  const h = Math.max(canvas.height - 2 * margin, 1);
  return Math.min(w / frame.width, h / frame.height);
}

/**
 * How far zooming may go: out to a quarter of the fitting scale (never forced above 1:1), in
 * to 100 view pixels per image pixel, enough to place points on sub-pixel positions.
 */
export function scaleLimits(frame: Size, canvas: Size): ScaleLimits {
  const fit = fitScale(frame, canvas);
  return { min: Math.min(fit / 4, 1), max: Math.max(100, fit * 4) };
}

/** The frame centred in the canvas at the scale that fits it. */
export function fit(frame: Size, canvas: Size, margin = 0): Viewport {
  const scale = fitScale(frame, canvas, margin);
  return { scale, x: (canvas.width - frame.width * scale) / 2, y: (canvas.height - frame.height * scale) / 2 };
}

/** Zooms by `factor` keeping the image point under `at` where it is on screen. */
export function zoomAt(v: Viewport, at: ViewPoint, factor: number, limits: ScaleLimits): Viewport {
  const scale = clampScale(v.scale * factor, limits);
  const anchor = toImage(v, at);
  return { scale, x: at.x - anchor.x * scale, y: at.y - anchor.y * scale };
}

export function panBy(v: Viewport, dx: number, dy: number): Viewport {
  return { scale: v.scale, x: v.x + dx, y: v.y + dy };
}

/**
 * Keeps at least `keep` view pixels of the frame on the canvas in each direction (all of it
 * when it is smaller), so the image cannot be panned out of sight.
 */
export function clampPan(v: Viewport, frame: Size, canvas: Size, keep = 48): Viewport {
  const clampAxis = (offset: number, imageLen: number, canvasLen: number): number => {
    const len = imageLen * v.scale;
    const k = Math.min(keep, len, canvasLen);
    // The image spans [offset, offset + len]; it must overlap [0, canvasLen] by k.
    return Math.min(Math.max(offset, k - len), canvasLen - k);
  };
  return { scale: v.scale, x: clampAxis(v.x, frame.width, canvas.width), y: clampAxis(v.y, frame.height, canvas.height) };
}

/** The zoom factor of one wheel event: smooth for trackpads, ~15% per notch of a mouse wheel. */
export function wheelFactor(deltaY: number): number {
  const d = Math.max(-200, Math.min(200, deltaY));
  return Math.exp(-d * 0.0015);
}

export function sameViewport(a: Viewport, b: Viewport): boolean {
  return a.scale === b.scale && a.x === b.x && a.y === b.y;
}
