/**
 * YOLO 1.1 (darknet), as CVAT writes it through Datumaro:
 *
 *   obj.data                 classes = N, <subset> = data/<subset>.txt, names = data/obj.names, backup = backup/
 *   obj.names                one label per line (every top-level label, in order)
 *   <subset>.txt             data/obj_<subset>_data/<image> per frame
 *   obj_<subset>_data/<id>.txt   "class cx cy w h" per rectangle, normalized, "%.6f"; empty when none
 *   obj_<subset>_data/<image>    the image, when saving images
 *
 * <id> is the frame's name without extension, the default subset is "train". Only rectangles are
 * written; rotated ones become their bounding box and boxes crossing the image border are
 * clipped (both reported as converted; CVAT drops the first and writes the second unclipped),
 * everything else is reported as dropped. Round trip: export, import, export gives identical files.
 *
 * Import reads that layout (any *.data file, "data/" prefixes optional) and also the loose one
 * Datumaro accepts: obj.names beside folders of label files (labels/<subset>/x.txt or any folder,
 * images beside them or in a parallel images/ folder). Every item must match an image of the
 * task (see archive.ts); a listed image without a label file is an error, as in CVAT.
 */
import {
  DatasetFormatError, type DatasetLabel, type ExportContext, type ExportInput, type ExportSink, type FormatCodec,
  type ImportContext, type ImportSource, type ParsedDataset,
} from '../model.js';
import { stripExtension } from '../match.js';
import { dirname, FrameCollector, imagesByStem, joinPath, localizePath, shallowest, textLines } from './archive.js';
import { boxLine, classIndex, frameLines, imageExt, itemId, subsetOf } from './export-lines.js';
import { parseBoxLine } from './lines.js';

const RESERVED = ['backup', 'classes', 'names'];

async function exportDarknet(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const classes = classIndex(input.labels);
  const lineCtx = { classes, report: ctx.report, format: 'YOLO 1.1' };
  const lists = new Map<string, string[]>();
  const written = new Set<string>();
  for await (const frame of input.frames) {
    const subset = subsetOf(frame.image, RESERVED, 'obj.data');
    const dir = `obj_${subset}_data`, id = itemId(frame.image), image = `${id}${imageExt(frame.image)}`;
    const labelFile = `${dir}/${id}.txt`;
    if (written.has(labelFile)) {
      ctx.report.dropped('frames named like an earlier frame', frame.image.frame, `their annotations would overwrite ${labelFile}`);
      continue;
    }
    written.add(labelFile);
    await sink.file(labelFile, frameLines(frame, boxLine, lineCtx));
    if (input.saveImages) await sink.image(frame.image, `${dir}/${image}`);
    let list = lists.get(subset);
    if (!list) lists.set(subset, (list = []));
    list.push(`data/${dir}/${image}\n`);
  }
  for (const [subset, list] of lists) await sink.file(`${subset}.txt`, list.join(''));
  await sink.file('obj.names', input.labels.map((l) => `${l.name}\n`).join(''));
  const subsets = [...lists.keys()].map((s) => `${s} = data/${s}.txt\n`).join('');
  await sink.file('obj.data', `classes = ${input.labels.length}\n${subsets}names = data/obj.names\nbackup = backup/\n`);
}

/** obj.names: one label per non-blank line. */
async function readNames(source: ImportSource, file: string): Promise<{ labels: DatasetLabel[]; classes: Map<number, string> }> {
  const labels: DatasetLabel[] = [];
  const classes = new Map<number, string>();
  for (const { line, text: name } of textLines(await source.text(file))) {
    if (labels.some((l) => l.name === name)) throw new DatasetFormatError(file, `label "${name}" is listed twice`, { line });
    classes.set(labels.length, name);
    labels.push({ name, type: 'any', attributes: [] });
  }
  return { labels, classes };
}

async function parseLabelFile(
  source: ImportSource, file: string, width: number, height: number, classes: Map<number, string>, classesFile: string,
) {
  const shapes = [];
  for (const { line, fields } of textLines(await source.text(file))) {
    shapes.push(parseBoxLine({ file, line, fields, width, height, classes, classesFile }, false));
  }
  return shapes;
}

