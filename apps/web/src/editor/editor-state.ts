/**
 * The editor's state and its notifications: the store with its indexes, labels, frame, view,
 * selection and hover, and the subscription that batches changes into one notification.
 * Editor (editor.ts) adds tools, input, edits and saving on top; the split keeps each file to
 * one concern.
 */
import { boxAround, viewPoint, type ImagePoint, type Size } from './coords';
import { compareOrder, FrameOrder } from './frame-order';
import { kindUtil } from './kinds';
import { labelFits, type AnnotationRecord, type EditorLabel, type ObjectKind } from './model';
import { SpatialIndex } from './spatial';
import { Store } from './store';
import { AnnotationSync } from './sync';
import { HIT_TOLERANCE_PX } from './tools';
import { ViewState } from './view-state';
import { viewLengthToImage, wheelFactor, type Viewport } from './viewport';

export interface WheelInput {
  x: number;
  y: number;
  deltaY: number;
  ctrlKey: boolean;
}

const ZOOM_STEP = 1.25;

export abstract class EditorState {
  readonly store = new Store();
  /** Object bounds per frame (rbush): hit tests and the renderer's culling query it. */
  readonly index = new SpatialIndex(this.store);
  protected readonly order = new FrameOrder(this.store);
  protected readonly sync = new AnnotationSync(this.store);
  protected readonly view = new ViewState();
  protected labelList: readonly EditorLabel[] = [];
  protected labelMap = new Map<number, EditorLabel>();
  protected activeLabel: number | undefined;
  protected currentFrame = 0;
  protected selected: readonly string[] = [];
  protected hover: string | undefined;
  private readonly listeners = new Set<() => void>();
  private depth = 0;
  private pending = false;
  private modelPending = false;
  private changeCount = 0;
  private modelCount = 0;
  private modelSignature = '';

  constructor() {
    this.store.listen({ change: () => this.touch(true), reset: () => this.touch(true) });
  }

  /** '<tool>.<state>' (Editor). */
  abstract getPath(): string;
  abstract get canUndo(): boolean;
  abstract get canRedo(): boolean;

  // ----- subscription ---------------------------------------------------------------------

  /** Called once per batch of changes (any input event, any edit). Returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Increases with every notification, pointer moves included: the renderer's snapshot. */
  get version(): number {
    return this.changeCount;
  }

  /**
   * Increases when objects, selection, frame, labels, active label, tool path or undo/redo
   * availability change; not for viewport, hover, cursor or the shape being drawn. A snapshot
   * for panels listing objects, so they do not re-render on every pointer move.
   */
  get modelVersion(): number {
    return this.modelCount;
  }

