import { describe, expect, it } from 'vitest';
import { click, down, drag, drawBox, drawPolygon, key, makeEditor, move, up } from './helpers';

describe('select tool: picking', () => {
  it('a click selects the object under the pointer; a click on empty space clears', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 100, 100, 200, 200);
    ed.select([]);
    click(ed, 150, 150);
    expect(ed.selection).toEqual([a]);
    expect(ed.getPath()).toBe('select.idle');
    click(ed, 500, 500);
    expect(ed.selection).toEqual([]);
  });

  it('the topmost object wins, by z-order then creation', () => {
    const ed = makeEditor();
    const under = drawBox(ed, 100, 100, 300, 300);
    const over = drawBox(ed, 150, 150, 250, 250);
    click(ed, 200, 200);
    expect(ed.selection).toEqual([over]);
    ed.update(under, { zOrder: 5 });
    click(ed, 200, 200);
    expect(ed.selection).toEqual([under]);
  });

  it('hidden objects are not hit', () => {
    const ed = makeEditor();
    const under = drawBox(ed, 100, 100, 300, 300);
    const over = drawBox(ed, 150, 150, 250, 250);
    ed.update(over, { hidden: true });
    click(ed, 200, 200);
    expect(ed.selection).toEqual([under]);
    ed.update(under, { hidden: true });
    click(ed, 200, 200);
    expect(ed.selection).toEqual([]);
  });

  it('polygons are hit inside and on their edges, not in their concave notch', () => {
    const ed = makeEditor();
    // A "U": the notch (150..250, 100..250) is outside.
    const u = drawPolygon(ed, [[100, 100], [150, 100], [150, 250], [250, 250], [250, 100], [300, 100], [300, 300], [100, 300]]);
    ed.select([]);
    click(ed, 200, 200);
    expect(ed.selection).toEqual([]);
    click(ed, 120, 200);
    expect(ed.selection).toEqual([u]);
    ed.select([]);
    click(ed, 152, 200); // 2 px outside the edge, within the 4 px tolerance
    expect(ed.selection).toEqual([u]);
  });

  it('hovering reports the object under the pointer', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 100, 100, 200, 200);
    move(ed, 150, 150);
    expect(ed.hovered).toBe(a);
    move(ed, 500, 150);
    expect(ed.hovered).toBeUndefined();
  });

  it('Ctrl+click adds to and removes from the selection', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 0, 0, 50, 50);
    const b = drawBox(ed, 100, 0, 150, 50);
    click(ed, 25, 25);
    click(ed, 125, 25, { ctrlKey: true });
    expect(ed.selection).toEqual([a, b]);
    click(ed, 25, 25, { ctrlKey: true });
    expect(ed.selection).toEqual([b]);
    click(ed, 25, 25, { ctrlKey: true });
    click(ed, 125, 25); // a plain click on one of them narrows the selection to it
    expect(ed.selection).toEqual([b]);
  });

  it('Tab and Shift+Tab step through the frame objects, skipping hidden ones', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 0, 0, 50, 50);
    const b = drawBox(ed, 100, 0, 150, 50);
    const c = drawBox(ed, 200, 0, 250, 50);
    ed.update(b, { hidden: true });
    ed.select([]);
    expect(key(ed, 'Tab')).toBe(true);
    expect(ed.selection).toEqual([a]);
    key(ed, 'Tab');
    expect(ed.selection).toEqual([c]);
    key(ed, 'Tab');
    expect(ed.selection).toEqual([a]);
    key(ed, 'Tab', { shiftKey: true });
    expect(ed.selection).toEqual([c]);
  });

  it('Esc clears the selection', () => {
    const ed = makeEditor();
    drawBox(ed, 0, 0, 50, 50);
    expect(key(ed, 'Escape')).toBe(true);
    expect(ed.selection).toEqual([]);
    expect(key(ed, 'Escape')).toBe(false);
  });
});

