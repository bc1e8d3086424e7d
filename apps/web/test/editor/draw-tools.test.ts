import { describe, expect, it } from 'vitest';
import { CAR, DAYTIME, PERSON, PLATE, click, down, drag, key, makeEditor, move, up } from './helpers';

describe('rectangle tool', () => {
  it('draws by press-drag-release: idle -> drawing -> idle, one object with the label defaults', () => {
    const ed = makeEditor();
    ed.setTool('rectangle');
    expect(ed.getPath()).toBe('rectangle.idle');
    down(ed, 300, 200);
    expect(ed.getPath()).toBe('rectangle.drawing');
    move(ed, 200, 250);
    expect(ed.draft()).toMatchObject({ kind: 'rectangle', points: [300, 200], cursor: { x: 200, y: 250 } });
    move(ed, 100, 260);
    up(ed, 100, 260);
    expect(ed.getPath()).toBe('rectangle.idle');
    expect(ed.draft()).toBeNull();
    const objects = ed.objectsOnFrame();
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({
      kind: 'rectangle',
      frame: 0,
      labelId: CAR.id,
      points: [100, 200, 300, 260],
      attributes: { 11: 'volvo', 12: 'false' },
      source: 'manual',
      occluded: false,
    });
    expect(ed.selection).toEqual([objects[0]!.id]);
  });

  it('draws by two clicks (CVAT), committing on the second press', () => {
    const ed = makeEditor();
    ed.setTool('rectangle');
    click(ed, 10, 10);
    expect(ed.getPath()).toBe('rectangle.drawing');
    move(ed, 50, 70);
    expect(ed.draft()?.cursor).toMatchObject({ x: 50, y: 70 });
    down(ed, 60, 80);
    expect(ed.getPath()).toBe('rectangle.idle');
    up(ed, 60, 80);
    expect(ed.objectsOnFrame().map((r) => r.points)).toEqual([[10, 10, 60, 80]]);
  });

  it('Esc drops the box being drawn; Esc when idle returns to the select tool', () => {
    const ed = makeEditor();
    ed.setTool('rectangle');
    down(ed, 10, 10);
    move(ed, 100, 100);
    expect(key(ed, 'Escape')).toBe(true);
    expect(ed.getPath()).toBe('rectangle.idle');
    up(ed, 100, 100);
    expect(ed.objectsOnFrame()).toHaveLength(0);
    expect(key(ed, 'Escape')).toBe(true);
    expect(ed.getPath()).toBe('select.idle');
  });

  it('a box thinner than 2 view pixels is not created', () => {
    const ed = makeEditor();
    ed.setViewport({ scale: 4, x: 0, y: 0 });
    ed.setTool('rectangle');
    drag(ed, [100, 100], [300, 105]); // 5 view px tall: 1.25 image px, still an object
    drag(ed, [100, 200], [300, 201.5]); // a slip: 1.5 view px
    expect(ed.objectsOnFrame().map((r) => r.points)).toEqual([[25, 25, 75, 26.25]]);
    expect(ed.getPath()).toBe('rectangle.idle');
  });

  it('keeps boxes on the image: corners outside the frame are clamped', () => {
    const ed = makeEditor();
    ed.setViewport({ scale: 0.5, x: 100, y: 100 });
    ed.setTool('rectangle');
    drag(ed, [50, 50], [300, 250]); // image (-100, -100) to (400, 300)
    expect(ed.objectsOnFrame()[0]!.points).toEqual([0, 0, 400, 300]);
  });

  it('uses the active label when it fits rectangles, else the first label that does', () => {
    const ed = makeEditor();
    ed.setActiveLabel(PLATE.id);
    ed.setTool('rectangle');
    drag(ed, [0, 0], [10, 10]);
    expect(ed.objectsOnFrame()[0]!.labelId).toBe(PLATE.id);
    ed.setActiveLabel(DAYTIME.id); // a tag label
    drag(ed, [20, 20], [30, 30]);
    expect(ed.objectsOnFrame()[1]!.labelId).toBe(CAR.id);
  });

  it('draws nothing when no label fits the kind', () => {
    const ed = makeEditor([DAYTIME]);
    ed.setTool('rectangle');
    down(ed, 10, 10);
    expect(ed.getPath()).toBe('rectangle.idle');
  });

  it('ellipses are drawn by their bounding box in CVAT points (centre, top-right corner)', () => {
    const ed = makeEditor();
    ed.setTool('ellipse');
    drag(ed, [100, 100], [300, 200]);
    expect(ed.objectsOnFrame()[0]).toMatchObject({ kind: 'ellipse', points: [200, 150, 300, 100] });
  });
});

