/**
 * The object layer's records in a form that crosses to a worker cheaply: typed arrays that are
 * transferred, not cloned. Structured-cloning 10,000 records (objects holding arrays) costs the
 * main thread more than the rebuild it hands off; packing them is one pass over the points.
 * Only what painting reads travels (kind, label, occluded, rotation, points).
 */
import { OBJECT_KINDS, type AnnotationRecord } from '../model';

export interface PackedRecords {
  count: number;
  kinds: Uint8Array;
  labels: Int32Array;
  occluded: Uint8Array;
  rotations: Float64Array;
  /** Record i's points are coords[offsets[i] .. offsets[i + 1]). */
  offsets: Uint32Array;
  coords: Float64Array;
}

export function packRecords(records: readonly AnnotationRecord[]): PackedRecords {
  const count = records.length;
  let total = 0;
  for (const r of records) total += r.points.length;
  const packed: PackedRecords = {
    count,
    kinds: new Uint8Array(count),
    labels: new Int32Array(count),
    occluded: new Uint8Array(count),
    rotations: new Float64Array(count),
    offsets: new Uint32Array(count + 1),
    coords: new Float64Array(total),
  };
  let at = 0;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    packed.kinds[i] = OBJECT_KINDS.indexOf(r.kind);
    packed.labels[i] = r.labelId;
    packed.occluded[i] = r.occluded ? 1 : 0;
    packed.rotations[i] = r.rotation;
    packed.offsets[i] = at;
    const p = r.points;
    for (let j = 0; j < p.length; j++) packed.coords[at + j] = p[j]!;
    at += p.length;
  }
  packed.offsets[count] = at;
  return packed;
}

/** The buffers to list as transferables when posting `p`. */
export function transferables(p: PackedRecords): ArrayBuffer[] {
  return [p.kinds, p.labels, p.occluded, p.rotations, p.offsets, p.coords].map((a) => a.buffer as ArrayBuffer);
}

/** Records good enough to paint (ids, attributes and the rest are placeholders). */
export function unpackRecords(p: PackedRecords): AnnotationRecord[] {
  const out: AnnotationRecord[] = new Array(p.count);
  for (let i = 0; i < p.count; i++) {
    out[i] = {
      id: String(i),
      kind: OBJECT_KINDS[p.kinds[i]!]!,
      frame: 0,
      labelId: p.labels[i]!,
      points: Array.from(p.coords.subarray(p.offsets[i]!, p.offsets[i + 1]!)),
      attributes: {},
      occluded: p.occluded[i] === 1,
      hidden: false,
      locked: false,
      zOrder: 0,
      rotation: p.rotations[i]!,
      group: 0,
      source: 'manual',
      score: 1,
      seq: i,
    };
  }
  return out;
}
