/**
 * Draws polygons, polylines and points vertex by vertex; polygons and polylines also freehand.
 *
 *   idle --down--> drawing (first vertex)          drawing --down--> drawing (one more vertex)
 *   drawing --held and moved--> freehand (a vertex every few pixels of the stroke)
 *   freehand --up--> idle, committed, when the stroke began the shape; otherwise back to drawing
 *   drawing --Enter / N / double click--> idle, committed when there are enough vertices
 *             (polygon 3, polyline 2, points 1); with too few it keeps drawing
 *   drawing --Backspace / Ctrl+Z--> drawing without the last vertex (idle when none is left)
 *   drawing/freehand --Esc--> idle (dropped)       idle --Esc--> the select tool
 */
import { clampToFrame, type ImagePoint, type ViewPoint } from '../coords';
import { kindUtil } from '../kinds';
import { DRAG_THRESHOLD_PX, movedBeyond, plainKey, type Draft, type KeyInfo, type PointerInfo, type Tool, type ToolContext } from './types';

type State =
  | { name: 'idle' }
  | { name: 'drawing'; points: number[]; cursor: ImagePoint | null; pressed: ViewPoint | null }
  | { name: 'freehand'; points: number[]; last: ViewPoint; wholeShape: boolean };

/** Freehand strokes get a vertex each time the pointer has moved this far on screen. */
export const FREEHAND_STEP_PX = 4;

export class VertexTool implements Tool {
  private s: State = { name: 'idle' };

  constructor(
    readonly name: 'polygon' | 'polyline' | 'points',
    private readonly ctx: ToolContext,
  ) {}

  get state(): string {
    return this.s.name;
  }

  private get minVertices(): number {
    return kindUtil(this.name).minVertices;
  }

  pointerDown(e: PointerInfo): void {
    if (e.button !== 0) return;
    if (this.s.name === 'drawing' && e.detail >= 2) {
      // The second press of a double click: its first press already placed the vertex.
      this.finish();
      return;
    }
    if (this.s.name === 'idle' && !this.ctx.labelFor(this.name)) return;
    const p = clampToFrame(e.image, this.ctx.frameSize);
    const points = this.s.name === 'drawing' ? this.s.points : [];
    points.push(p.x, p.y);
    this.s = { name: 'drawing', points, cursor: p, pressed: e.view };
    this.ctx.invalidate();
  }

  pointerMove(e: PointerInfo): void {
    const p = clampToFrame(e.image, this.ctx.frameSize);
    if (this.s.name === 'drawing') {
      if (this.s.pressed && this.name !== 'points' && movedBeyond(e.view, this.s.pressed, DRAG_THRESHOLD_PX)) {
        this.s = { name: 'freehand', points: this.s.points, last: this.s.pressed, wholeShape: this.s.points.length === 2 };
      } else {
        this.s.cursor = p;
        this.ctx.invalidate();
        return;
      }
    }
    if (this.s.name === 'freehand' && movedBeyond(e.view, this.s.last, FREEHAND_STEP_PX)) {
      this.s.points.push(p.x, p.y);
      this.s.last = e.view;
      this.ctx.invalidate();
    }
  }

  pointerUp(e: PointerInfo): void {
    if (this.s.name === 'drawing') {
      this.s.pressed = null;
    } else if (this.s.name === 'freehand') {
      const p = clampToFrame(e.image, this.ctx.frameSize);
      const { points } = this.s;
      if (movedBeyond(e.view, this.s.last, 0.5)) points.push(p.x, p.y);
      if (this.s.wholeShape) {
        this.s = { name: 'drawing', points, cursor: null, pressed: null };
        // A stroke too short to make a shape is dropped rather than left half drawn.
        if (!this.finish()) this.cancel();
      } else {
        this.s = { name: 'drawing', points, cursor: p, pressed: null };
      }
      this.ctx.invalidate();
    }
  }

  keyDown(k: KeyInfo): boolean {
    const drawing = this.s.name !== 'idle';
    if (k.key === 'Escape' && plainKey(k)) {
      if (drawing) this.cancel();
      else this.ctx.setTool('select');
      return true;
    }
    if (!drawing) return false;
    if ((k.key === 'Enter' || k.key.toLowerCase() === 'n') && plainKey(k)) {
      this.finish();
      return true;
    }
    const undoKey = (k.ctrlKey || k.metaKey) && !k.shiftKey && k.key.toLowerCase() === 'z';
    if ((k.key === 'Backspace' && plainKey(k)) || undoKey) {
      if (this.s.name === 'drawing') {
        this.s.points.length = Math.max(0, this.s.points.length - 2);
        if (this.s.points.length === 0) this.s = { name: 'idle' };
        this.ctx.invalidate();
      }
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
    if (this.s.name === 'idle') return null;
    return { kind: this.name, points: this.s.points.slice(), cursor: this.s.name === 'drawing' ? this.s.cursor : null };
  }

  cursor(): string {
    return 'crosshair';
  }

  /** Commits the shape if it has enough vertices; returns whether it did. */
  private finish(): boolean {
    if (this.s.name !== 'drawing') return false;
    const points = dropRepeats(this.s.points);
    if (points.length / 2 < this.minVertices) return false;
    this.s = { name: 'idle' };
    this.ctx.create(this.name, points);
    this.ctx.invalidate();
    return true;
  }
}

/** Consecutive equal vertices (a double click places two) are one vertex. */
function dropRepeats(points: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < points.length; i += 2) {
    const n = out.length;
    if (n >= 2 && out[n - 2] === points[i] && out[n - 1] === points[i + 1]) continue;
    out.push(points[i]!, points[i + 1]!);
  }
  return out;
}