describe('polygon tool', () => {
  it('draws by clicks and Enter: idle -> drawing -> idle', () => {
    const ed = makeEditor();
    ed.setActiveLabel(PERSON.id);
    ed.setTool('polygon');
    click(ed, 100, 100);
    expect(ed.getPath()).toBe('polygon.drawing');
    click(ed, 200, 100);
    move(ed, 220, 180);
    expect(ed.draft()).toMatchObject({ kind: 'polygon', points: [100, 100, 200, 100], cursor: { x: 220, y: 180 } });
    click(ed, 200, 200);
    expect(key(ed, 'Enter')).toBe(true);
    expect(ed.getPath()).toBe('polygon.idle');
    expect(ed.objectsOnFrame()).toHaveLength(1);
    expect(ed.objectsOnFrame()[0]).toMatchObject({ kind: 'polygon', labelId: PERSON.id, points: [100, 100, 200, 100, 200, 200], attributes: { 21: '0' } });
  });

  it('N finishes too, and a double click finishes without a doubled vertex', () => {
    const ed = makeEditor();
    ed.setTool('polygon');
    for (const [x, y] of [[0, 0], [50, 0], [50, 50]] as const) click(ed, x, y);
    expect(key(ed, 'n')).toBe(true);
    expect(ed.objectsOnFrame()).toHaveLength(1);
    click(ed, 100, 100);
    click(ed, 150, 100);
    click(ed, 150, 150);
    click(ed, 150, 150, { detail: 2 });
    expect(ed.getPath()).toBe('polygon.idle');
    expect(ed.objectsOnFrame()[1]!.points).toEqual([100, 100, 150, 100, 150, 150]);
  });

  it('with too few vertices Enter does not commit; drawing goes on', () => {
    const ed = makeEditor();
    ed.setTool('polygon');
    click(ed, 0, 0);
    click(ed, 50, 0);
    expect(key(ed, 'Enter')).toBe(true);
    expect(ed.getPath()).toBe('polygon.drawing');
    expect(ed.objectsOnFrame()).toHaveLength(0);
    click(ed, 50, 50);
    key(ed, 'Enter');
    expect(ed.objectsOnFrame()).toHaveLength(1);
  });

  it('Esc drops the polygon being drawn', () => {
    const ed = makeEditor();
    ed.setTool('polygon');
    click(ed, 0, 0);
    click(ed, 50, 0);
    click(ed, 50, 50);
    key(ed, 'Escape');
    expect(ed.getPath()).toBe('polygon.idle');
    expect(ed.objectsOnFrame()).toHaveLength(0);
    expect(ed.canUndo).toBe(false);
  });

  it('Backspace and Ctrl+Z remove the last vertex while drawing, without touching history', () => {
    const ed = makeEditor();
    ed.setTool('polygon');
    click(ed, 0, 0);
    click(ed, 50, 0);
    click(ed, 50, 50);
    key(ed, 'Backspace');
    expect(ed.draft()?.points).toEqual([0, 0, 50, 0]);
    key(ed, 'z', { ctrlKey: true });
    expect(ed.draft()?.points).toEqual([0, 0]);
    key(ed, 'Backspace');
    expect(ed.getPath()).toBe('polygon.idle');
  });

  it('freehand: a drag from idle draws the whole polygon in one stroke', () => {
    const ed = makeEditor();
    ed.setTool('polygon');
    down(ed, 100, 100);
    move(ed, 101, 101);
    expect(ed.getPath()).toBe('polygon.drawing');
    move(ed, 140, 100);
    expect(ed.getPath()).toBe('polygon.freehand');
    for (let a = 0; a <= 2 * Math.PI; a += Math.PI / 16) move(ed, 140 + 40 * Math.cos(a), 140 + 40 * Math.sin(a));
    up(ed, 100, 140);
    expect(ed.getPath()).toBe('polygon.idle');
    const [r] = ed.objectsOnFrame();
    expect(r?.kind).toBe('polygon');
    expect(r!.points.length / 2).toBeGreaterThan(20);
  });

  it('freehand mid-drawing adds a stroke and goes back to clicking', () => {
    const ed = makeEditor();
    ed.setTool('polygon');
    click(ed, 0, 0);
    drag(ed, [100, 0], [100, 100], {}, 10);
    expect(ed.getPath()).toBe('polygon.drawing');
    const n = ed.draft()!.points.length / 2;
    expect(n).toBeGreaterThan(5);
    click(ed, 0, 100);
    key(ed, 'Enter');
    expect(ed.objectsOnFrame()[0]!.points.length / 2).toBe(n + 1);
  });

  it('a freehand stroke too short for a polygon is dropped', () => {
    const ed = makeEditor();
    ed.setTool('polygon');
    drag(ed, [100, 100], [106, 100], {}, 1);
    expect(ed.getPath()).toBe('polygon.idle');
    expect(ed.objectsOnFrame()).toHaveLength(0);
  });

  it('polylines need 2 vertices and stay open', () => {
    const ed = makeEditor();
    ed.setTool('polyline');
    click(ed, 10, 10);
    key(ed, 'Enter');
    expect(ed.getPath()).toBe('polyline.drawing');
    click(ed, 20, 30);
    key(ed, 'Enter');
    expect(ed.objectsOnFrame()[0]).toMatchObject({ kind: 'polyline', points: [10, 10, 20, 30] });
  });
});

