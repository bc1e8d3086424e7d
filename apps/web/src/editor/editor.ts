/**
 * The Editor: the one object the React app binds to (public surface: README.md). On top of
 * EditorState (store, indexes, labels, view, selection, notifications) it holds the tools,
 * turns pointer and key input in view pixels into tool events in image pixels, and offers the
 * edits, undo/redo and the load/save cycle.
 */
import * as actions from './actions';
import type { Size } from './coords';
import type { ChangeSet, CvatAnnotations, CvatShape, CvatTag } from './cvat';
import { EditorState } from './editor-state';
import { compareOrder } from './frame-order';
import { PointerRouter, type PointerInput } from './input';
import { handleKey } from './keys';
import { kindUtil, type Handle } from './kinds';
import { labelFits, type AnnotationRecord, type EditorLabel, type ObjectKind } from './model';
import { createTool, SelectTool, type Draft, type KeyInfo, type Tool, type ToolContext, type ToolName } from './tools';
import { viewLengthToImage } from './viewport';

export interface EditorOptions {
  labels: EditorLabel[];
}

export type KeyInput = KeyInfo;
export type { ObjectPatch } from './actions';
export type { WheelInput } from './editor-state';
export type { PointerInput } from './input';

export class Editor extends EditorState {
  private readonly tools = new Map<ToolName, Tool>();
  private tool: Tool;
  private lastDrawTool: ToolName = 'rectangle';
  private clipboard: AnnotationRecord[] = [];
  private idCounter = 0;
  private readonly ctx: ToolContext & actions.ActionContext;
  private readonly input: PointerRouter;

  constructor(options: EditorOptions) {
    super();
    const self = this;
    this.ctx = {
      store: this.store,
      order: this.order,
      get labels() {
        return self.labelMap;
      },
      get frame() {
        return self.currentFrame;
      },
      get frameSize() {
        return self.view.frame;
      },
      get viewport() {
        return self.view.viewport;
      },
      get selection() {
        return self.selected;
      },
      select: (ids) => this.select(ids),
      setHovered: (id) => this.setHover(id),
      pick: (p) => this.pickAt(p),
      imageLength: (px) => viewLengthToImage(this.view.viewport, px),
      panBy: (dx, dy) => this.touchIf(this.view.panBy(dx, dy)),
      labelFor: (kind) => this.labelFor(kind),
      create: (kind, points) => this.create(kind, points),
      setTool: (name) => this.setTool(name),
      invalidate: () => this.touch(),
      nextId: () => `n${++this.idCounter}`,
    };
    this.tool = this.toolNamed('select');
    this.input = new PointerRouter({
      get tool() {
        return self.tool;
      },
      get viewport() {
        return self.view.viewport;
      },
      panBy: (dx, dy) => this.touchIf(this.view.panBy(dx, dy)),
      touch: () => this.touch(),
    });
    this.setLabels(options.labels);
  }

  /** Shows `frame` (its image is `size` pixels; a new size refits). Drawing in progress is dropped. */
  setFrame(frame: number, size: Size): void {
    this.batch(() => {
      this.tool.cancel();
      this.input.reset();
      if (frame !== this.currentFrame) {
        this.selected = [];
        this.hover = undefined;
      }
      this.currentFrame = frame;
      this.store.activeFrame = frame;
      this.view.setFrameSize(size);
      this.touch(true);
    });
  }

  // ----- tools and input -------------------------------------------------------------------

  get toolName(): ToolName {
    return this.tool.name;
  }

  setTool(name: ToolName): void {
    if (name === this.tool.name) return;
    this.batch(() => {
      this.tool.cancel();
      this.tool = this.toolNamed(name);
      if (name !== 'select' && name !== 'tag') this.lastDrawTool = name;
      this.hover = undefined;
      this.touch(true);
    });
  }

  /** The drawing tool N switches to from select (the last one used). */
  get drawTool(): ToolName {
    return this.lastDrawTool;
  }

  /** '<tool>.<state>', e.g. 'select.idle', 'rectangle.drawing', 'polygon.freehand'. */
  getPath(): string {
    const state = this.input.panning && this.tool.state === 'idle' ? 'panning' : this.tool.state;
    return `${this.tool.name}.${state}`;
  }

  pointerDown(input: PointerInput): void {
    this.batch(() => this.input.down(input));
  }

  pointerMove(input: PointerInput): void {
    this.batch(() => this.input.move(input));
  }

  pointerUp(input: PointerInput): void {
    this.batch(() => this.input.up(input));
  }

  /** The pointer left the canvas: nothing is hovered any more. */
  pointerLeave(): void {
    this.input.leave();
    this.setHover(undefined);
  }

  /** True when the key was used (the caller should then preventDefault). */
  keyDown(input: KeyInput): boolean {
    return this.batch(() => handleKey(this, this.tool, input));
  }

  keyUp(input: KeyInput): boolean {
    if (input.key !== ' ') return false;
    this.setSpaceHeld(false);
    return true;
  }

  /** Space held: dragging with the left button pans, whatever the tool. */
  setSpaceHeld(held: boolean): void {
    this.input.setSpaceHeld(held);
  }

  /** CSS cursor for the canvas (the renderer applies it). */
  get cursor(): string {
    return this.input.cursor;
  }

  /** The shape being drawn, for the renderer. */
  draft(): Draft | null {
    return this.tool.draft();
  }

  /** The selected object whose handles are shown (select tool, one unlocked visible object). */
  editableObject(): AnnotationRecord | undefined {
    return this.tool instanceof SelectTool ? this.tool.editable() : undefined;
  }

