/**
 * Draws the editor on a 2D canvas: the frame image (brightness/contrast), the object layer,
 * then on top the hovered and selected objects, handles and the shape being drawn. The
 * engine's only DOM-touching module, with layer.ts.
 *
 * At 10,000 objects a frame's cost is two bitmap blits (image, object layer) plus the few
 * objects drawn on top: the objects themselves are rasterized into the layer only when the
 * frame, labels or zoom change, and edits repair just the rectangles they touch
 * (layer-plan.ts, layer.ts). At most one draw per animation frame. Rebuilding the layer for
 * many objects happens in a worker (layer-builder.ts) while the old layer stays on screen.
 */
import { imagePoint, type ImageBox } from '../coords';
import type { Editor } from '../editor';
import { kindUtil } from '../kinds';
import { ellipsePoints } from '../kinds/ellipse';
import { rectanglePoints } from '../kinds/rectangle';
import type { AnnotationRecord } from '../model';
import { sameViewport, toView, type Viewport } from '../viewport';
import { draftOutline, FALLBACK_COLOR, groupForDrawing } from './batches';
import { objectsIn } from './culling';
import { ImageLayer } from './image-layer';
import { ObjectLayer } from './layer';
import { LayerBuilder } from './layer-builder';
import { layerGeometry, planLayer, sameLayout, visibleFramePart, type LayerGeometry } from './layer-plan';
import { DEFAULT_STYLE, paintGroups, paintMarkers, type Emphasis, type RenderStyle } from './paint';

export { DEFAULT_STYLE, type RenderStyle } from './paint';

/** Percentages; 100 leaves the image as it is. */
export interface ImageFilters {
  brightness: number;
  contrast: number;
}

/** The view counts as moving this long after it last changed; then the layer is rebuilt sharp. */
const SETTLE_MS = 150;
/** Rebuilding the layer for this many objects fits in a frame even mid-gesture. */
const CHEAP_OBJECTS = 2000;

