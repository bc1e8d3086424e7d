/**
 * Labels a dataset brings that its target lacks (import with on_unknown_label=create, project
 * dataset imports, backup restores): the labels the file declares or its objects use, with the
 * attributes and skeleton points the file gives, as label writes.
 */
import type { DatasetLabel, ParsedDataset } from '@framewise/core';
import type { LabelWrite } from '../../dtos/label.dto.js';

/** The labels of `parsed` whose names are not in `known`, declared ones first, in file order. */
export function missingLabels(parsed: ParsedDataset, known: ReadonlySet<string>): DatasetLabel[] {
  const wanted = new Map<string, DatasetLabel>();
  for (const l of parsed.labels) if (!known.has(l.name) && !wanted.has(l.name)) wanted.set(l.name, l);
  const use = (name: string) => {
    if (name && !known.has(name) && !wanted.has(name)) wanted.set(name, { name, type: 'any', attributes: [] });
  };
  for (const f of parsed.frames) {
    f.shapes.forEach((x) => use(x.label));
    f.tags.forEach((x) => use(x.label));
  }
  parsed.tracks.forEach((t) => use(t.label));
  return [...wanted.values()];
}

export function toLabelWrite(l: DatasetLabel): LabelWrite {
  const attributes = (d: DatasetLabel) =>
    d.attributes.map((a) => ({ name: a.name, mutable: a.mutable, input_type: a.input_type, default_value: a.default_value, values: a.values }));
  const points = l.sublabels ?? [];
  return {
    name: l.name,
    type: l.type,
    ...(l.color ? { color: l.color } : {}),
    attributes: attributes(l),
    ...(points.length
      ? {
          sublabels: points.map((p) => ({ name: p.name, type: 'points', ...(p.color ? { color: p.color } : {}), attributes: attributes(p) })),
          ...(l.svg ? { svg: l.svg } : {}),
        }
      : {}),
  };
}