describe('points tool', () => {
  it('places points by clicks; one point is enough; drags do not go freehand', () => {
    const ed = makeEditor();
    ed.setTool('points');
    key(ed, 'Enter');
    expect(ed.getPath()).toBe('points.idle');
    click(ed, 5, 6);
    expect(ed.getPath()).toBe('points.drawing');
    drag(ed, [50, 60], [90, 90]);
    expect(ed.getPath()).toBe('points.drawing');
    key(ed, 'n');
    expect(ed.getPath()).toBe('points.idle');
    expect(ed.objectsOnFrame()[0]).toMatchObject({ kind: 'points', points: [5, 6, 50, 60] });
  });
});

describe('tag tool and N', () => {
  it('a click tags the frame once per label', () => {
    const ed = makeEditor();
    ed.setActiveLabel(DAYTIME.id);
    ed.setTool('tag');
    expect(ed.getPath()).toBe('tag.idle');
    click(ed, 10, 10);
    click(ed, 20, 20);
    expect(ed.objectsOnFrame().map((r) => [r.kind, r.labelId])).toEqual([['tag', DAYTIME.id]]);
    expect(ed.addTag(CAR.id)?.labelId).toBe(CAR.id);
    expect(ed.addTag(PLATE.id)).toBeUndefined(); // a rectangle-only label
    expect(ed.objectsOnFrame()).toHaveLength(2);
  });

  it('N from select starts drawing with the last drawing tool', () => {
    const ed = makeEditor();
    expect(key(ed, 'n')).toBe(true);
    expect(ed.getPath()).toBe('rectangle.idle');
    ed.setTool('polygon');
    ed.setTool('select');
    key(ed, 'n');
    expect(ed.getPath()).toBe('polygon.idle');
  });

  it('switching tools or frames drops a drawing in progress', () => {
    const ed = makeEditor();
    ed.setTool('polygon');
    click(ed, 0, 0);
    ed.setFrame(1, { width: 1000, height: 800 });
    expect(ed.getPath()).toBe('polygon.idle');
    click(ed, 0, 0);
    ed.setTool('rectangle');
    ed.setTool('polygon');
    expect(ed.getPath()).toBe('polygon.idle');
    expect(ed.objectsOnFrame(0)).toHaveLength(0);
  });
});
