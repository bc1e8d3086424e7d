import { describe, expect, it } from 'vitest';
import { CAR, DAYTIME, PERSON, PLATE, click, drag, drawBox, drawPolygon, key, makeEditor } from './helpers';

describe('object edits', () => {
  it('Delete removes the selection; undo brings it back with the same id', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 0, 0, 50, 50);
    expect(key(ed, 'Delete')).toBe(true);
    expect(ed.get(a)).toBeUndefined();
    expect(ed.selection).toEqual([]);
    expect(key(ed, 'Delete')).toBe(false);
    ed.undo();
    expect(ed.get(a)?.points).toEqual([0, 0, 50, 50]);
    click(ed, 25, 25);
    key(ed, 'Delete');
    key(ed, 'z', { ctrlKey: true });
    expect(ed.get(a)).toBeDefined();
    key(ed, 'z', { ctrlKey: true, shiftKey: true });
    expect(ed.get(a)).toBeUndefined();
    key(ed, 'z', { ctrlKey: true });
    key(ed, 'y', { ctrlKey: true });
    expect(ed.get(a)).toBeUndefined();
  });

  it('locked objects are not deleted unless forced (Shift+Delete)', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 0, 0, 50, 50);
    ed.update(a, { locked: true });
    expect(key(ed, 'Delete')).toBe(false);
    expect(ed.get(a)).toBeDefined();
    expect(key(ed, 'Delete', { shiftKey: true })).toBe(true);
    expect(ed.get(a)).toBeUndefined();
  });

  it('changing the label resets attributes to the new label defaults; undo restores both', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 0, 0, 50, 50);
    expect(ed.update(a, { attributes: { 11: 'mazda' } })).toBe(true);
    expect(ed.get(a)!.attributes).toEqual({ 11: 'mazda', 12: 'false' });
    expect(ed.update(a, { labelId: PERSON.id })).toBe(true);
    expect(ed.get(a)).toMatchObject({ labelId: PERSON.id, attributes: { 21: '0' } });
    ed.undo();
    expect(ed.get(a)).toMatchObject({ labelId: CAR.id, attributes: { 11: 'mazda', 12: 'false' } });
  });

  it('refuses a label of another kind, and edits of locked objects other than unlocking', () => {
    const ed = makeEditor();
    const p = drawPolygon(ed, [[0, 0], [10, 0], [10, 10]]);
    expect(ed.update(p, { labelId: PLATE.id })).toBe(false);
    expect(ed.update(p, { labelId: DAYTIME.id })).toBe(false);
    expect(ed.update(p, { locked: true })).toBe(true);
    expect(ed.update(p, { occluded: true })).toBe(false);
    expect(ed.update(p, { attributes: { 11: 'mazda' } })).toBe(false);
    expect(ed.update(p, { hidden: true })).toBe(true);
    expect(ed.update(p, { locked: false, occluded: true })).toBe(true);
    expect(ed.get(p)).toMatchObject({ locked: false, occluded: true, hidden: true });
    expect(ed.labelsFor('polygon').map((l) => l.id)).toEqual([CAR.id, PERSON.id]);
  });

  it('each edit is one undo step', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 0, 0, 50, 50);
    const steps: Array<[() => void, (r: ReturnType<typeof ed.get>) => unknown]> = [
      [() => ed.update(a, { occluded: true }), (r) => r!.occluded],
      [() => ed.update(a, { hidden: true }), (r) => r!.hidden],
      [() => ed.update(a, { locked: true }), (r) => r!.locked],
      [() => ed.update(a, { locked: false }), (r) => r!.locked],
      [() => ed.update(a, { attributes: { 12: 'true' } }), (r) => r!.attributes[12]],
      [() => ed.update(a, { zOrder: 3 }), (r) => r!.zOrder],
    ];
    for (const [edit, read] of steps) {
      const before = read(ed.get(a));
      edit();
      const after = read(ed.get(a));
      expect(after).not.toEqual(before);
      ed.undo();
      expect(read(ed.get(a))).toEqual(before);
      ed.redo();
      expect(read(ed.get(a))).toEqual(after);
    }
  });

  it('H, L and Q toggle hidden, locked and occluded on the selection', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 0, 0, 50, 50);
    key(ed, 'q');
    expect(ed.get(a)!.occluded).toBe(true);
    key(ed, 'l');
    expect(ed.get(a)!.locked).toBe(true);
    key(ed, 'l');
    key(ed, 'h');
    expect(ed.get(a)).toMatchObject({ hidden: true, locked: false });
  });

  it('editing an automatic annotation makes it semi-automatic; hiding does not', () => {
    const ed = makeEditor();
    ed.load({
      version: 3,
      tags: [],
      tracks: [],
      shapes: [{ id: 1, type: 'rectangle', frame: 0, label_id: 1, group: 0, source: 'auto', attributes: [], points: [0, 0, 50, 50], rotation: 0, occluded: false, outside: false, z_order: 0, score: 0.9, elements: [] }],
    });
    ed.update('s1', { hidden: true });
    expect(ed.get('s1')!.source).toBe('auto');
    ed.update('s1', { hidden: false });
    ed.select(['s1']);
    drag(ed, [25, 25], [35, 25]);
    expect(ed.get('s1')!.source).toBe('semi-auto');
  });
});