describe('select tool: moving', () => {
  it('dragging an object moves it: pointing -> dragging -> idle, one undo step', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 100, 100, 200, 200);
    down(ed, 150, 150);
    expect(ed.getPath()).toBe('select.pointing');
    move(ed, 151, 150);
    expect(ed.getPath()).toBe('select.pointing');
    move(ed, 170, 160);
    expect(ed.getPath()).toBe('select.dragging');
    move(ed, 200, 180);
    up(ed, 200, 180);
    expect(ed.getPath()).toBe('select.idle');
    expect(ed.get(a)!.points).toEqual([150, 130, 250, 230]);
    ed.undo();
    expect(ed.get(a)!.points).toEqual([100, 100, 200, 200]);
    ed.undo();
    expect(ed.get(a)).toBeUndefined();
    ed.redo();
    ed.redo();
    expect(ed.get(a)!.points).toEqual([150, 130, 250, 230]);
  });

  it('moves all selected objects together and keeps them on the image', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 100, 100, 200, 200);
    const b = drawBox(ed, 900, 100, 950, 150);
    ed.select([a, b]);
    drag(ed, [150, 150], [250, 150]);
    expect(ed.get(a)!.points).toEqual([200, 100, 300, 200]);
    expect(ed.get(b)!.points).toEqual([950, 100, 1000, 150]); // stopped at the right edge
  });

  it('Esc during a drag puts the object back and leaves no history', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 100, 100, 200, 200);
    down(ed, 150, 150);
    move(ed, 250, 250);
    expect(ed.get(a)!.points).toEqual([200, 200, 300, 300]);
    key(ed, 'Escape');
    expect(ed.getPath()).toBe('select.idle');
    up(ed, 250, 250);
    expect(ed.get(a)!.points).toEqual([100, 100, 200, 200]);
    ed.undo(); // the creation, not the cancelled drag
    expect(ed.get(a)).toBeUndefined();
  });

  it('Delete during a drag deletes for good; the drag and the deletion undo together', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 100, 100, 200, 200);
    down(ed, 150, 150);
    move(ed, 170, 150);
    key(ed, 'Delete');
    move(ed, 190, 150);
    up(ed, 190, 150);
    expect(ed.get(a)).toBeUndefined();
    ed.undo();
    expect(ed.get(a)!.points).toEqual([100, 100, 200, 200]);
  });

  it('locked objects are selected but not moved: the drag pans instead', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 100, 100, 200, 200);
    ed.update(a, { locked: true });
    ed.select([]);
    const before = ed.viewport;
    drag(ed, [150, 150], [180, 170]);
    expect(ed.selection).toEqual([a]);
    expect(ed.get(a)!.points).toEqual([100, 100, 200, 200]);
    expect(ed.viewport.x).toBe(before.x + 30);
    expect(ed.viewport.y).toBe(before.y + 20);
  });

  it('dragging empty space pans (select.panning); so do the middle button and space+drag', () => {
    const ed = makeEditor();
    down(ed, 500, 500);
    move(ed, 520, 500);
    expect(ed.getPath()).toBe('select.panning');
    up(ed, 520, 500);
    expect(ed.viewport.x).toBe(20);
    down(ed, 500, 500, { button: 1 });
    move(ed, 500, 530, { button: 1 });
    up(ed, 500, 530, { button: 1 });
    expect(ed.viewport.y).toBe(30);
    ed.setTool('rectangle');
    key(ed, ' ');
    drag(ed, [100, 100], [90, 100]);
    ed.keyUp({ key: ' ', code: 'Space', ctrlKey: false, shiftKey: false, altKey: false, metaKey: false });
    expect(ed.viewport.x).toBe(10);
    expect(ed.objectsOnFrame()).toHaveLength(0);
  });
});

