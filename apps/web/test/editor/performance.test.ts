/**
 * 10,000 polygons of 20 vertices on one frame: a click looks at the few objects the index
 * returns near it, never the whole frame, and a new box costs an index update, not a scan.
 * Counts, not times, are asserted (times depend on the machine); times are printed.
 */
import { describe, expect, it } from 'vitest';
import { boxAround, imagePoint } from '../../src/editor/coords';
import type { CvatShape } from '../../src/editor/cvat';
import { objectsIn } from '../../src/editor/render/culling';
import { layerGeometry } from '../../src/editor/render/layer-plan';
import { toImage } from '../../src/editor/viewport';
import { viewPoint } from '../../src/editor/coords';
import { drag, makeEditor } from './helpers';

const FRAME = { width: 4000, height: 3000 };

function polygons(n: number, vertices: number): CvatShape[] {
  const out: CvatShape[] = [];
  const cols = 125;
  for (let i = 0; i < n; i++) {
    // A 125 x 80 grid of star-ish polygons, 32 x 37.5 px cells, radius 12.
    const cx = (i % cols) * 32 + 16;
    const cy = Math.floor(i / cols) * 37.5 + 18;
    const points: number[] = [];
    for (let k = 0; k < vertices; k++) {
      const a = (2 * Math.PI * k) / vertices;
      const r = k % 2 ? 12 : 8;
      points.push(cx + r * Math.cos(a), cy + r * Math.sin(a));
    }
    out.push({ id: i + 1, type: 'polygon', frame: 0, label_id: 1 + (i % 2), group: 0, source: 'auto', attributes: [], points, rotation: 0, occluded: false, outside: false, z_order: 0, score: 1, elements: [] });
  }
  return out;
}

describe('10,000 polygons of 20 vertices', () => {
  it('a click tests a handful of candidates from the index and picks the right polygon', () => {
    const ed = makeEditor();
    ed.setFrame(0, FRAME);
    let t = performance.now();
    ed.load({ version: 1, tags: [], shapes: polygons(10_000, 20), tracks: [] });
    const loadMs = performance.now() - t;
    ed.fit();
    expect(ed.objectsOnFrame()).toHaveLength(10_000);

    // The centre of polygon #5432 (row 43, column 57).
    const target = imagePoint(57 * 32 + 16, 43 * 37.5 + 18);
    const tolerance = 4 / ed.viewport.scale;
    const candidates = ed.index.search(0, boxAround(target, tolerance));
    expect(candidates.length).toBeGreaterThan(0);
    expect(candidates.length).toBeLessThanOrEqual(9);

    t = performance.now();
    const hit = ed.pickAt(target);
    const pickMs = performance.now() - t;
    expect(hit?.serverId).toBe(43 * 125 + 57 + 1);

    // Between polygons nothing is hit, at a zoom where the tolerance is small.
    ed.setViewport({ scale: 4, x: 0, y: 0 });
    expect(ed.pickAt(imagePoint(32, 37.5))).toBeUndefined();

    // Committing a new box: an index insert and a splice, whatever is on the frame.
    ed.setViewport({ scale: 1, x: 0, y: 0 });
    ed.setTool('rectangle');
    t = performance.now();
    drag(ed, [10, 10], [60, 60]);
    const boxMs = performance.now() - t;
    expect(ed.objectsOnFrame()).toHaveLength(10_001);
    expect(ed.index.search(0, boxAround(imagePoint(35, 35), 1)).length).toBeLessThanOrEqual(9);

    // The renderer's layer at 4x zoom over the middle touches a small part of the frame.
    ed.setViewport({ scale: 4, x: -6000, y: -4000 });
    const box = layerGeometry(ed.viewport, ed.canvasSize, ed.frameSize, 1).rect;
    const visible = objectsIn(ed.store, ed.index, 0, box, new Set());
    expect(visible.length).toBeLessThan(1_000);
    expect(visible.length).toBeGreaterThan(100);
    const centre = toImage(ed.viewport, viewPoint(500, 400));
    expect(visible.some((r) => r.points[0]! > centre.x - 500 && r.points[0]! < centre.x + 500)).toBe(true);

    console.log(`10k polygons: load ${loadMs.toFixed(1)} ms, pick ${pickMs.toFixed(2)} ms, draw+commit box ${boxMs.toFixed(2)} ms, culled ${visible.length}`);
  });
});
