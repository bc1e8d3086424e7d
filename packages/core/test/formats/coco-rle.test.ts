import { describe, expect, it } from 'vitest';
import { cvatMaskToBitmap } from '../../src/formats/mask.js';
import { polygonRuns } from '../../src/formats/coco/raster.js';
import { polygonCounts } from '../../src/formats/polygon-fill.js';
import {
  countsBbox, countsToRuns, cvatMaskToRuns, decodeCountsString, encodeCountsString, runsArea, runsToCounts, runsToCvatMask, unionRuns,
} from '../../src/formats/coco/rle.js';

/** A mask drawn as rows of '#' and '.', to CVAT's encoding over its tight box. */
function cvatOf(rows: string[]): number[] {
  const width = rows[0]!.length;
  let left = width, top = rows.length, right = -1, bottom = -1;
  rows.forEach((row, y) => [...row].forEach((c, x) => {
    if (c === '#') {
      left = Math.min(left, x); right = Math.max(right, x); top = Math.min(top, y); bottom = Math.max(bottom, y);
    }
  }));
  const runs: number[] = [];
  let current = false, run = 0;
  for (let y = top; y <= bottom; y++) {
    for (let x = left; x <= right; x++) {
      const on = rows[y]![x] === '#';
      if (on === current) run++;
      else { runs.push(run); current = on; run = 1; }
    }
  }
  runs.push(run);
  return [...runs, left, top, right, bottom];
}

describe('COCO RLE <-> CVAT masks', () => {
  // 4 rows x 5 columns; COCO reads down each column in turn.
  const rows = ['....#', '.###.', '.###.', '.....'];

  it('writes a CVAT mask as column-major counts over the whole image, background first', () => {
    const cvat = cvatOf(rows);
    // Its box is columns 1..4, rows 0..2: '...#', '###.', '###.'.
    expect(cvat).toEqual([3, 4, 1, 3, 1, 1, 0, 4, 2]);
    const counts = runsToCounts(cvatMaskToRuns(cvat, 4, 5), 20);
    // column 0: 4 off; column 1: off, on, on, off; ...; column 4: on, then 3 off.
    expect(counts).toEqual([5, 2, 2, 2, 2, 2, 1, 1, 3]);
    expect(counts.reduce((a, b) => a + b)).toBe(20);
    // pycocotools' encode of the same mask gives '522000OO2': box [1, 0, 4, 3], area 7.
    expect(decodeCountsString('522000OO2')).toEqual(counts);
    expect(countsBbox(counts, 4, 5)).toEqual([1, 0, 4, 3]);
  });

  it('reads COCO counts back into the same CVAT mask', () => {
    const runs = countsToRuns([5, 2, 2, 2, 2, 2, 1, 1, 3], 20)!;
    expect(runsArea(runs)).toBe(7);
    expect(runsToCvatMask(runs, 4)).toEqual(cvatOf(rows));
  });

  it('starts with an empty background run when the first pixel is set, as Datumaro writes it', () => {
    const cvat = cvatOf(['#.', '..']);
    expect(runsToCounts(cvatMaskToRuns(cvat, 2, 2), 4)).toEqual([0, 1, 3]);
    expect(runsToCvatMask(countsToRuns([0, 1, 3], 4)!, 2)).toEqual(cvat);
  });

  it('clips mask pixels outside the image and keeps the rest', () => {
    // A 3x3 box at (-1, -1): only its bottom-right 2x2 lies in a 2x2 image.
    const cvat = [0, 9, -1, -1, 1, 1];
    expect(runsArea(cvatMaskToRuns(cvat, 2, 2))).toBe(4);
    expect(cvatMaskToBitmap(cvat, 2, 2).data).toEqual(new Uint8Array([1, 1, 1, 1]));
  });

  it('round-trips random masks both ways', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let t = 0; t < 200; t++) {
      const h = 1 + Math.floor(rand() * 12), w = 1 + Math.floor(rand() * 12);
      const grid = Array.from({ length: h }, () => [...Array(w)].map(() => (rand() < 0.4 ? '#' : '.')).join(''));
      if (!grid.join('').includes('#')) continue;
      const cvat = cvatOf(grid);
      const counts = runsToCounts(cvatMaskToRuns(cvat, h, w), h * w);
      expect(runsToCvatMask(countsToRuns(counts, h * w)!, h)).toEqual(cvat);
    }
  });

  it('rejects counts that cover more pixels than the image', () => {
    expect(countsToRuns([10, 20, 30], 50)).toBeNull();
  });

  it('merges masks into one, joining touching runs', () => {
    expect(unionRuns([[0, 2, 10, 12], [2, 4, 11, 15]])).toEqual([0, 4, 10, 15]);
  });
});

describe('compressed RLE strings', () => {
  it("decodes pycocotools' strings, including deltas and negative groups", () => {
    // pycocotools.mask.encode of a 300x200 mask: rows 10..249, columns 30..169, a 20x10 hole.
    const s = 'bi8`7l100000000000000000000000000000000000000ZKhNX1X1hNhNX1X1hNhNX1X1hNhNX1X1hNhNX1X1hNhNX1X1hNhNX1X1hNhNX1X1hNhNX1X1hNhNX1X1^3' +
      '0'.repeat(218) + 'nh8';
    const counts = decodeCountsString(s);
    expect(Array.isArray(counts)).toBe(true);
    const c = counts as number[];
    expect(c.reduce((a, b) => a + b)).toBe(300 * 200);
    expect(runsArea(countsToRuns(c, 60000)!)).toBe(33400);
    expect(countsBbox(c, 300, 200)).toEqual([30, 10, 140, 240]);
    expect(encodeCountsString(c)).toBe(s);
  });

  it('reports malformed strings instead of decoding garbage', () => {
    expect(decodeCountsString('5 2')).toMatch(/invalid character " "/);
    expect(decodeCountsString('o')).toMatch(/ends inside a number/);
  });
});

describe('polygon rasterization (pycocotools rleFrPoly)', () => {
  it('gives the counts, area and box pycocotools gives', () => {
    const counts = polygonCounts([1.5, 1.5, 8.2, 2.0, 6.0, 7.7], 10, 10);
    expect(encodeCountsString(counts)).toBe('f0191O2N1OO1Nd0');
    expect(runsArea(polygonRuns([1.5, 1.5, 8.2, 2.0, 6.0, 7.7], 10, 10))).toBe(18);
    expect(countsBbox(counts, 10, 10)).toEqual([2, 2, 6, 5]);
  });

  it('measures overlapping polygons of one object once', () => {
    const runs = unionRuns([polygonRuns([0, 0, 4, 0, 4, 4, 0, 4], 8, 8), polygonRuns([2, 2, 6, 2, 6, 6, 2, 6], 8, 8)]);
    expect(runsArea(runs)).toBe(28);
  });
});
