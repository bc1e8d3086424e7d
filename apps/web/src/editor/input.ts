/**
 * Routes pointer input: pans (middle button, or left with Space held, in any tool) are handled
 * here; everything else goes to the active tool, in image coordinates. Keeps the pointer's last
 * position for the cursor the canvas shows.
 */
import { viewPoint, type ImagePoint } from './coords';
import type { PointerInfo, Tool } from './tools';
import { toImage, type Viewport } from './viewport';

/** A pointer event in view (CSS) pixels relative to the canvas's top-left corner. */
export interface PointerInput {
  x: number;
  y: number;
  button: number;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  /** Click count (MouseEvent.detail): 2 on the second press of a double click. */
  detail?: number;
}

export interface InputHost {
  readonly tool: Tool;
  readonly viewport: Viewport;
  panBy(dx: number, dy: number): void;
  /** Something visible changed. */
  touch(): void;
}

export class PointerRouter {
  private spaceHeld = false;
  private pan: { x: number; y: number } | null = null;
  private pointer: ImagePoint | null = null;
  private lastCursor = '';

  constructor(private readonly host: InputHost) {}

  get panning(): boolean {
    return this.pan !== null;
  }

  down(input: PointerInput): void {
    const e = this.info(input);
    if (input.button === 1 || (input.button === 0 && this.spaceHeld)) {
      this.pan = { x: input.x, y: input.y };
      this.host.touch();
    } else {
      this.host.tool.pointerDown(e);
    }
  }

  move(input: PointerInput): void {
    const e = this.info(input);
    if (this.pan) {
      this.host.panBy(input.x - this.pan.x, input.y - this.pan.y);
      this.pan = { x: input.x, y: input.y };
    } else {
      this.host.tool.pointerMove(e);
    }
    const cursor = this.cursor;
    if (cursor !== this.lastCursor) {
      this.lastCursor = cursor;
      this.host.touch();
    }
  }

  up(input: PointerInput): void {
    const e = this.info(input);
    if (this.pan) {
      this.pan = null;
      this.host.touch();
    } else {
      this.host.tool.pointerUp(e);
    }
  }

  leave(): void {
    this.pointer = null;
  }

  /** Drops a pan in progress (frame change). */
  reset(): void {
    this.pan = null;
  }

  setSpaceHeld(held: boolean): void {
    if (held === this.spaceHeld) return;
    this.spaceHeld = held;
    this.host.touch();
  }

  get cursor(): string {
    if (this.pan) return 'grabbing';
    if (this.spaceHeld) return 'grab';
    return this.host.tool.cursor(this.pointer);
  }

  private info(input: PointerInput): PointerInfo {
    const view = viewPoint(input.x, input.y);
    const image = toImage(this.host.viewport, view);
    this.pointer = image;
    const { button, shiftKey, ctrlKey, altKey, metaKey } = input;
    return { view, image, button, shiftKey, ctrlKey, altKey, metaKey, detail: input.detail ?? 1 };
  }
}
