/**
 * CamVid 1.0 import, as CVAT reads it (Datumaro's "camvid" extractor):
 *
 * - Every .txt file but label_colors.txt, at the shallowest folder depth that has any, is a
 *   subset list named by the file ("default" is no subset). A line is "<image> [<mask>]", or both
 *   paths in double quotes; the image path's first folder is the subset's, the rest without
 *   extension is the item. Mask paths are relative to the list's folder (a leading "/" ignored).
 * - label_colors.txt beside the list gives the classes in order, else CamVid's 32 classes; the
 *   background (the black label, else "background", added when missing) is class 0.
 * - A mask PNG's colours map to classes through the label colours (a gray PNG's values are the
 *   class numbers); a colour no class has is an error naming the pixel. Each class present is one
 *   mask, but the background, which is what no object covers (kept when the task has a label of
 *   its name).
 * - A repeated item keeps its first position and its last line, as Datumaro's item dict does.
 */
import { bitmapToCvatMask, bitmapValues } from '../mask.js';
import { stripExtension } from '../match.js';
import { DatasetFormatError, type FrameAnnotations, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { LabelCollector } from '../voc/attributes.js';
import { decodeNumbers } from '../voc/decode.js';
import { vocCategories, withBackgroundFirst, type VocLabelMap } from '../voc/labelmap.js';
import { maskShape } from '../cityscapes/id-masks.js';
import { FrameBuilder, classLabel, declareLabels, subsetOf } from '../cityscapes/import-common.js';
import { LABEL_COLORS_FILE, parseLabelColors } from '../cityscapes/label-colors.js';
import { CAMVID_LABELS } from './labels.js';

function listFiles(paths: readonly string[]): string[] {
  const lists = paths.filter((p) => p.endsWith('.txt') && p.slice(p.lastIndexOf('/') + 1) !== LABEL_COLORS_FILE);
  const depth = (p: string) => p.split('/').length;
  const min = Math.min(...lists.map(depth));
  return lists.filter((p) => depth(p) === min);
}

/** Datumaro's _parse_annotation_line: the image path and the mask path, if any. */
function parseLine(file: string, raw: string, line: number): [string, string | undefined] {
  const text = raw.trim();
  const quoted = text.split('"');
  if (quoted.length > 1) {
    if (quoted.length !== 5) throw new DatasetFormatError(file, 'expected "<image>" "<mask>" with both paths in quotes', { line });
    return [quoted[1]!, quoted[3] || undefined];
  }
  const fields = text.split(/\s+/);
  return [fields[0]!, fields[1]];
}

export async function importCamvid(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const has = new Set(paths);
  const lists = listFiles(paths);
  if (!lists.length) throw new DatasetFormatError(paths[0] ?? 'upload', 'no subset list (<subset>.txt) found');
  const labels = new LabelCollector();
  const frames = new FrameBuilder(ctx);

  for (const list of lists) {
    const dir = list.slice(0, list.lastIndexOf('/') + 1);
    const colorsPath = `${dir}${LABEL_COLORS_FILE}`;
    const declared: VocLabelMap = has.has(colorsPath)
      ? parseLabelColors(colorsPath, await source.text(colorsPath))
      : new Map(CAMVID_LABELS.map(([n, c]) => [n, { color: c, parts: [], actions: [] }]));
    const cats = vocCategories(withBackgroundFirst(declared));
    declareLabels(labels, cats, new Set(declared.keys()));
    const subset = subsetOf(list.slice(dir.length, -'.txt'.length));
    const items = new Map<string, FrameAnnotations>();

    const lines = (await source.text(list)).split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.trim()) continue;
      const [image, mask] = parseLine(list, lines[i]!, i + 1);
      const parts = image.replace(/^\//, '').split('/');
      const rel = parts.length > 1 ? parts.slice(1).join('/') : parts[0]!;
      const id = stripExtension(rel);
      let frame: FrameAnnotations;
      if (mask === undefined) frame = frames.make(rel, subset);
      else {
        const maskPath = `${dir}${mask.replace(/^\/+/, '')}`;
        if (!has.has(maskPath)) throw new DatasetFormatError(list, `mask "${mask}" is not in the archive`, { line: i + 1 });
        const classes = await decodeNumbers(ctx.raster, maskPath, await source.bytes(maskPath), cats.byColor);
        frame = frames.make(rel, subset, classes);
        const present = bitmapValues(classes);
        if (classes.data.includes(0)) present.unshift(0);
        for (const cls of present) {
          const label = classLabel(cats, cls, maskPath, ctx);
          if (label !== null) frame.shapes.push(maskShape(label, bitmapToCvatMask(classes, cls)!));
        }
      }
      const earlier = items.get(id);
      if (earlier) Object.assign(earlier, frame);
      else {
        items.set(id, frame);
        frames.frames.push(frame);
      }
    }
  }
  return { labels: labels.result(), frames: frames.frames, tracks: [] };
}
