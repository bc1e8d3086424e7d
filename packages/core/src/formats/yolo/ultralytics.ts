/**
 * The Ultralytics YOLO formats (Detection, Segmentation, Oriented Bounding Boxes, Pose), as CVAT
 * writes them through Datumaro:
 *
 *   data.yaml              path: ".", names: {0: label, ...}, <subset>: <subset>.txt (PyYAML dump,
 *                          keys sorted); Pose adds kpt_shape: [most points of a skeleton, 3]
 *   <subset>.txt           data/images/<subset>/<image> per frame
 *   labels/<subset>/<id>.txt   one line per object; written only for frames that have one
 *   images/<subset>/<image>    the image, when saving images
 *
 * Lines: Detection "class cx cy w h"; Segmentation "class x1 y1 x2 y2 ..."; Oriented boxes
 * "class x1 y1 x2 y2 x3 y3 x4 y4" (corners from the top-left one, clockwise); Pose "class cx cy
 * w h" then "x y v" per point. Classes: every top-level label, in order; for Pose only skeleton
 * labels. What a format cannot hold is reported (see export-lines.ts for each writer: rotated
 * boxes, clipping, masks traced to polygons). flip_idx is not written (CVAT does not either: it
 * cannot know which points mirror each other); on import it is checked and ignored.
 *
 * Import takes data.yaml (or a *.yaml file) at or near the archive root; subsets are its keys
 * naming an image list file, an image folder or a list of images (leading "../" dropped, as
 * Roboflow writes them relative to a folder above the dataset), with labels found by
 * swapping the "images" folder for "labels" (images/train/a.jpg -> labels/train/a.txt, and
 * train/images/a.jpg -> train/labels/a.txt). An image folder absent from the archive (labels
 * uploaded without images) falls back to the label files of the matching labels folder. Each
 * label file is read once even when two subsets list the same images. A trailing integer on a
 * line is a track id, kept as the shape's track_id.
 *
 * Pose import names skeleton points after the task's skeletons when the context carries the
 * task's labels (`PoseImportContext.labels`), as CVAT does; otherwise "<skeleton>_point_<i>",
 * CVAT's names when the project has no skeleton yet.
 *
 * Round trips (export, import, export) give identical files, except oriented boxes that are
 * rotated: their corners, rounded to 6 decimals, no longer form an exact rectangle, so a corner
 * written again can differ by 1e-6.
 */
import { parseDocument } from 'yaml';
import {
  DatasetFormatError, type DatasetLabel, type DatasetShape, type ExportContext, type ExportInput, type ExportSink,
  type FormatCodec, type ImportContext, type ImportSource, type ParsedDataset,
} from '../model.js';
import { isImagePath, dirname, FrameCollector, joinPath, localizePath, shallowest, textLines } from './archive.js';
import {
  boxLine, classIndex, frameLines, imageExt, itemId, obbLine, polygonLine, poseLine, subsetOf, type LineWriter,
} from './export-lines.js';
import { parseBoxLine, parseObbLine, parsePolygonLine, parsePoseLine, type LineContext, type PoseLayout } from './lines.js';
import { dumpPyYaml, type PyYamlValue } from './pyyaml.js';

/** Import context with the task's labels, which Pose needs to name skeleton points as the task does. */
export interface PoseImportContext extends ImportContext {
  labels?: readonly DatasetLabel[];
}

const RESERVED = ['backup', 'classes', 'names', 'path', 'kpt_shape', 'flip_idx', 'nc', 'download'];
const CONFIG = 'data.yaml';

interface Variant {
  name: string;
  /** Labels that get a class id, in order. */
  classes(labels: readonly DatasetLabel[]): DatasetLabel[];
  write: LineWriter;
  read(ctx: LineContext, pose: PoseLayout | null): DatasetShape;
  pose: boolean;
}

function skeletonPoints(labels: readonly DatasetLabel[]): Map<string, string[]> {
  return new Map(labels.filter((l) => l.type === 'skeleton').map((l) => [l.name, (l.sublabels ?? []).map((s) => s.name)]));
}

