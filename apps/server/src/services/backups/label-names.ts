/**
 * Annotations in backups name their labels and attributes (CVAT's annotations.json), so a backup
 * restores into a server where every id differs: label ids become names on the way out, names
 * become the new ids on the way in. Skeleton elements name the point among their skeleton's
 * points; keyframe attributes are those of their track's label. Object ids are dropped.
 */
import type { AttributeValue, LabeledShape, LabeledTag, LabeledTrack, SubShape, SubTrack, TrackedShape } from '@framewise/core';
import type { LabelRecord } from '../../repositories/label.repository.js';

interface Named {
  id: number;
  name: string;
  attributeIds: Map<string, number>;
  attributeNames: Map<number, string>;
  points: Map<string, Named>;
}

/** A problem with one object of annotations.json; `path` names it (shapes[12].elements[0].label). */
export class NameError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

type Json = Record<string, unknown>;

function named(l: LabelRecord): Named {
  return {
    id: l.id,
    name: l.name,
    attributeIds: new Map(l.attributes.map((a) => [a.name, a.id])),
    attributeNames: new Map(l.attributes.map((a) => [a.id, a.name])),
    points: new Map(l.sublabels.map((s) => [s.name, named(s)])),
  };
}

const GEOMETRY = ['type', 'occluded', 'outside', 'z_order', 'rotation', 'points'] as const;

export class LabelNames {
  private readonly byName = new Map<string, Named>();
  private readonly byId = new Map<number, Named>();

  constructor(labels: LabelRecord[]) {
    for (const l of labels) {
      const n = named(l);
      this.byName.set(n.name, n);
      this.byId.set(n.id, n);
      for (const p of n.points.values()) this.byId.set(p.id, p);
    }
  }

  // Out: the stored objects (ids) as a backup names them.

  private label(id: number): Named {
    const l = this.byId.get(id);
    // The database keeps labels and annotations consistent; a miss is a fault, not bad input.
    if (!l) throw new Error(`label ${id} is not among the task's labels`);
    return l;
  }

  private attributesOut(label: Named, attrs: AttributeValue[]): Array<{ name: string; value: string }> {
    if (attrs.length === 0) return [];
    const out = [];
    for (const a of attrs) {
      const name = label.attributeNames.get(a.spec_id);
      if (name !== undefined) out.push({ name, value: a.value });
    }
    return out;
  }

  // Object literals with every key written out: spreading a shared part costs ~10x per object,
  // which a million shapes feel.

  tagOut(t: LabeledTag): Json {
    const label = this.label(t.label_id);
    return { label: label.name, frame: t.frame, group: t.group, source: t.source, attributes: this.attributesOut(label, t.attributes) };
  }

  private elementOut(e: SubShape): Json {
    const label = this.label(e.label_id);
    return {
      label: label.name, frame: e.frame, group: e.group, source: e.source, attributes: this.attributesOut(label, e.attributes),
      type: e.type, occluded: e.occluded, outside: e.outside, z_order: e.z_order, rotation: e.rotation, points: e.points, score: e.score,
    };
  }

  shapeOut(s: LabeledShape): Json {
    const label = this.label(s.label_id);
    return {
      label: label.name, frame: s.frame, group: s.group, source: s.source, attributes: this.attributesOut(label, s.attributes),
      type: s.type, occluded: s.occluded, outside: s.outside, z_order: s.z_order, rotation: s.rotation, points: s.points, score: s.score,
      elements: s.elements.length ? s.elements.map((e) => this.elementOut(e)) : [],
    };
  }

  private keyframeOut(k: TrackedShape, label: Named): Json {
    return {
      type: k.type, occluded: k.occluded, outside: k.outside, z_order: k.z_order, rotation: k.rotation, points: k.points, frame: k.frame,
      attributes: this.attributesOut(label, k.attributes),
    };
  }

  private trackBody(t: LabeledTrack | SubTrack, label: Named): Json {
    return {
      label: label.name, frame: t.frame, group: t.group, source: t.source, attributes: this.attributesOut(label, t.attributes),
      shapes: t.shapes.map((k) => this.keyframeOut(k, label)),
    };
  }

