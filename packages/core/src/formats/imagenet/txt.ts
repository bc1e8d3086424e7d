/**
 * ImageNet as text (Datumaro's "imagenet_txt", CVAT's ImageNet export without images):
 * `<subset>.txt` with a line `<image> <class> <class> ...` per image (the name quoted when it has
 * spaces, class numbers ascending) and `synsets.txt` with the label names, one per line, in the
 * task's order (a skeleton's points after it).
 *
 * Import: every `.txt` at the archive root is a subset except the label list: `synsets.txt`, else
 * a single `synsets*.txt`; without any, labels are generated as class-0, class-1, ... up to the
 * highest number used (Datumaro's "generate" mode). A class number the list does not have, a
 * negative or non-integer one, is an error naming the line.
 */
import { ImageMatcher, stripExtension } from '../match.js';
import {
  DatasetFormatError, type ExportContext, type ExportInput, type ExportSink, type FrameAnnotations, type ImportContext,
  type ImportSource, type ParsedDataset,
} from '../model.js';
import { categoryNames } from '../voc/attributes.js';
import { itemNames, subsetOrDefault } from '../voc/layout.js';
import { reportUntagged } from './folder.js';

export const LABELS_FILE = 'synsets.txt';

export async function exportText(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const names = categoryNames(input.labels);
  const index = new Map(names.map((n, i) => [n, i]));
  const subsets = new Map<string, Map<string, string>>();
  for await (const frame of input.frames) {
    const item = itemNames(frame.image);
    reportUntagged(frame, index, ctx);
    const classes = [...new Set(frame.tags.filter((t) => index.has(t.label)).map((t) => index.get(t.label)!))].sort((a, b) => a - b);
    const quoted = item.id.trim().split(/\s+/).length > 1 ? `"${item.id}"` : item.id;
    const key = quoted + item.file.slice(item.id.length);
    let lines = subsets.get(item.subset);
    if (!lines) subsets.set(item.subset, (lines = new Map()));
    if (lines.has(key)) ctx.report.dropped('images with the same name as an earlier one', frame.image.frame, `"${key}" is already listed`);
    lines.set(key, classes.join(' '));
  }
  for (const [subset, lines] of subsets) {
    await sink.file(`${subset}.txt`, [...lines].map(([k, v]) => `${k} ${v}\n`).join(''));
  }
  await sink.file(LABELS_FILE, names.map((n) => `${n}\n`).join(''));
}

export async function importText(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const rootTxt = source.paths().filter((p) => !p.includes('/') && p.toLowerCase().endsWith('.txt'));
  const synsets = rootTxt.filter((p) => /^synsets.*\.txt$/i.test(p));
  const labelsFile = rootTxt.includes(LABELS_FILE) ? LABELS_FILE : synsets.length === 1 ? synsets[0] : undefined;
  const generate = labelsFile === undefined;
  const labels = labelsFile === undefined ? [] : parseLabels(labelsFile, await source.text(labelsFile));
  const matcher = new ImageMatcher(ctx.images);
  const frames: FrameAnnotations[] = [];
  for (const file of rootTxt) {
    if (file === labelsFile) continue;
    const subset = subsetOrDefault(stripExtension(file));
    // Later lines for the same image replace earlier ones, in the earlier one's place.
    const items = new Map<string, FrameAnnotations>();
    (await source.text(file)).split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      const { name, classes } = parseLine(file, line, i + 1);
      for (const c of classes) {
        if (c >= labels.length) {
          if (!generate) throw new DatasetFormatError(file, `class ${c} is beyond the ${labels.length} labels of ${labelsFile}`, { line: i + 1 });
          while (labels.length <= c) labels.push(`class-${labels.length}`);
        }
      }
      const match = matcher.match(name);
      items.set(stripExtension(name), {
        image: { frame: -1, name, width: match?.width ?? 0, height: match?.height ?? 0, ...(subset !== undefined ? { subset } : {}) },
        shapes: [],
        tags: classes.map((c) => ({ label: labels[c]!, group: 0, source: 'file', attributes: {} })),
      });
    });
    frames.push(...items.values());
  }
  return { labels: labels.map((name) => ({ name, type: 'any', attributes: [] })), frames, tracks: [] };
}

function parseLabels(file: string, text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l, i) => {
    const name = l.trim();
    if (!name) throw new DatasetFormatError(file, 'empty label name', { line: i + 1 });
    return name;
  });
}

/** `<image> <class>...`, or `"<image id with spaces>"<ext> <class>...`. */
function parseLine(file: string, line: string, n: number): { name: string; classes: number[] } {
  let name: string, rest: string[];
  const quoted = line.split('"');
  if (quoted.length === 3) {
    const after = quoted[2]!;
    const ext = /^\S*/.exec(after)![0];
    name = quoted[1]! + ext;
    rest = after.slice(ext.length).trim().split(/\s+/).filter(Boolean);
  } else if (quoted.length === 1) {
    [name, ...rest] = line.trim().split(/\s+/) as [string, ...string[]];
  } else {
    throw new DatasetFormatError(file, 'unexpected number of quotes in the image name, expected 0 or 2', { line: n });
  }
  const classes = rest.map((t) => {
    if (!/^\d+$/.test(t)) throw new DatasetFormatError(file, `class "${t}" is not a non-negative whole number`, { line: n });
    return Number(t);
  });
  return { name, classes };
}
