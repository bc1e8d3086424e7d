/**
 * Attributes between the task model and the Datumaro-based formats, both ways.
 *
 * Export: CVAT hands Datumaro every attribute the label declares (the object's value or the
 * default), typed by its input type (numbers as floats, checkboxes as booleans), then `occluded`,
 * `rotation` for rectangles and `track_id`/`keyframe` for shapes of tracks. Formats write those
 * with Python's `str()`, so "True", "5.0", "0.0" are what the files say.
 *
 * Import: CVAT takes back `occluded`, `rotation`, `track_id`/`keyframe` as the shape's own fields
 * and keeps the rest as attributes. Files do not declare attribute types, so each attribute's spec
 * is inferred from the values seen: all booleans -> checkbox, all (unquoted) numbers -> number,
 * else text. Booleans come back as "true"/"false", which is how CVAT stores checkboxes.
 */
import { effectiveDefault, type AttributeSpec } from '../../labels.js';
import type { AttributeMap, DatasetLabel, DatasetShape, DatasetTag } from '../model.js';
import type { PyValue } from './pyformat.js';

/** Labels as CVAT's Datumaro categories list them: each label, a skeleton's points after it. */
export function categoryNames(labels: readonly DatasetLabel[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (n: string) => {
    if (!seen.has(n)) out.push(n);
    seen.add(n);
  };
  for (const l of labels) {
    add(l.name);
    for (const s of l.sublabels ?? []) add(s.name);
  }
  return out;
}

function specValue(spec: AttributeSpec, raw: string): PyValue {
  if (spec.input_type === 'number') {
    const n = Number(raw.trim());
    return raw.trim() !== '' && !Number.isNaN(n) ? { kind: 'float', value: n } : { kind: 'str', value: raw };
  }
  if (spec.input_type === 'checkbox') return { kind: 'bool', value: raw.toLowerCase() === 'true' };
  return { kind: 'str', value: raw };
}

/** The label's declared attributes with the object's values, typed as CVAT types them. */
function declared(label: DatasetLabel | undefined, attrs: AttributeMap): Map<string, PyValue> {
  const out = new Map<string, PyValue>();
  for (const spec of label?.attributes ?? []) out.set(spec.name, specValue(spec, attrs[spec.name] ?? effectiveDefault(spec)));
  return out;
}

export function tagAttributes(tag: DatasetTag, label: DatasetLabel | undefined): Map<string, PyValue> {
  return declared(label, tag.attributes);
}

/** What CVAT passes to Datumaro as a shape's attributes, in its order. */
export function shapeAttributes(shape: DatasetShape, label: DatasetLabel | undefined): Map<string, PyValue> {
  const out = declared(label, shape.attributes);
  out.set('occluded', { kind: 'bool', value: shape.occluded });
  if (shape.type === 'rectangle') out.set('rotation', { kind: 'float', value: shape.rotation });
  if (shape.track_id !== undefined) {
    out.set('track_id', { kind: 'int', value: shape.track_id });
    out.set('keyframe', { kind: 'bool', value: shape.keyframe ?? false });
  }
  return out;
}

/** How a file gave a value, which decides the inferred attribute type. */
export type ValueHint = 'bool' | 'number' | 'text';

interface SeenAttribute {
  hints: Set<ValueHint>;
  numbers: number[];
}

interface CollectedLabel {
  color?: string;
  attributes: Map<string, SeenAttribute>;
}

/**
 * Labels a file declares or uses, in order, with the attributes seen on their objects. CVAT
 * creates a project's labels from these when a dataset is imported as a new project.
 */
export class LabelCollector {
  private readonly labels = new Map<string, CollectedLabel>();

  declare(name: string, color?: string): void {
    const l = this.labels.get(name);
    if (!l) this.labels.set(name, { color, attributes: new Map() });
    else if (color && !l.color) l.color = color;
  }

  has(name: string): boolean {
    return this.labels.has(name);
  }

  /** Records an attribute value (or, without one, a declared attribute) of the label. */
  attribute(label: string, name: string, hint: ValueHint, value?: string): void {
    this.declare(label);
    const attrs = this.labels.get(label)!.attributes;
    let a = attrs.get(name);
    if (!a) attrs.set(name, (a = { hints: new Set(), numbers: [] }));
    a.hints.add(hint);
    if (hint === 'number' && value !== undefined) a.numbers.push(Number(value));
  }

  /** Records every attribute of an imported object. */
  attributes(label: string, attrs: AttributeMap, hints?: ReadonlyMap<string, ValueHint>): void {
    this.declare(label);
    for (const [name, value] of Object.entries(attrs)) this.attribute(label, name, hints?.get(name) ?? 'text', value);
  }

  result(): DatasetLabel[] {
    return [...this.labels].map(([name, l]) => ({
      name,
      type: 'any',
      ...(l.color ? { color: l.color } : {}),
      attributes: [...l.attributes].map(([attr, seen]) => inferSpec(attr, seen)),
    }));
  }
}

function inferSpec(name: string, seen: SeenAttribute): AttributeSpec {
  const only = seen.hints.size === 1 ? [...seen.hints][0] : 'text';
  if (only === 'bool') return { name, mutable: false, input_type: 'checkbox', default_value: 'false', values: ['false', 'true'] };
  if (only === 'number' && seen.numbers.length > 0) {
    const min = Math.min(...seen.numbers), max = Math.max(...seen.numbers);
    const step = seen.numbers.every(Number.isInteger) ? '1' : '0.01';
    return { name, mutable: false, input_type: 'number', default_value: '', values: [String(min), String(max), step] };
  }
  return { name, mutable: false, input_type: 'text', default_value: '', values: [] };
}

/**
 * An imported Datumaro value as CVAT stores it: `str(value)`, booleans lowercased (CVAT's
 * checkbox values), so "True" from a file and a parsed boolean both become "true".
 */
export function importedValue(value: string | boolean): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return value === 'True' || value === 'False' ? value.toLowerCase() : value;
}

/**
 * CVAT keeps a file's group only when more than one shape of the image has it, renumbering the
 * kept groups 1, 2, ... in the order of their numbers in the file.
 */
export function collapseGroups(groups: readonly number[]): number[] {
  const count = new Map<number, number>();
  for (const g of groups) if (g) count.set(g, (count.get(g) ?? 0) + 1);
  const kept = [...count].filter(([, n]) => n > 1).map(([g]) => g).sort((a, b) => a - b);
  const renumber = new Map(kept.map((g, i) => [g, i + 1]));
  return groups.map((g) => renumber.get(g) ?? 0);
}
