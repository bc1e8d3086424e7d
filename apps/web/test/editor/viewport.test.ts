import { describe, expect, it } from 'vitest';
import { imagePoint, viewPoint } from '../../src/editor/coords';
import * as vp from '../../src/editor/viewport';
import { FRAME, makeEditor } from './helpers';

const LIMITS = { min: 0.01, max: 1000 };

describe('viewport conversions', () => {
  const viewports: vp.Viewport[] = [
    { scale: 1, x: 0, y: 0 },
    { scale: 0.37, x: 12.5, y: -3.25 },
    { scale: 2, x: -100, y: 40 },
    { scale: 7.3, x: 301.7, y: -2000.1 },
    { scale: 64, x: -5000, y: -7000 },
  ];

  it.each(viewports)('image -> view -> image is the identity at scale $scale', (v) => {
    for (const [x, y] of [[0, 0], [0.5, 0.5], [123.25, 456.75], [999.999, 0.001]] as const) {
      const back = vp.toImage(v, vp.toView(v, imagePoint(x, y)));
      expect(back.x).toBeCloseTo(x, 9);
      expect(back.y).toBeCloseTo(y, 9);
    }
  });

  it.each(viewports)('a view pixel maps to the image pixel drawn under it at scale $scale', (v) => {
    // Image pixel (10, 20) covers [10, 11) x [20, 21); on screen it spans scale view pixels.
    const topLeft = vp.toView(v, imagePoint(10, 20));
    expect(topLeft.x).toBeCloseTo(10 * v.scale + v.x, 9);
    const inside = vp.toImage(v, viewPoint(topLeft.x + v.scale * 0.5, topLeft.y + v.scale * 0.999));
    expect(Math.floor(inside.x)).toBe(10);
    expect(Math.floor(inside.y)).toBe(20);
    expect(vp.viewLengthToImage(v, v.scale * 3)).toBeCloseTo(3, 12);
  });

  it('zoomAt keeps the image point under the cursor where it was', () => {
    let v: vp.Viewport = { scale: 1.3, x: 17, y: -40 };
    const at = viewPoint(333, 211);
    const anchor = vp.toImage(v, at);
    for (const factor of [1.25, 1.25, 3, 0.1, 0.8]) {
      v = vp.zoomAt(v, at, factor, LIMITS);
      const still = vp.toView(v, anchor);
      expect(still.x).toBeCloseTo(at.x, 9);
      expect(still.y).toBeCloseTo(at.y, 9);
    }
  });

  it('zoom is clamped to the limits, still around the cursor', () => {
    const v = vp.zoomAt({ scale: 1, x: 0, y: 0 }, viewPoint(100, 100), 1e6, { min: 0.5, max: 8 });
    expect(v.scale).toBe(8);
    expect(vp.toView(v, imagePoint(100, 100))).toEqual(viewPoint(100, 100));
  });

  it('fit centres the whole frame', () => {
    const v = vp.fit({ width: 2000, height: 1000 }, { width: 1000, height: 1000 });
    expect(v.scale).toBe(0.5);
    expect(v.x).toBe(0);
    expect(v.y).toBe(250);
    const withMargin = vp.fit({ width: 1000, height: 1000 }, { width: 1000, height: 1000 }, 10);
    expect(withMargin.scale).toBeCloseTo(0.98, 12);
    expect(withMargin.x).toBeCloseTo(10, 9);
  });

  it('the visible image box is what the canvas shows', () => {
    const box = vp.visibleImageBox({ scale: 2, x: -200, y: 100 }, { width: 800, height: 600 });
    expect(box).toEqual({ minX: 100, minY: -50, maxX: 500, maxY: 250 });
  });

  it('panning cannot push the frame out of sight', () => {
    const frame = { width: 1000, height: 800 };
    const canvas = { width: 500, height: 400 };
    const far = vp.clampPan({ scale: 1, x: 10_000, y: -10_000 }, frame, canvas, 48);
    expect(far.x).toBe(500 - 48);
    expect(far.y).toBe(48 - 800);
  });
});

describe('editor viewport', () => {
  it('fits the frame on setFrame and setCanvasSize until the user zooms', () => {
    const ed = makeEditor();
    ed.fit();
    const fitted = ed.viewport;
    expect(fitted.scale).toBeCloseTo(Math.min(984 / 1000, 784 / 800), 12);
    ed.setCanvasSize(500, 400);
    expect(ed.viewport.scale).toBeCloseTo(Math.min(484 / 1000, 384 / 800), 12);
    ed.zoomIn();
    const zoomed = ed.viewport;
    ed.setCanvasSize(600, 400);
    expect(ed.viewport.scale).toBe(zoomed.scale);
  });

  it('wheel zooms around the pointer: the image point under it stays put', () => {
    const ed = makeEditor();
    ed.fit();
    const at = viewPoint(420, 133);
    const anchor = vp.toImage(ed.viewport, at);
    for (const deltaY of [-100, -100, -53, 100, -240, 3]) {
      expect(ed.wheel({ x: at.x, y: at.y, deltaY, ctrlKey: false })).toBe(true);
      const still = vp.toView(ed.viewport, anchor);
      expect(still.x).toBeCloseTo(at.x, 6);
      expect(still.y).toBeCloseTo(at.y, 6);
    }
    expect(ed.viewport.scale).toBeGreaterThan(1);
  });

  it('zoom keys zoom around the canvas centre and Ctrl+0 fits', () => {
    const ed = makeEditor();
    const before = ed.viewport.scale;
    expect(ed.keyDown({ key: '=', code: 'Equal', ctrlKey: true, shiftKey: false, altKey: false, metaKey: false })).toBe(true);
    expect(ed.viewport.scale).toBeCloseTo(before * 1.25, 12);
    const centre = vp.toImage(ed.viewport, viewPoint(500, 400));
    expect(centre.x).toBeCloseTo(500, 6);
    ed.keyDown({ key: '-', code: 'Minus', ctrlKey: true, shiftKey: false, altKey: false, metaKey: false });
    expect(ed.viewport.scale).toBeCloseTo(before, 12);
    ed.keyDown({ key: '0', code: 'Digit0', ctrlKey: true, shiftKey: false, altKey: false, metaKey: false });
    expect(ed.viewport).toEqual(vp.fit(FRAME, { width: 1000, height: 800 }, 8));
  });

  it('pointer positions become image coordinates exactly, at any zoom', () => {
    const ed = makeEditor();
    ed.setViewport({ scale: 12.5, x: -3000, y: -2000 });
    ed.setTool('points');
    // View (1000.5, 650) is image ((1000.5 + 3000) / 12.5, (650 + 2000) / 12.5) = (320.04, 212).
    ed.pointerDown({ x: 1000.5, y: 650, button: 0, shiftKey: false, ctrlKey: false, altKey: false, metaKey: false });
    ed.pointerUp({ x: 1000.5, y: 650, button: 0, shiftKey: false, ctrlKey: false, altKey: false, metaKey: false });
    ed.keyDown({ key: 'Enter', code: 'Enter', ctrlKey: false, shiftKey: false, altKey: false, metaKey: false });
    const r = ed.get(ed.selection[0]!)!;
    expect(r.points[0]).toBeCloseTo(320.04, 9);
    expect(r.points[1]).toBeCloseTo(212, 9);
  });
});
