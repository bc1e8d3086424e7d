/**
 * Draws rectangles (and ellipses, by their bounding box): press, drag, release; or click one
 * corner and click the other (CVAT's two-click mode).
 *
 *   idle --down--> drawing --up after a drag--> idle (committed)
 *                  drawing --up without drag--> drawing (waiting for the second click)
 *                  drawing --down--> idle (committed)      drawing --Esc--> idle (dropped)
 *   idle --Esc--> the select tool
 */
import { clampToFrame, type ImagePoint, type ViewPoint } from '../coords';
import { ellipsePoints } from '../kinds/ellipse';
import { rectanglePoints } from '../kinds/rectangle';
import { DRAG_THRESHOLD_PX, movedBeyond, plainKey, type Draft, type KeyInfo, type PointerInfo, type Tool, type ToolContext } from './types';

type State =
  | { name: 'idle' }
  | { name: 'drawing'; start: ImagePoint; current: ImagePoint; down: ViewPoint; pressed: boolean; dragged: boolean };

/** A box thinner than this on screen is a slip of the hand, not an object. */
const MIN_SIZE_PX = 2;

export class BoxTool implements Tool {
  private s: State = { name: 'idle' };

  constructor(
    readonly name: 'rectangle' | 'ellipse',
    private readonly ctx: ToolContext,
  ) {}

  get state(): string {
    return this.s.name;
  }

  pointerDown(e: PointerInfo): void {
    if (e.button !== 0) return;
    const p = clampToFrame(e.image, this.ctx.frameSize);
    if (this.s.name === 'drawing') {
      this.commit(this.s.start, p);
      return;
    }
    if (!this.ctx.labelFor(this.name)) return;
    this.s = { name: 'drawing', start: p, current: p, down: e.view, pressed: true, dragged: false };
    this.ctx.invalidate();
  }

  pointerMove(e: PointerInfo): void {
    if (this.s.name !== 'drawing') return;
    const current = clampToFrame(e.image, this.ctx.frameSize);
    const dragged = this.s.dragged || (this.s.pressed && movedBeyond(e.view, this.s.down, DRAG_THRESHOLD_PX));
    this.s = { ...this.s, current, dragged };
    this.ctx.invalidate();
  }

  pointerUp(e: PointerInfo): void {
    if (this.s.name !== 'drawing' || !this.s.pressed) return;
    if (this.s.dragged) this.commit(this.s.start, clampToFrame(e.image, this.ctx.frameSize));
    else this.s = { ...this.s, pressed: false };
  }

  keyDown(k: KeyInfo): boolean {
    if (k.key === 'Escape' && plainKey(k)) {
      if (this.s.name === 'drawing') this.cancel();
      else this.ctx.setTool('select');
      return true;
    }
    return false;
  }

  cancel(): void {
    if (this.s.name === 'idle') return;
    this.s = { name: 'idle' };
    this.ctx.invalidate();
  }

  draft(): Draft | null {
    if (this.s.name !== 'drawing') return null;
    return { kind: this.name, points: [this.s.start.x, this.s.start.y], cursor: this.s.current };
  }

  cursor(): string {
    return 'crosshair';
  }

  private commit(a: ImagePoint, b: ImagePoint): void {
    this.s = { name: 'idle' };
    const min = this.ctx.imageLength(MIN_SIZE_PX);
    if (Math.abs(a.x - b.x) >= min && Math.abs(a.y - b.y) >= min) {
      const points = this.name === 'rectangle' ? rectanglePoints(a.x, a.y, b.x, b.y) : ellipsePoints(a.x, a.y, b.x, b.y);
      this.ctx.create(this.name, points);
    }
    this.ctx.invalidate();
  }
}