async function importStrict(source: ImportSource, ctx: ImportContext, config: string): Promise<ParsedDataset> {
  const root = dirname(config);
  const paths = new Set(source.paths());
  const entries = new Map<string, { value: string; line: number }>();
  for (const [i, text] of (await source.text(config)).split(/\r\n|\n|\r/).entries()) {
    const m = /^\s*(\w+)\s*=\s*(.+)$/.exec(text);
    if (m) entries.set(m[1]!, { value: m[2]!.trim(), line: i + 1 });
  }
  const namesEntry = entries.get('names');
  if (!namesEntry) throw new DatasetFormatError(config, 'no "names = ..." entry naming the labels file');
  const namesFile = joinPath(root, localizePath(namesEntry.value));
  if (!paths.has(namesFile)) throw new DatasetFormatError(config, `labels file ${namesFile} is missing`, { line: namesEntry.line });
  const { labels, classes } = await readNames(source, namesFile);

  const frames = new FrameCollector(ctx.images);
  for (const [subset, { value, line }] of entries) {
    if (RESERVED.includes(subset)) continue;
    const listFile = joinPath(root, localizePath(value));
    if (!paths.has(listFile)) throw new DatasetFormatError(config, `image list ${listFile} of subset "${subset}" is missing`, { line });
    for (const item of textLines(await source.text(listFile))) {
      const image = localizePath(item.text);
      const labelFile = `${stripExtension(joinPath(root, image))}.txt`;
      if (!paths.has(labelFile)) {
        throw new DatasetFormatError(listFile, `annotation file ${labelFile} of image "${image}" is missing`, { line: item.line });
      }
      const frame = frames.frame(image, subset, labelFile);
      frame.shapes.push(...(await parseLabelFile(source, labelFile, frame.image.width, frame.image.height, classes, namesFile)));
    }
  }
  return { labels, frames: frames.frames(), tracks: [] };
}

/** Folder names that hold label files in loose layouts, and where their images are. */
const IMAGE_DIR_FOR: Record<string, string> = { labels: 'images', Labels: 'Images', annotations: 'images', Annotations: 'Images' };

async function importLoose(source: ImportSource, ctx: ImportContext, namesFile: string): Promise<ParsedDataset> {
  const root = dirname(namesFile);
  const prefix = root ? `${root}/` : '';
  const { labels, classes } = await readNames(source, namesFile);
  const images = imagesByStem(source.paths());
  const frames = new FrameCollector(ctx.images);
  for (const path of source.paths()) {
    // Label files live in folders; text files beside obj.names (train.txt, README.txt) are not labels.
    if (!path.startsWith(prefix) || !path.toLowerCase().endsWith('.txt')) continue;
    const parts = path.slice(prefix.length).split('/');
    if (parts.length < 2) continue;
    let subset: string | undefined;
    if (parts.length >= 3 && parts[0]!.toLowerCase() === 'labels') subset = parts[1];
    else if (parts.length >= 3 && parts[1]!.toLowerCase() === 'labels') subset = parts[0];
    const stem = stripExtension(path);
    const candidates = [stem];
    const at = parts.findIndex((p) => IMAGE_DIR_FOR[p] !== undefined);
    if (at >= 0 && at < parts.length - 1) {
      const swapped = [...parts];
      swapped[at] = IMAGE_DIR_FOR[parts[at]!]!;
      candidates.unshift(prefix + stripExtension(swapped.join('/')));
    }
    const name = candidates.map((c) => images.get(c)).find((p) => p !== undefined) ?? candidates[0]!;
    const frame = frames.frame(name.slice(prefix.length), subset, path);
    frame.shapes.push(...(await parseLabelFile(source, path, frame.image.width, frame.image.height, classes, namesFile)));
  }
  return { labels, frames: frames.frames(), tracks: [] };
}

async function importDarknet(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  const config = shallowest(paths, (p) => base(p) === 'obj.data') ?? shallowest(paths, (p) => p.endsWith('.data'));
  if (config) return importStrict(source, ctx, config);
  const names = shallowest(paths, (p) => base(p) === 'obj.names');
  if (names) return importLoose(source, ctx, names);
  throw new DatasetFormatError('obj.data', 'not a YOLO dataset: the archive has neither obj.data nor obj.names');
}

export const yoloFormat: FormatCodec = {
  name: 'YOLO 1.1',
  ext: 'ZIP',
  dimension: '2d',
  export: exportDarknet,
  import: importDarknet,
};