describe('select tool: resizing and vertices', () => {
  const handles: Array<[string, [number, number], [number, number], number[]]> = [
    ['top-left', [100, 100], [80, 90], [80, 90, 200, 200]],
    ['top', [150, 100], [170, 60], [100, 60, 200, 200]],
    ['top-right', [200, 100], [230, 120], [100, 120, 230, 200]],
    ['right', [200, 150], [260, 10], [100, 100, 260, 200]],
    ['bottom-right', [200, 200], [210, 220], [100, 100, 210, 220]],
    ['bottom', [150, 200], [0, 300], [100, 100, 200, 300]],
    ['bottom-left', [100, 200], [50, 250], [50, 100, 200, 250]],
    ['left', [100, 150], [120, 150], [120, 100, 200, 200]],
    ['left past right (flips)', [100, 150], [300, 150], [200, 100, 300, 200]],
  ];
  it.each(handles)('resizes a rectangle by its %s handle', (_name, from, to, expected) => {
    const ed = makeEditor();
    const a = drawBox(ed, 100, 100, 200, 200);
    down(ed, ...from);
    expect(ed.getPath()).toBe('select.resizing');
    move(ed, ...to);
    up(ed, ...to);
    expect(ed.get(a)!.points).toEqual(expected);
    ed.undo();
    expect(ed.get(a)!.points).toEqual([100, 100, 200, 200]);
  });

  it('drags a polygon vertex (editingVertex), one undo step', () => {
    const ed = makeEditor();
    const p = drawPolygon(ed, [[100, 100], [200, 100], [200, 200]]);
    down(ed, 200, 100);
    expect(ed.getPath()).toBe('select.editingVertex');
    move(ed, 250, 80);
    move(ed, 260, 90);
    up(ed, 260, 90);
    expect(ed.get(p)!.points).toEqual([100, 100, 260, 90, 200, 200]);
    ed.undo();
    expect(ed.get(p)!.points).toEqual([100, 100, 200, 100, 200, 200]);
  });

  it('Shift+press on an edge inserts a vertex and drags it', () => {
    const ed = makeEditor();
    const p = drawPolygon(ed, [[100, 100], [200, 100], [200, 200]]);
    down(ed, 150, 101, { shiftKey: true });
    expect(ed.getPath()).toBe('select.editingVertex');
    move(ed, 150, 50, { shiftKey: true });
    up(ed, 150, 50, { shiftKey: true });
    expect(ed.get(p)!.points).toEqual([100, 100, 150, 50, 200, 100, 200, 200]);
    ed.undo();
    expect(ed.get(p)!.points).toEqual([100, 100, 200, 100, 200, 200]);
  });

  it('Alt+click on a vertex removes it, but never below the minimum', () => {
    const ed = makeEditor();
    const p = drawPolygon(ed, [[100, 100], [200, 100], [200, 200], [100, 200]]);
    click(ed, 200, 200, { altKey: true });
    expect(ed.get(p)!.points).toEqual([100, 100, 200, 100, 100, 200]);
    click(ed, 200, 100, { altKey: true });
    expect(ed.get(p)!.points).toHaveLength(6);
  });

  it('points objects: each point is a handle', () => {
    const ed = makeEditor();
    ed.setTool('points');
    click(ed, 10, 10);
    click(ed, 50, 50);
    key(ed, 'Enter');
    ed.setTool('select');
    const id = ed.selection[0]!;
    drag(ed, [50, 50], [70, 40]);
    expect(ed.get(id)!.points).toEqual([10, 10, 70, 40]);
  });

  it('locked objects show no handles and cannot be resized', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 100, 100, 200, 200);
    ed.update(a, { locked: true });
    expect(ed.handles()).toEqual([]);
    drag(ed, [200, 200], [300, 300]);
    expect(ed.get(a)!.points).toEqual([100, 100, 200, 200]);
  });

  it('vertex drags are clamped to the image', () => {
    const ed = makeEditor();
    const p = drawPolygon(ed, [[100, 100], [200, 100], [200, 200]]);
    ed.setViewport({ scale: 0.5, x: 100, y: 100 }); // image (200, 100) is at view (200, 150)
    drag(ed, [200, 150], [50, 20]);
    expect(ed.get(p)!.points).toEqual([100, 100, 0, 0, 200, 200]);
  });

  it('resizing a rotated rectangle keeps the opposite corner fixed', () => {
    const ed = makeEditor();
    ed.load({
      version: 1,
      tracks: [],
      tags: [],
      shapes: [
        { id: 9, type: 'rectangle', frame: 0, label_id: 1, group: 0, source: 'manual', attributes: [], points: [100, 100, 300, 200], rotation: 90, occluded: false, outside: false, z_order: 0, score: 1, elements: [] },
      ],
    });
    ed.select(['s9']);
    // Rotated 90 deg clockwise about (200, 150): the top-left corner is at (250, 50), bottom-right at (150, 250).
    const h = ed.handles();
    expect(h[0]!.x).toBeCloseTo(250, 9);
    expect(h[0]!.y).toBeCloseTo(50, 9);
    drag(ed, [250, 50], [260, 40]);
    const r = ed.get('s9')!;
    expect(r.rotation).toBe(90);
    const after = ed.handles();
    expect(after[4]!.x).toBeCloseTo(150, 9);
    expect(after[4]!.y).toBeCloseTo(250, 9);
    expect(after[0]!.x).toBeCloseTo(260, 9);
    expect(after[0]!.y).toBeCloseTo(40, 9);
  });
});
