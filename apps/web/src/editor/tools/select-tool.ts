/**
 * Selects, moves, resizes and edits vertices; drags on empty space (or on a locked object) pan.
 *
 *   idle --down on a handle of the selected object--> resizing | editingVertex
 *   idle --down on an object / empty space--> pointing (the object is selected at once)
 *   pointing --moved, on an unlocked object--> dragging (the selection moves)
 *   pointing --moved, on empty space or a locked object--> panning
 *   pointing --up--> idle (a click on empty space clears the selection)
 *   resizing | editingVertex | dragging | panning --up--> idle; each drag is one undo step
 *   any drag --Esc--> idle with the drag undone
 *
 * Ctrl/Cmd+click adds or removes an object from the selection. Alt+click on a vertex removes
 * it; Shift+press on an edge of the selected polygon or polyline inserts a vertex and drags it.
 */
import { clampToFrame, type ImageBox, type ImagePoint, type Size, type ViewPoint } from '../coords';
import { nearestEdge, translate } from '../geometry';
import { kindUtil, type Handle } from '../kinds';
import { editedSource, type AnnotationRecord } from '../model';
import type { Gesture } from '../store';
import { DRAG_THRESHOLD_PX, movedBeyond, plainKey, type KeyInfo, type PointerInfo, type Tool, type ToolContext } from './types';

type State =
  | { name: 'idle' }
  | { name: 'pointing'; down: ViewPoint; origin: ImagePoint; hit: AnnotationRecord | undefined; narrow: boolean }
  | { name: 'dragging'; gesture: Gesture; origin: ImagePoint; starts: AnnotationRecord[] }
  | { name: 'resizing' | 'editingVertex'; gesture: Gesture; start: AnnotationRecord; handle: Handle }
  | { name: 'panning'; last: ViewPoint };

/** Handles are grabbed within this many view pixels. */
export const HANDLE_RADIUS_PX = 6;
/** Clicks count as on a line within this many view pixels. */
export const HIT_TOLERANCE_PX = 4;

export class SelectTool implements Tool {
  readonly name = 'select' as const;
  private s: State = { name: 'idle' };

  constructor(private readonly ctx: ToolContext) {}

  get state(): string {
    return this.s.name;
  }

  /** The one selected object whose handles are shown and may be dragged, if any. */
  editable(): AnnotationRecord | undefined {
    const sel = this.ctx.selection;
    if (sel.length !== 1) return undefined;
    const r = this.ctx.store.get(sel[0]!);
    return r && !r.locked && !r.hidden && r.frame === this.ctx.frame ? r : undefined;
  }

  handleAt(p: ImagePoint): Handle | undefined {
    const r = this.editable();
    if (!r) return undefined;
    const radius = this.ctx.imageLength(HANDLE_RADIUS_PX);
    let best: Handle | undefined;
    let bestD = radius * radius;
    for (const h of kindUtil(r.kind).handles(r)) {
      const d = (h.x - p.x) ** 2 + (h.y - p.y) ** 2;
      if (d <= bestD) {
        bestD = d;
        best = h;
      }
    }
    return best;
  }

  pointerDown(e: PointerInfo): void {
    if (this.s.name !== 'idle' || e.button !== 0) return;
    const target = this.editable();
    const handle = this.handleAt(e.image);
    if (target && handle) {
      if (handle.role === 'vertex' && e.altKey) this.removeVertex(target, handle.id);
      else this.startHandleDrag(target, handle);
      return;
    }
    if (target && e.shiftKey && this.insertVertex(target, e.image)) return;
    const hit = this.ctx.pick(e.image);
    if (e.ctrlKey || e.metaKey) {
      if (hit) {
        const sel = this.ctx.selection;
        this.ctx.select(sel.includes(hit.id) ? sel.filter((id) => id !== hit.id) : [...sel, hit.id]);
      }
      return;
    }
    // Pressing on one of several selected objects keeps them all (to drag them); a click narrows to it.
    const narrow = hit !== undefined && this.ctx.selection.length > 1 && this.ctx.selection.includes(hit.id);
    if (hit && !this.ctx.selection.includes(hit.id)) this.ctx.select([hit.id]);
    this.s = { name: 'pointing', down: e.view, origin: e.image, hit, narrow };
  }

