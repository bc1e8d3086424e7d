/**
 * WIDER Face import, as Datumaro reads it for CVAT:
 *
 * - Annotation files are `wider_face_split/*.txt` (the dataset may sit in a folder of the
 *   archive); `wider_face_<subset>_bbx_gt.txt` holds subset <subset>, "default" reads back as none.
 * - Labels: dataset_meta.json, else labels.txt, else "face" and the image folders' names
 *   (`<n>--<name>`, no_label aside).
 * - An image line is one with a "/" (or "\") and a "."; its first folder names its tag
 *   (`0--Parade` gives "Parade" when that is a label) and is not part of the frame name.
 *   The next line is the box count (absent when the image has none); then the boxes,
 *   `x y w h [blur expression illumination occluded pose invalid] [label]`.
 * - Attribute values are kept as written ("-" means none; "True"/"False" become "true"/"false");
 *   `occluded` becomes the shape's flag.
 *
 * Differences from Datumaro, which CVAT would refuse or lose: boxes naming no label are "face"
 * even when the label list lacks it (Datumaro leaves them unlabeled and CVAT rejects those);
 * a numeric `occluded` (WIDER's own 0/1/2) sets the flag when not 0 (CVAT reads only "True").
 * Lines Datumaro skips silently (a non-number count, short box lines) are errors here, except the
 * placeholder line WIDER writes after a count of 0.
 */
import { ImageMatcher } from '../match.js';
import { DatasetFormatError, type DatasetShape, type FrameAnnotations, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { LabelCollector, importedValue, type ValueHint } from '../voc/attributes.js';
import { subsetOrDefault } from '../voc/layout.js';
import { parseFloatField, parseIntField } from '../yolo/numbers.js';
import { metaLabels } from './dataset-meta.js';
import { BOX_ATTRIBUTES, DEFAULT_LABEL, LABELS_FILE, NO_LABEL, SPLIT_DIR, imagesDir, subsetOfFile } from './layout.js';

export async function importWiderFace(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const files = source.paths().filter((p) => new RegExp(`(^|/)${SPLIT_DIR}/[^/]+\\.txt$`, 'i').test(p));
  if (files.length === 0) throw new DatasetFormatError(SPLIT_DIR, `no annotation files (${SPLIT_DIR}/wider_face_<subset>_bbx_gt.txt)`);
  const collector = new LabelCollector();
  const matcher = new ImageMatcher(ctx.images);
  const frames: FrameAnnotations[] = [];
  for (const file of files) {
    const root = file.slice(0, file.search(new RegExp(`${SPLIT_DIR}/[^/]+$`, 'i')));
    const subset = subsetOfFile(file.slice(file.lastIndexOf('/') + 1));
    const declared = await declaredLabels(source, root, subset);
    declared.names.forEach((n) => collector.declare(n));
    const reader = new FileReader(file, await source.text(file), declared, collector);
    for (const item of reader.items()) {
      const match = matcher.match(item.name);
      const sub = subsetOrDefault(subset);
      frames.push({
        image: { frame: -1, name: item.name, width: match?.width ?? 0, height: match?.height ?? 0, ...(sub !== undefined ? { subset: sub } : {}) },
        shapes: item.shapes,
        tags: item.tag ? [{ label: item.tag, group: 0, source: 'file', attributes: {} }] : [],
      });
    }
  }
  return { labels: collector.result(), frames, tracks: [] };
}

interface Declared {
  names: string[];
  /** Whether a file declares them (then a box naming another label is an error). */
  fromFile: boolean;
}

async function declaredLabels(source: ImportSource, root: string, subset: string): Promise<Declared> {
  const meta = await metaLabels(source, root);
  if (meta) return { names: meta, fromFile: true };
  const labelsPath = `${root}${LABELS_FILE}`;
  if (source.paths().includes(labelsPath)) {
    const names = (await source.text(labelsPath)).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
    return { names: [...new Set(names)], fromFile: true };
  }
  const prefix = `${root}${imagesDir(subset)}/`;
  const dirs = new Set<string>();
  for (const p of source.paths()) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) continue;
    const dir = rest.slice(0, slash);
    if (dir !== NO_LABEL) dirs.add(dir.includes('--') ? dir.split('--')[1]! : dir);
  }
  dirs.delete(DEFAULT_LABEL);
  const names = dirs.size ? [DEFAULT_LABEL, ...[...dirs].sort()] : [];
  return { names, fromFile: false };
}

interface Item {
  name: string;
  tag?: string;
  shapes: DatasetShape[];
}