function makeExport(variant: Variant) {
  return async (input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> => {
    const classes = variant.classes(input.labels);
    const skeletons = skeletonPoints(classes);
    const keypoints = Math.max(0, ...[...skeletons.values()].map((s) => s.length));
    const lineCtx = { classes: classIndex(classes), report: ctx.report, format: variant.name, skeletons, keypoints };
    const lists = new Map<string, string[]>();
    const written = new Set<string>();
    for await (const frame of input.frames) {
      const subset = subsetOf(frame.image, RESERVED, CONFIG);
      const id = itemId(frame.image), image = `${id}${imageExt(frame.image)}`;
      const labelFile = `labels/${subset}/${id}.txt`;
      if (written.has(labelFile)) {
        ctx.report.dropped('frames named like an earlier frame', frame.image.frame, `their annotations would overwrite ${labelFile}`);
        continue;
      }
      written.add(labelFile);
      const lines = frameLines(frame, variant.write, lineCtx);
      if (lines) await sink.file(labelFile, lines);
      if (input.saveImages) await sink.image(frame.image, `images/${subset}/${image}`);
      let list = lists.get(subset);
      if (!list) lists.set(subset, (list = []));
      list.push(`data/images/${subset}/${image}\n`);
    }
    for (const [subset, list] of lists) await sink.file(`${subset}.txt`, list.join(''));
    const config: Record<string, PyYamlValue> = { path: '.', names: new Map(classes.map((l, i) => [i, l.name])) };
    for (const subset of lists.keys()) config[subset] = `${subset}.txt`;
    if (variant.pose) config.kpt_shape = [keypoints, 3];
    await sink.file(CONFIG, dumpPyYaml(config));
  };
}

interface Config {
  file: string;
  root: string;
  data: Record<string, unknown>;
  /** Class id -> name, and the labels in class-id order. */
  classes: Map<number, string>;
  names: string[];
}

async function readConfig(source: ImportSource): Promise<Config> {
  const paths = source.paths();
  const file =
    shallowest(paths, (p) => p === CONFIG || p.endsWith(`/${CONFIG}`)) ??
    shallowest(paths, (p) => /\.ya?ml$/i.test(p) && p.split('/').length <= 2);
  if (!file) throw new DatasetFormatError(CONFIG, 'not an Ultralytics YOLO dataset: the archive has no data.yaml');
  const doc = parseDocument(await source.text(file), { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new DatasetFormatError(file, e.message.split('\n')[0]!, { line: e.linePos?.[0]?.line });
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (e) {
    throw new DatasetFormatError(file, e instanceof Error ? e.message : String(e));
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new DatasetFormatError(file, 'the file is not a mapping of settings');
  }
  const config = data as Record<string, unknown>;
  const classes = new Map<number, string>();
  const names: string[] = [];
  const addName = (id: number, value: unknown, path: string) => {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new DatasetFormatError(file, 'label names must be strings', { path });
    }
    const name = String(value);
    if (names.includes(name)) throw new DatasetFormatError(file, `label "${name}" is listed twice`, { path });
    classes.set(id, name);
    names.push(name);
  };
  const raw = config.names;
  if (Array.isArray(raw)) raw.forEach((v, i) => addName(i, v, `names[${i}]`));
  else if (raw !== null && typeof raw === 'object') {
    const entries = Object.entries(raw as Record<string, unknown>).map(([k, v]) => {
      if (!/^\d+$/.test(k)) throw new DatasetFormatError(file, `class id "${k}" is not a non-negative integer`, { path: `names.${k}` });
      return [Number(k), v] as const;
    });
    // Classes in id order, as Datumaro sorts them.
    for (const [id, v] of entries.sort((a, b) => a[0] - b[0])) addName(id, v, `names.${id}`);
  } else throw new DatasetFormatError(file, 'no "names": the labels are not declared', { path: 'names' });
  return { file, root: dirname(file), data: config, classes, names };
}

function poseLayout(config: Config, ctx: PoseImportContext): PoseLayout {
  const shape = config.data.kpt_shape;
  if (
    !Array.isArray(shape) || shape.length !== 2 || !Number.isInteger(shape[0]) || (shape[0] as number) < 0 ||
    (shape[1] !== 2 && shape[1] !== 3)
  ) {
    throw new DatasetFormatError(config.file, 'kpt_shape must be [number of points, 2 or 3]', { path: 'kpt_shape' });
  }
  const points = shape[0] as number;
  const flip = config.data.flip_idx;
  if (flip !== undefined && (!Array.isArray(flip) || flip.length !== points || !flip.every((i) => Number.isInteger(i) && i >= 0 && i < points))) {
    throw new DatasetFormatError(config.file, `flip_idx must list ${points} point indexes`, { path: 'flip_idx' });
  }
  const task = skeletonPoints(ctx.labels ?? []);
  const sublabels = new Map<string, string[]>();
  for (const name of config.names) {
    if (task.size === 0) {
      sublabels.set(name, Array.from({ length: points }, (_, i) => `${name}_point_${i}`));
      continue;
    }
    const own = task.get(name);
    if (!own) throw new DatasetFormatError(config.file, `"${name}" is not a skeleton label of the task`, { path: 'names' });
    if (own.length > points) {
      throw new DatasetFormatError(config.file, `skeleton "${name}" has ${own.length} points, more than kpt_shape's ${points}`, { path: 'kpt_shape' });
    }
    sublabels.set(name, own);
  }
  return { points, dims: shape[1] as 2 | 3, sublabels };
}

/** labels/... for images/... : the "images" folder among the first two swapped for "labels". */
function labelPathOf(image: string): string | null {
  const parts = image.split('/');
  if (parts.length < 3) return null;
  const at = parts[1] === 'images' ? 1 : parts[0] === 'images' ? 0 : -1;
  if (at < 0) return null;
  parts[at] = 'labels';
  const last = parts.length - 1;
  const dot = parts[last]!.lastIndexOf('.');
  parts[last] = `${dot > 0 ? parts[last]!.slice(0, dot) : parts[last]}.txt`;
  return parts.join('/');
}

/** Image paths (relative to the root) of one subset, each with the file and line that lists it. */
async function subsetImages(
  source: ImportSource, config: Config, subset: string, value: unknown,
): Promise<Array<{ image: string; file: string; line?: number; labels?: string }> | null> {
  const at = (p: string) => joinPath(config.root, p);
  const rel = (p: string) => (config.root ? p.slice(config.root.length + 1) : p);
  if (Array.isArray(value)) {
    return value.filter((v): v is string => typeof v === 'string').map((v) => ({ image: localizePath(v), file: config.file }));
  }
  if (typeof value !== 'string') return null;
  // Roboflow writes paths relative to a folder above the dataset ("../train/images").
  const target = localizePath(value).replace(/^(\.\.\/)+/, '');
  if (target.toLowerCase().endsWith('.txt')) {
    const list = at(target);
    if (!source.paths().includes(list)) {
      throw new DatasetFormatError(config.file, `image list ${list} of subset "${subset}" is missing`, { path: subset });
    }
    return [...textLines(await source.text(list))].map(({ line, text }) => ({ image: localizePath(text), file: list, line }));
  }
  const dir = `${at(target)}/`;
  const images = source.paths().filter((p) => p.startsWith(dir) && isImagePath(p));
  if (images.length > 0) return images.map((p) => ({ image: rel(p), file: p }));
  // Labels uploaded without their images: the label files stand for them.
  const labelsDir = labelPathOf(`${target}/x`);
  const labelDir = labelsDir ? `${at(dirname(labelsDir))}/` : null;
  const labels = labelDir ? source.paths().filter((p) => p.startsWith(labelDir) && p.endsWith('.txt')) : [];
  if (labels.length === 0) {
    throw new DatasetFormatError(config.file, `subset "${subset}" has no images or labels in ${target}`, { path: subset });
  }
  return labels.map((p) => ({ image: `${target}/${p.slice(labelDir!.length, -4)}`, file: p, labels: p }));
}

function makeImport(variant: Variant) {
  return async (source: ImportSource, ctx: PoseImportContext): Promise<ParsedDataset> => {
    const config = await readConfig(source);
    const pose = variant.pose ? poseLayout(config, ctx) : null;
    const paths = new Set(source.paths());
    const frames = new FrameCollector(ctx.images);
    const read = new Set<string>();
    for (const [subset, value] of Object.entries(config.data)) {
      if (RESERVED.includes(subset)) continue;
      const items = await subsetImages(source, config, subset, value);
      if (!items) continue;
      for (const { image, file, line, labels } of items) {
        const labelRel = labelPathOf(image);
        if (!labelRel) {
          throw new DatasetFormatError(file, `image "${image}" is not inside an images/<subset> or <subset>/images folder`, { line });
        }
        const labelFile = labels ?? joinPath(config.root, labelRel);
        const hasLabels = paths.has(labelFile);
        const frame = frames.frame(image, subset, hasLabels ? labelFile : file);
        if (!hasLabels || read.has(labelFile)) continue;
        read.add(labelFile);
        const { width, height } = frame.image;
        for (const { line: n, fields } of textLines(await source.text(labelFile))) {
          const lineCtx = { file: labelFile, line: n, fields, width, height, classes: config.classes, classesFile: config.file };
          frame.shapes.push(variant.read(lineCtx, pose));
        }
      }
    }
    const labels: DatasetLabel[] = config.names.map((name) => {
      const sub = pose?.sublabels.get(name);
      return sub
        ? { name, type: 'skeleton', attributes: [], sublabels: sub.map((s) => ({ name: s, type: 'points', attributes: [] })) }
        : { name, type: 'any', attributes: [] };
    });
    return { labels, frames: frames.frames(), tracks: [] };
  };
}

function codec(variant: Variant): FormatCodec {
  return { name: variant.name, ext: 'ZIP', dimension: '2d', export: makeExport(variant), import: makeImport(variant) };
}

const allLabels = (labels: readonly DatasetLabel[]) => [...labels];

export const ultralyticsDetectionFormat = codec({
  name: 'Ultralytics YOLO Detection 1.0',
  classes: allLabels,
  write: boxLine,
  read: (ctx) => parseBoxLine(ctx, true),
  pose: false,
});

export const ultralyticsSegmentationFormat = codec({
  name: 'Ultralytics YOLO Segmentation 1.0',
  classes: allLabels,
  write: polygonLine,
  read: (ctx) => parsePolygonLine(ctx),
  pose: false,
});

export const ultralyticsObbFormat = codec({
  name: 'Ultralytics YOLO Oriented Bounding Boxes 1.0',
  classes: allLabels,
  write: obbLine,
  read: (ctx) => parseObbLine(ctx),
  pose: false,
});

export const ultralyticsPoseFormat = codec({
  name: 'Ultralytics YOLO Pose 1.0',
  classes: (labels) => labels.filter((l) => l.type === 'skeleton'),
  write: poseLine,
  read: (ctx, pose) => parsePoseLine(ctx, pose!),
  pose: true,
});
