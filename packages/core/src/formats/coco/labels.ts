/**
 * The label table of an export: COCO category ids as CVAT numbers them (1 + position in the
 * task's label list with every skeleton followed by its points), and each label's spec.
 */
import type { DatasetLabel } from '../model.js';
import { keypointLayout, type KeypointLayout } from './skeleton.js';

export interface LabelEntry {
  label: DatasetLabel;
  categoryId: number;
  /** Skeleton labels only. */
  layout?: KeypointLayout;
}

export interface LabelTable {
  /** Top-level labels by name; shapes and tags refer to these. */
  byName: Map<string, LabelEntry>;
  /** Every label in category order, points with their skeleton's name as `parent`. */
  flat: Array<{ label: DatasetLabel; parent: string; categoryId: number }>;
}

export function labelTable(labels: readonly DatasetLabel[]): LabelTable {
  const byName = new Map<string, LabelEntry>();
  const flat: LabelTable['flat'] = [];
  for (const label of labels) {
    const categoryId = flat.length + 1;
    flat.push({ label, parent: '', categoryId });
    const entry: LabelEntry = { label, categoryId };
    if (label.type === 'skeleton') {
      entry.layout = keypointLayout(label);
      for (const sub of label.sublabels ?? []) flat.push({ label: sub, parent: label.name, categoryId: flat.length + 1 });
    }
    if (!byName.has(label.name)) byName.set(label.name, entry);
  }
  return { byName, flat };
}

/** CVAT's `categories` of instances files: every label, points under their skeleton. */
export function instanceCategories(table: LabelTable): string {
  const items = table.flat.map(
    (c) => `{"id":${c.categoryId},"name":${JSON.stringify(c.label.name)},"supercategory":${JSON.stringify(c.parent)}}`,
  );
  return `[${items.join(',')}]`;
}

/** CVAT's `categories` of person_keypoints files: top-level labels with their points and edges. */
export function keypointCategories(table: LabelTable): string {
  const items: string[] = [];
  for (const c of table.flat) {
    if (c.parent) continue;
    const layout = table.byName.get(c.label.name)?.layout;
    const names = layout?.names ?? [];
    const edges = layout?.edges ?? [];
    items.push(
      `{"id":${c.categoryId},"name":${JSON.stringify(c.label.name)},"supercategory":"",` +
        `"keypoints":[${names.map((n) => JSON.stringify(n)).join(',')}],` +
        `"skeleton":[${edges.map(([a, b]) => `[${a},${b}]`).join(',')}]}`,
    );
  }
  return `[${items.join(',')}]`;
}
