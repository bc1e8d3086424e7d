/**
 * The task's labels looked up by the names a dataset uses: labels, their attributes and a
 * skeleton's points. Names match exactly (case and all), as CVAT's importer matches them.
 */
import { indexLabels, type IndexedLabel } from '../../annotations/label-index.js';
import type { AttributeSpecWithId, LabelSchema, SchemaLabel } from '../../annotations/schema.js';
import type { AttributeValue } from '../../annotations/types.js';
import type { AttributeMap } from '../model.js';
import { ProblemList, usage } from './problems.js';

export interface ResolvedLabel {
  label: SchemaLabel;
  indexed: IndexedLabel;
  /** How messages name it: 'label "car"', 'point "nose" of skeleton "person"'. */
  display: string;
  specs: ReadonlyMap<string, AttributeSpecWithId>;
  /** Declared position of each spec id, to list values in the label's order. */
  order: ReadonlyMap<number, number>;
  points: ReadonlyMap<string, ResolvedLabel>;
}

/** Attribute values split by where a track keeps them. */
export interface SplitValues {
  immutable: AttributeValue[];
  mutable: AttributeValue[];
}

export class LabelResolver {
  private readonly top = new Map<string, ResolvedLabel>();

  /** `skipAttribute`, when given, takes values of undeclared attributes instead of the problem list. */
  constructor(
    schema: LabelSchema,
    private readonly problems: ProblemList,
    private readonly skipAttribute: ((label: string, attribute: string) => void) | null = null,
  ) {
    const index = indexLabels(schema);
    const resolve = (label: SchemaLabel, display: string, points: Map<string, ResolvedLabel>): ResolvedLabel => ({
      label,
      indexed: index.get(label.id)!,
      display,
      specs: new Map(label.attributes.map((a) => [a.name, a])),
      order: new Map(label.attributes.map((a, i) => [a.id, i])),
      points,
    });
    for (const label of schema.labels) {
      const points = new Map<string, ResolvedLabel>();
      for (const p of label.sublabels) points.set(p.name, resolve(p, `point "${p.name}" of skeleton "${label.name}"`, new Map()));
      // The first of two same-named labels wins; schemas forbid duplicates anyway.
      if (!this.top.has(label.name)) this.top.set(label.name, resolve(label, `label "${label.name}"`, points));
    }
  }

  label(name: string): ResolvedLabel | undefined {
    return this.top.get(name);
  }

  /**
   * The values of `map` as the label's attributes, in the label's declared order. Names the label
   * lacks are problems (counted per label and name). Checkbox values are lower-cased when they
   * spell true or false ("True" from Python writers); other values stay as written.
   */
  values(label: ResolvedLabel, map: AttributeMap, where: string): AttributeValue[] {
    const out: AttributeValue[] = [];
    for (const [name, raw] of Object.entries(map)) {
      const spec = label.specs.get(name);
      if (!spec) {
        if (this.skipAttribute) {
          this.skipAttribute(label.label.name, name);
          continue;
        }
        this.problems.count(`attribute\u0000${label.label.id}\u0000${name}`, where, (n, first) =>
          `attribute "${name}" is not an attribute of ${label.display} ${usage(n, first)}`);
        continue;
      }
      const value = spec.input_type === 'checkbox' && /^(true|false)$/i.test(raw) ? raw.toLowerCase() : raw;
      out.push({ spec_id: spec.id, value });
    }
    return out.sort((a, b) => label.order.get(a.spec_id)! - label.order.get(b.spec_id)!);
  }

  split(label: ResolvedLabel, values: readonly AttributeValue[]): SplitValues {
    const out: SplitValues = { immutable: [], mutable: [] };
    for (const v of values) {
      const spec = label.label.attributes[label.order.get(v.spec_id)!]!;
      (spec.mutable ? out.mutable : out.immutable).push(v);
    }
    return out;
  }
}
