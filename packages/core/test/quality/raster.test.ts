import { describe, expect, it } from 'vitest';
import { polygonCounts } from '../../src/formats/polygon-fill.js';
import {
  boxRuns,
  intersectionArea,
  maskRuns,
  polygonRuns,
  runsFromCounts,
  runsIoU,
  subtractRuns,
  unionRuns,
  type Runs,
} from '../../src/quality/raster.js';

let seed = 77;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

function ring(n: number, cx: number, cy: number, radius: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rnd() * 2 * Math.PI, r = rnd() * radius;
    out.push(cx + r * Math.cos(a), cy + r * Math.sin(a));
  }
  return out;
}

/** Every pixel as "x,y". */
function pixels(r: Runs): Set<string> {
  const out = new Set<string>();
  for (let k = 0; k < r.cols; k++) {
    for (let i = r.start[k]!; i < r.start[k + 1]!; i++) for (let y = r.lo[i]!; y < r.hi[i]!; y++) out.add(`${r.left + k},${y}`);
  }
  return out;
}

/** The runs as text, column by column (pixel sets of equal runs are equal). */
function runList(r: Runs): string {
  const out: string[] = [];
  for (let k = 0; k < r.cols; k++) for (let i = r.start[k]!; i < r.start[k + 1]!; i++) out.push(`${r.left + k}:${r.lo[i]}-${r.hi[i]}`);
  return out.join(' ');
}

/** The same polygon through pycocotools' rleFrPoly over the whole image. */
function wholeImage(points: number[], width: number, height: number): Set<string> {
  return pixels(runsFromCounts(polygonCounts(points, height, width), 0, 0, width, height));
}

describe('polygonRuns', () => {
  it('fills a 10 x 10 square with exactly its 100 pixels', () => {
    // rleFrPoly takes column c when the outline crosses its centre: columns 0..9, rows 0..9.
    const r = polygonRuns([0, 0, 10, 0, 10, 10, 0, 10], 100, 100);
    const expected = new Set<string>();
    for (let x = 0; x < 10; x++) for (let y = 0; y < 10; y++) expected.add(`${x},${y}`);
    expect(pixels(r)).toEqual(expected);
    expect(r.area).toBe(100);
  });

  // Shapes that stress rleFrPoly's roundings: random, whole and tenth-pixel vertices, vertices on
  // half pixels, a repeated vertex (a zero-length edge), long thin slivers, polygons far off the image.
  const generators: Array<() => number[]> = [
    () => ring(3 + Math.floor(rnd() * 8), rnd() * 120 - 30, rnd() * 100 - 30, 40),
    () => Array.from({ length: 2 * (3 + Math.floor(rnd() * 8)) }, (_, i) => Math.round(rnd() * (i % 2 ? 70 : 80) - 10)),
    () => Array.from({ length: 2 * (3 + Math.floor(rnd() * 8)) }, (_, i) => Math.round((rnd() * (i % 2 ? 70 : 80) - 10) * 10) / 10),
    () => Array.from({ length: 2 * (3 + Math.floor(rnd() * 5)) }, (_, i) => Math.round((rnd() * 80 - 10) * 2) / 2 + (i % 2 ? -0.1 : 0.1)),
    () => {
      const x = rnd() * 60, y = rnd() * 50;
      return [x, y, x, y, rnd() * 60, rnd() * 50, rnd() * 60, rnd() * 50];
    },
    () => {
      const x = rnd() * 60, y = rnd() * 50;
      return [x, y, x + rnd() * 3, y + rnd() * 40, x + rnd() * 40, y + rnd() * 3];
    },
    () => Array.from({ length: 2 * (3 + Math.floor(rnd() * 6)) }, () => rnd() * 400 - 170),
  ];

  it('keeps exactly the pixels of rleFrPoly (the pycocotools port) on the whole image, for 10,500 polygons', () => {
    const W = 60, H = 50;
    for (let t = 0; t < 10500; t++) {
      const pts = generators[t % generators.length]!();
      const mine = runList(polygonRuns(pts, W, H)), reference = runList(runsFromCounts(polygonCounts(pts, H, W), 0, 0, W, H));
      if (mine !== reference) expect({ pts, mine }).toEqual({ pts, mine: reference });
    }
  });
});

describe('boxRuns', () => {
  it('equals rleFrPoly of the box polygon for 5,000 random boxes, on and off the image', () => {
    const W = 40, H = 30;
    for (let t = 0; t < 5000; t++) {
      let x1 = rnd() * 60 - 10, y1 = rnd() * 50 - 10, x2 = x1 + rnd() * 20, y2 = y1 + rnd() * 20;
      if (t % 4 === 0) [x1, y1, x2, y2] = [x1, y1, x2, y2].map((v) => Math.round(v * 2) / 2) as [number, number, number, number];
      expect(pixels(boxRuns(x1, y1, x2, y2, W, H))).toEqual(wholeImage([x1, y1, x2, y1, x2, y2, x1, y2], W, H));
    }
  });
});

describe('maskRuns', () => {
  it('decodes CVAT run lengths over the mask box, cut at the image edge', () => {
    // Box (8,1)-(11,2), 4 x 2, row by row: 1 off, 3 on, 2 off, 2 on -> (9,1) (10,1) (11,1) (10,2) (11,2).
    // The image is 11 wide, so column 11 is cut: 3 pixels stay.
    const r = maskRuns([1, 3, 2, 2, 8, 1, 11, 2], 11, 10);
    expect(pixels(r)).toEqual(new Set(['9,1', '10,1', '10,2']));
    expect(r.area).toBe(3);
  });
});

describe('run algebra', () => {
  const sq = (x: number, y: number, s: number) => polygonRuns([x, y, x + s, y, x + s, y + s, x, y + s], 100, 100);

  it('unions, subtracts and intersects like sets of pixels', () => {
    const a = sq(0, 0, 10), b = sq(5, 5, 10); // 100 px each, sharing the 5 x 5 corner
    expect(intersectionArea(a, b)).toBe(25);
    expect(unionRuns([a, b]).area).toBe(175);
    expect(subtractRuns(a, b).area).toBe(75);
    expect(runsIoU(a, b)).toBeCloseTo(25 / 175, 12);
    const u = pixels(unionRuns([a, b]));
    expect(u).toEqual(new Set([...pixels(a), ...pixels(b)]));
    const d = pixels(subtractRuns(a, b));
    expect(d).toEqual(new Set([...pixels(a)].filter((p) => !pixels(b).has(p))));
  });

  it('counts nothing for disjoint or empty sets', () => {
    expect(intersectionArea(sq(0, 0, 10), sq(20, 0, 10))).toBe(0);
    expect(runsIoU(polygonRuns([], 10, 10), polygonRuns([], 10, 10))).toBe(0);
  });
});
