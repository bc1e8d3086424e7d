import { describe, expect, it } from 'vitest';
import type { CvatAnnotations, CvatShape } from '../../src/editor/cvat';
import { CAR, PERSON, drag, drawBox, key, makeEditor } from './helpers';

function shape(id: number, type: CvatShape['type'], points: number[], extra: Partial<CvatShape> = {}): CvatShape {
  return { id, type, frame: 0, label_id: CAR.id, group: 0, source: 'manual', attributes: [{ spec_id: 11, value: 'mazda' }, { spec_id: 12, value: 'true' }], points, rotation: 0, occluded: false, outside: false, z_order: 0, score: 1, elements: [], ...extra };
}

function job(): CvatAnnotations {
  return {
    version: 7,
    tags: [{ id: 1, frame: 0, label_id: CAR.id, group: 0, source: 'manual', attributes: [] }],
    shapes: [
      shape(10, 'rectangle', [100, 100, 200, 200]),
      shape(11, 'polygon', [300, 300, 400, 300, 400, 400], { z_order: 2 }),
      shape(12, 'mask', [5, 10, 5, 0, 0, 4, 3]),
      shape(13, 'skeleton', [], { elements: [{ ...shape(14, 'points', [1, 1]), score: 1 }] }),
      shape(15, 'points', [500, 500], { frame: 3 }),
    ],
    tracks: [{ id: 1, frame: 0, label_id: CAR.id, group: 0, source: 'manual', attributes: [], shapes: [], elements: [] }],
  };
}

describe('load and changes()', () => {
  it('loads the shapes the engine edits and keeps the rest untouched', () => {
    const ed = makeEditor();
    ed.load(job());
    expect(ed.annotationsVersion).toBe(7);
    expect(ed.objectsOnFrame().map((r) => r.id)).toEqual(['s10', 't1', 's11']);
    expect(ed.get('s11')).toMatchObject({ serverId: 11, kind: 'polygon', zOrder: 2, attributes: { 11: 'mazda', 12: 'true' } });
    expect(ed.get('t1')).toMatchObject({ kind: 'tag', attributes: { 11: 'volvo', 12: 'false' } }); // defaults fill the gaps
    expect(ed.untouched.shapes.map((s) => s.id)).toEqual([12, 13]);
    expect(ed.untouched.tracks).toHaveLength(1);
    expect(ed.hasUnsavedChanges).toBe(false);
    expect(ed.changes()).toEqual({
      create: { shapes: [], tags: [], tracks: [] },
      update: { shapes: [], tags: [], tracks: [] },
      delete: { shapes: [], tags: [], tracks: [] },
    });
    expect(ed.canUndo).toBe(false);
  });

  it('sends created, updated and deleted objects in CVAT JSON; untouched ones, masks and tracks never', () => {
    const ed = makeEditor();
    ed.load(job());
    ed.select(['s10']);
    drag(ed, [150, 150], [160, 170]);
    ed.select(['s11']);
    key(ed, 'Delete');
    ed.update('t1', { attributes: { 11: 'mazda' } });
    const created = drawBox(ed, 10, 10, 20, 20); // s11 (z 2) is gone: the new box takes s10's z
    ed.update('s15', { hidden: true }); // client-only: nothing to save
    expect(ed.hasUnsavedChanges).toBe(true);
    const c = ed.changes();
    expect(c.create.shapes).toEqual([
      { type: 'rectangle', frame: 0, label_id: CAR.id, group: 0, source: 'manual', attributes: [{ spec_id: 11, value: 'volvo' }, { spec_id: 12, value: 'false' }], points: [10, 10, 20, 20], rotation: 0, occluded: false, outside: false, z_order: 0, score: 1, elements: [] },
    ]);
    expect(c.create.tags).toEqual([]);
    expect(c.update.shapes).toEqual([{ ...shape(10, 'rectangle', [110, 120, 210, 220]) }]);
    expect(c.update.tags).toEqual([{ id: 1, frame: 0, label_id: CAR.id, group: 0, source: 'manual', attributes: [{ spec_id: 11, value: 'mazda' }, { spec_id: 12, value: 'false' }] }]);
    expect(c.delete.shapes.map((s) => s.id)).toEqual([11]);
    expect(c.delete.tags).toEqual([]);
    for (const batch of [c.create, c.update, c.delete]) {
      expect(batch.tracks).toEqual([]);
      expect(batch.shapes.map((s) => s.type)).not.toContain('mask');
    }
    expect(created.startsWith('n')).toBe(true);
  });

  it('an edit undone before saving sends nothing; a new object deleted before saving is never sent', () => {
    const ed = makeEditor();
    ed.load(job());
    ed.select(['s10']);
    drag(ed, [150, 150], [160, 170]);
    ed.undo();
    drawBox(ed, 10, 10, 20, 20);
    key(ed, 'Delete');
    expect(ed.hasUnsavedChanges).toBe(false);
    const c = ed.changes();
    expect([c.create, c.update, c.delete].every((b) => b.shapes.length === 0 && b.tags.length === 0)).toBe(true);
  });
});

