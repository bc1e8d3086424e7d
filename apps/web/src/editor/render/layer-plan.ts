/**
 * Where the object layer lies and when to rebuild it; pure, so it is tested without a canvas.
 *
 * The renderer rasterizes the (non-selected) objects once into an offscreen layer covering the
 * view plus a margin, then draws that layer like an image under the current transform. A pan
 * or zoom costs one bitmap blit however many objects there are; a zoom shows the layer scaled
 * until the gesture settles, then rebuilds it sharp. Edits re-raster only the rectangles they
 * touch (layer.ts).
 */
import { boxContains, type ImageBox, type Size } from '../coords';
import { visibleImageBox, type Viewport } from '../viewport';

export interface LayerGeometry {
  /** The image-space rectangle the layer covers, its edges on device pixels of the viewport it was built for. */
  rect: ImageBox;
  /** Device pixels per image pixel. */
  scale: number;
  /** Bitmap size in device pixels. */
  width: number;
  height: number;
}

/** The layer to build for a view: the visible box grown by `margin` of the view each way, cut to the frame. */
export function layerGeometry(v: Viewport, canvas: Size, frame: Size, dpr: number, margin = 0.25): LayerGeometry {
  const visible = visibleImageBox(v, canvas);
  const mx = (visible.maxX - visible.minX) * margin;
  const my = (visible.maxY - visible.minY) * margin;
  // Strokes and point markers reach a few pixels past the frame's edge.
  const pad = 8 / v.scale;
  const minX = Math.max(visible.minX - mx, -pad);
  const minY = Math.max(visible.minY - my, -pad);
  const maxX = Math.min(visible.maxX + mx, frame.width + pad);
  const maxY = Math.min(visible.maxY + my, frame.height + pad);
  const scale = dpr * v.scale;
  const x0 = Math.floor((minX * v.scale + v.x) * dpr);
  const y0 = Math.floor((minY * v.scale + v.y) * dpr);
  const x1 = Math.ceil((maxX * v.scale + v.x) * dpr);
  const y1 = Math.ceil((maxY * v.scale + v.y) * dpr);
  const toImageX = (d: number) => (d / dpr - v.x) / v.scale;
  const toImageY = (d: number) => (d / dpr - v.y) / v.scale;
  return {
    rect: { minX: toImageX(x0), minY: toImageY(y0), maxX: toImageX(Math.max(x0, x1)), maxY: toImageY(Math.max(y0, y1)) },
    scale,
    width: Math.max(0, x1 - x0),
    height: Math.max(0, y1 - y0),
  };
}

/** Whether two layouts are the same bitmap over the same image rectangle. */
export function sameLayout(a: LayerGeometry, b: LayerGeometry): boolean {
  const eps = 1e-9 * Math.max(1, Math.abs(a.scale));
  return Math.abs(a.scale - b.scale) <= eps && a.width === b.width && a.height === b.height && Math.abs(a.rect.minX - b.rect.minX) < 1e-6 && Math.abs(a.rect.minY - b.rect.minY) < 1e-6;
}

/** The part of the frame a view shows (the only part where objects can be). */
export function visibleFramePart(v: Viewport, canvas: Size, frame: Size): ImageBox {
  const b = visibleImageBox(v, canvas);
  return { minX: Math.max(b.minX, 0), minY: Math.max(b.minY, 0), maxX: Math.min(b.maxX, frame.width), maxY: Math.min(b.maxY, frame.height) };
}

export interface PlanInput {
  /** The layer there is, or null. */
  layer: { rect: ImageBox; scale: number } | null;
  /** The scale a layer built now would have. */
  scale: number;
  /** What the view shows of the frame. */
  visible: ImageBox;
  /** The view changed moments ago (a zoom or pan may be under way). */
  moving: boolean;
  /** Whether rebuilding now is cheap (few objects in reach); asked only when it matters. */
  cheap: () => boolean;
}

export interface Plan {
  /** Rebuild before this frame is drawn. */
  rebuildNow: boolean;
  /** The layer drawn this frame is not exact (scaled, or short at an edge): rebuild when the view settles. */
  rebuildLater: boolean;
}

export function planLayer(p: PlanInput): Plan {
  if (!p.layer) return { rebuildNow: true, rebuildLater: false };
  const empty = p.visible.maxX <= p.visible.minX || p.visible.maxY <= p.visible.minY;
  const covered = empty || boxContains(p.layer.rect, p.visible);
  const sameScale = Math.abs(p.layer.scale - p.scale) <= 1e-9 * p.scale;
  if (covered) {
    // Zooming: show the layer scaled while the view moves, sharp again once it rests.
    if (sameScale) return { rebuildNow: false, rebuildLater: false };
    return p.moving ? { rebuildNow: false, rebuildLater: true } : { rebuildNow: true, rebuildLater: false };
  }
  // Objects would be missing at an edge: fill it in now unless that is costly mid-gesture.
  if (!p.moving || p.cheap()) return { rebuildNow: true, rebuildLater: false };
  return { rebuildNow: false, rebuildLater: true };
}
