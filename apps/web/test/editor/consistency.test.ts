/**
 * The spatial index and the per-frame z-order are updated edit by edit; after any sequence of
 * edits, undos and redos they must agree with a brute-force scan of the store.
 */
import { describe, expect, it } from 'vitest';
import { boxesOverlap, type ImageBox } from '../../src/editor/coords';
import { compareOrder } from '../../src/editor/frame-order';
import { kindUtil } from '../../src/editor/kinds';
import type { Editor } from '../../src/editor/editor';
import { makeEditor } from './helpers';

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function check(ed: Editor, frames: number[]): void {
  for (const frame of frames) {
    const all = [...ed.store.all()].filter((r) => r.frame === frame);
    expect(ed.objectsOnFrame(frame).map((r) => r.id)).toEqual(all.sort(compareOrder).map((r) => r.id));
    const query: ImageBox = { minX: 200, minY: 200, maxX: 500, maxY: 450 };
    const brute = all.filter((r) => {
      const b = kindUtil(r.kind).bounds(r);
      return b !== null && boxesOverlap(b, query);
    });
    expect(ed.index.search(frame, query).sort()).toEqual(brute.map((r) => r.id).sort());
  }
}

describe('index and z-order stay consistent', () => {
  it.each([1, 2, 3])('under random edits, undo and redo (seed %i)', (seed) => {
    const random = rng(seed);
    const ed = makeEditor();
    const frames = [0, 1, 2];
    const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(random() * list.length)];
    for (let i = 0; i < 400; i++) {
      const op = random();
      const frame = pick(frames)!;
      if (frame !== ed.frame) ed.setFrame(frame, { width: 1000, height: 800 });
      const objects = ed.objectsOnFrame();
      const target = pick(objects);
      const x = random() * 900;
      const y = random() * 700;
      if (op < 0.3 || !target) {
        ed.setTool('rectangle');
        ed.pointerDown({ x, y, button: 0, shiftKey: false, ctrlKey: false, altKey: false, metaKey: false });
        ed.pointerMove({ x: x + 40, y: y + 30, button: 0, shiftKey: false, ctrlKey: false, altKey: false, metaKey: false });
        ed.pointerUp({ x: x + 40, y: y + 30, button: 0, shiftKey: false, ctrlKey: false, altKey: false, metaKey: false });
        ed.setTool('select');
      } else if (op < 0.45) {
        ed.select([target.id]);
        ed.deleteSelected();
      } else if (op < 0.6) {
        ed.select([target.id]);
        if (random() < 0.5) ed.raise();
        else ed.lower();
      } else if (op < 0.7) {
        ed.select([target.id]);
        ed.copy();
        ed.setFrame(pick(frames)!, { width: 1000, height: 800 });
        ed.paste();
      } else if (op < 0.8) {
        ed.update(target.id, { zOrder: Math.floor(random() * 5) - 2 });
      } else if (op < 0.9) {
        ed.undo();
      } else {
        ed.redo();
      }
      if (i % 20 === 0) check(ed, frames);
    }
    check(ed, frames);
  });
});
