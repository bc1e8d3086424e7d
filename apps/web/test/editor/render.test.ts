/** The renderer's pure parts: what is culled, how objects are batched, how outlines are traced. */
import { describe, expect, it } from 'vitest';
import { kindUtil, type PathSink } from '../../src/editor/kinds';
import { signedArea2 } from '../../src/editor/kinds/vertices';
import type { AnnotationRecord } from '../../src/editor/model';
import { chunks, draftOutline, groupForDrawing, traceAll } from '../../src/editor/render/batches';
import { objectsIn } from '../../src/editor/render/culling';
import { layerGeometry, planLayer, visibleFramePart } from '../../src/editor/render/layer-plan';
import { drawBox, drawPolygon, makeEditor } from './helpers';

class Recorder implements PathSink {
  ops: Array<[string, ...number[]]> = [];
  moveTo(x: number, y: number) {
    this.ops.push(['M', x, y]);
  }
  lineTo(x: number, y: number) {
    this.ops.push(['L', x, y]);
  }
  closePath() {
    this.ops.push(['Z']);
  }
  ellipse(x: number, y: number, rx: number, ry: number, rotation: number, start: number, end: number) {
    this.ops.push(['E', x, y, rx, ry, rotation, start, end]);
  }
  /** Vertices of each subpath. */
  rings(): number[][] {
    const out: number[][] = [];
    for (const [op, ...a] of this.ops) {
      if (op === 'M') out.push([...a]);
      else if (op === 'L') out[out.length - 1]!.push(...a);
    }
    return out;
  }
}

function rec(kind: AnnotationRecord['kind'], points: number[], extra: Partial<AnnotationRecord> = {}): AnnotationRecord {
  return { id: `${kind}${points.join(',')}`, kind, frame: 0, labelId: 1, points, attributes: {}, occluded: false, hidden: false, locked: false, zOrder: 0, rotation: 0, group: 0, source: 'manual', score: 1, seq: 1, ...extra };
}

describe('object layer plan', () => {
  const canvas = { width: 800, height: 600 };
  const frame = { width: 4000, height: 3000 };

  it('covers the view plus a quarter each way, cut to the frame, on device pixels', () => {
    const v = { scale: 2, x: -200.3, y: -100 };
    const g = layerGeometry(v, canvas, frame, 1);
    // View: image (100.15, 50)-(500.15, 350); grown by 100 x 75 each way.
    expect(g.scale).toBe(2);
    expect(g.rect.minX).toBeLessThanOrEqual(0.15 + 1e-9);
    expect(g.rect.minX).toBeGreaterThan(-0.5);
    expect(g.rect.maxX).toBeGreaterThanOrEqual(600.15 - 1e-9);
    expect(g.rect.minY).toBeCloseTo(-4, 9); // 50 - 75 is above the frame: cut at its edge, less 8 view px for strokes
    expect(g.width).toBe(Math.round((g.rect.maxX - g.rect.minX) * 2));
    // Its left edge falls on a device pixel of this viewport.
    const device = g.rect.minX * v.scale + v.x;
    expect(Math.abs(device - Math.round(device))).toBeLessThan(1e-9);
    // At device pixel ratio 2 the bitmap has twice the pixels each way.
    const hi = layerGeometry(v, canvas, frame, 2);
    expect(hi.scale).toBe(4);
    expect(hi.width).toBeGreaterThanOrEqual(2 * g.width - 2);
    // Zoomed out past the frame, the layer stops at the frame (plus a few pixels for strokes).
    const whole = layerGeometry({ scale: 0.1, x: 200, y: 150 }, canvas, frame, 1);
    expect(whole.rect.minX).toBeGreaterThanOrEqual(-80.5);
    expect(whole.rect.maxX).toBeLessThanOrEqual(4080.5);
  });

  const layer = { rect: { minX: 0, minY: 0, maxX: 1000, maxY: 1000 }, scale: 1 };
  const inside = { minX: 100, minY: 100, maxX: 900, maxY: 900 };
  const beyond = { minX: 500, minY: 100, maxX: 1500, maxY: 900 };
  const costly = () => false;
  const cheap = () => true;

  it.each([
    ['no layer yet', { layer: null, scale: 1, visible: inside, moving: true, cheap: costly }, { rebuildNow: true, rebuildLater: false }],
    ['a pan inside it: blit', { layer, scale: 1, visible: inside, moving: true, cheap: costly }, { rebuildNow: false, rebuildLater: false }],
    ['zooming: blit scaled, rebuild once settled', { layer, scale: 1.3, visible: inside, moving: true, cheap: costly }, { rebuildNow: false, rebuildLater: true }],
    ['settled at another scale: rebuild', { layer, scale: 1.3, visible: inside, moving: false, cheap: costly }, { rebuildNow: true, rebuildLater: false }],
    ['panned past it, few objects: rebuild now', { layer, scale: 1, visible: beyond, moving: true, cheap }, { rebuildNow: true, rebuildLater: false }],
    ['panned past it mid-gesture, many objects: later', { layer, scale: 1, visible: beyond, moving: true, cheap: costly }, { rebuildNow: false, rebuildLater: true }],
    ['panned past it and resting: rebuild now', { layer, scale: 1, visible: beyond, moving: false, cheap: costly }, { rebuildNow: true, rebuildLater: false }],
  ] as const)('%s', (_name, input, expected) => {
    expect(planLayer(input)).toEqual(expected);
  });

  it('the visible part of the frame excludes what lies outside it', () => {
    expect(visibleFramePart({ scale: 1, x: 100, y: -50 }, canvas, frame)).toEqual({ minX: 0, minY: 50, maxX: 700, maxY: 650 });
  });
});

