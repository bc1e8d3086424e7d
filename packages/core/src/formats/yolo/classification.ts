/**
 * Ultralytics YOLO Classification 1.0: a folder per class.
 *
 *   <subset>/labels.json          CVAT's extension: {"<id>":{"labels":["cat"],"path":"cat/<image>"},...}
 *   <subset>/<label>/<image>      the image, in the folder of its first tag ("no_label" without one)
 *
 * The folders are the annotation, so the format is meaningful with images saved; without them
 * only labels.json is written (as CVAT does), and it keeps every tag of a frame. Shapes are
 * reported as dropped. The byte layout of labels.json (compact JSON, "labels" before "path") is
 * ours: CVAT's reader fixes its fields, not its spacing, which we could not check.
 *
 * Import reads labels.json where a subset has one, else walks <subset>/<label>/ folders of images
 * ("no_label" means no tag). Labels are every name seen, sorted, as Datumaro does. Round trip:
 * export, import, export gives identical files.
 */
import {
  DatasetFormatError, type DatasetLabel, type ExportContext, type ExportInput, type ExportSink, type FormatCodec,
  type ImportContext, type ImportSource, type ParsedDataset,
} from '../model.js';
import { stripExtension } from '../match.js';
import { FrameCollector, fileTag, isImagePath } from './archive.js';
import { imageExt, itemId, subsetOf } from './export-lines.js';

const LABELS_FILE = 'labels.json';
const NO_LABEL = 'no_label';
const FORMAT = 'Ultralytics YOLO Classification 1.0';

async function exportClassification(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const known = new Set(input.labels.map((l) => l.name));
  const subsets = new Map<string, string[]>();
  const seen = new Set<string>();
  for await (const frame of input.frames) {
    const n = frame.image.frame;
    for (const shape of frame.shapes) ctx.report.dropped(`${shape.type} shapes`, n, `${FORMAT} holds only tags`);
    const subset = subsetOf(frame.image, [], LABELS_FILE);
    const id = itemId(frame.image);
    if (seen.has(`${subset}/${id}`)) {
      ctx.report.dropped('frames named like an earlier frame', n, `their entry in ${subset}/${LABELS_FILE} would repeat "${id}"`);
      continue;
    }
    seen.add(`${subset}/${id}`);
    const labels: string[] = [];
    for (const tag of frame.tags) {
      if (!known.has(tag.label)) ctx.report.dropped('tags of unknown labels', n, `label "${tag.label}" is not declared`);
      else if (!labels.includes(tag.label)) labels.push(tag.label);
    }
    const path = `${labels[0] ?? NO_LABEL}/${id}${imageExt(frame.image)}`;
    if (input.saveImages) await sink.image(frame.image, `${subset}/${path}`);
    let entries = subsets.get(subset);
    if (!entries) subsets.set(subset, (entries = []));
    entries.push(`${JSON.stringify(id)}:${JSON.stringify({ labels, path })}`);
  }
  for (const [subset, entries] of subsets) await sink.file(`${subset}/${LABELS_FILE}`, `{${entries.join(',')}}`);
}

interface Item {
  id: string;
  /** Image path in the archive (it may be absent when only labels.json was uploaded). */
  image: string;
  labels: string[];
  file: string;
}

async function readLabelsFile(source: ImportSource, subset: string, file: string): Promise<Item[]> {
  let data: unknown;
  try {
    data = JSON.parse(await source.text(file));
  } catch (e) {
    throw new DatasetFormatError(file, `not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new DatasetFormatError(file, 'expected an object of items by id', { path: '$' });
  }
  return Object.entries(data as Record<string, unknown>).map(([id, info]) => {
    const at = `$[${JSON.stringify(id)}]`;
    if (info === null || typeof info !== 'object') throw new DatasetFormatError(file, 'expected {"labels": [...], "path": "..."}', { path: at });
    const { labels, path } = info as { labels?: unknown; path?: unknown };
    if (typeof path !== 'string' || path === '') throw new DatasetFormatError(file, 'missing image path', { path: `${at}.path` });
    if (!Array.isArray(labels)) throw new DatasetFormatError(file, 'missing label list', { path: `${at}.labels` });
    labels.forEach((l, i) => {
      if (typeof l !== 'string' || l === '') throw new DatasetFormatError(file, 'label names must be non-empty strings', { path: `${at}.labels[${i}]` });
    });
    return { id, image: `${subset}/${path}`, labels: (labels as string[]).filter((l) => l !== NO_LABEL), file };
  });
}

async function importClassification(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const present = new Set(paths);
  const subsets = [...new Set(paths.filter((p) => p.includes('/')).map((p) => p.slice(0, p.indexOf('/'))))];
  const items: Array<Item & { subset: string }> = [];
  for (const subset of subsets) {
    const labelsFile = `${subset}/${LABELS_FILE}`;
    if (present.has(labelsFile)) {
      for (const item of await readLabelsFile(source, subset, labelsFile)) items.push({ ...item, subset });
      continue;
    }
    for (const p of paths) {
      const parts = p.split('/');
      if (parts[0] !== subset || parts.length < 3 || !isImagePath(p)) continue;
      const label = parts[1]!;
      const id = stripExtension(parts.slice(1).join('/'));
      items.push({ id, image: p, labels: label === NO_LABEL ? [] : [label], file: p, subset });
    }
  }
  if (subsets.length === 0 || (items.length === 0 && !subsets.some((s) => present.has(`${s}/${LABELS_FILE}`)))) {
    throw new DatasetFormatError(LABELS_FILE, 'not an Ultralytics YOLO classification dataset: no <subset>/<class>/<image> folders or labels.json');
  }
  const names = new Set<string>();
  for (const item of items) for (const l of item.labels) names.add(l);
  // Class folders count as labels even when empty of images (Datumaro lists folder names).
  for (const p of paths) {
    const parts = p.split('/');
    if (parts.length >= 3 && parts[1] !== NO_LABEL && !present.has(`${parts[0]}/${LABELS_FILE}`)) names.add(parts[1]!);
  }
  const frames = new FrameCollector(ctx.images);
  for (const item of items) {
    // The image's archive path finds task images named with folders; the id with the image's
    // extension finds them when only labels.json was uploaded.
    const name = present.has(item.image) ? item.image : `${item.id}${item.image.slice(stripExtension(item.image).length)}`;
    const frame = frames.frame(name, item.subset, item.file);
    for (const label of item.labels) frame.tags.push(fileTag(label));
  }
  const labels: DatasetLabel[] = [...names].sort().map((name) => ({ name, type: 'any', attributes: [] }));
  return { labels, frames: frames.frames(), tracks: [] };
}

export const ultralyticsClassificationFormat: FormatCodec = {
  name: FORMAT,
  ext: 'ZIP',
  dimension: '2d',
  export: exportClassification,
  import: importClassification,
};
