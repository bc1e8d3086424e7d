/**
 * A label schema indexed for annotation checks: every label and skeleton point by id, with the
 * skeleton a point belongs to and its attribute specs by id.
 */
import type { AttributeSpecWithId, LabelSchema, SchemaLabel } from './schema.js';
import { assertNever, type ShapeType } from './types.js';

export interface IndexedLabel {
  label: SchemaLabel;
  /** The skeleton this label is a point of; null for top-level labels. */
  skeleton: SchemaLabel | null;
  specs: ReadonlyMap<number, AttributeSpecWithId>;
}

export type LabelIndex = ReadonlyMap<number, IndexedLabel>;

export function indexLabels(schema: LabelSchema): LabelIndex {
  const index = new Map<number, IndexedLabel>();
  const add = (label: SchemaLabel, skeleton: SchemaLabel | null) => {
    index.set(label.id, { label, skeleton, specs: new Map(label.attributes.map((a) => [a.id, a])) });
  };
  for (const label of schema.labels) {
    add(label, null);
    for (const point of label.sublabels) add(point, label);
  }
  return index;
}

/**
 * Why objects of `kind` cannot carry `label`, or null when they can: an `any` label takes every
 * kind but a skeleton (which needs the label's points), a typed label only its own type, and a
 * skeleton's points appear only as that skeleton's elements.
 */
export function labelFitProblem(label: IndexedLabel, kind: ShapeType | 'tag'): string | null {
  const { name, type } = label.label;
  if (label.skeleton) return `label "${name}" is a point of skeleton "${label.skeleton.name}"; it appears only as that skeleton's element`;
  const what = kind === 'tag' ? 'tags' : `${kind} shapes`;
  switch (type) {
    case 'any':
      return kind === 'skeleton' ? `a skeleton needs a skeleton label; "${name}" has type any` : null;
    case 'tag':
      return kind === 'tag' ? null : `tag label "${name}" cannot label ${what}`;
    case 'interval':
      return `label "${name}" is for time intervals; it cannot label ${what}`;
    case 'rectangle':
    case 'polygon':
    case 'polyline':
    case 'points':
    case 'ellipse':
    case 'cuboid':
    case 'mask':
    case 'skeleton':
      return kind === type ? null : `label "${name}" (${type}) cannot label ${what}`;
    default:
      return assertNever(type, 'label type');
  }
}