describe('culling', () => {
  it('takes the objects meeting the box, without hidden ones or those drawn apart (the selection)', () => {
    const ed = makeEditor();
    const a = drawBox(ed, 0, 0, 50, 50);
    const b = drawBox(ed, 100, 100, 150, 150);
    const c = drawBox(ed, 120, 120, 130, 130);
    const d = drawBox(ed, 800, 600, 900, 700);
    ed.update(c, { hidden: true });
    const ids = objectsIn(ed.store, ed.index, 0, { minX: 40, minY: 40, maxX: 200, maxY: 200 }, new Set([b])).map((r) => r.id);
    expect(ids).toEqual([a]);
    expect(ids).not.toContain(d);
  });
});

describe('batching', () => {
  it('one group per label colour and occlusion, areas apart from lines and markers; tags not drawn', () => {
    const colors: Record<number, string> = { 1: '#f00', 2: '#0f0' };
    const records = [
      rec('rectangle', [0, 0, 1, 1]),
      rec('polygon', [0, 0, 1, 0, 1, 1], { labelId: 2 }),
      rec('polyline', [0, 0, 5, 5]),
      rec('points', [3, 3]),
      rec('ellipse', [5, 5, 6, 4], { occluded: true }),
      rec('tag', []),
      rec('rectangle', [0, 0, 1, 1], { labelId: 99 }),
    ];
    const groups = groupForDrawing(records, (id) => colors[id]);
    expect(groups.map((g) => [g.color, g.occluded, g.areas.length, g.lines.length, g.markers.length])).toEqual([
      ['#0f0', false, 1, 0, 0],
      ['#888888', false, 1, 0, 0],
      ['#f00', false, 1, 1, 1],
      ['#f00', true, 1, 0, 0],
    ]);
  });

  it('10,000 polygons of 2 labels make 2 groups, painted in paths of 100', () => {
    const records = Array.from({ length: 10_000 }, (_, i) => rec('polygon', [i, 0, i + 1, 0, i + 1, 1], { labelId: 1 + (i % 2), id: `p${i}` }));
    const groups = groupForDrawing(records, (id) => (id === 1 ? '#f00' : '#0f0'));
    expect(groups).toHaveLength(2);
    const parts = [...chunks(groups[0]!.areas)];
    expect(parts).toHaveLength(50);
    expect(parts.every((p) => p.length === 100)).toBe(true);
  });

  it('traces every area clockwise, so overlapping outlines in one path fill their union', () => {
    const ccw = rec('polygon', [0, 0, 0, 10, 10, 10, 10, 0]);
    const cw = rec('polygon', [0, 0, 10, 0, 10, 10, 0, 10]);
    const r = new Recorder();
    traceAll(r, [ccw, cw, rec('rectangle', [20, 20, 30, 40]), rec('rectangle', [0, 0, 10, 10], { rotation: 30 })]);
    const rings = r.rings();
    expect(rings).toHaveLength(4);
    for (const ring of rings) expect(signedArea2(ring)).toBeGreaterThan(0);
    expect(r.ops.filter(([op]) => op === 'Z')).toHaveLength(4);
  });

  it('an ellipse starts its own subpath (no stray line from the previous shape)', () => {
    const r = new Recorder();
    kindUtil('ellipse').trace(r, rec('ellipse', [50, 50, 70, 40]));
    expect(r.ops[0]).toEqual(['M', 70, 50]);
    expect(r.ops[1]).toEqual(['E', 50, 50, 20, 10, 0, 0, 2 * Math.PI]);
  });

  it('polylines stay open; draft outlines end at the pointer', () => {
    const r = new Recorder();
    kindUtil('polyline').trace(r, rec('polyline', [0, 0, 5, 5, 10, 0]));
    expect(r.ops.map(([op]) => op)).toEqual(['M', 'L', 'L']);
    expect(draftOutline([1, 2, 3, 4], { x: 5, y: 6 })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(draftOutline([1, 2], null)).toEqual([1, 2]);
  });

  it('a drawn polygon keeps its vertex order in the store (only tracing normalises)', () => {
    const ed = makeEditor();
    const p = drawPolygon(ed, [[0, 0], [0, 100], [100, 100]]);
    expect(ed.get(p)!.points).toEqual([0, 0, 0, 100, 100, 100]);
  });
});
