/**
 * Reading a COCO dataset: a single JSON file (any name) or an archive with
 * `annotations/<task>_<subset>.json`. "COCO 1.0" reads instances, stuff, labels, image_info and
 * captions files, and panoptic files for subsets without instances or stuff (panoptic segments
 * repeat those); "COCO Keypoints 1.0" reads person_keypoints files. When no file name says its
 * task, every JSON file is read as the codec's own task. Subsets come from the file names;
 * CVAT's "default" subset reads as no subset. A file's annotations are parsed a few megabytes at a
 * time as they are read (json-file.ts).
 */
import { DatasetFormatError, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { baseName } from '../match.js';
import { DatasetBuilder } from './builder.js';
import type { CocoTask } from './instances.js';
import { openCocoJson } from './json-file.js';
import { readPanoptic } from './panoptic.js';
import { openCocoFile, readAnnotations, type CocoFile, type FileKind } from './read.js';

const KINDS: readonly FileKind[] = ['person_keypoints', 'instances', 'image_info', 'captions', 'panoptic', 'labels', 'stuff'];

const READS: Record<CocoTask, readonly FileKind[]> = {
  instances: ['instances', 'stuff', 'panoptic', 'labels', 'image_info', 'captions'],
  person_keypoints: ['person_keypoints'],
};

function subsetName(name: string): string | undefined {
  return name === '' || name === 'default' ? undefined : name;
}

/** The task and subset a file's name gives, as Datumaro reads `<task>_<subset>.json`. */
function classify(path: string): { kind: FileKind; subset: string | undefined } | null {
  const stem = baseName(path).replace(/\.json$/i, '');
  for (const kind of KINDS) if (stem.startsWith(`${kind}_`)) return { kind, subset: subsetName(stem.slice(kind.length + 1)) };
  return null;
}

export function cocoFiles(task: CocoTask, paths: readonly string[]): CocoFile[] {
  // dataset_meta.json is Datumaro's label list; ._* files are macOS archive debris.
  const jsons = paths.filter((p) => /\.json$/i.test(p) && baseName(p) !== 'dataset_meta.json' && !baseName(p).startsWith('._'));
  const named = jsons.flatMap((path) => {
    const c = classify(path);
    return c && READS[task].includes(c.kind) ? [{ path, ...c }] : [];
  });
  if (named.length === 0) {
    return jsons.map((path) => ({ path, kind: task, subset: classify(path)?.subset }));
  }
  const segmented = new Set(named.filter((f) => f.kind === 'instances' || f.kind === 'stuff').map((f) => f.subset));
  return named.filter((f) => f.kind !== 'panoptic' || !segmented.has(f.subset));
}

export async function importCoco(task: CocoTask, source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const files = cocoFiles(task, source.paths());
  if (files.length === 0) {
    throw new DatasetFormatError(`annotations/${task}_default.json`, `no COCO annotation file found: expected annotations/${task}_<subset>.json or a single JSON file`);
  }
  const builder = new DatasetBuilder(ctx);
  for (const file of files) {
    const json = openCocoJson(file.path, await source.bytes(file.path));
    const { fc, annotations } = openCocoFile(file, json.root, json.annotations, builder);
    if (file.kind === 'panoptic') {
      const list: unknown[] = [];
      annotations.each((value) => list.push(value), true);
      await readPanoptic(fc, list, source, ctx);
    } else readAnnotations(fc, annotations);
  }
  return builder.result();
}
