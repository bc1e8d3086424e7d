/**
 * A replica's annotations as the objects a merge compares, frame by frame: the quality engine's
 * FrameObjects (tracks give their shape on each frame, cuboids take no part, attribute values
 * complete and comparable), plus what those leave out and a merged skeleton must keep: the
 * attribute values of its points.
 */
import type { LabelIndex } from '../annotations/label-index.js';
import { shapeAt } from '../annotations/interpolate.js';
import type { Annotations, AttributeValue } from '../annotations/types.js';
import { objectsByFrame, type FrameObject } from '../quality/objects.js';

export type ReplicaData = Omit<Annotations, 'version'>;

export interface ReplicaObject {
  /** The replica's index in the merge's list. */
  replica: number;
  object: FrameObject;
  /** A skeleton's point attributes by sublabel id; empty for other kinds. */
  pointAttributes: ReadonlyMap<number, AttributeValue[]>;
}

const NO_POINTS: ReadonlyMap<number, AttributeValue[]> = new Map();

/**
 * The objects of replica `replica` on each of `frames` with a label of the schema, in CVAT's
 * order (tags, shapes, tracks). Objects keep their own ids (0 when they have none).
 */
export function replicaObjects(data: ReplicaData, replica: number, jobId: number, frames: readonly number[], labels: LabelIndex): Map<number, ReplicaObject[]> {
  // Numbered by position, so each FrameObject leads back to the object it came from.
  const numbered: Annotations = {
    version: 0,
    tags: data.tags.map((t, i) => ({ ...t, id: i + 1 })),
    shapes: data.shapes.map((s, i) => ({ ...s, id: i + 1 })),
    tracks: data.tracks.map((t, i) => ({ ...t, id: i + 1 })),
  };
  const out = new Map<number, ReplicaObject[]>();
  for (const [frame, objects] of objectsByFrame(numbered, jobId, frames, labels)) {
    const list: ReplicaObject[] = [];
    for (const o of objects) {
      const known = labels.get(o.label_id);
      if (!known || known.skeleton) continue;
      const index = o.id.obj_id - 1;
      const source = o.id.type === 'tag' ? data.tags[index] : o.id.type === 'shape' ? data.shapes[index] : data.tracks[index];
      const object: FrameObject = { ...o, id: { ...o.id, obj_id: source?.id ?? 0 } };
      list.push({ replica, object, pointAttributes: o.kind === 'skeleton' ? pointAttributes(data, o, frame) : NO_POINTS });
    }
    if (list.length) out.set(frame, list);
  }
  return out;
}

function pointAttributes(data: ReplicaData, o: FrameObject, frame: number): ReadonlyMap<number, AttributeValue[]> {
  const index = o.id.obj_id - 1;
  const out = new Map<number, AttributeValue[]>();
  const add = (labelId: number, values: readonly AttributeValue[]) => {
    const byId = new Map((out.get(labelId) ?? []).map((a) => [a.spec_id, a.value]));
    for (const a of values) byId.set(a.spec_id, a.value);
    if (byId.size) out.set(labelId, [...byId].map(([spec_id, value]) => ({ spec_id, value })));
  };
  if (o.id.type === 'shape') {
    for (const e of data.shapes[index]?.elements ?? []) add(e.label_id, e.attributes);
    return out;
  }
  const track = data.tracks[index];
  if (!track) return out;
  // A point track's own values, then those its keyframe holds on this frame.
  for (const e of track.elements) add(e.label_id, e.attributes);
  for (const e of shapeAt(track, frame)?.elements ?? []) add(e.label_id, e.attributes);
  return out;
}
