/**
 * The editor's view: frame and canvas sizes and the viewport over them. Fits the frame until
 * the user zooms or pans; after that their view is kept (clamped) when the canvas resizes.
 */
import { viewPoint, type Size, type ViewPoint } from './coords';
import * as vp from './viewport';

/** View pixels kept free around the frame when fitting it. */
const FIT_MARGIN_PX = 8;

export class ViewState {
  frame: Size = { width: 0, height: 0 };
  canvas: Size = { width: 0, height: 0 };
  viewport: vp.Viewport = vp.IDENTITY;
  /** The user zoomed or panned: resizing the canvas keeps their view instead of refitting. */
  private touched = false;

  /** Returns whether the viewport changed. */
  setFrameSize(size: Size): boolean {
    if (size.width === this.frame.width && size.height === this.frame.height) return false;
    this.frame = { width: size.width, height: size.height };
    return this.fit();
  }

  setCanvasSize(size: Size): boolean {
    this.canvas = { width: size.width, height: size.height };
    return this.touched ? this.set(this.viewport) : this.fit();
  }

  fit(): boolean {
    this.touched = false;
    return this.replace(vp.fit(this.frame, this.canvas, FIT_MARGIN_PX));
  }

  /** A viewport the user chose, clamped to the zoom limits and so the frame stays in sight. */
  set(v: vp.Viewport): boolean {
    this.touched = true;
    const limits = vp.scaleLimits(this.frame, this.canvas);
    return this.replace(vp.clampPan({ ...v, scale: vp.clampScale(v.scale, limits) }, this.frame, this.canvas));
  }

  zoomAt(at: ViewPoint, factor: number): boolean {
    return this.set(vp.zoomAt(this.viewport, at, factor, vp.scaleLimits(this.frame, this.canvas)));
  }

  zoomAtCentre(factor: number): boolean {
    return this.zoomAt(viewPoint(this.canvas.width / 2, this.canvas.height / 2), factor);
  }

  panBy(dx: number, dy: number): boolean {
    return this.set(vp.panBy(this.viewport, dx, dy));
  }

  private replace(v: vp.Viewport): boolean {
    if (vp.sameViewport(v, this.viewport)) return false;
    this.viewport = v;
    return true;
  }
}
