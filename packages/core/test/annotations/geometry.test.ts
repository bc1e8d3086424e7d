import { describe, expect, it } from 'vitest';
import {
  boxIoU,
  decodeMask,
  ellipseIoU,
  ellipsePolygon,
  isSimplePolygon,
  maskArea,
  maskIoU,
  polygonArea,
  polygonIntersectionArea,
  polygonIoU,
  rectangleBox,
  rectangleIoU,
  rectanglePolygon,
} from '../../src/annotations/geometry.js';

const square = (x: number, y: number, s: number) => [x, y, x + s, y, x + s, y + s, x, y + s];
const reversed = (p: number[]) => {
  const out: number[] = [];
  for (let i = p.length - 2; i >= 0; i -= 2) out.push(p[i]!, p[i + 1]!);
  return out;
};
// An L of area 5: a 3×1 bar along the bottom and a 1×2 bar up the left.
const L = [0, 0, 3, 0, 3, 1, 1, 1, 1, 3, 0, 3];
// The same L turned 180° inside the 3×3 square: top bar and right bar.
const L180 = [3, 3, 0, 3, 0, 2, 2, 2, 2, 0, 3, 0];
// A U open at the top: 3 wide, 3 high, with a 1×2 notch in the middle.
const U = [0, 0, 3, 0, 3, 3, 2, 3, 2, 1, 1, 1, 1, 3, 0, 3];

describe('boxIoU', () => {
  const b = (x1: number, y1: number, x2: number, y2: number) => rectangleBox([x1, y1, x2, y2]);
  it.each([
    ['identical', b(0, 0, 2, 2), b(0, 0, 2, 2), 1],
    ['offset by half a side', b(0, 0, 2, 2), b(1, 0, 3, 2), 2 / 6],
    ['offset by half diagonally', b(0, 0, 2, 2), b(1, 1, 3, 3), 1 / 7],
    ['contained', b(0, 0, 4, 4), b(1, 1, 3, 3), 4 / 16],
    ['disjoint', b(0, 0, 1, 1), b(5, 5, 6, 6), 0],
    ['touching along an edge', b(0, 0, 1, 1), b(1, 0, 2, 1), 0],
    ['corners given in any order', b(2, 2, 0, 0), b(3, 0, 1, 2), 2 / 6],
    ['empty box', b(0, 0, 0, 2), b(0, 0, 2, 2), 0],
  ])('%s', (_name, x, y, iou) => {
    expect(boxIoU(x, y)).toBeCloseTo(iou, 12);
    expect(boxIoU(y, x)).toBeCloseTo(iou, 12);
  });
});

describe('polygonArea', () => {
  it.each([
    ['unit square', square(0, 0, 1), 1],
    ['clockwise square', reversed(square(0, 0, 2)), 4],
    ['right triangle', [0, 0, 4, 0, 0, 3], 6],
    ['L-shape', L, 5],
    ['U-shape', U, 7],
    ['degenerate (collinear)', [0, 0, 1, 1, 2, 2], 0],
  ])('%s', (_name, p, area) => {
    expect(polygonArea(p)).toBeCloseTo(area, 12);
  });
});

describe('isSimplePolygon', () => {
  it.each([
    ['square', square(0, 0, 1), true],
    ['concave L', L, true],
    ['repeated vertex and closing vertex', [0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0], true],
    ['bow tie', [0, 0, 2, 2, 2, 0, 0, 2], false],
    ['two points', [0, 0, 1, 1], false],
    ['collinear', [0, 0, 1, 0, 2, 0], false],
    ['spike folding back', [0, 0, 2, 0, 2, 2, 2, 3, 2, 1, 0, 2], false],
    ['ring touching itself at a vertex', [0, 0, 2, 0, 1, 1, 2, 2, 0, 2, 1, 1], false],
  ])('%s', (_name, p, simple) => {
    expect(isSimplePolygon(p)).toBe(simple);
  });
});

