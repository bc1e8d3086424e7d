/** Drives the engine the way the canvas does: pointer and key events in view pixels. */
import { Editor } from '../../src/editor/editor';
import type { EditorLabel } from '../../src/editor/model';

export const CAR: EditorLabel = {
  id: 1,
  name: 'car',
  color: '#ff0000',
  type: 'any',
  attributes: [
    { id: 11, name: 'model', input_type: 'select', mutable: false, values: ['mazda', 'volvo'], default_value: 'volvo' },
    { id: 12, name: 'parked', input_type: 'checkbox', mutable: true, values: ['false', 'true'], default_value: 'false' },
  ],
};
export const PERSON: EditorLabel = {
  id: 2,
  name: 'person',
  color: '#00ff00',
  type: 'any',
  attributes: [{ id: 21, name: 'age', input_type: 'number', mutable: false, values: ['0', '100', '1'], default_value: '' }],
};
export const PLATE: EditorLabel = { id: 3, name: 'plate', color: '#0000ff', type: 'rectangle', attributes: [] };
export const DAYTIME: EditorLabel = { id: 4, name: 'daytime', color: '#ffff00', type: 'tag', attributes: [] };
export const LABELS = [CAR, PERSON, PLATE, DAYTIME];

export const FRAME = { width: 1000, height: 800 };

/** An editor on frame 0 (1000x800) with view pixels equal to image pixels. */
export function makeEditor(labels: EditorLabel[] = LABELS): Editor {
  const ed = new Editor({ labels });
  ed.setCanvasSize(1000, 800);
  ed.setFrame(0, FRAME);
  ed.setViewport({ scale: 1, x: 0, y: 0 });
  return ed;
}

export interface Mods {
  shiftKey?: boolean;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  button?: number;
  detail?: number;
}

function input(x: number, y: number, m: Mods = {}) {
  return {
    x,
    y,
    button: m.button ?? 0,
    shiftKey: m.shiftKey ?? false,
    ctrlKey: m.ctrlKey ?? false,
    altKey: m.altKey ?? false,
    metaKey: m.metaKey ?? false,
    detail: m.detail ?? 1,
  };
}

export function down(ed: Editor, x: number, y: number, m?: Mods): void {
  ed.pointerDown(input(x, y, m));
}

export function move(ed: Editor, x: number, y: number, m?: Mods): void {
  ed.pointerMove(input(x, y, m));
}

export function up(ed: Editor, x: number, y: number, m?: Mods): void {
  ed.pointerUp(input(x, y, m));
}

export function click(ed: Editor, x: number, y: number, m?: Mods): void {
  down(ed, x, y, m);
  up(ed, x, y, m);
}

/** Press at `from`, move in `steps` steps to `to`, release there. */
export function drag(ed: Editor, from: [number, number], to: [number, number], m?: Mods, steps = 4): void {
  down(ed, from[0], from[1], m);
  for (let i = 1; i <= steps; i++) {
    move(ed, from[0] + ((to[0] - from[0]) * i) / steps, from[1] + ((to[1] - from[1]) * i) / steps, m);
  }
  up(ed, to[0], to[1], m);
}

export function key(ed: Editor, k: string, m: Omit<Mods, 'button' | 'detail'> = {}): boolean {
  const code = /^[a-z]$/i.test(k) ? `Key${k.toUpperCase()}` : k;
  return ed.keyDown({ key: k, code, ctrlKey: m.ctrlKey ?? false, shiftKey: m.shiftKey ?? false, altKey: m.altKey ?? false, metaKey: m.metaKey ?? false });
}

/** Draws a rectangle with the rectangle tool and returns to select; returns the new object's id. */
export function drawBox(ed: Editor, x1: number, y1: number, x2: number, y2: number): string {
  const tool = ed.toolName;
  ed.setTool('rectangle');
  drag(ed, [x1, y1], [x2, y2]);
  ed.setTool(tool);
  const id = ed.selection[0];
  if (!id) throw new Error('no box was drawn');
  return id;
}

/** Draws a polygon by clicks + Enter; returns the new object's id. */
export function drawPolygon(ed: Editor, points: Array<[number, number]>): string {
  const tool = ed.toolName;
  ed.setTool('polygon');
  for (const [x, y] of points) click(ed, x, y);
  key(ed, 'Enter');
  ed.setTool(tool);
  const id = ed.selection[0];
  if (!id) throw new Error('no polygon was drawn');
  return id;
}
