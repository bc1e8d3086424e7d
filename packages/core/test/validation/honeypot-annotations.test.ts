import { describe, expect, it } from 'vitest';
import type { LabeledShape, LabeledTag } from '../../src/annotations/types.js';
import { mirrorToHoneypots, touchesFrames } from '../../src/validation/honeypot-annotations.js';
import { ValidationSetupError } from '../../src/validation/params.js';

const box = (frame: number, id?: number): LabeledShape => ({
  ...(id !== undefined ? { id } : {}),
  frame,
  label_id: 1,
  group: 0,
  source: 'manual',
  attributes: [{ spec_id: 4, value: 'red' }],
  type: 'rectangle',
  points: [1, 2, 3, 4],
  rotation: 0,
  occluded: false,
  outside: false,
  z_order: 0,
  score: 1,
  elements: [],
});
const tag = (frame: number): LabeledTag => ({ frame, label_id: 2, group: 0, source: 'manual', attributes: [] });

// Frames 0-3 are jobs' frames (1 and 3 honeypots of validation frame 5), 4-5 the pool.
const honeypots = [
  { frame: 1, real: 5 },
  { frame: 3, real: 5 },
];

describe('mirrorToHoneypots', () => {
  it('copies what is on a validation frame to every honeypot showing it, without ids', () => {
    const out = mirrorToHoneypots({ tags: [tag(5)], shapes: [box(5, 77), box(0, 78), box(4)], tracks: [] }, honeypots);
    expect(out.shapes.map((s) => [s.frame, s.id])).toEqual([
      [5, 77],
      [1, undefined],
      [3, undefined],
      [0, 78],
      [4, undefined],
    ]);
    expect(out.shapes[1]).toMatchObject({ points: [1, 2, 3, 4], attributes: [{ spec_id: 4, value: 'red' }] });
    expect(out.tags.map((t) => t.frame)).toEqual([5, 1, 3]);
  });

  it('drops what the input puts on honeypot frames themselves', () => {
    const out = mirrorToHoneypots({ tags: [tag(3)], shapes: [box(1), box(2)], tracks: [] }, honeypots);
    expect(out.shapes.map((s) => s.frame)).toEqual([2]);
    expect(out.tags).toEqual([]);
  });

  it('copies skeleton points with their skeleton', () => {
    const skeleton: LabeledShape = { ...box(5), type: 'skeleton', points: [], elements: [{ ...box(5, 9), type: 'points', points: [1, 1] }] };
    const out = mirrorToHoneypots({ tags: [], shapes: [skeleton], tracks: [] }, honeypots);
    expect(out.shapes[1]!.elements).toEqual([expect.objectContaining({ frame: 1, points: [1, 1] })]);
    expect(out.shapes[1]!.elements[0]!.id).toBeUndefined();
  });

  it('refuses tracks', () => {
    const track = { frame: 0, label_id: 1, group: 0, source: 'manual' as const, attributes: [], shapes: [], elements: [] };
    expect(() => mirrorToHoneypots({ tags: [], shapes: [], tracks: [track] }, honeypots)).toThrow(ValidationSetupError);
  });
});

describe('touchesFrames', () => {
  it('tells whether anything lies on the given frames', () => {
    expect(touchesFrames({ tags: [], shapes: [box(4)], tracks: [] }, new Set([4, 5]))).toBe(true);
    expect(touchesFrames({ tags: [tag(1)], shapes: [box(0)], tracks: [] }, new Set([4, 5]))).toBe(false);
  });
});
