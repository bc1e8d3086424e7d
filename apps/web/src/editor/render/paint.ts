/**
 * Painting batches of objects on a 2D context whose transform maps image pixels to device
 * pixels. Shared by the object layer and the overlays (selection, hover).
 */
import type { AnnotationRecord } from '../model';
import { chunks, groupForDrawing, traceAll, type Batch } from './batches';
import type { LayerGeometry } from './layer-plan';

/** Painting runs on the page's canvases and on a worker's OffscreenCanvas alike. */
export type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** An outline one device pixel wide, kept below 1 after scaling (see paintGroups). */
const HAIRLINE = 0.999;

export interface RenderStyle {
  background: string;
  fillOpacity: number;
  selectedFillOpacity: number;
  /** Outline width of selected and hovered objects in CSS pixels (others: one device pixel). */
  selectedStrokeWidth: number;
  handleSize: number;
  pointRadius: number;
}

export const DEFAULT_STYLE: RenderStyle = {
  background: '#1e1e1e',
  fillOpacity: 0.12,
  selectedFillOpacity: 0.35,
  selectedStrokeWidth: 2,
  handleSize: 8,
  pointRadius: 4,
};

export type Emphasis = 'normal' | 'hovered' | 'selected';

/**
 * Fills and strokes `groups`. `deviceScale` is device pixels per image pixel under the current
 * transform. Plain outlines are one device pixel wide: the canvas draws those as hairlines,
 * some twenty times faster than wider strokes when it rasterizes in software.
 */
export function paintGroups(
  ctx: Context2D,
  groups: readonly Batch[],
  deviceScale: number,
  dpr: number,
  style: RenderStyle,
  emphasis: Emphasis,
): void {
  const px = 1 / deviceScale;
  // Just under one device pixel: (1/s)*s can round to a hair above 1 in the canvas's float32
  // maths, and wider-than-one-pixel strokes take Chromium's slow path (about 4x slower here).
  const width = emphasis === 'normal' ? HAIRLINE * px : style.selectedStrokeWidth * dpr * px;
  for (const g of groups) {
    ctx.fillStyle = g.color;
    ctx.strokeStyle = g.color;
    ctx.lineWidth = width;
    ctx.setLineDash(g.occluded ? [6 * dpr * px, 4 * dpr * px] : []);
    for (const part of chunks(g.areas)) {
      ctx.beginPath();
      traceAll(ctx, part);
      if (emphasis !== 'hovered') {
        ctx.globalAlpha = emphasis === 'selected' ? style.selectedFillOpacity : style.fillOpacity;
        ctx.fill();
      }
      ctx.globalAlpha = 1;
      ctx.stroke();
    }
    for (const part of chunks(g.lines)) {
      ctx.beginPath();
      traceAll(ctx, part);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    paintMarkers(ctx, g.color, g.markers, deviceScale, dpr, style, emphasis === 'normal' ? 1 : 1.4);
  }
}

/** Point markers: discs of a constant size on screen, drawn in image coordinates. */
export function paintMarkers(
  ctx: Context2D,
  color: string,
  records: readonly AnnotationRecord[],
  deviceScale: number,
  dpr: number,
  style: RenderStyle,
  grow = 1,
): void {
  if (records.length === 0) return;
  const r = (style.pointRadius * grow * dpr) / deviceScale;
  ctx.fillStyle = color;
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = HAIRLINE / deviceScale;
  ctx.globalAlpha = 1;
  for (const part of chunks(records, 25)) {
    ctx.beginPath();
    for (const rec of part) {
      for (let i = 0; i + 1 < rec.points.length; i += 2) {
        const x = rec.points[i]!;
        const y = rec.points[i + 1]!;
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
      }
    }
    ctx.fill();
    ctx.stroke();
  }
}

/** Paints `records` as the object layer shows them, on a bitmap laid out as `g` says. */
export function paintLayerObjects(
  ctx: Context2D,
  g: LayerGeometry,
  records: readonly AnnotationRecord[],
  colorOf: (labelId: number) => string | undefined,
  dpr: number,
  style: RenderStyle,
): void {
  ctx.setTransform(g.scale, 0, 0, g.scale, -g.rect.minX * g.scale, -g.rect.minY * g.scale);
  paintGroups(ctx, groupForDrawing(records, colorOf), g.scale, dpr, style, 'normal');
}
