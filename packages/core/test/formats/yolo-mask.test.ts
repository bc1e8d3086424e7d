import { describe, expect, it } from 'vitest';
import { bitmapToCvatMask } from '../../src/formats/mask.js';
import { maskToPolygons } from '../../src/formats/yolo/mask-contours.js';

/** Pixels inside any of the polygons, tested at pixel centres. */
function rasterize(polygons: number[][], width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = x + 0.5, py = y + 0.5;
      out[y * width + x] = polygons.some((p) => {
        let inside = false;
        for (let i = 0, j = p.length - 2; i < p.length; j = i, i += 2) {
          const [xi, yi, xj, yj] = [p[i]!, p[i + 1]!, p[j]!, p[j + 1]!];
          if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
        }
        return inside;
      }) ? 1 : 0;
    }
  }
  return out;
}

/** The set pixels plus the holes: unset pixels not joined to the border through unset ones (8-connected). */
function filled(data: Uint8Array, width: number, height: number): Uint8Array {
  const outside = new Uint8Array(width * height);
  const stack: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if ((x === 0 || y === 0 || x === width - 1 || y === height - 1) && !data[y * width + x]) stack.push(y * width + x);
  }
  while (stack.length) {
    const i = stack.pop()!;
    if (outside[i] || data[i]) continue;
    outside[i] = 1;
    const x = i % width, y = Math.floor(i / width);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx, ny = y + dy;
        if (nx >= 0 && ny >= 0 && nx < width && ny < height) stack.push(ny * width + nx);
      }
    }
  }
  return outside.map((o) => (o ? 0 : 1));
}

describe('masks traced to polygons for Ultralytics segmentation', () => {
  it('traces a square ring as one outline and reports the hole', () => {
    expect(maskToPolygons([0, 4, 1, 4, 10, 20, 12, 22])).toEqual({ polygons: [[10, 20, 13, 20, 13, 23, 10, 23]], holes: true });
  });

  it('keeps regions that touch only at a corner apart, also when one region touches itself', () => {
    const pixels = (rows: string[]) => new Uint8Array(rows.join('').split('').map((c) => (c === '1' ? 1 : 0)));
    // A "C" and a pixel touching its end at a corner: two regions.
    const two = pixels(['111.', '1...', '1..1', '111.']);
    const a = maskToPolygons(bitmapToCvatMask({ width: 4, height: 4, data: two })!);
    expect(a.polygons).toHaveLength(2);
    expect(rasterize(a.polygons, 4, 4)).toEqual(two);
    // A ring whose gap is closed only by a corner contact: one region, its inside still open.
    const one = pixels(['1111', '1..1', '1.1.', '1111']);
    const b = maskToPolygons(bitmapToCvatMask({ width: 4, height: 4, data: one })!);
    expect(b).toMatchObject({ holes: false });
    expect(b.polygons).toHaveLength(1);
    expect(rasterize(b.polygons, 4, 4)).toEqual(one);
  });

  it('covers exactly the set pixels with their holes filled, on random masks', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let round = 0; round < 40; round++) {
      const width = 3 + Math.floor(random() * 14), height = 3 + Math.floor(random() * 14);
      const density = 0.3 + random() * 0.5;
      const data = new Uint8Array(width * height).map(() => (random() < density ? 1 : 0));
      const mask = bitmapToCvatMask({ width, height, data });
      if (!mask) continue;
      const { polygons } = maskToPolygons(mask);
      for (const p of polygons) expect(p.length % 2 === 0 && p.length >= 8).toBe(true);
      expect(rasterize(polygons, width, height)).toEqual(filled(data, width, height));
    }
  });
});
