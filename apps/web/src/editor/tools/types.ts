/**
 * Tools are small state machines fed pointer and key events. They see the editor through
 * ToolContext only, and report their state as a name ('idle', 'drawing', ...) that makes up
 * editor.getPath() ('polygon.drawing').
 */
import type { ImagePoint, Size, ViewPoint } from '../coords';
import type { AnnotationRecord, EditorLabel, ObjectKind, ShapeKind } from '../model';
import type { Store } from '../store';
import type { Viewport } from '../viewport';

export const TOOL_NAMES = ['select', 'rectangle', 'ellipse', 'polygon', 'polyline', 'points', 'tag'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];
export type DrawToolName = Exclude<ToolName, 'select' | 'tag'>;

export interface PointerInfo {
  view: ViewPoint;
  image: ImagePoint;
  button: number;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  /** Click count of this press (2 on the second press of a double click). */
  detail: number;
}

export interface KeyInfo {
  key: string;
  code: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** A shape being drawn, for the renderer to show. */
export interface Draft {
  kind: ShapeKind;
  /** Placed points, image pixels (for boxes: the two corners so far). */
  points: readonly number[];
  /** Where the pointer is: the rubber band's free end. */
  cursor: ImagePoint | null;
}

export interface ToolContext {
  readonly store: Store;
  readonly frame: number;
  readonly frameSize: Size;
  readonly viewport: Viewport;
  readonly selection: readonly string[];
  select(ids: readonly string[]): void;
  setHovered(id: string | undefined): void;
  /** The topmost visible object at `p` (hidden ones are skipped), if any. */
  pick(p: ImagePoint): AnnotationRecord | undefined;
  /** A length on screen in image pixels at the current zoom. */
  imageLength(viewPx: number): number;
  panBy(dx: number, dy: number): void;
  /** The label a new object of `kind` gets: the active one if it fits, else the first that does. */
  labelFor(kind: ObjectKind): EditorLabel | undefined;
  /** Adds an object on the current frame with the label's defaults, as one undo step, and selects it. */
  create(kind: ObjectKind, points: readonly number[]): AnnotationRecord | undefined;
  setTool(name: ToolName): void;
  /** Something only the tool holds (a draft) changed: redraw. */
  invalidate(): void;
}

export interface Tool {
  readonly name: ToolName;
  /** The state's name: the part of getPath() after the dot. */
  readonly state: string;
  pointerDown(e: PointerInfo): void;
  pointerMove(e: PointerInfo): void;
  pointerUp(e: PointerInfo): void;
  /** True when the key was used. */
  keyDown(k: KeyInfo): boolean;
  /** Abandons whatever is in progress (tool switch, frame change). */
  cancel(): void;
  draft(): Draft | null;
  /** CSS cursor for the pointer at `p` (image space). */
  cursor(p: ImagePoint | null): string;
}

/** A press that moves further than this (view pixels) is a drag, not a click. */
export const DRAG_THRESHOLD_PX = 3;

export function movedBeyond(a: ViewPoint, b: ViewPoint, px: number): boolean {
  const dx = a.x - b.x;
  const dy = a.y - b.y;
  return dx * dx + dy * dy > px * px;
}

export function plainKey(k: KeyInfo): boolean {
  return !k.ctrlKey && !k.metaKey && !k.altKey;
}