  pointerMove(e: PointerInfo): void {
    const s = this.s;
    switch (s.name) {
      case 'idle':
        this.ctx.setHovered(this.ctx.pick(e.image)?.id);
        return;
      case 'pointing':
        if (!movedBeyond(e.view, s.down, DRAG_THRESHOLD_PX)) return;
        if (s.hit && !s.hit.locked) this.startMove(s.origin);
        else this.s = { name: 'panning', last: s.down };
        this.pointerMove(e);
        return;
      case 'dragging': {
        const dx = e.image.x - s.origin.x;
        const dy = e.image.y - s.origin.y;
        for (const r of s.starts) {
          if (!this.ctx.store.get(r.id)) continue; // deleted mid-drag: stays deleted
          const b = kindUtil(r.kind).bounds(r);
          const [cx, cy] = b ? clampShift(b, dx, dy, this.ctx.frameSize) : [dx, dy];
          this.ctx.store.put({ ...r, points: translate(r.points, cx, cy), source: editedSource(r.source) });
        }
        return;
      }
      case 'resizing':
      case 'editingVertex': {
        if (!this.ctx.store.get(s.start.id)) return;
        const p = clampToFrame(e.image, this.ctx.frameSize);
        const points = kindUtil(s.start.kind).dragHandle(s.start, s.handle, p);
        this.ctx.store.put({ ...s.start, points, source: editedSource(s.start.source) });
        return;
      }
      case 'panning':
        this.ctx.panBy(e.view.x - s.last.x, e.view.y - s.last.y);
        this.s = { name: 'panning', last: e.view };
        return;
    }
  }

  pointerUp(_e: PointerInfo): void {
    const s = this.s;
    this.s = { name: 'idle' };
    if (s.name === 'pointing' && !s.hit) this.ctx.select([]);
    if (s.name === 'pointing' && s.hit && s.narrow) this.ctx.select([s.hit.id]);
    if (s.name === 'dragging' || s.name === 'resizing' || s.name === 'editingVertex') s.gesture.commit();
  }

  keyDown(k: KeyInfo): boolean {
    if (k.key !== 'Escape' || !plainKey(k)) return false;
    if (this.s.name !== 'idle') {
      this.cancel();
      return true;
    }
    if (this.ctx.selection.length === 0) return false;
    this.ctx.select([]);
    return true;
  }

  cancel(): void {
    const s = this.s;
    this.s = { name: 'idle' };
    if (s.name === 'dragging' || s.name === 'resizing' || s.name === 'editingVertex') s.gesture.cancel();
  }

  draft(): null {
    return null;
  }

  cursor(p: ImagePoint | null): string {
    switch (this.s.name) {
      case 'panning':
        return 'grabbing';
      case 'dragging':
        return 'move';
      case 'resizing':
      case 'editingVertex':
        return this.s.handle.cursor;
      case 'idle':
      case 'pointing':
        break;
    }
    if (!p) return 'default';
    const h = this.handleAt(p);
    if (h) return h.cursor;
    const hit = this.ctx.pick(p);
    return hit ? (hit.locked ? 'pointer' : 'move') : 'default';
  }

  private startMove(origin: ImagePoint): void {
    const starts: AnnotationRecord[] = [];
    for (const id of this.ctx.selection) {
      const r = this.ctx.store.get(id);
      if (r && !r.locked && !r.hidden && r.kind !== 'tag' && r.frame === this.ctx.frame) starts.push(r);
    }
    this.s = { name: 'dragging', gesture: this.ctx.store.beginGesture(), origin, starts };
  }

  private startHandleDrag(start: AnnotationRecord, handle: Handle): void {
    const name = handle.role === 'resize' ? 'resizing' : 'editingVertex';
    this.s = { name, gesture: this.ctx.store.beginGesture(), start, handle };
  }

  private removeVertex(r: AnnotationRecord, index: number): void {
    if (r.points.length / 2 <= kindUtil(r.kind).minVertices) return;
    const points = r.points.slice();
    points.splice(2 * index, 2);
    this.ctx.store.put({ ...r, points, source: editedSource(r.source) });
  }

  /** Shift+press near an edge of a polygon or polyline: a new vertex there, dragged from now on. */
  private insertVertex(r: AnnotationRecord, p: ImagePoint): boolean {
    if (r.kind !== 'polygon' && r.kind !== 'polyline') return false;
    const edge = nearestEdge(r.points, r.kind === 'polygon', p.x, p.y);
    const tolerance = this.ctx.imageLength(HIT_TOLERANCE_PX);
    if (!edge || edge.distanceSq > tolerance * tolerance) return false;
    const points = r.points.slice();
    points.splice(2 * (edge.index + 1), 0, edge.x, edge.y);
    const gesture = this.ctx.store.beginGesture();
    const start = this.ctx.store.put({ ...r, points, source: editedSource(r.source) });
    const handle: Handle = { id: edge.index + 1, role: 'vertex', x: edge.x, y: edge.y, cursor: 'move' };
    this.s = { name: 'editingVertex', gesture, start, handle };
    return true;
  }
}

/**
 * Limits a move so an object inside the frame stays inside (CVAT keeps shapes on the image);
 * one already sticking out may not go further out but may come back.
 */
export function clampShift(b: ImageBox, dx: number, dy: number, frame: Size): [number, number] {
  const x = Math.min(Math.max(dx, Math.min(0, -b.minX)), Math.max(0, frame.width - b.maxX));
  const y = Math.min(Math.max(dy, Math.min(0, -b.minY)), Math.max(0, frame.height - b.maxY));
  return [x, y];
}