describe('polygonIntersectionArea', () => {
  it.each([
    ['identical squares', square(0, 0, 2), square(0, 0, 2), 4],
    ['squares offset by half a side', square(0, 0, 2), square(1, 0, 2), 2],
    ['squares offset by half diagonally', square(0, 0, 2), square(1, 1, 2), 1],
    ['one inside the other', square(0, 0, 4), square(1, 1, 1), 1],
    ['disjoint', square(0, 0, 1), square(3, 3, 1), 0],
    ['sharing an edge only', square(0, 0, 1), square(1, 0, 1), 0],
    ['sharing a corner only', square(0, 0, 1), square(1, 1, 1), 0],
    ['L with its 3x3 hull', L, square(0, 0, 3), 5],
    ['L with a 2x2 square in its corner', L, square(0, 0, 2), 3],
    ['L with L turned 180°', L, L180, 2],
    ['U with a square in its notch', U, [1, 1, 2, 1, 2, 3, 1, 3], 0],
    ['U with a bar across its arms', U, [0, 2, 3, 2, 3, 3, 0, 3], 2],
    ['U with itself', U, U, 7],
    ['triangle and square', [0, 0, 2, 0, 0, 2], square(0, 0, 1), 1],
    ['opposite orientations', square(0, 0, 2), reversed(square(1, 1, 2)), 1],
  ])('%s', (_name, a, b, area) => {
    expect(polygonIntersectionArea(a, b)).toBeCloseTo(area, 9);
    expect(polygonIntersectionArea(b, a)).toBeCloseTo(area, 9);
    expect(polygonIntersectionArea(reversed(a), b)).toBeCloseTo(area, 9);
  });

  it('keeps its precision far from the origin', () => {
    const far = 1e6;
    expect(polygonIntersectionArea(square(far, far, 2), square(far + 1, far + 1, 2))).toBeCloseTo(1, 6);
  });
});

describe('polygonIoU', () => {
  it('L-shapes turned 180°: 2 / (5 + 5 - 2)', () => {
    expect(polygonIoU(L, L180)).toBeCloseTo(0.25, 12);
  });
  it('identical concave polygons', () => {
    expect(polygonIoU(U, U)).toBeCloseTo(1, 12);
  });
  it('is 0 for an invalid polygon, as shapely-based CVAT says', () => {
    const bowtie = [0, 0, 2, 2, 2, 0, 0, 2];
    expect(polygonIoU(bowtie, bowtie)).toBe(0);
  });
});

describe('rotated rectangles', () => {
  it('rotates clockwise on screen (y down) about the center', () => {
    const p = rectanglePolygon([0, 0, 2, 2], 90);
    // The top-left corner goes to the top-right.
    expect(p[0]).toBeCloseTo(2, 12);
    expect(p[1]).toBeCloseTo(0, 12);
  });
  it.each([
    ['a square and itself at 45°', [0, 0, 2, 2], 0, [0, 0, 2, 2], 45, Math.SQRT1_2],
    ['a square turned 90°', [0, 0, 2, 2], 0, [0, 0, 2, 2], 90, 1],
    ['both at 45°', [0, 0, 2, 2], 45, [0, 0, 2, 2], 45, 1],
    ['4x2 turned 90° onto a 2x4', [0, 1, 4, 3], 90, [1, 0, 3, 4], 0, 1],
    ['4x2 turned 90° against itself', [0, 1, 4, 3], 90, [0, 1, 4, 3], 0, 4 / 12],
    // Turned 45°, a side runs along (1, 1): moving by half a side that way leaves half overlapping.
    ['45° squares offset by half a side', [0, 0, 2, 2], 45, [Math.SQRT1_2, Math.SQRT1_2, 2 + Math.SQRT1_2, 2 + Math.SQRT1_2], 45, 2 / 6],
    ['disjoint at 30°', [0, 0, 2, 2], 30, [10, 10, 12, 12], 30, 0],
  ])('%s', (_name, a, ra, b, rb, iou) => {
    expect(rectangleIoU(a, ra, b, rb)).toBeCloseTo(iou, 9);
    expect(rectangleIoU(b, rb, a, ra)).toBeCloseTo(iou, 9);
  });
});

