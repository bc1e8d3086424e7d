/**
 * The frame image at the view's scale. Drawing a 4000x3000 picture shrunk to the view costs
 * 4-12 ms a frame in software rasterization at 1920x1080 (the resampling, not the copy), which
 * a wheel notch waits behind. When the view rests, the visible part (with the object layer's
 * margin) is resampled into a bitmap at the view's scale, a band of rows per task between
 * frames so that no input waits for the whole cost; frames then copy it pixel for pixel. While the view
 * moves, or the new bitmap is being made, the last one is shown scaled, as the object layer
 * is. Zoomed in past one device pixel per image pixel there is nothing to resample (pixels are
 * magnified, not averaged) and the picture is drawn as it is.
 *
 * A worker could resample too, but the picture would have to reach it: posting an ImageBitmap
 * copies its pixels (48 MB for 4000x3000), which costs the page more than the resampling.
 */
import { boxContains, type ImageBox, type Size } from '../coords';
import { sameLayout, type LayerGeometry } from './layer-plan';

/** Device-pixel rows resampled per task: about 1-2 ms of work at 1920x1080. */
const BAND_ROWS = 160;

interface Bitmap {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
}

export class ImageLayer {
  private shown: (Bitmap & { geometry: LayerGeometry; source: CanvasImageSource }) | null = null;
  private making: (Bitmap & { geometry: LayerGeometry; source: CanvasImageSource; frame: Size; row: number }) | null = null;
  private spare: Bitmap | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `ready` is called when a new bitmap is complete and the view should be redrawn. */
  constructor(private readonly ready: () => void) {}

  destroy(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.abandon();
  }

  /** Stops the bitmap being made; its canvas is kept for the next (they are view-sized: reused, not reallocated). */
  private abandon(): void {
    if (!this.making) return;
    this.spare ??= { canvas: this.making.canvas, ctx: this.making.ctx };
    this.making = null;
  }

  /**
   * Draws `source` (frame-sized) on `ctx`, whose transform maps image pixels to device pixels.
   * Returns true when what it drew is not exact and nothing is under way to fix that: the
   * caller redraws once the view has rested.
   */
  draw(ctx: CanvasRenderingContext2D, source: CanvasImageSource, frame: Size, want: LayerGeometry, visible: ImageBox, moving: boolean): boolean {
    if (want.scale >= 1) {
      this.abandon();
      // Crisp pixels when zoomed in, so annotators see the pixel grid they place points on.
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(source, 0, 0, frame.width, frame.height);
      return false;
    }
    const shown = this.shown;
    const usable = shown !== null && shown.source === source && boxContains(shown.geometry.rect, visible);
    if (usable && sameLayout(shown.geometry, want)) {
      this.abandon();
      blit(ctx, shown, shown.geometry, false);
      return false;
    }
    if (moving) {
      this.abandon();
      // Mid-gesture: plain pixel scaling of the last bitmap (half the cost of smoothing it).
      if (usable) blit(ctx, shown, shown.geometry, false);
      else direct(ctx, source, frame);
      return true;
    }
    // At rest with the old bitmap covering the view: show it scaled while a new one is made, a
    // band per task between frames (an input waits for one band at most), then redraw once.
    // With nothing to show meanwhile (another frame, a view past the old bitmap) it is made in
    // one go: the picture has to be resampled for this frame anyway.
    if (!this.making || this.making.source !== source || !sameLayout(this.making.geometry, want)) {
      this.abandon();
      this.start(source, want, frame);
    }
    if (usable) {
      blit(ctx, shown, shown.geometry, true);
      this.scheduleBand();
      return false;
    }
    while (!this.band()) {
      /* all bands now */
    }
    blit(ctx, this.shown!, want, false);
    return false;
  }

  private scheduleBand(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // The view moved, or the bitmap was finished by a draw meanwhile.
      if (!this.making) return;
      if (this.band()) this.ready();
      else this.scheduleBand();
    }, 0);
  }

  private start(source: CanvasImageSource, g: LayerGeometry, frame: Size): void {
    const target = this.spare ?? makeBitmap();
    this.spare = null;
    const width = Math.max(1, g.width);
    const height = Math.max(1, g.height);
    if (target.canvas.width !== width || target.canvas.height !== height) {
      target.canvas.width = width;
      target.canvas.height = height;
    }
    target.ctx.setTransform(1, 0, 0, 1, 0, 0);
    target.ctx.clearRect(0, 0, width, height);
    this.making = { ...target, geometry: g, source, frame: { width: frame.width, height: frame.height }, row: 0 };
  }

  /** Resamples the next band; true when the bitmap is complete (and now shown). */
  private band(): boolean {
    const m = this.making!;
    const { geometry: g, source, frame } = m;
    const rows = Math.min(BAND_ROWS, m.canvas.height - m.row);
    const { ctx } = m;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.beginPath();
    ctx.rect(0, m.row, m.canvas.width, rows);
    ctx.clip();
    ctx.setTransform(g.scale, 0, 0, g.scale, -g.rect.minX * g.scale, -g.rect.minY * g.scale);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(source, 0, 0, frame.width, frame.height);
    ctx.restore();
    // The canvas records drawing and rasterizes it later; a 1-pixel read makes it do this
    // band's work now, in this task, instead of all bands at once when the bitmap is first shown.
    ctx.getImageData(0, m.row, 1, 1);
    m.row += rows;
    if (m.row < m.canvas.height) return false;
    if (this.shown) this.spare = { canvas: this.shown.canvas, ctx: this.shown.ctx };
    this.shown = { canvas: m.canvas, ctx: m.ctx, geometry: g, source };
    this.making = null;
    return true;
  }
}

function makeBitmap(): Bitmap {
  const canvas = document.createElement('canvas');
  // Read back a pixel per band (see band()): keep it on the CPU, where that costs nothing.
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('ImageLayer: no 2D context');
  return { canvas, ctx };
}

function direct(ctx: CanvasRenderingContext2D, source: CanvasImageSource, frame: Size): void {
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(source, 0, 0, frame.width, frame.height);
}

function blit(ctx: CanvasRenderingContext2D, bitmap: Bitmap, g: LayerGeometry, smooth: boolean): void {
  ctx.imageSmoothingEnabled = smooth;
  ctx.drawImage(bitmap.canvas, 0, 0, g.width, g.height, g.rect.minX, g.rect.minY, g.width / g.scale, g.height / g.scale);
}