  handles(): Handle[] {
    const r = this.editableObject();
    return r ? kindUtil(r.kind).handles(r) : [];
  }

  // ----- objects ---------------------------------------------------------------------------

  /** Changes an object (one undo step); false when refused (locked, unknown, label of another kind). */
  update(id: string, patch: actions.ObjectPatch): boolean {
    return this.batch(() => actions.updateObject(this.ctx, id, patch));
  }

  /** Deletes the selected objects, locked ones only when `force`; returns how many. */
  deleteSelected(force = false): number {
    return this.batch(() => actions.deleteObjects(this.ctx, this.selected, force).length);
  }

  /** Toggles hidden / locked / occluded on the selection (CVAT's H, L, Q). */
  toggle(flag: 'hidden' | 'locked' | 'occluded'): number {
    return this.batch(() => actions.toggleFlag(this.ctx, this.selected, flag));
  }

  /** Copies the selection; returns how many objects were copied. */
  copy(): number {
    const records = this.selected.map((id) => this.store.get(id)).filter((r): r is AnnotationRecord => r !== undefined);
    if (records.length > 0) this.clipboard = records.sort(compareOrder);
    return records.length;
  }

  /** Pastes the copied objects onto the current frame (same coordinates) and selects them. */
  paste(): number {
    if (this.clipboard.length === 0) return 0;
    return this.batch(() => {
      this.tool.cancel();
      const ids = actions.pasteObjects(this.ctx, this.clipboard, this.currentFrame);
      this.select(ids);
      return ids.length;
    });
  }

  /** CVAT's '+': the selection goes above everything on the frame. Returns how many moved. */
  raise(): number {
    return this.batch(() => actions.raiseObjects(this.ctx, this.selected));
  }

  /** CVAT's '-': the selection goes below everything on the frame. */
  lower(): number {
    return this.batch(() => actions.lowerObjects(this.ctx, this.selected));
  }

  /** Tags the current frame (the active label, or `labelId`); a label the frame has already is not added twice. */
  addTag(labelId?: number): AnnotationRecord | undefined {
    return this.batch(() => {
      const label = labelId !== undefined ? this.labelMap.get(labelId) : this.labelFor('tag');
      return label && labelFits(label, 'tag') ? this.createWith('tag', label, []) : undefined;
    });
  }

  get canUndo(): boolean {
    return this.store.canUndo || this.tool.state !== 'idle';
  }

  get canRedo(): boolean {
    return this.store.canRedo;
  }

  /**
   * Undoes the last edit (a drawing in progress is dropped first, and that is all). Returns
   * the frame the undone edit was made on, so the app can show it, or null.
   */
  undo(): number | null {
    return this.batch(() => {
      if (this.tool.state === 'idle') return this.store.undo();
      this.tool.cancel();
      return this.currentFrame;
    });
  }

  redo(): number | null {
    return this.batch(() => {
      this.tool.cancel();
      return this.store.redo();
    });
  }

  // ----- server ----------------------------------------------------------------------------

  /** Replaces everything with a job's annotations (GET /api/jobs/{id}/annotations). History starts empty. */
  load(annotations: CvatAnnotations): void {
    this.batch(() => {
      this.tool.cancel();
      this.sync.load(annotations, this.labelMap);
      this.selected = [];
      this.hover = undefined;
      this.touch(true);
    });
  }

  /**
   * After a save conflict: takes the server's `annotations` and puts the unsaved edits back on
   * top (they stay unsaved; objects the user edited but someone deleted come back as new ones).
   * Undo history is cleared; the selection is kept where its objects remain.
   */
  rebase(annotations: CvatAnnotations): void {
    this.batch(() => {
      this.tool.cancel();
      const selection = this.selected;
      this.sync.rebase(annotations, this.labelMap, this.ctx.nextId);
      this.select(selection);
      this.touch(true);
    });
  }

  /** The annotations version of the last load() or rebase(). */
  get annotationsVersion(): number {
    return this.sync.version;
  }

  /** Shapes and tracks the engine keeps but does not edit (masks, skeletons, cuboids, tracks). */
  get untouched(): { readonly shapes: readonly CvatShape[]; readonly tracks: readonly unknown[] } {
    return this.sync.untouched;
  }

  /** PATCH bodies for ?action=create, update and delete. One save at a time. */
  changes(): ChangeSet {
    return this.sync.changes();
  }

  get hasUnsavedChanges(): boolean {
    return this.sync.hasUnsavedChanges;
  }

  /** After the server accepted `sent` (or some of its batches): `created` is its answer to the create request. */
  markSaved(created: { shapes: CvatShape[]; tags: CvatTag[] }, sent: ChangeSet): void {
    this.batch(() => {
      this.sync.markSaved(created, sent);
      this.touch(true);
    });
  }

  // ----- internals -------------------------------------------------------------------------

  private create(kind: ObjectKind, points: readonly number[]): AnnotationRecord | undefined {
    const label = this.labelFor(kind);
    return label ? this.createWith(kind, label, points) : undefined;
  }

  private createWith(kind: ObjectKind, label: EditorLabel, points: readonly number[]): AnnotationRecord {
    const existing = kind === 'tag' ? actions.tagOnFrame(this.ctx, this.currentFrame, label.id) : undefined;
    const r = existing ?? this.store.put(actions.newRecord(this.ctx, kind, this.currentFrame, label, points));
    this.select([r.id]);
    return r;
  }

  private toolNamed(name: ToolName): Tool {
    let t = this.tools.get(name);
    if (!t) this.tools.set(name, (t = createTool(name, this.ctx)));
    return t;
  }

}
