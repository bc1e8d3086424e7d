/**
 * The head of a CVAT XML file: version and <meta> with the task and its labels, laid out as
 * CVAT's TaskData.meta_for_task and _convert_db_labels write them. Fields we do not know (ids,
 * owner, segments, timestamps of the export) are left out rather than invented; CVAT's own
 * importer reads only the labels and the frame numbering from <meta>.
 */
import type { DatasetLabel, ExportInput } from '../model.js';
import { XML_DECLARATION, indent, metaXml, type MetaEntry } from './xml-writer.js';

function labelEntries(label: DatasetLabel, parent?: string): MetaEntry[] {
  const fields: MetaEntry[] = [
    ['name', label.name],
    ['color', label.color ?? ''],
    ['type', label.type],
    ['attributes', label.attributes.map((a): MetaEntry => ['attribute', [
      ['name', a.name],
      ['mutable', a.mutable ? 'True' : 'False'],
      ['input_type', a.input_type],
      ['default_value', a.default_value],
      // CVAT stores the values newline-separated and writes that string as is.
      ['values', a.values.join('\n')],
    ]])],
  ];
  if (parent !== undefined) fields.push(['parent', parent]);
  if (label.type === 'skeleton') fields.push(['svg', label.svg ?? '']);
  const out: MetaEntry[] = [['label', fields]];
  // CVAT lists labels by id: a skeleton's points right after it, each naming its parent.
  for (const s of label.sublabels ?? []) out.push(...labelEntries(s, label.name));
  return out;
}

/**
 * Frames are written with the task's own numbers, so the meta says the numbering starts at 0
 * with step 1; size - 1 is the last frame (CVAT's stop_frame).
 */
export function cvatHeader(input: ExportInput): string {
  const task: MetaEntry[] = [
    ['name', input.name],
    ['size', String(input.meta.size)],
    ['mode', input.meta.mode],
  ];
  if (input.meta.createdAt !== undefined) task.push(['created', input.meta.createdAt]);
  task.push(
    ['start_frame', '0'],
    ['stop_frame', String(Math.max(0, input.meta.size - 1))],
    ['frame_filter', ''],
    ['labels', input.labels.flatMap((l) => labelEntries(l))],
  );
  return (
    XML_DECLARATION +
    '<annotations>' +
    `${indent(1)}<version>1.1</version>` +
    `${indent(1)}<meta>${metaXml([['task', task]], 2)}${indent(1)}</meta>`
  );
}

export const CVAT_FOOTER = `${indent(0)}</annotations>${indent(0)}`;

/** The last frame a track or one-frame shape may reach. */
export function lastFrame(input: ExportInput): number {
  return input.meta.size - 1;
}
