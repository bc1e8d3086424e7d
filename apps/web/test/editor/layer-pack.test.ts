/** The object layer's records cross to the worker packed: what painting reads must survive the trip. */
import { describe, expect, it } from 'vitest';
import type { AnnotationRecord } from '../../src/editor/model';
import { groupForDrawing } from '../../src/editor/render/batches';
import { packRecords, transferables, unpackRecords } from '../../src/editor/render/layer-pack';

function rec(kind: AnnotationRecord['kind'], points: number[], extra: Partial<AnnotationRecord> = {}): AnnotationRecord {
  return { id: `${kind}-${points.length}`, kind, frame: 3, labelId: 1, points, attributes: { 5: 'x' }, occluded: false, hidden: false, locked: false, zOrder: 2, rotation: 0, group: 0, source: 'manual', score: 1, seq: 9, ...extra };
}

const records: AnnotationRecord[] = [
  rec('rectangle', [10.25, 20.5, 110.75, 80.125], { rotation: 33.5 }),
  rec('polygon', [0, 0, 4000, 0, 4000, 3000, 0.0001, 2999.9999], { labelId: 2, occluded: true }),
  rec('polyline', [1, 2, 3, 4, 5, 6], { labelId: 7 }),
  rec('points', [100, 100], { labelId: -1 }),
  rec('ellipse', [50, 60, 70, 90], { rotation: -12 }),
  rec('tag', []),
];

describe('packing the object layer for its worker', () => {
  it('keeps kind, label, occlusion, rotation and exact points of every kind', () => {
    const back = unpackRecords(packRecords(records));
    expect(back).toHaveLength(records.length);
    back.forEach((r, i) => {
      const o = records[i]!;
      expect([r.kind, r.labelId, r.occluded, r.rotation, r.points]).toEqual([o.kind, o.labelId, o.occluded, o.rotation, o.points]);
      expect(r.hidden).toBe(false);
    });
  });

  it('batches the unpacked records exactly as the originals (same colours, same members in order)', () => {
    const colors = new Map([[1, '#ff0000'], [2, '#00ff00'], [7, '#0000ff']]);
    const shape = (b: ReturnType<typeof groupForDrawing>) => b.map((g) => [g.color, g.occluded, g.areas.map((r) => r.points), g.lines.map((r) => r.points), g.markers.map((r) => r.points)]);
    expect(shape(groupForDrawing(unpackRecords(packRecords(records)), (id) => colors.get(id)))).toEqual(shape(groupForDrawing(records, (id) => colors.get(id))));
  });

  it('lists one transferable buffer per array, none shared, and handles an empty frame', () => {
    const packed = packRecords(records);
    const buffers = transferables(packed);
    expect(buffers).toHaveLength(6);
    expect(new Set(buffers).size).toBe(6);
    expect(packed.offsets[records.length]).toBe(records.reduce((n, r) => n + r.points.length, 0));
    const empty = packRecords([]);
    expect(empty.count).toBe(0);
    expect(unpackRecords(empty)).toEqual([]);
  });
});
