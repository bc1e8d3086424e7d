/**
 * The task's label schema as the dataset model names it: what exporters get as
 * `ExportInput.labels`. Ids stay behind; a skeleton's SVG, which refers to its points by id,
 * is rewritten to refer to them by name so the file can be read by another server.
 */
import type { AttributeSpec } from '../../labels.js';
import { unbindSkeletonSvg } from '../../labels.js';
import type { AttributeSpecWithId, LabelSchema, SchemaLabel } from '../../annotations/schema.js';
import type { DatasetLabel } from '../model.js';

/** Per-label values by label id (sublabels included), as a Map or a plain record. */
export type ByLabelId = ReadonlyMap<number, string> | Readonly<Record<number, string>>;

export interface LabelExtras {
  /** '#rrggbb' colors; labels without one get none (importers then pick one). */
  colors?: ByLabelId;
  /** Skeleton SVGs as stored, with `data-label-id` on each element. */
  svg?: ByLabelId;
}

function lookup(values: ByLabelId | undefined, id: number): string | undefined {
  if (!values) return undefined;
  return values instanceof Map ? values.get(id) : (values as Readonly<Record<number, string>>)[id];
}

export function specWithoutId(spec: AttributeSpecWithId): AttributeSpec {
  return {
    name: spec.name,
    mutable: spec.mutable,
    input_type: spec.input_type,
    default_value: spec.default_value,
    values: [...spec.values],
  };
}

function datasetLabel(label: SchemaLabel, extras: LabelExtras): DatasetLabel {
  const out: DatasetLabel = { name: label.name, type: label.type, attributes: label.attributes.map(specWithoutId) };
  const color = lookup(extras.colors, label.id);
  if (color !== undefined) out.color = color;
  if (label.type === 'skeleton') {
    out.sublabels = label.sublabels.map((s) => datasetLabel(s, extras));
    const svg = lookup(extras.svg, label.id);
    if (svg !== undefined) out.svg = unbindSkeletonSvg(svg, label.sublabels);
  }
  return out;
}

/** The schema's labels in their order, skeleton points in theirs. */
export function schemaToDatasetLabels(schema: LabelSchema, extras: LabelExtras = {}): DatasetLabel[] {
  return schema.labels.map((l) => datasetLabel(l, extras));
}
