/**
 * Each kind's similarity on cases worked out by hand (the arithmetic is in the comments).
 * OKS scores are exp(-d² / (2·s·(2σ)²)) with σ = 0.09, so 2·s·(2σ)² = 0.0648·s.
 */
import { describe, expect, it } from 'vitest';
import { objectBox, type FrameObject, type ObjectKind, type SkeletonPoint } from '../../src/quality/objects.js';
import { rectangleSimilarity } from '../../src/quality/similarity/boxes.js';
import { ellipseSimilarity } from '../../src/quality/similarity/ellipses.js';
import { lineSimilarity, resampleLines } from '../../src/quality/similarity/lines.js';
import { oks, pointsSimilarity, type PointsOptions } from '../../src/quality/similarity/points.js';
import { segmentInstances, segmentSimilarity } from '../../src/quality/similarity/segments.js';
import { skeletonSimilarity, skeletonVector } from '../../src/quality/similarity/skeletons.js';
import { tagSimilarity } from '../../src/quality/similarity/tags.js';
import type { Runs } from '../../src/quality/raster.js';

let nextId = 1;
function obj(kind: ObjectKind, points: number[], over: Partial<FrameObject> = {}): FrameObject {
  const elements = over.elements ?? [];
  return {
    id: { obj_id: nextId++, job_id: 1, type: 'shape', shape_type: kind === 'tag' ? null : kind },
    kind, label_id: 1, group: 0, z_order: 0, points, rotation: 0, attributes: new Map(), elements,
    box: objectBox(kind, points, elements),
    ...over,
  };
}
const square = (x: number, y: number, s: number) => [x, y, x + s, y, x + s, y + s, x, y + s];
const rect = (x1: number, y1: number, x2: number, y2: number, rotation = 0) => ({ points: [x1, y1, x2, y2], rotation });

describe('rectangles', () => {
  it('scores unrotated boxes by area IoU', () => {
    // [0,10]² and [5,15]x[0,10] share 5 x 10 = 50 of 100 + 100 - 50 = 150.
    expect(rectangleSimilarity(rect(0, 0, 10, 10), rect(5, 0, 15, 10))).toBeCloseTo(1 / 3, 12);
  });

  it('scores a square turned 45° against itself unturned as 1/√2', () => {
    // The side-2 square and its 45° turn share a regular octagon: 4 minus four corner
    // triangles with legs 2 - √2, i.e. 8√2 - 8; IoU = (8√2 - 8) / (8 - (8√2 - 8)) = 1/√2.
    expect(rectangleSimilarity(rect(0, 0, 2, 2, 45), rect(0, 0, 2, 2))).toBeCloseTo(Math.SQRT1_2, 9);
    expect(rectangleSimilarity(rect(0, 0, 2, 2, 90), rect(0, 0, 2, 2))).toBeCloseTo(1, 9);
  });

  it('turns equally rotated boxes about their own centres (the exact area, where CVAT would ignore the turn)', () => {
    // Both turned 30°: the 5 px offset between centres is (5cos30°, -5sin30°) along the boxes'
    // own sides, so they share (10 - 4.330)(10 - 2.5) = 42.52 of 200 - 42.52.
    const inter = (10 - 5 * Math.cos(Math.PI / 6)) * (10 - 5 * Math.sin(Math.PI / 6));
    expect(rectangleSimilarity(rect(0, 0, 10, 10, 30), rect(5, 0, 15, 10, 30))).toBeCloseTo(inter / (200 - inter), 9);
  });
});

describe('ellipses', () => {
  const ellipse = (cx: number, cy: number, rx: number, ry: number, rotation = 0) => ({ points: [cx, cy, cx + rx, cy - ry], rotation });

  it('scores concentric circles by the ratio of their areas', () => {
    // Radii 10 and 20: the small one lies inside, IoU = 10² / 20² (the polygons are similar, so exactly).
    expect(ellipseSimilarity(ellipse(50, 50, 10, 10), ellipse(50, 50, 20, 20))).toBeCloseTo(0.25, 12);
  });

  it('turns ellipses: a 20 x 10 one turned 90° is a 10 x 20 one, and crosses its unturned self', () => {
    expect(ellipseSimilarity(ellipse(0, 0, 20, 10, 90), ellipse(0, 0, 10, 20))).toBeCloseTo(1, 9);
    // Two perpendicular ellipses a = 20, b = 10 share 8 sectors of ½ab·atan(b/a) = 4ab·atan(0.5)
    // = 370.92 of the 2πab - 370.92 = 885.72 they cover: IoU 0.4188 (0.16% off with 64-gons).
    expect(ellipseSimilarity(ellipse(0, 0, 20, 10, 90), ellipse(0, 0, 20, 10))).toBeCloseTo(0.4188, 2);
  });
});

