/**
 * One CVAT mask per distinct value of an id image (what Datumaro's extractors make with
 * np.unique: one Mask per value), in ascending value order. One pass finds each value's bounding
 * box, then each mask is run-length encoded within its box, so the cost is the image plus the
 * boxes rather than the image once per value.
 */
import type { DatasetShape } from '../model.js';

export function idMasks(values: ArrayLike<number>, width: number, height: number): Map<number, number[]> {
  const boxes = new Map<number, [number, number, number, number]>();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x]!;
      const b = boxes.get(v);
      if (!b) boxes.set(v, [x, y, x, y]);
      else {
        if (x < b[0]) b[0] = x;
        if (x > b[2]) b[2] = x;
        b[3] = y;
      }
    }
  }
  const out = new Map<number, number[]>();
  for (const v of [...boxes.keys()].sort((a, b) => a - b)) {
    const [left, top, right, bottom] = boxes.get(v)!;
    const runs: number[] = [];
    let current = false, run = 0;
    for (let y = top; y <= bottom; y++) {
      for (let x = left; x <= right; x++) {
        if ((values[y * width + x] === v) === current) run++;
        else {
          runs.push(run);
          current = !current;
          run = 1;
        }
      }
    }
    runs.push(run);
    out.set(v, [...runs, left, top, right, bottom]);
  }
  return out;
}

export function maskShape(label: string, points: number[], attributes: Record<string, string> = {}, z_order = 0): DatasetShape {
  return { type: 'mask', label, group: 0, source: 'file', attributes, points, rotation: 0, occluded: false, outside: false, z_order };
}
