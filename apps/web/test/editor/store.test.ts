import { describe, expect, it } from 'vitest';
import type { AnnotationRecord } from '../../src/editor/model';
import { Store, type Change } from '../../src/editor/store';
import { drawBox, makeEditor, move } from './helpers';

function rec(id: string, x: number, frame = 0): AnnotationRecord {
  return { id, kind: 'rectangle', frame, labelId: 1, points: [x, 0, x + 10, 10], attributes: {}, occluded: false, hidden: false, locked: false, zOrder: 0, rotation: 0, group: 0, source: 'manual', score: 1, seq: 1 };
}

describe('store', () => {
  it('a transaction is one undo step, nested ones join it', () => {
    const s = new Store();
    s.transact(() => {
      s.put(rec('a', 0));
      s.transact(() => s.put(rec('b', 0)));
    });
    expect(s.size).toBe(2);
    s.undo();
    expect(s.size).toBe(0);
    s.redo();
    expect(s.size).toBe(2);
  });

  it('a gesture keeps the first before and last after; cancel puts everything back without history', () => {
    const s = new Store();
    s.put(rec('a', 0));
    const g = s.beginGesture();
    s.put(rec('a', 5));
    s.put(rec('a', 9));
    expect(s.canUndo).toBe(false); // not while the gesture is open
    g.commit();
    expect(s.get('a')!.points[0]).toBe(9);
    s.undo();
    expect(s.get('a')!.points[0]).toBe(0);
    s.redo();
    const c = s.beginGesture();
    s.put(rec('a', 50));
    s.remove('a');
    c.cancel();
    expect(s.get('a')!.points[0]).toBe(9);
    s.undo();
    expect(s.get('a')!.points[0]).toBe(0);
  });

  it('a new edit clears redo', () => {
    const s = new Store();
    s.put(rec('a', 0));
    s.undo();
    expect(s.canRedo).toBe(true);
    s.put(rec('b', 0));
    expect(s.canRedo).toBe(false);
  });

  it('server ids are stamped on whatever snapshot comes back, and never enter history', () => {
    const s = new Store();
    const changes: Change[] = [];
    s.listen({ change: (c) => changes.push(c), reset: () => {} });
    s.put(rec('a', 0));
    s.setServerId('a', 7);
    expect(s.get('a')!.serverId).toBe(7);
    expect(changes.map((c) => c.cause)).toEqual(['edit', 'server']);
    s.undo(); // removes 'a'
    s.redo(); // the snapshot in history had no server id
    expect(s.get('a')!.serverId).toBe(7);
    s.undo();
    expect(s.canUndo).toBe(false);
  });

  it('keeps each frame index current', () => {
    const s = new Store();
    s.put(rec('a', 0, 1));
    s.put({ ...rec('a', 0, 2) });
    expect([...s.idsOnFrame(1)]).toEqual([]);
    expect([...s.idsOnFrame(2)]).toEqual(['a']);
  });
});

describe('editor notifications', () => {
  it('modelVersion moves with objects and selection, not with hover or pointer moves', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 100, 100, 200, 200);
    ed.select([]);
    const model = ed.modelVersion;
    const all = ed.version;
    move(ed, 150, 150);
    expect(ed.hovered).toBe(a);
    move(ed, 151, 150);
    expect(ed.version).toBeGreaterThan(all);
    expect(ed.modelVersion).toBe(model);
    ed.select([a]);
    expect(ed.modelVersion).toBeGreaterThan(model);
  });

  it('the canvas cursor follows what is under the pointer', () => {
    const ed = makeEditor();
    drawBox(ed, 100, 100, 200, 200);
    move(ed, 100, 100);
    expect(ed.cursor).toBe('nwse-resize');
    move(ed, 150, 150);
    expect(ed.cursor).toBe('move');
    move(ed, 500, 500);
    expect(ed.cursor).toBe('default');
    ed.setTool('rectangle');
    expect(ed.cursor).toBe('crosshair');
  });
});