describe('polygons and masks (pixels, grouped parts merged, visible parts when panoptic)', () => {
  const instances = (objects: FrameObject[], panoptic = true) => segmentInstances(objects, 100, 100, panoptic, new Map<FrameObject, Runs>());
  const iou = (a: FrameObject[], b: FrameObject[], panoptic = true) => segmentSimilarity(instances(a, panoptic)[0]!, instances(b, panoptic)[0]!);

  it('counts pixels: two 10 px squares offset by half share 50 of 150', () => {
    expect(iou([obj('polygon', square(0, 0, 10))], [obj('polygon', square(5, 0, 10))])).toBeCloseTo(1 / 3, 12);
  });

  it('merges the parts of a group (same label) into one object', () => {
    const halves = (group: number) => [obj('polygon', [0, 0, 5, 0, 5, 10, 0, 10], { group }), obj('polygon', [5, 0, 10, 0, 10, 10, 5, 10], { group })];
    const whole = [obj('polygon', square(0, 0, 10))];
    // Grouped: columns 0-4 and 5-9 make the whole square, IoU 1.
    expect(instances(halves(3))).toHaveLength(1);
    expect(iou(whole, halves(3))).toBe(1);
    // Ungrouped: each half alone is 50 of the square's 100 pixels.
    const parts = instances(halves(0));
    expect(parts).toHaveLength(2);
    expect(segmentSimilarity(instances(whole)[0]!, parts[0]!)).toBeCloseTo(0.5, 12);
    // Same group, different labels: two objects.
    expect(instances([obj('polygon', square(0, 0, 5), { group: 2 }), obj('polygon', square(20, 0, 5), { group: 2, label_id: 2 })])).toHaveLength(2);
  });

  it('keeps only what shows of an object under another (panoptic), and everything otherwise', () => {
    // Ground truth: A = [0,10]² at z 0 under B = [5,15]x[0,10] at z 1, so A shows columns 0-4.
    const gt = [obj('polygon', square(0, 0, 10)), obj('polygon', [5, 0, 15, 0, 15, 10, 5, 10], { z_order: 1 })];
    // The job drew only the visible half of A.
    const visibleHalf = obj('polygon', [0, 0, 5, 0, 5, 10, 0, 10]);
    const gtA = (panoptic: boolean) => instances(gt, panoptic)[0]!;
    const ds = (panoptic: boolean) => instances([visibleHalf], panoptic)[0]!;
    expect(gtA(true).runs.area).toBe(50);
    expect(segmentSimilarity(gtA(true), ds(true))).toBe(1);
    expect(segmentSimilarity(gtA(false), ds(false))).toBeCloseTo(0.5, 12);
  });

  it('paints equal z in list order: the later object is on top', () => {
    const [a, b] = instances([obj('polygon', square(0, 0, 10)), obj('polygon', [5, 0, 15, 0, 15, 10, 5, 10])]);
    expect(a!.runs.area).toBe(50);
    expect(b!.runs.area).toBe(100);
  });

  it('compares a mask with a polygon on the same pixels as equal', () => {
    // Mask box (0,0)-(9,9), counts: 0 background, 100 foreground.
    expect(iou([obj('mask', [0, 100, 0, 0, 9, 9])], [obj('polygon', square(0, 0, 10))])).toBe(1);
  });
});

describe('points (OKS)', () => {
  const opts = (over: Partial<PointsOptions> = {}): PointsOptions => ({ sigma: 0.09, sizeBase: 'group_bbox_size', imageArea: 100 * 100, threshold: 0.4, ...over });
  const boxOf = (p: number[]) => objectBox('points', p, [])!;

  it('scores single points on the image scale', () => {
    // 1000 x 1000 image: s = 10^6; d = 300: exp(-90000 / 64800) = exp(-1.38889) = 0.249352.
    const a = [100, 100], b = [400, 100];
    expect(pointsSimilarity(a, b, boxOf(a), boxOf(b), opts({ imageArea: 1e6 }))).toBeCloseTo(0.249352, 6);
  });

  it('scores point groups on their mean box, pairing points by best score', () => {
    // Boxes 10 x 10 and 10 x 11, mean 10 x 10.5: s = 105, 0.0648·105 = 6.804. Two points
    // coincide (1 each), one is 1 px off: exp(-1/6.804) = 0.863318. Mean of three: 0.954439.
    // The order of the points does not matter: they are paired by score.
    const gt = [0, 0, 10, 0, 0, 10], ds = [0, 11, 0, 0, 10, 0];
    expect(pointsSimilarity(gt, ds, boxOf(gt), boxOf(ds), opts())).toBeCloseTo(0.954439, 6);
    // image_size on a 100 x 100 image: 0.0648·10^4 = 648, exp(-1/648) = 0.998458; mean 0.999486.
    expect(pointsSimilarity(gt, ds, boxOf(gt), boxOf(ds), opts({ sizeBase: 'image_size' }))).toBeCloseTo(0.999486, 6);
  });

  it('counts unpaired points in the denominator', () => {
    // Three points coincide, the fourth has no partner: 3 / 4.
    const gt = [0, 0, 10, 0, 0, 10], ds = [0, 0, 10, 0, 0, 10, 10, 10];
    expect(pointsSimilarity(gt, ds, boxOf(gt), boxOf(ds), opts())).toBeCloseTo(0.75, 12);
  });

  it('scores 0 for group boxes that share no area (group_bbox_size)', () => {
    const gt = [0, 0, 10, 0, 0, 10], ds = [20, 20, 30, 20, 20, 30];
    expect(pointsSimilarity(gt, ds, boxOf(gt), boxOf(ds), opts())).toBe(0);
  });

  it('oks: only points visible on both sides score, over those visible on either', () => {
    // Point 2 hidden on one side: (1 + 1 + 0) / 3.
    expect(oks([0, 0, 5, 5, 9, 9], [0, 0, 5, 5, 9, 9], 100, 0.09, [true, true, true], [true, true, false])).toBeCloseTo(2 / 3, 12);
    expect(oks([0, 0], [0, 0, 1, 1], 100, 0.09)).toBe(0);
  });
});

