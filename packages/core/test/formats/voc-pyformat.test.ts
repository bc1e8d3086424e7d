import { describe, expect, it } from 'vitest';
import { pyFixed, pyFloat } from '../../src/formats/voc/pyformat.js';
import { fillPolygon } from '../../src/formats/voc/rasterize.js';

// Python 3.11's repr(x) and '%.2f' % x for these doubles (written by CPython, pasted here).
const PYTHON: Array<[number, string, string]> = [
  [0.0, '0.0', '0.00'], [-0.0, '-0.0', '-0.00'], [1.0, '1.0', '1.00'], [5.0, '5.0', '5.00'], [0.5, '0.5', '0.50'],
  [0.1 + 0.2, '0.30000000000000004', '0.30'], [1e16, '1e+16', '10000000000000000.00'], [1e15, '1000000000000000.0', '1000000000000000.00'],
  [9999999999999998.0, '9999999999999998.0', '9999999999999998.00'], [1e-5, '1e-05', '0.00'], [1e-4, '0.0001', '0.00'],
  [0.0001234, '0.0001234', '0.00'], [1.5e-7, '1.5e-07', '0.00'], [123456789.123, '123456789.123', '123456789.12'],
  [1234567890123456.7, '1234567890123456.8', '1234567890123456.75'], [-2.5, '-2.5', '-2.50'], [3.14159, '3.14159', '3.14'],
  [100.0, '100.0', '100.00'], [1 / 3, '0.3333333333333333', '0.33'], [2.675, '2.675', '2.67'], [0.125, '0.125', '0.12'],
  [0.375, '0.375', '0.38'], [-0.125, '-0.125', '-0.12'], [1.005, '1.005', '1.00'], [0.285, '0.285', '0.28'], [12.345, '12.345', '12.35'],
  [99.995, '99.995', '100.00'], [-0.001, '-0.001', '-0.00'], [7.0000001, '7.0000001', '7.00'], [1e-10, '1e-10', '0.00'],
];

describe('numbers written as Python writes them', () => {
  it('str(float) and %.2f match CPython, ties to even included', () => {
    for (const [x, repr, fixed] of PYTHON) {
      expect(pyFloat(x), String(x)).toBe(repr);
      expect(pyFixed(x, 2), String(x)).toBe(fixed);
    }
    expect([pyFloat(1e22), pyFloat(1.23e22), pyFloat(Number.NaN), pyFloat(-Infinity)]).toEqual(['1e+22', '1.23e+22', 'nan', '-inf']);
  });
});

/** Masks pycocotools (frPyObjects + decode) makes of these polygons, row by row. */
const PYCOCOTOOLS: Array<[number[], number, number, string[]]> = [
  [[1, 1, 4, 1, 4, 4, 1, 4], 6, 6, ['000000', '011100', '011100', '011100', '000000', '000000']],
  [[0.5, 0.5, 5.2, 1.7, 2.3, 5.9], 7, 7, ['0000000', '0111000', '0111100', '0011000', '0010000', '0010000', '0000000']],
  [[2, 0, 4, 3, 2, 6, 0, 3], 6, 7, ['000000', '011000', '111100', '111100', '011000', '000000', '000000']],
];

describe('polygon rasterization', () => {
  it('covers the pixels pycocotools covers, as CVAT rasterizes polygons and boxes', () => {
    for (const [points, width, height, rows] of PYCOCOTOOLS) {
      const target = new Uint8Array(width * height);
      fillPolygon(points, width, height, target, 1);
      const got = Array.from({ length: height }, (_, y) => Array.from(target.subarray(y * width, (y + 1) * width)).join(''));
      expect(got, JSON.stringify(points)).toEqual(rows);
    }
  });

  it('clips what lies outside the image', () => {
    const target = new Uint8Array(4 * 4);
    fillPolygon([-10, -10, 10, -10, 10, 10, -10, 10], 4, 4, target, 7);
    expect([...target].every((v) => v === 7)).toBe(true);
  });
});
