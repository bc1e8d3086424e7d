import { describe, expect, it } from 'vitest';
import type { CvatAnnotations, CvatShape } from '../../src/editor/cvat';
import { CAR, drag, drawBox, key, makeEditor } from './helpers';

function box(id: number, points: number[], frame = 0): CvatShape {
  return { id, type: 'rectangle', frame, label_id: CAR.id, group: 0, source: 'manual', attributes: [], points, rotation: 0, occluded: false, outside: false, z_order: 0, score: 1, elements: [] };
}

function annotations(version: number, shapes: CvatShape[]): CvatAnnotations {
  return { version, tags: [], shapes, tracks: [] };
}

describe('rebase after a save conflict', () => {
  it("keeps the user's unsaved edits on top of the server's new state", () => {
    const ed = makeEditor();
    ed.load(annotations(1, [box(10, [100, 100, 200, 200]), box(11, [300, 300, 400, 400]), box(15, [0, 0, 10, 10], 3)]));
    ed.select(['s10']);
    drag(ed, [150, 150], [160, 150]); // mine: s10 moved by 10
    ed.select(['s11']);
    key(ed, 'Delete'); // mine: s11 deleted
    const mine = drawBox(ed, 500, 500, 550, 550); // mine: a new box
    ed.update('s15', { hidden: true }); // client-only

    // Meanwhile someone else moved s10 elsewhere and added s20.
    ed.rebase(annotations(2, [box(10, [0, 0, 50, 50]), box(11, [300, 300, 400, 400]), box(15, [0, 0, 10, 10], 3), box(20, [600, 600, 700, 700])]));

    expect(ed.annotationsVersion).toBe(2);
    expect(ed.get('s10')!.points).toEqual([110, 100, 210, 200]);
    expect(ed.get('s11')).toBeUndefined();
    expect(ed.get('s20')!.points).toEqual([600, 600, 700, 700]);
    expect(ed.get(mine)!.points).toEqual([500, 500, 550, 550]);
    expect(ed.get('s15')!.hidden).toBe(true);
    expect(ed.canUndo).toBe(false);
    const c = ed.changes();
    expect(c.create.shapes.map((s) => s.points)).toEqual([[500, 500, 550, 550]]);
    expect(c.update.shapes.map((s) => [s.id, s.points])).toEqual([[10, [110, 100, 210, 200]]]);
    expect(c.delete.shapes.map((s) => s.id)).toEqual([11]);
  });

  it('an object the user edited but someone deleted comes back as a new object', () => {
    const ed = makeEditor();
    ed.load(annotations(1, [box(10, [100, 100, 200, 200])]));
    ed.update('s10', { occluded: true });
    ed.rebase(annotations(2, []));
    const objects = ed.objectsOnFrame();
    expect(objects).toHaveLength(1);
    expect(objects[0]).toMatchObject({ points: [100, 100, 200, 200], occluded: true });
    expect(objects[0]!.serverId).toBeUndefined();
    const c = ed.changes();
    expect(c.create.shapes).toHaveLength(1);
    expect(c.create.shapes[0]!.id).toBeUndefined();
    expect(c.update.shapes).toEqual([]);
  });

  it('an object the user deleted and someone else deleted too is simply gone', () => {
    const ed = makeEditor();
    ed.load(annotations(1, [box(10, [100, 100, 200, 200])]));
    ed.select(['s10']);
    key(ed, 'Delete');
    ed.rebase(annotations(2, []));
    expect(ed.hasUnsavedChanges).toBe(false);
  });
});