describe('ellipses', () => {
  it('approximates the area closely', () => {
    expect(polygonArea(ellipsePolygon([0, 0, 20, 10], 0)) / (Math.PI * 200)).toBeGreaterThan(0.998);
  });
  it.each([
    ['identical', [50, 50, 70, 60], 0, [50, 50, 70, 60], 0, 1],
    ['concentric circles r=10 and r=5', [0, 0, 10, 10], 0, [0, 0, 5, 5], 0, 0.25],
    ['an ellipse turned 90° against its own turned shape', [0, 0, 20, 10], 90, [0, 0, 10, 20], 0, 1],
    ['disjoint', [0, 0, 5, 5], 0, [100, 100, 105, 105], 0, 0],
  ])('%s', (_name, a, ra, b, rb, iou) => {
    expect(ellipseIoU(a, ra, b, rb)).toBeCloseTo(iou, 3);
  });
});

/** CVAT's mask points from a bitmap placed at (left, top): runs row by row, background first. */
function encodeMask(rows: string[], left: number, top: number): number[] {
  const bits = rows.join('');
  const counts: number[] = [];
  let value = '0';
  let run = 0;
  for (const c of bits) {
    if (c === value) run++;
    else {
      counts.push(run);
      value = c;
      run = 1;
    }
  }
  counts.push(run);
  return [...counts, left, top, left + rows[0]!.length - 1, top + rows.length - 1];
}

describe('masks', () => {
  it('decodes runs that wrap over rows', () => {
    const m = decodeMask(encodeMask(['0011', '1100', '0000'], 10, 20));
    expect(m.area).toBe(4);
    expect([m.left, m.top, m.width, m.height]).toEqual([10, 20, 4, 3]);
    expect([...m.rowStart]).toEqual([0, 1, 2, 2]);
    expect([...m.x0]).toEqual([12, 10]);
    expect([...m.x1]).toEqual([14, 12]);
  });
  it.each([
    ['identical', ['111', '111'], 0, 0, ['111', '111'], 0, 0, 1],
    ['offset by half', ['11', '11'], 0, 0, ['11', '11'], 1, 0, 2 / 6],
    ['different boxes, same pixels', ['0110'], 0, 0, ['11'], 1, 0, 1],
    ['contained', ['1111', '1111'], 0, 0, ['1'], 2, 1, 1 / 8],
    ['disjoint', ['1'], 0, 0, ['1'], 5, 5, 0],
    ['checkerboard against its inverse', ['10', '01'], 0, 0, ['01', '10'], 0, 0, 0],
  ])('%s', (_name, a, ax, ay, b, bx, by, iou) => {
    expect(maskIoU(encodeMask(a, ax, ay), encodeMask(b, bx, by))).toBeCloseTo(iou, 12);
  });
  it('matches a pixel count on random masks', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 50; trial++) {
      const make = () => {
        const w = 1 + Math.floor(rnd() * 12), h = 1 + Math.floor(rnd() * 12);
        const rows = Array.from({ length: h }, () => Array.from({ length: w }, () => (rnd() < 0.5 ? '1' : '0')).join(''));
        return { rows, left: Math.floor(rnd() * 8), top: Math.floor(rnd() * 8) };
      };
      const a = make(), b = make();
      const set = (m: typeof a) => {
        const s = new Set<string>();
        m.rows.forEach((r, y) => [...r].forEach((c, x) => c === '1' && s.add(`${x + m.left},${y + m.top}`)));
        return s;
      };
      const sa = set(a), sb = set(b);
      const inter = [...sa].filter((p) => sb.has(p)).length;
      const union = sa.size + sb.size - inter;
      const pa = encodeMask(a.rows, a.left, a.top), pb = encodeMask(b.rows, b.left, b.top);
      expect(maskArea(pa)).toBe(sa.size);
      expect(maskIoU(pa, pb)).toBeCloseTo(sa.size && sb.size ? inter / union : 0, 12);
    }
  });
});