describe('markSaved', () => {
  it('gives created objects their server ids and clears what was sent', () => {
    const ed = makeEditor();
    ed.load(job());
    const a = drawBox(ed, 10, 10, 20, 20);
    ed.update('s10', { occluded: true });
    const sent = ed.changes();
    ed.markSaved({ shapes: [{ ...sent.create.shapes[0]!, id: 99 }], tags: [] }, sent);
    expect(ed.get(a)!.serverId).toBe(99);
    expect(ed.hasUnsavedChanges).toBe(false);
    // Later edits of the saved object are updates under its server id.
    ed.update(a, { occluded: true });
    const next = ed.changes();
    expect(next.create.shapes).toEqual([]);
    expect(next.update.shapes.map((s) => [s.id, s.occluded])).toEqual([[99, true]]);
  });

  it('edits made while the save was in flight stay unsaved', () => {
    const ed = makeEditor();
    ed.load(job());
    const a = drawBox(ed, 10, 10, 20, 20);
    ed.update('s10', { occluded: true });
    const sent = ed.changes();
    // The user keeps working before the server answers.
    ed.update(a, { labelId: PERSON.id });
    ed.update('s10', { attributes: { 11: 'volvo' } });
    const b = drawBox(ed, 30, 30, 40, 40);
    ed.markSaved({ shapes: [{ ...sent.create.shapes[0]!, id: 99 }], tags: [] }, sent);
    expect(ed.hasUnsavedChanges).toBe(true);
    const next = ed.changes();
    expect(next.create.shapes.map((s) => s.points)).toEqual([[30, 30, 40, 40]]);
    expect(next.update.shapes.map((s) => [s.id, s.label_id]).sort()).toEqual([[10, CAR.id], [99, PERSON.id]]);
    ed.markSaved({ shapes: [{ ...next.create.shapes[0]!, id: 100 }], tags: [] }, next);
    expect(ed.get(b)!.serverId).toBe(100);
    expect(ed.hasUnsavedChanges).toBe(false);
  });

  it('an object created and then deleted during the save is deleted on the next save', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 10, 10, 20, 20);
    const sent = ed.changes();
    key(ed, 'Delete');
    ed.markSaved({ shapes: [{ ...sent.create.shapes[0]!, id: 42 }], tags: [] }, sent);
    expect(ed.changes().delete.shapes.map((s) => s.id)).toEqual([42]);
    // Undoing the deletion brings back the saved object: nothing left to save.
    ed.undo();
    expect(ed.get(a)!.serverId).toBe(42);
    expect(ed.hasUnsavedChanges).toBe(false);
  });

  it('after a saved deletion, undo recreates the object as new', () => {
    const ed = makeEditor();
    ed.load(job());
    ed.select(['s10']);
    key(ed, 'Delete');
    const sent = ed.changes();
    ed.markSaved({ shapes: [], tags: [] }, sent);
    expect(ed.hasUnsavedChanges).toBe(false);
    ed.undo();
    const c = ed.changes();
    expect(c.create.shapes.map((s) => [s.id, s.points])).toEqual([[undefined, [100, 100, 200, 200]]]);
    expect(c.delete.shapes).toEqual([]);
  });

  it('refuses an answer that does not match what was sent', () => {
    const ed = makeEditor();
    drawBox(ed, 10, 10, 20, 20);
    const sent = ed.changes();
    expect(() => ed.markSaved({ shapes: [], tags: [] }, sent)).toThrow(/sent 1 shapes/);
    const foreign = { shapes: sent.create.shapes.slice(), tags: [], tracks: [] as never[] };
    expect(() => ed.markSaved({ shapes: [], tags: [] }, { ...sent, create: foreign })).toThrow(/not a batch/);
    expect(() => ed.markSaved({ shapes: [], tags: [] }, { ...sent, update: sent.create, create: sent.update })).toThrow(/sent.create holds the update batch/);
    expect(ed.hasUnsavedChanges).toBe(true);
  });

  it('batches may be sent and settled one at a time (delete, create, update), each as the server takes it', () => {
    const ed = makeEditor();
    ed.load(job());
    ed.select(['s11']);
    key(ed, 'Delete');
    const a = drawBox(ed, 10, 10, 20, 20);
    ed.update('s10', { occluded: true });
    const all = ed.changes();
    const none = { shapes: [], tags: [], tracks: [] as never[] };
    ed.markSaved({ shapes: [], tags: [] }, { create: none, update: none, delete: all.delete });
    expect(ed.changes().delete.shapes).toEqual([]);
    ed.update(a, { occluded: true }); // while the create request is in flight
    ed.markSaved({ shapes: [{ ...all.create.shapes[0]!, id: 77 }], tags: [] }, { create: all.create, update: none, delete: none });
    // A conflict on the update step: it stays unsaved, the rest is done.
    const left = ed.changes();
    expect(left.create.shapes).toEqual([]);
    expect(left.delete.shapes).toEqual([]);
    expect(left.update.shapes.map((s) => s.id).sort()).toEqual([10, 77]);
  });

  it('tags are created with the tag batch and get ids back in order', () => {
    const ed = makeEditor();
    ed.setActiveLabel(4);
    const t = ed.addTag()!;
    const sent = ed.changes();
    expect(sent.create.tags).toEqual([{ frame: 0, label_id: 4, group: 0, source: 'manual', attributes: [] }]);
    ed.markSaved({ shapes: [], tags: [{ ...sent.create.tags[0]!, id: 5 }] }, sent);
    expect(ed.get(t.id)!.serverId).toBe(5);
  });
});
