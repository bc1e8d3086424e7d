/**
 * The object layer: an offscreen bitmap holding the objects that are not selected, rasterized
 * for one frame, one scale and one image rectangle (layer-plan.ts). Edits re-raster only the
 * rectangles they touch: a click that selects an object, a new box or a moved vertex costs a
 * few objects' worth of drawing, not the frame's.
 *
 * Rebuilds of many objects happen in a worker (layer-builder.ts): `beginBackground` takes note
 * of what the build is made from, edits made while it runs are remembered, and `install`
 * swaps the finished bitmap in and repairs those edits on it.
 */
import { boxesOverlap, type ImageBox } from '../coords';
import type { EditorLabel } from '../model';
import type { SpatialIndex } from '../spatial';
import type { Store } from '../store';
import { objectsIn } from './culling';
import type { LayerGeometry } from './layer-plan';
import { paintLayerObjects, type RenderStyle } from './paint';

export interface LayerSource {
  readonly store: Store;
  readonly index: SpatialIndex;
  readonly labels: readonly EditorLabel[];
  readonly frame: number;
}

/** Past this many dirty rectangles one full rebuild is cheaper. */
const MAX_DIRTY = 64;

/** A background build under way: what it excludes, and the edits made since it started. */
export interface BackgroundBuild {
  readonly excluded: ReadonlySet<string>;
  /** Null once there were too many edits: the build is then thrown away. */
  edits: ImageBox[] | null;
}

export class ObjectLayer {
  private readonly canvas: HTMLCanvasElement = document.createElement('canvas');
  /**
   * A bitmap the worker built, shown as it is until an edit needs repairing: copying it onto
   * the canvas at once would put that copy (3-15 ms at 1920x1080 in software) on the frame that
   * swaps it in.
   */
  private bitmap: ImageBitmap | null = null;
  private readonly ctx: CanvasRenderingContext2D;
  geometry: LayerGeometry | null = null;
  frame = Number.NaN;
  labels: readonly EditorLabel[] | null = null;
  /** Objects drawn elsewhere (the selection): left out of the layer. */
  excluded: ReadonlySet<string> = new Set();
  private dirty: ImageBox[] = [];
  private background: BackgroundBuild | null = null;

  constructor() {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('ObjectLayer: no 2D context');
    this.ctx = ctx;
  }

  /** What to draw: the worker's bitmap as it came, or the canvas. */
  get source(): CanvasImageSource {
    return this.bitmap ?? this.canvas;
  }

  /** Forces a full rebuild before the next use. */
  drop(): void {
    this.releaseBitmap();
    this.geometry = null;
    this.dirty = [];
    this.background = null;
  }

  markDirty(box: ImageBox): void {
    const bg = this.background;
    if (bg?.edits) {
      bg.edits.push(box);
      if (bg.edits.length > MAX_DIRTY) bg.edits = null;
    }
    if (!this.geometry || !boxesOverlap(box, this.geometry.rect)) return;
    this.dirty.push(box);
    if (this.dirty.length > MAX_DIRTY) this.drop();
  }

  /** Changes which objects are left out; the ones entering or leaving are redrawn. */
  setExcluded(next: ReadonlySet<string>, boundsOf: (id: string) => ImageBox | undefined): void {
    for (const id of this.excluded) if (!next.has(id)) this.markBounds(boundsOf(id));
    for (const id of next) if (!this.excluded.has(id)) this.markBounds(boundsOf(id));
    this.excluded = next;
  }

  build(geometry: LayerGeometry, source: LayerSource, dpr: number, style: RenderStyle): void {
    this.releaseBitmap();
    this.fit(geometry);
    this.geometry = geometry;
    this.frame = source.frame;
    this.labels = source.labels;
    this.dirty = [];
    this.background = null;
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.paint(geometry.rect, source, dpr, style);
  }

  /** Notes the start of a background build of this layer's frame, labels and exclusions. */
  beginBackground(): BackgroundBuild {
    this.background = { excluded: this.excluded, edits: [] };
    return this.background;
  }

  /**
   * Puts a background build's bitmap in place; false (and the bitmap closed) when it is stale:
   * the layer was dropped or rebuilt since, or too many edits came meanwhile.
   */
  install(build: BackgroundBuild, geometry: LayerGeometry, bitmap: ImageBitmap, boundsOf: (id: string) => ImageBox | undefined): boolean {
    const edits = build.edits;
    if (build !== this.background || !edits || !this.geometry) {
      bitmap.close();
      return false;
    }
    this.background = null;
    this.releaseBitmap();
    this.bitmap = bitmap;
    this.geometry = geometry;
    this.dirty = [];
    // The bitmap shows the objects as they were when the build began: repaint what changed.
    const now = this.excluded;
    this.excluded = build.excluded;
    for (const box of edits) this.markDirty(box);
    this.setExcluded(now, boundsOf);
    return true;
  }

  /** Re-rasters the rectangles edits touched since the last call. */
  repair(source: LayerSource, dpr: number, style: RenderStyle): void {
    const g = this.geometry;
    if (!g || this.dirty.length === 0) return;
    if (this.bitmap) {
      // The first edit on a worker-built layer: it becomes the canvas's content, to be painted on.
      this.fit(g);
      this.ctx.setTransform(1, 0, 0, 1, 0, 0);
      this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
      this.ctx.drawImage(this.bitmap, 0, 0);
      this.releaseBitmap();
    }
    const dirty = this.dirty;
    this.dirty = [];
    // Outlines and point markers reach this far past an object's bounds.
    const reach = (style.pointRadius * 1.5 * dpr + 2) / g.scale;
    for (const d of dirty) {
      const x0 = Math.max(0, Math.floor((d.minX - reach - g.rect.minX) * g.scale));
      const y0 = Math.max(0, Math.floor((d.minY - reach - g.rect.minY) * g.scale));
      const x1 = Math.min(g.width, Math.ceil((d.maxX + reach - g.rect.minX) * g.scale));
      const y1 = Math.min(g.height, Math.ceil((d.maxY + reach - g.rect.minY) * g.scale));
      if (x1 <= x0 || y1 <= y0) continue;
      const { ctx } = this;
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.beginPath();
      ctx.rect(x0, y0, x1 - x0, y1 - y0);
      ctx.clip();
      ctx.clearRect(x0, y0, x1 - x0, y1 - y0);
      const clip: ImageBox = { minX: g.rect.minX + x0 / g.scale, minY: g.rect.minY + y0 / g.scale, maxX: g.rect.minX + x1 / g.scale, maxY: g.rect.minY + y1 / g.scale };
      this.paint({ minX: clip.minX - reach, minY: clip.minY - reach, maxX: clip.maxX + reach, maxY: clip.maxY + reach }, source, dpr, style);
      ctx.restore();
    }
  }

  private fit(g: LayerGeometry): void {
    const width = Math.max(1, g.width);
    const height = Math.max(1, g.height);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
  }

  private releaseBitmap(): void {
    this.bitmap?.close();
    this.bitmap = null;
  }

  private markBounds(box: ImageBox | undefined): void {
    if (box) this.markDirty(box);
  }

  private paint(region: ImageBox, source: LayerSource, dpr: number, style: RenderStyle): void {
    const records = objectsIn(source.store, source.index, source.frame, region, this.excluded);
    const colors = new Map(source.labels.map((l) => [l.id, l.color]));
    paintLayerObjects(this.ctx, this.geometry!, records, (id) => colors.get(id), dpr, style);
  }
}