describe('polygon intersection against independent counts', () => {
  // Histograms on the integer grid: concave, full of shared edges and touching vertices, and
  // their intersection is a count of unit cells.
  function histogram(heights: number[], x0: number, y0: number, down: boolean): { poly: number[]; cells: Set<string> } {
    const k = heights.length;
    const s = down ? -1 : 1;
    const poly = [x0, y0, x0 + k, y0];
    for (let i = k - 1; i >= 0; i--) poly.push(x0 + i + 1, y0 + s * heights[i]!, x0 + i, y0 + s * heights[i]!);
    const cells = new Set<string>();
    heights.forEach((h, i) => {
      for (let j = 0; j < h; j++) cells.add(`${x0 + i},${down ? y0 - j - 1 : y0 + j}`);
    });
    return { poly, cells };
  }
  it('matches the cell count for random histograms', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const hs = (n: number) => Array.from({ length: n }, () => 1 + Math.floor(rnd() * 6));
    for (let trial = 0; trial < 200; trial++) {
      const a = histogram(hs(1 + Math.floor(rnd() * 7)), Math.floor(rnd() * 4), 0, false);
      const b = histogram(hs(1 + Math.floor(rnd() * 7)), Math.floor(rnd() * 4), 1 + Math.floor(rnd() * 7), trial % 2 === 0);
      const expected = [...a.cells].filter((c) => b.cells.has(c)).length;
      expect(polygonIntersectionArea(a.poly, b.poly)).toBeCloseTo(expected, 9);
      expect(polygonIntersectionArea(b.poly, a.poly)).toBeCloseTo(expected, 9);
    }
  });

  // Convex polygons against Sutherland–Hodgman clipping, a different algorithm.
  function clipConvex(subject: number[], clip: number[]): number[] {
    let out = subject;
    const n = clip.length / 2;
    const ccw = polygonSigned(clip) > 0;
    for (let i = 0; i < n && out.length; i++) {
      const ax = clip[2 * i]!, ay = clip[2 * i + 1]!;
      const bx = clip[(2 * i + 2) % clip.length]!, by = clip[(2 * i + 3) % clip.length]!;
      const side = (x: number, y: number) => ((bx - ax) * (y - ay) - (by - ay) * (x - ax)) * (ccw ? 1 : -1);
      const input = out;
      out = [];
      for (let j = 0; j < input.length / 2; j++) {
        const px = input[2 * j]!, py = input[2 * j + 1]!;
        const qx = input[(2 * j + 2) % input.length]!, qy = input[(2 * j + 3) % input.length]!;
        const sp = side(px, py), sq = side(qx, qy);
        if (sp >= 0) out.push(px, py);
        if ((sp >= 0) !== (sq >= 0)) {
          const t = sp / (sp - sq);
          out.push(px + t * (qx - px), py + t * (qy - py));
        }
      }
    }
    return out;
  }
  function polygonSigned(p: number[]): number {
    let s = 0;
    for (let i = 0; i < p.length / 2; i++) {
      const j = (i + 1) % (p.length / 2);
      s += p[2 * i]! * p[2 * j + 1]! - p[2 * j]! * p[2 * i + 1]!;
    }
    return s / 2;
  }
  it('matches Sutherland–Hodgman on random rotated rectangles', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 200; trial++) {
      const rect = () => {
        const x = rnd() * 50, y = rnd() * 50;
        return rectanglePolygon([x, y, x + 5 + rnd() * 40, y + 5 + rnd() * 40], rnd() * 360);
      };
      const a = rect(), b = rect();
      const clipped = clipConvex(a, b);
      const expected = clipped.length >= 6 ? Math.abs(polygonSigned(clipped)) : 0;
      expect(polygonIntersectionArea(a, b)).toBeCloseTo(expected, 6);
    }
  });
});
