/**
 * How many numbers each shape type's flat `points` array holds, and CVAT's mask encoding.
 * Messages only; the caller knows the path.
 */
import { assertNever, type ShapeType } from './types.js';

/**
 * CVAT's mask points: run lengths over the mask's bounding box, row by row, starting with a
 * background run, then the box as inclusive pixel indexes left, top, right, bottom (CVAT's
 * CVATRleToCOCORle: width = right - left + 1). The runs must cover the box exactly.
 */
export function maskProblems(points: readonly number[]): string[] {
  const n = points.length;
  if (n < 5) return [`a mask needs RLE counts followed by left, top, right, bottom; got ${n} numbers`];
  const [left, top, right, bottom] = points.slice(n - 4) as [number, number, number, number];
  if (![left, top, right, bottom].every(Number.isInteger)) {
    return ['the mask box (left, top, right, bottom) must be whole pixel indexes'];
  }
  if (left < 0 || top < 0) return [`the mask box starts outside the image at (${left}, ${top})`];
  if (right < left || bottom < top) {
    return [`the mask box needs right >= left and bottom >= top; got ${left}, ${top}, ${right}, ${bottom}`];
  }
  let sum = 0;
  for (let i = 0; i < n - 4; i++) {
    const c = points[i]!;
    if (!Number.isInteger(c) || c < 0) return [`RLE count ${i} (${c}) is not a non-negative integer`];
    sum += c;
  }
  const width = right - left + 1;
  const height = bottom - top + 1;
  if (sum !== width * height) {
    return [`the RLE counts cover ${sum} pixels but the ${width}x${height} box has ${width * height}`];
  }
  return [];
}

function pairs(kind: string, n: number, minPoints: number): string[] {
  if (n % 2 !== 0) return [`${kind} points come in x, y pairs; got ${n} numbers`];
  if (n < minPoints * 2) {
    return [`${kind} needs at least ${minPoints} point${minPoints > 1 ? 's' : ''} (${minPoints * 2} numbers); got ${n}`];
  }
  return [];
}

function exactly(kind: string, n: number, expected: number, what: string): string[] {
  return n === expected ? [] : [`${kind} needs ${expected} numbers (${what}); got ${n}`];
}

/** Problems with finite `points` for a shape of `type`; a skeleton's own points are ignored (its elements carry them). */
export function pointCountProblems(type: ShapeType, points: readonly number[]): string[] {
  const n = points.length;
  switch (type) {
    case 'rectangle':
      return exactly('a rectangle', n, 4, 'x1, y1, x2, y2');
    case 'ellipse':
      return exactly('an ellipse', n, 4, 'cx, cy and the corner rx, ry');
    case 'cuboid':
      return exactly('a cuboid', n, 16, '8 points');
    case 'polygon':
      return pairs('a polygon', n, 3);
    case 'polyline':
      return pairs('a polyline', n, 2);
    case 'points':
      return pairs('points', n, 1);
    case 'mask':
      return maskProblems(points);
    case 'skeleton':
      return [];
    default:
      return assertNever(type, 'shape type');
  }
}

/** Problems with a `points` value of unknown shape: it must be an array of finite numbers fitting the type. */
export function pointsProblems(type: ShapeType, points: unknown): string[] {
  if (!Array.isArray(points)) return ['must be an array of numbers'];
  const bad: number[] = [];
  points.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) bad.push(i);
  });
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).join(', ') + (bad.length > 5 ? `, ... (${bad.length} in all)` : '');
    return [`must hold finite numbers only; not at index ${shown}`];
  }
  return pointCountProblems(type, points as number[]);
}