  /** Runs `fn` with notifications held until it ends (nestable). */
  batch<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      if (this.depth === 0 && this.pending) this.flush();
    }
  }

  protected touchIf(changed: boolean): void {
    if (changed) this.touch();
  }

  /** Something changed: notify at the end of the batch (`model`: beyond the view). */
  protected touch(model = false): void {
    this.pending = true;
    if (model) this.modelPending = true;
    if (this.depth === 0) this.flush();
  }

  private flush(): void {
    this.pending = false;
    // Objects undone away or moved to another frame leave the selection.
    const kept = this.selected.filter((id) => this.store.get(id)?.frame === this.currentFrame);
    if (kept.length !== this.selected.length) this.selected = kept;
    if (this.hover !== undefined && !this.store.get(this.hover)) this.hover = undefined;
    const signature = `${this.getPath()}|${this.canUndo}|${this.canRedo}`;
    if (this.modelPending || signature !== this.modelSignature) this.modelCount++;
    this.modelPending = false;
    this.modelSignature = signature;
    this.changeCount++;
    for (const l of [...this.listeners]) l();
  }

  // ----- labels ----------------------------------------------------------------------------

  get labels(): readonly EditorLabel[] {
    return this.labelList;
  }

  setLabels(labels: readonly EditorLabel[]): void {
    this.labelList = labels;
    this.labelMap = new Map(labels.map((l) => [l.id, l]));
    if (this.activeLabel === undefined || !this.labelMap.has(this.activeLabel)) this.activeLabel = labels[0]?.id;
    this.touch(true);
  }

  label(id: number): EditorLabel | undefined {
    return this.labelMap.get(id);
  }

  /** Labels an object of `kind` may carry (for a label picker). */
  labelsFor(kind: ObjectKind): EditorLabel[] {
    return this.labelList.filter((l) => labelFits(l, kind));
  }

  get activeLabelId(): number | undefined {
    return this.activeLabel;
  }

  setActiveLabel(labelId: number): void {
    if (!this.labelMap.has(labelId) || labelId === this.activeLabel) return;
    this.activeLabel = labelId;
    this.touch(true);
  }

  /** The label a new object of `kind` gets: the active one if it fits, else the first that does. */
  protected labelFor(kind: ObjectKind): EditorLabel | undefined {
    const active = this.activeLabel !== undefined ? this.labelMap.get(this.activeLabel) : undefined;
    return active && labelFits(active, kind) ? active : this.labelList.find((l) => labelFits(l, kind));
  }

  // ----- frame and view --------------------------------------------------------------------

  get frame(): number {
    return this.currentFrame;
  }

  get frameSize(): Size {
    return this.view.frame;
  }

  get canvasSize(): Size {
    return this.view.canvas;
  }

  setCanvasSize(width: number, height: number): void {
    this.view.setCanvasSize({ width, height });
    this.touch();
  }

  get viewport(): Viewport {
    return this.view.viewport;
  }

  /** Sets the viewport (clamped to the zoom limits, the frame kept in sight). */
  setViewport(v: Viewport): void {
    this.touchIf(this.view.set(v));
  }

  fit(): void {
    this.view.fit();
    this.touch();
  }

  zoomIn(): void {
    this.touchIf(this.view.zoomAtCentre(ZOOM_STEP));
  }

  zoomOut(): void {
    this.touchIf(this.view.zoomAtCentre(1 / ZOOM_STEP));
  }

  /** Zooms around the pointer (plain wheel as in CVAT; trackpad pinches arrive with ctrlKey). */
  wheel(input: WheelInput): boolean {
    this.touchIf(this.view.zoomAt(viewPoint(input.x, input.y), wheelFactor(input.deltaY)));
    return true;
  }

  // ----- objects, selection, hover ---------------------------------------------------------

  get(id: string): AnnotationRecord | undefined {
    return this.store.get(id);
  }

  /** The frame's objects, bottom first. A snapshot: the same array until that frame's objects change. */
  objectsOnFrame(frame = this.currentFrame): readonly AnnotationRecord[] {
    return this.order.list(frame);
  }

  /** The topmost visible object at an image point: candidates from the index, then exact tests. */
  pickAt(p: ImagePoint): AnnotationRecord | undefined {
    const tolerance = viewLengthToImage(this.view.viewport, HIT_TOLERANCE_PX);
    let best: AnnotationRecord | undefined;
    for (const id of this.index.search(this.currentFrame, boxAround(p, tolerance))) {
      const r = this.store.get(id);
      if (!r || r.hidden || (best && compareOrder(r, best) < 0)) continue;
      if (kindUtil(r.kind).hitTest(r, p, tolerance)) best = r;
    }
    return best;
  }

  /** Selected ids (objects of the current frame); a new array whenever the selection changes. */
  get selection(): readonly string[] {
    return this.selected;
  }

  select(ids: readonly string[]): void {
    const next = [...new Set(ids)].filter((id) => this.store.get(id)?.frame === this.currentFrame);
    if (next.length === this.selected.length && next.every((id, i) => id === this.selected[i])) return;
    this.selected = next;
    this.touch(true);
  }

  get hovered(): string | undefined {
    return this.hover;
  }

  protected setHover(id: string | undefined): void {
    if (id === this.hover) return;
    this.hover = id;
    this.touch();
  }

  /** Tab / Shift+Tab: selects the next (or previous) visible object of the frame, bottom to top. */
  step(direction: 1 | -1): boolean {
    const list = this.objectsOnFrame().filter((r) => !r.hidden);
    if (list.length === 0) return false;
    const current = this.selected.length === 1 ? list.findIndex((r) => r.id === this.selected[0]) : -1;
    const next = current < 0 ? (direction > 0 ? 0 : list.length - 1) : (current + direction + list.length) % list.length;
    this.select([list[next]!.id]);
    return true;
  }
}
