/**
 * VGGFace2 import, as Datumaro reads it for CVAT:
 *
 * - bb_landmark/loose_landmark_<subset>.csv and loose_bb_<subset>.csv (either may be missing;
 *   the dataset may sit in a folder of the archive). Subset "default" reads back as none.
 * - Labels: dataset_meta.json, else labels.txt (the first word of each line; a second word, the
 *   label's class or skeleton, is not kept), else the folders under <subset>/.
 * - Each row's NAME_ID (`<label>/<image>`) is an image, named NAME_ID plus the extension of its
 *   file under <subset>/ (".jpg" without one). CVAT matches it to a task frame without the label
 *   folder. A complete landmark row is a points shape of 5 points, a row with only NAME_ID a tag;
 *   a complete box row a rectangle; all of the label NAME_ID starts with (`no_label` is none).
 *
 * Refused, as Datumaro (or CVAT after it) refuses them: a second set of landmarks or box for an
 * image, landmarks or boxes without a label, a label the label list does not declare.
 */
import { ImageMatcher, stripExtension } from '../match.js';
import { DatasetFormatError, type DatasetShape, type FrameAnnotations, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { LabelCollector } from '../voc/attributes.js';
import { subsetOrDefault } from '../voc/layout.js';
import { metaLabels } from '../widerface/dataset-meta.js';
import { parseFloatField } from '../yolo/numbers.js';
import { readCsvTable, type CsvTable } from './csv.js';
import { ANNOTATION_DIR, BOXES_PREFIX, BOX_COLUMNS, LABELS_FILE, LANDMARKS_PREFIX, LANDMARK_COLUMNS, NO_LABEL } from './layout.js';

const FILE_RE = new RegExp(`(^|/)${ANNOTATION_DIR}/(${LANDMARKS_PREFIX}|${BOXES_PREFIX})([^/]+)\\.csv$`);

interface Item {
  name: string;
  subset: string;
  shapes: DatasetShape[];
  tags: string[];
  hasLandmarks: boolean;
  hasBox: boolean;
}

export async function importVggFace2(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const files = paths.map((p) => ({ p, m: FILE_RE.exec(p) })).filter((x) => x.m);
  if (files.length === 0) throw new DatasetFormatError(ANNOTATION_DIR, `no annotation files (${ANNOTATION_DIR}/${LANDMARKS_PREFIX}<subset>.csv or ${BOXES_PREFIX}<subset>.csv)`);
  const root = files[0]!.p.slice(0, files[0]!.m!.index + files[0]!.m![1]!.length);
  const subsets = [...new Set(files.filter((x) => x.p.startsWith(root)).map((x) => x.m![3]!))];
  const collector = new LabelCollector();
  const declared = await declaredLabels(source, root, subsets);
  declared.names.forEach((n) => collector.declare(n));
  const images = imageExtensions(paths, root, subsets);
  const matcher = new ImageMatcher(ctx.images);
  const frames: FrameAnnotations[] = [];

  for (const subset of subsets) {
    const items = new Map<string, Item>();
    const item = (nameId: string): Item => {
      let it = items.get(nameId);
      if (!it) items.set(nameId, (it = { name: nameId + (images.get(`${subset}/${nameId}`) ?? '.jpg'), subset, shapes: [], tags: [], hasLandmarks: false, hasBox: false }));
      return it;
    };
    const label = (nameId: string, table: CsvTable, line: number): string | null => {
      const slash = nameId.indexOf('/');
      const name = slash >= 0 ? nameId.slice(0, slash) : NO_LABEL;
      if (name === NO_LABEL) return null;
      if (!declared.names.includes(name)) {
        if (declared.fromFile) throw new DatasetFormatError(table.file, `label "${name}" is not in the dataset's label list`, { line });
        declared.names.push(name);
        collector.declare(name);
      }
      return name;
    };

    const landmarksFile = `${root}${ANNOTATION_DIR}/${LANDMARKS_PREFIX}${subset}.csv`;
    if (paths.includes(landmarksFile)) {
      const table = readCsvTable(landmarksFile, await source.text(landmarksFile), ['NAME_ID']);
      const full = LANDMARK_COLUMNS.every((c) => table.header.includes(c)) && table.header.length === LANDMARK_COLUMNS.length;
      for (const row of table.rows) {
        const nameId = row.get('NAME_ID');
        if (!nameId) throw new DatasetFormatError(landmarksFile, 'NAME_ID is empty', { line: row.line });
        const it = item(nameId);
        const l = label(nameId, table, row.line);
        const values = LANDMARK_COLUMNS.slice(1).map((c) => row.get(c));
        if (full && values.every((v) => v !== '')) {
          if (it.hasLandmarks) throw new DatasetFormatError(landmarksFile, `"${nameId}" has a second set of landmarks`, { line: row.line });
          if (l === null) throw new DatasetFormatError(landmarksFile, `landmarks of "${nameId}" have no label`, { line: row.line });
          it.hasLandmarks = true;
          const points = values.map((v, k) => parseFloatField(v, LANDMARK_COLUMNS[k + 1]!, { file: landmarksFile, line: row.line }));
          it.shapes.push(shape('points', l, points));
        } else if (values.some((v) => v !== '') && full) {
          throw new DatasetFormatError(landmarksFile, 'landmark coordinates must be all given or all empty', { line: row.line });
        } else if (l !== null) it.tags.push(l);
      }
    }

    const boxesFile = `${root}${ANNOTATION_DIR}/${BOXES_PREFIX}${subset}.csv`;
    if (paths.includes(boxesFile)) {
      const table = readCsvTable(boxesFile, await source.text(boxesFile), [...BOX_COLUMNS]);
      for (const row of table.rows) {
        const nameId = row.get('NAME_ID');
        if (!nameId) throw new DatasetFormatError(boxesFile, 'NAME_ID is empty', { line: row.line });
        const it = item(nameId);
        const l = label(nameId, table, row.line);
        const values = ['X', 'Y', 'W', 'H'].map((c) => row.get(c));
        if (values.some((v) => v === '')) continue;
        if (it.hasBox) throw new DatasetFormatError(boxesFile, `"${nameId}" has a second box`, { line: row.line });
        if (l === null) throw new DatasetFormatError(boxesFile, `the box of "${nameId}" has no label`, { line: row.line });
        it.hasBox = true;
        const [x, y, w, h] = values.map((v, k) => parseFloatField(v, BOX_COLUMNS[k + 1]!, { file: boxesFile, line: row.line })) as [number, number, number, number];
        if (w < 0 || h < 0) throw new DatasetFormatError(boxesFile, 'box width and height must not be negative', { line: row.line });
        it.shapes.push(shape('rectangle', l, [x, y, x + w, y + h]));
      }
    }

    for (const it of items.values()) {
      const match = matcher.match(it.name);
      const sub = subsetOrDefault(it.subset);
      frames.push({
        image: { frame: -1, name: it.name, width: match?.width ?? 0, height: match?.height ?? 0, ...(sub !== undefined ? { subset: sub } : {}) },
        shapes: it.shapes,
        tags: it.tags.map((l) => ({ label: l, group: 0, source: 'file', attributes: {} })),
      });
    }
  }
  return { labels: collector.result(), frames, tracks: [] };
}

function shape(type: 'points' | 'rectangle', label: string, points: number[]): DatasetShape {
  return { type, label, group: 0, source: 'file', attributes: {}, points, rotation: 0, occluded: false, outside: false, z_order: 0 };
}

interface Declared {
  names: string[];
  fromFile: boolean;
}

async function declaredLabels(source: ImportSource, root: string, subsets: readonly string[]): Promise<Declared> {
  const meta = await metaLabels(source, root);
  if (meta) return { names: meta, fromFile: true };
  const path = `${root}${LABELS_FILE}`;
  if (source.paths().includes(path)) {
    const names = (await source.text(path)).split(/\r?\n/).map((l) => l.trim().split(/\s+/)[0]!).filter(Boolean);
    return { names: [...new Set(names)], fromFile: true };
  }
  const dirs = new Set<string>();
  for (const subset of subsets) {
    const prefix = `${root}${subset}/`;
    for (const p of source.paths()) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0 && rest.slice(0, slash) !== NO_LABEL) dirs.add(rest.slice(0, slash));
    }
  }
  return { names: [...dirs].sort(), fromFile: false };
}

/** Extensions of the images under <subset>/, by `<subset>/<NAME_ID>`. */
function imageExtensions(paths: readonly string[], root: string, subsets: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of paths) {
    if (!p.startsWith(root)) continue;
    const rel = p.slice(root.length);
    if (!subsets.some((s) => rel.startsWith(`${s}/`))) continue;
    const id = stripExtension(rel);
    if (id !== rel && !out.has(id)) out.set(id, rel.slice(id.length));
  }
  return out;
}