describe('z-order', () => {
  it("'+' brings the selection to the front, '-' sends it to the back; picking follows", () => {
    const ed = makeEditor();
    const a = drawBox(ed, 0, 0, 100, 100);
    const b = drawBox(ed, 50, 50, 150, 150);
    ed.select([a]);
    expect(key(ed, '+')).toBe(true);
    expect(ed.objectsOnFrame().map((r) => r.id)).toEqual([b, a]);
    click(ed, 75, 75);
    expect(ed.selection).toEqual([a]);
    expect(key(ed, '+')).toBe(false); // already in front: nothing to do, no history
    expect(key(ed, '-')).toBe(true);
    expect(ed.objectsOnFrame().map((r) => r.id)).toEqual([a, b]);
    click(ed, 75, 75);
    expect(ed.selection).toEqual([b]);
    ed.undo();
    ed.undo();
    expect(ed.objectsOnFrame().map((r) => [r.id, r.zOrder])).toEqual([[a, 0], [b, 0]]);
  });

  it('new objects go on top', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 0, 0, 100, 100);
    ed.update(a, { zOrder: 7 });
    const b = drawBox(ed, 50, 50, 150, 150);
    expect(ed.get(b)!.zOrder).toBe(7);
    click(ed, 75, 75);
    expect(ed.selection).toEqual([b]);
  });
});

describe('copy and paste', () => {
  it('Ctrl+C / Ctrl+V copies the selection to another frame as new objects, one undo step', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 10, 10, 50, 50);
    ed.update(a, { attributes: { 11: 'mazda' }, occluded: true });
    const b = drawPolygon(ed, [[100, 100], [200, 100], [200, 200]]);
    ed.update(b, { locked: true });
    ed.select([a, b]);
    expect(key(ed, 'c', { ctrlKey: true })).toBe(true);
    ed.setFrame(5, { width: 1000, height: 800 });
    expect(key(ed, 'v', { ctrlKey: true })).toBe(true);
    const pasted = ed.objectsOnFrame(5);
    expect(pasted).toHaveLength(2);
    expect(pasted[0]).toMatchObject({ frame: 5, kind: 'rectangle', points: [10, 10, 50, 50], attributes: { 11: 'mazda', 12: 'false' }, occluded: true });
    expect(pasted[1]).toMatchObject({ frame: 5, kind: 'polygon', locked: false });
    expect(pasted.map((r) => r.id)).not.toContain(a);
    expect(ed.selection).toEqual(pasted.map((r) => r.id));
    expect(ed.objectsOnFrame(0)).toHaveLength(2);
    ed.undo();
    expect(ed.objectsOnFrame(5)).toHaveLength(0);
    expect(ed.selection).toEqual([]);
  });

  it('paste with an empty clipboard does nothing', () => {
    const ed = makeEditor();
    expect(key(ed, 'v', { ctrlKey: true })).toBe(false);
    expect(key(ed, 'c', { ctrlKey: true })).toBe(false);
  });
});

describe('notifications', () => {
  it('one notification per input event, however many changes it makes', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 0, 0, 50, 50);
    const b = drawBox(ed, 100, 0, 150, 50);
    ed.select([a, b]);
    let calls = 0;
    const off = ed.subscribe(() => calls++);
    key(ed, 'Delete');
    expect(calls).toBe(1);
    key(ed, 'z', { ctrlKey: true });
    expect(calls).toBe(2);
    off();
    key(ed, 'Delete');
    expect(calls).toBe(2);
  });

  it('objectsOnFrame returns the same array until the frame changes', () => {
    const ed = makeEditor();
    drawBox(ed, 0, 0, 50, 50);
    const first = ed.objectsOnFrame();
    expect(ed.objectsOnFrame()).toBe(first);
    drawBox(ed, 100, 0, 150, 50);
    expect(ed.objectsOnFrame()).not.toBe(first);
    expect(ed.objectsOnFrame(7)).toEqual([]);
  });
});