describe('skeletons (OKS over the points in sublabel order)', () => {
  const order = [11, 12, 13, 14];
  const pt = (label_id: number, x: number, y: number, over: Partial<SkeletonPoint> = {}): SkeletonPoint => ({ label_id, x, y, outside: false, occluded: false, ...over });
  const corners = (over: Record<number, Partial<SkeletonPoint>> = {}, moved: Record<number, [number, number]> = {}) =>
    order.map((id, k) => pt(id, moved[id]?.[0] ?? (k % 2) * 10, moved[id]?.[1] ?? Math.floor(k / 2) * 10, over[id]));
  const sim = (a: SkeletonPoint[], b: SkeletonPoint[]) => {
    const va = skeletonVector(a, order)!, vb = skeletonVector(b, order)!;
    return skeletonSimilarity(va, vb, objectBox('skeleton', [], a)!, objectBox('skeleton', [], b)!, 0.09);
  };

  it('scores a point 1 px off on the mean box', () => {
    // Points (0,0) (10,0) (0,10) (10,10); both boxes 10 x 10, s = 100, 0.0648·100 = 6.48.
    // One point moved by 1 px (box unchanged): (3 + exp(-1/6.48)) / 4 = (3 + 0.856997) / 4 = 0.964249.
    expect(sim(corners(), corners({}, { 12: [10, 1] }))).toBeCloseTo(0.964249, 6);
  });

  it('leaves occluded and outside points out of the score but in the count', () => {
    // Occluded: 3 of 4 score. Outside: the same, the box still 10 x 10 from the other three.
    expect(sim(corners(), corners({ 14: { occluded: true } }))).toBeCloseTo(0.75, 12);
    expect(sim(corners(), corners({ 14: { outside: true } }))).toBeCloseTo(0.75, 12);
    // Points are matched by sublabel, not by list position.
    expect(sim(corners(), [...corners()].reverse())).toBe(1);
  });

  it('leaves out a skeleton whose every point is outside', () => {
    expect(skeletonVector(corners({ 11: { outside: true }, 12: { outside: true }, 13: { outside: true }, 14: { outside: true } }), order)).toBeNull();
  });
});

describe('polylines', () => {
  // 100 x 100 image, thickness 0.01: the score is exp(-d² / (2·10^4·0.02²)) = exp(-d²/8).
  const o = { scale: 100 * 100, thickness: 0.01, oriented: false };

  it('scores a line 1 px off as exp(-1/8)', () => {
    expect(lineSimilarity([0, 0, 100, 0], [0, 1, 100, 1], o)).toBeCloseTo(Math.exp(-1 / 8), 12);
  });

  it('resamples both lines at each other\'s vertices before comparing', () => {
    // The ground truth's middle vertex (50,0) sits at half its length, where the other line is
    // at (50,2): points (0,0)/(0,2), (50,0)/(50,2), (100,0)/(100,2), each 2 px apart: exp(-4/8).
    expect(resampleLines([0, 0, 50, 0, 100, 0], [0, 2, 100, 2])).toEqual([[0, 0, 50, 0, 100, 0], [0, 2, 50, 2, 100, 2]]);
    expect(lineSimilarity([0, 0, 50, 0, 100, 0], [0, 2, 100, 2], o)).toBeCloseTo(Math.exp(-0.5), 12);
  });

  it('takes the better direction unoriented, the drawn one oriented', () => {
    // Reversed: ends 100 px apart drawn as is (exp(-10000/8) = 0), identical when turned round.
    expect(lineSimilarity([0, 0, 100, 0], [100, 0, 0, 0], o)).toBe(1);
    expect(lineSimilarity([0, 0, 100, 0], [100, 0, 0, 0], { ...o, oriented: true })).toBeCloseTo(0, 12);
  });

  it('scores 0 for lines far apart without resampling', () => {
    // Circles around the boxes: centres (5,0) and (95,90), 16200 apart squared, more than 25 + 25 + 10^4·0.06².
    expect(lineSimilarity([0, 0, 10, 0], [90, 90, 100, 90], o)).toBe(0);
  });
});

describe('tags', () => {
  it('scores 1 for the same label and 0.5 otherwise', () => {
    expect(tagSimilarity({ label_id: 4 }, { label_id: 4 })).toBe(1);
    expect(tagSimilarity({ label_id: 4 }, { label_id: 5 })).toBe(0.5);
  });
});