export class CanvasRenderer {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly stop: Array<() => void> = [];
  private readonly layer = new ObjectLayer();
  private readonly imageLayer = new ImageLayer(() => this.requestDraw());
  /** Undefined until first needed; null where workers cannot draw. */
  private builder: LayerBuilder | null | undefined;
  private image: CanvasImageSource | null = null;
  private filtered: HTMLCanvasElement | null = null;
  private filters: ImageFilters = { brightness: 100, contrast: 100 };
  private request: number | null = null;
  private settle: ReturnType<typeof setTimeout> | null = null;
  private lastViewport: Viewport | null = null;
  private lastViewChange = 0;
  private lastSelection: readonly string[] | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly editor: Editor,
    private readonly style: RenderStyle = DEFAULT_STYLE,
  ) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('CanvasRenderer: no 2D context');
    this.ctx = ctx;
    this.stop.push(editor.subscribe(() => this.requestDraw()));
    this.stop.push(
      editor.store.listen({
        change: (c) => {
          // Selected objects are not in the layer: their edits (a drag) leave it as it is.
          if (this.layer.excluded.has(c.id)) return;
          for (const r of [c.before, c.after]) {
            const b = r && r.frame === this.layer.frame ? kindUtil(r.kind).bounds(r) : null;
            if (b) this.layer.markDirty(b);
          }
        },
        reset: () => this.dropLayer(),
      }),
    );
    this.requestDraw();
  }

  setImage(image: CanvasImageSource | null): void {
    this.image = image;
    this.filtered = null;
    this.requestDraw();
  }

  setFilters(filters: ImageFilters): void {
    if (filters.brightness === this.filters.brightness && filters.contrast === this.filters.contrast) return;
    this.filters = { ...filters };
    this.filtered = null;
    this.requestDraw();
  }

  requestDraw(): void {
    if (this.request !== null) return;
    this.request = requestAnimationFrame(() => {
      this.request = null;
      this.draw();
    });
  }

  destroy(): void {
    if (this.request !== null) cancelAnimationFrame(this.request);
    if (this.settle !== null) clearTimeout(this.settle);
    this.request = null;
    this.settle = null;
    this.builder?.destroy();
    this.imageLayer.destroy();
    for (const s of this.stop.splice(0)) s();
  }

  /** Draws now (benchmarks call this to time a frame). */
  draw(): void {
    const { ctx, editor, style } = this;
    const { width, height } = editor.canvasSize;
    const dpr = globalThis.devicePixelRatio || 1;
    const bw = Math.max(1, Math.round(width * dpr));
    const bh = Math.max(1, Math.round(height * dpr));
    if (this.canvas.width !== bw || this.canvas.height !== bh) {
      this.canvas.width = bw;
      this.canvas.height = bh;
    }
    this.canvas.style.cursor = editor.cursor;
    const v = editor.viewport;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    // Frames are opaque (the server flattens them on white): where one fills the canvas, painting
    // the background under it first would only cost a full-canvas fill per frame.
    const { width: fw, height: fh } = editor.frameSize;
    const covered = this.image !== null && v.x <= 0 && v.y <= 0 && (v.x + fw * v.scale) * dpr >= bw && (v.y + fh * v.scale) * dpr >= bh;
    if (!covered) {
      ctx.fillStyle = style.background;
      ctx.fillRect(0, 0, bw, bh);
    }

    const now = performance.now();
    if (!this.lastViewport || !sameViewport(v, this.lastViewport)) {
      this.lastViewport = v;
      this.lastViewChange = now;
    }
    const deviceScale = dpr * v.scale;
    ctx.setTransform(deviceScale, 0, 0, deviceScale, dpr * v.x, dpr * v.y);
    const moving = now - this.lastViewChange < SETTLE_MS;
    // The bitmap a layer built now would be; the image and the object layer share it.
    const want = layerGeometry(v, editor.canvasSize, editor.frameSize, dpr);
    const visible = visibleFramePart(v, editor.canvasSize, editor.frameSize);
    this.drawImage(want, visible, moving);
    this.drawLayer(dpr, moving, want, visible);

    const hovered = editor.hovered !== undefined ? editor.get(editor.hovered) : undefined;
    if (hovered && !hovered.hidden && !editor.selection.includes(hovered.id)) this.drawOne(hovered, deviceScale, dpr, 'hovered');
    for (const id of editor.selection) {
      const r = editor.get(id);
      if (r && !r.hidden && r.frame === editor.frame) this.drawOne(r, deviceScale, dpr, 'selected');
    }
    this.drawHandles(dpr, v);
    this.drawDraft(deviceScale, dpr);
  }

  private drawLayer(dpr: number, moving: boolean, want: LayerGeometry, visible: ImageBox): void {
    const { editor, layer, style } = this;
    if (layer.frame !== editor.frame || layer.labels !== editor.labels) this.dropLayer();
    if (this.lastSelection !== editor.selection) {
      this.lastSelection = editor.selection;
      layer.setExcluded(new Set(editor.selection), (id) => editor.index.boundsOf(id));
    }
    // Asked by the plan and by rebuild(); one index search answers both.
    let few: boolean | undefined;
    const cheap = () => (few ??= editor.index.search(editor.frame, want.rect).length <= CHEAP_OBJECTS);
    const plan = planLayer({ layer: layer.geometry, scale: want.scale, visible, moving, cheap });
    // A build for a view the annotator has already left is useless: stop it, free the CPU.
    const building = this.builder?.building;
    if (building && !sameLayout(building, want)) this.builder!.cancel();
    if (plan.rebuildNow) this.rebuild(want, dpr, cheap);
    else layer.repair(editor, dpr, style);
    if (plan.rebuildLater) this.settleLater();
    const g = layer.geometry;
    if (!g || g.width === 0 || g.height === 0) return;
    // At the layer's own scale it maps pixel for pixel. Scaled, it is smoothed once the view
    // rests; while it moves, plain pixel scaling costs half as much and nobody sees the difference.
    this.ctx.imageSmoothingEnabled = g.scale !== want.scale && !moving;
    this.ctx.drawImage(layer.source, 0, 0, g.width, g.height, g.rect.minX, g.rect.minY, g.width / g.scale, g.height / g.scale);
  }

  /**
   * A layer for `want`: built here when there is none to show meanwhile or it is cheap,
   * otherwise in the worker while the current one (scaled, or short at an edge) stays up.
   */
  private rebuild(want: LayerGeometry, dpr: number, cheap: () => boolean): void {
    const { editor, layer, style } = this;
    if (this.builder === undefined) this.builder = LayerBuilder.create();
    const builder = this.builder?.usable ? this.builder : null;
    if (!builder || !layer.geometry || cheap()) {
      layer.build(want, editor, dpr, style);
      return;
    }
    layer.repair(editor, dpr, style);
    // One at a time: the reply's draw asks again if the view has moved on since.
    if (builder.busy) return;
    const build = layer.beginBackground();
    const colors = editor.labels.map((l): [number, string] => [l.id, l.color]);
    const frame = editor.frame;
    // Gathered and packed in a task of their own (a few ms at 10,000 objects), not in this frame.
    const records = () => objectsIn(editor.store, editor.index, frame, want.rect, build.excluded);
    builder.start({ geometry: want, records, colors, dpr, style }, (bitmap) => {
      if (bitmap) layer.install(build, want, bitmap, (id) => editor.index.boundsOf(id));
      this.requestDraw();
    });
  }

  /** Another frame, other labels or a reloaded store: the layer, and any build of it, are void. */
  private dropLayer(): void {
    this.layer.drop();
    this.builder?.cancel();
  }

  private settleLater(): void {
    if (this.settle !== null) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = null;
      this.requestDraw();
    }, SETTLE_MS);
  }

  private drawImage(want: LayerGeometry, visible: ImageBox, moving: boolean): void {
    const source = this.filteredImage();
    if (!source) return;
    if (this.imageLayer.draw(this.ctx, source, this.editor.frameSize, want, visible, moving)) this.settleLater();
  }

  /** The image with brightness/contrast applied once per image or filter change, not per frame. */
  private filteredImage(): CanvasImageSource | null {
    const { brightness, contrast } = this.filters;
    if (!this.image || (brightness === 100 && contrast === 100)) return this.image;
    if (this.filtered) return this.filtered;
    const { width, height } = this.editor.frameSize;
    const off = document.createElement('canvas');
    off.width = Math.max(1, width);
    off.height = Math.max(1, height);
    const octx = off.getContext('2d');
    if (!octx) return this.image;
    octx.filter = `brightness(${brightness}%) contrast(${contrast}%)`;
    octx.drawImage(this.image, 0, 0, width, height);
    this.filtered = off;
    return off;
  }

  private drawOne(r: AnnotationRecord, deviceScale: number, dpr: number, emphasis: Emphasis): void {
    const color = this.editor.label(r.labelId)?.color ?? FALLBACK_COLOR;
    paintGroups(this.ctx, groupForDrawing([r], () => color), deviceScale, dpr, this.style, emphasis);
  }

  private drawHandles(dpr: number, v: Viewport): void {
    const handles = this.editor.handles();
    if (handles.length === 0) return;
    const { ctx } = this;
    const s = this.style.handleSize;
    ctx.save();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.strokeStyle = '#000000';
    ctx.lineWidth = 1;
    for (const h of handles) {
      const p = toView(v, imagePoint(h.x, h.y));
      ctx.fillRect(p.x - s / 2, p.y - s / 2, s, s);
      ctx.strokeRect(p.x - s / 2 + 0.5, p.y - s / 2 + 0.5, s - 1, s - 1);
    }
    ctx.restore();
  }

  private drawDraft(deviceScale: number, dpr: number): void {
    const { editor, ctx } = this;
    const draft = editor.draft();
    if (!draft) return;
    const color = editor.label(editor.activeLabelId ?? -1)?.color ?? '#ffffff';
    const pts = draftOutline(draft.points, draft.cursor);
    let outline = pts;
    let kind = draft.kind;
    if ((kind === 'rectangle' || kind === 'ellipse') && pts.length >= 4) {
      const [ax, ay, bx, by] = pts as [number, number, number, number];
      outline = kind === 'rectangle' ? rectanglePoints(ax, ay, bx, by) : ellipsePoints(ax, ay, bx, by);
    } else if (kind === 'polygon' && pts.length < 6) {
      kind = 'polyline';
    }
    const record: AnnotationRecord = { id: '', kind, frame: editor.frame, labelId: -1, points: outline, attributes: {}, occluded: false, hidden: false, locked: false, zOrder: 0, rotation: 0, group: 0, source: 'manual', score: 1, seq: 0 };
    const px = 1 / deviceScale;
    ctx.strokeStyle = color;
    ctx.lineWidth = this.style.selectedStrokeWidth * dpr * px;
    ctx.setLineDash([5 * dpr * px, 3 * dpr * px]);
    ctx.beginPath();
    kindUtil(kind).trace(ctx, record);
    ctx.stroke();
    ctx.setLineDash([]);
    if (kind !== 'rectangle' && kind !== 'ellipse') paintMarkers(ctx, color, [{ ...record, points: draft.points }], deviceScale, dpr, this.style, 0.8);
  }
}