  trackOut(t: LabeledTrack): Json {
    const label = this.label(t.label_id);
    const body = this.trackBody(t, label);
    body.elements = t.elements.map((e) => this.trackBody(e, this.label(e.label_id)));
    return body;
  }

  // In: a backup's objects with this task's ids, ready for the annotation checks.

  private labelIn(o: Json, path: string, among: Map<string, Named>, owner?: Named): Named {
    const name = o.label;
    if (typeof name !== 'string') throw new NameError(`${path}.label`, 'a label name is required');
    const l = among.get(name);
    if (!l) {
      throw new NameError(`${path}.label`, owner ? `"${name}" is not a point of skeleton "${owner.name}"` : `"${name}" is not a label of the task`);
    }
    return l;
  }

  private attributesIn(value: unknown, label: Named, path: string): AttributeValue[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new NameError(path, 'must be a list');
    return value.map((a: unknown, i) => {
      const at = `${path}[${i}]`;
      const o = (a ?? {}) as Json;
      if (typeof o.name !== 'string') throw new NameError(`${at}.name`, 'an attribute name is required');
      const id = label.attributeIds.get(o.name);
      if (id === undefined) throw new NameError(`${at}.name`, `"${o.name}" is not an attribute of label "${label.name}"`);
      return { spec_id: id, value: o.value as string };
    });
  }

  /** Keeps what the annotation checks read, with ids for names; they check the rest. */
  private objectIn(o: unknown, path: string, among: Map<string, Named>, owner?: Named): { body: Json; label: Named } {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new NameError(path, 'must be an object');
    const src = o as Json;
    const label = this.labelIn(src, path, among, owner);
    const body: Json = { frame: src.frame, label_id: label.id, attributes: this.attributesIn(src.attributes, label, `${path}.attributes`) };
    for (const k of ['group', 'source'] as const) if (src[k] !== undefined) body[k] = src[k];
    return { body, label };
  }

  tagIn(o: unknown, path: string): Json {
    return this.objectIn(o, path, this.byName).body;
  }

  private shapeIn1(o: unknown, path: string, among: Map<string, Named>, owner?: Named): { body: Json; label: Named } {
    const { body, label } = this.objectIn(o, path, among, owner);
    const src = o as Json;
    for (const k of [...GEOMETRY, 'score'] as const) if (src[k] !== undefined) body[k] = src[k];
    return { body, label };
  }

  shapeIn(o: unknown, path: string): Json {
    const { body, label } = this.shapeIn1(o, path, this.byName);
    const elements = (o as Json).elements;
    if (Array.isArray(elements)) body.elements = elements.map((e, i) => this.shapeIn1(e, `${path}.elements[${i}]`, label.points, label).body);
    return body;
  }

  private keyframesIn(value: unknown, label: Named, path: string): Json[] {
    if (!Array.isArray(value)) throw new NameError(path, 'must be a list');
    return value.map((k: unknown, i) => {
      const at = `${path}[${i}]`;
      if (typeof k !== 'object' || k === null) throw new NameError(at, 'must be an object');
      const src = k as Json;
      const body: Json = { frame: src.frame, attributes: this.attributesIn(src.attributes, label, `${at}.attributes`) };
      for (const f of GEOMETRY) if (src[f] !== undefined) body[f] = src[f];
      return body;
    });
  }

  private trackIn1(o: unknown, path: string, among: Map<string, Named>, owner?: Named): { body: Json; label: Named } {
    const { body, label } = this.objectIn(o, path, among, owner);
    body.shapes = this.keyframesIn((o as Json).shapes, label, `${path}.shapes`);
    return { body, label };
  }

  trackIn(o: unknown, path: string): Json {
    const { body, label } = this.trackIn1(o, path, this.byName);
    const elements = (o as Json).elements;
    if (Array.isArray(elements)) body.elements = elements.map((e, i) => this.trackIn1(e, `${path}.elements[${i}]`, label.points, label).body);
    return body;
  }
}
