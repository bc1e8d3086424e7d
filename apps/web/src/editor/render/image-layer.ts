/**
 * The frame image at the view's scale. Drawing a 4000x3000 picture shrunk to the view costs
 * 4-5 ms a frame in software rasterization at 1920x1080 (the resampling, not the copy), which
 * a wheel notch waits behind. When the view rests, the visible part (with the object layer's
 * margin) is resampled once into a bitmap at the view's scale; frames then copy it pixel for
 * pixel, and a zoom in progress shows it scaled, as the object layer does, until the view
 * rests again. Zoomed in past one device pixel per image pixel there is nothing to resample
 * (pixels are magnified, not averaged) and the picture is drawn as it is.
 */
import { boxContains, type ImageBox, type Size } from '../coords';
import type { LayerGeometry } from './layer-plan';

export class ImageLayer {
  private readonly canvas: HTMLCanvasElement = document.createElement('canvas');
  private readonly ctx: CanvasRenderingContext2D;
  private geometry: LayerGeometry | null = null;
  private source: CanvasImageSource | null = null;

  constructor() {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('ImageLayer: no 2D context');
    this.ctx = ctx;
  }

  /**
   * Draws `source` (frame-sized) on `ctx`, whose transform maps image pixels to device pixels.
   * Returns true when what it drew is not exact (a scaled copy): the caller redraws once the
   * view has rested.
   */
  draw(ctx: CanvasRenderingContext2D, source: CanvasImageSource, frame: Size, want: LayerGeometry, visible: ImageBox, moving: boolean): boolean {
    if (want.scale >= 1) {
      // Crisp pixels when zoomed in, so annotators see the pixel grid they place points on.
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(source, 0, 0, frame.width, frame.height);
      return false;
    }
    const g = this.geometry;
    const usable = g !== null && this.source === source && boxContains(g.rect, visible);
    const exact = usable && Math.abs(g.scale - want.scale) <= 1e-9 * want.scale;
    if (!exact && !moving) {
      this.build(source, frame, want);
      this.blit(ctx, want, false);
      return false;
    }
    if (usable) {
      this.blit(ctx, g, !exact);
      return !exact;
    }
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(source, 0, 0, frame.width, frame.height);
    return true;
  }

  private build(source: CanvasImageSource, frame: Size, g: LayerGeometry): void {
    const width = Math.max(1, g.width);
    const height = Math.max(1, g.height);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const { ctx } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.setTransform(g.scale, 0, 0, g.scale, -g.rect.minX * g.scale, -g.rect.minY * g.scale);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(source, 0, 0, frame.width, frame.height);
    this.geometry = g;
    this.source = source;
  }

  private blit(ctx: CanvasRenderingContext2D, g: LayerGeometry, smooth: boolean): void {
    ctx.imageSmoothingEnabled = smooth;
    ctx.drawImage(this.canvas, 0, 0, g.width, g.height, g.rect.minX, g.rect.minY, g.width / g.scale, g.height / g.scale);
  }
}
