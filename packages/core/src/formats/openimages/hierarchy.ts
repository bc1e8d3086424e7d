/**
 * bbox_labels_600_hierarchy.json as Datumaro writes it: a made-up root `/m/<n>` (the first such
 * name no label has) over the labels that have children; CVAT's only parents are skeletons, so
 * a skeleton's points sit under it. Python's json.dump(indent=4, ensure_ascii=False) layout,
 * which JSON.stringify with an indent of 4 matches, then a newline.
 */
import type { DatasetLabel } from '../model.js';

interface Node {
  LabelName: string;
  Subcategory?: Node[];
}

export function hierarchyJson(labels: readonly DatasetLabel[]): string {
  const nodes = new Map<string, Node>();
  const node = (name: string) => nodes.get(name) ?? nodes.set(name, { LabelName: name }).get(name)!;
  const orphans: Node[] = [];
  const names = new Set<string>();
  const add = (name: string, parent?: string) => {
    if (names.has(name)) return;
    names.add(name);
    const child = node(name);
    if (parent) (node(parent).Subcategory ??= []).push(child);
    else orphans.push(child);
  };
  for (const l of labels) {
    add(l.name);
    for (const s of l.sublabels ?? []) add(s.name, l.name);
  }
  let i = 0;
  while (names.has(`/m/${i}`)) i++;
  const root = { LabelName: `/m/${i}`, Subcategory: orphans.filter((o) => o.Subcategory) };
  return `${JSON.stringify(root, null, 4)}\n`;
}