/** Datumaro's test for a line naming an image. */
function isImageLine(line: string): boolean {
  return (line.includes('/') || line.includes('\\')) && line.includes('.');
}

class FileReader {
  private readonly lines: string[];
  private readonly seen = new Set<string>();

  constructor(
    private readonly file: string,
    text: string,
    private readonly declared: Declared,
    private readonly collector: LabelCollector,
  ) {
    this.lines = text.split(/\r?\n/);
  }

  *items(): Generator<Item> {
    const { lines } = this;
    let i = 0;
    let placeholderAllowed = false;
    while (i < lines.length) {
      const line = lines[i]!.trim();
      if (line === '') {
        i++;
        continue;
      }
      if (!isImageLine(line)) {
        // WIDER's own files follow a count of 0 with a line of zeros.
        if (placeholderAllowed && /^[\d.\s-]+$/.test(line)) {
          placeholderAllowed = false;
          i++;
          continue;
        }
        throw this.error(i, `expected an image path (a line with "/" and "."), found "${line}"`);
      }
      placeholderAllowed = false;
      const item = this.item(line, i);
      i++;
      const countLine = lines[i]?.trim();
      if (countLine === undefined || countLine === '' || isImageLine(countLine)) {
        yield item;
        continue;
      }
      const count = parseIntField(countLine, 'box count', { file: this.file, line: i + 1 });
      if (count < 0) throw this.error(i, `box count ${count} is negative`);
      i++;
      for (let k = 0; k < count; k++, i++) {
        if (i >= lines.length || lines[i]!.trim() === '') throw this.error(Math.min(i, lines.length - 1), `expected ${count} box lines, found ${k}`);
        item.shapes.push(this.box(lines[i]!.trim().split(/\s+/), i));
      }
      placeholderAllowed = count === 0;
      yield item;
    }
  }

  private error(index: number, message: string): DatasetFormatError {
    return new DatasetFormatError(this.file, message, { line: index + 1 });
  }

  private item(line: string, index: number): Item {
    const path = line.replace(/\\/g, '/');
    const slash = path.indexOf('/');
    const folder = slash >= 0 ? path.slice(0, slash) : '';
    const name = path.slice(slash + 1);
    if (this.seen.has(name)) throw this.error(index, `image "${name}" is listed twice`);
    this.seen.add(name);
    let tag: string | undefined;
    if (folder && folder !== NO_LABEL) {
      const labelName = folder.includes('--') ? folder.split('--')[1]! : folder;
      if (this.declared.names.includes(labelName)) tag = labelName;
    }
    return { name, ...(tag !== undefined ? { tag } : {}), shapes: [] };
  }

  private box(fields: string[], index: number): DatasetShape {
    const n = fields.length;
    if (![4, 5, 10, 11].includes(n)) {
      throw this.error(index, `${n} fields; expected x y w h, then optionally the 6 attributes (${BOX_ATTRIBUTES.join(' ')}) and a label`);
    }
    const at = { file: this.file, line: index + 1 };
    const [x, y, w, h] = ['x', 'y', 'width', 'height'].map((what, k) => parseFloatField(fields[k]!, `box ${what}`, at)) as [number, number, number, number];
    if (w < 0 || h < 0) throw this.error(index, 'box width and height must not be negative');
    const label = n === 5 || n === 11 ? fields[n - 1]! : DEFAULT_LABEL;
    if (!this.declared.names.includes(label)) {
      if (label !== DEFAULT_LABEL && this.declared.fromFile) throw this.error(index, `label "${label}" is not in the dataset's label list`);
      this.declared.names.push(label);
      this.collector.declare(label);
    }
    const shape: DatasetShape = {
      type: 'rectangle', label, group: 0, source: 'file', attributes: {}, points: [x, y, x + w, y + h],
      rotation: 0, occluded: false, outside: false, z_order: 0,
    };
    const hints = new Map<string, ValueHint>();
    if (n >= 10) {
      BOX_ATTRIBUTES.forEach((name, k) => {
        const raw = fields[4 + k]!;
        if (raw === '-') return;
        if (name === 'occluded') {
          shape.occluded = raw === 'True' || (/^\d+(\.\d*)?$/.test(raw) && Number(raw) !== 0);
          return;
        }
        const value = importedValue(raw);
        shape.attributes[name] = value;
        hints.set(name, value === 'true' || value === 'false' ? 'bool' : 'text');
      });
    }
    this.collector.attributes(label, shape.attributes, hints);
    return shape;
  }
}
