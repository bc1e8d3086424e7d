/**
 * ICDAR Segmentation import, as Datumaro reads it for CVAT: each `<subset>/<id>_GT.txt` line
 * gives a character's color, center and text; `<id>_GT.bmp` (a BMP, or a PNG under that name as
 * OpenCV reads either) is decoded by color, each color present becoming a mask labelled "icdar"
 * with "index" (its line, from 0), "color", "text" and "center" attributes. Characters of a word
 * (lines between blank lines) share a group when the word has more than one. White is the
 * background unless a line claims it; a color no line names is an error. Masks stay masks (CVAT
 * turns them into polygons unless told not to).
 */
import { ImageMatcher, stripExtension } from '../match.js';
import { bitmapToCvatMask } from '../mask.js';
import { DatasetFormatError, type DatasetShape, type FrameAnnotations, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { LabelCollector, collapseGroups } from '../voc/attributes.js';
import { parseIntField } from '../yolo/numbers.js';
import { decodeBmp } from './bmp.js';
import { ICDAR_LABEL, IMAGES_DIR, splitSubset, subsetField } from './common.js';

interface Character {
  color: [number, number, number];
  center: string;
  text: string;
  group: number;
}

export async function importSegmentation(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const files = paths.filter((p) => p.toLowerCase().endsWith('.txt') && p.includes('/') && !p.split('/').slice(1, -1).includes(IMAGES_DIR));
  if (files.length === 0) throw new DatasetFormatError('<image>_GT.txt', 'no annotation files (<subset>/<image>_GT.txt)');
  const has = new Set(paths);
  const images = new Map<string, string>();
  for (const p of paths) {
    const { subset, rest } = splitSubset(p);
    if (rest.startsWith(`${IMAGES_DIR}/`)) images.set(`${subset}/${stripExtension(rest.slice(IMAGES_DIR.length + 1))}`, rest.slice(IMAGES_DIR.length + 1));
  }
  const matcher = new ImageMatcher(ctx.images);
  const collector = new LabelCollector();
  collector.declare(ICDAR_LABEL);
  const frames: FrameAnnotations[] = [];
  for (const file of files) {
    const { subset, rest } = splitSubset(file);
    let id = stripExtension(rest);
    if (id.endsWith('_GT')) id = id.slice(0, -3);
    const chars = characters(file, await source.text(file));
    const name = images.get(`${subset}/${id}`) ?? `${id}.png`;
    const match = matcher.match(name);
    let size = { width: match?.width ?? 0, height: match?.height ?? 0 };
    const shapes: DatasetShape[] = [];
    const groups: number[] = [];
    const gtPath = `${file.slice(0, -rest.length)}${id}_GT.bmp`;
    if (has.has(gtPath)) {
      const { width, height, rgb } = await readColors(source, gtPath, ctx);
      size = { width, height };
      // Later lines win a color two lines name, as Datumaro's inverse colormap does.
      const byColor = new Map<number, number>([[0xffffff, 0]]);
      chars.forEach((c, i) => byColor.set((c.color[0] << 16) | (c.color[1] << 8) | c.color[2], i + 1));
      const classes = new Uint8Array(width * height);
      const classOf = new Int32Array(width * height);
      for (let p = 0; p < width * height; p++) {
        const key = (rgb[p * 3]! << 16) | (rgb[p * 3 + 1]! << 8) | rgb[p * 3 + 2]!;
        const c = byColor.get(key);
        if (c === undefined) throw new DatasetFormatError(gtPath, `pixel (${p % width}, ${Math.floor(p / width)}) has color ${rgb[p * 3]} ${rgb[p * 3 + 1]} ${rgb[p * 3 + 2]}, which ${file} does not name`);
        classOf[p] = c;
      }
      const present = [...new Set(classOf)].filter((c) => c !== 0).sort((a, b) => a - b);
      for (const c of present) {
        classes.fill(0);
        classOf.forEach((v, p) => (classes[p] = v === c ? 1 : 0));
        const points = bitmapToCvatMask({ width, height, data: classes });
        if (!points) continue;
        const ch = chars[c - 1]!;
        const attributes = { index: String(c - 1), color: ch.color.join(' '), text: ch.text, center: ch.center };
        collector.attributes(ICDAR_LABEL, attributes);
        shapes.push({ type: 'mask', label: ICDAR_LABEL, group: 0, source: 'file', attributes, points, rotation: 0, occluded: false, outside: false, z_order: 0 });
        groups.push(ch.group);
      }
    }
    collapseGroups(groups).forEach((g, i) => (shapes[i]!.group = g));
    frames.push({ image: { frame: -1, name, ...size, ...subsetField(subset) }, shapes, tags: [] });
  }
  return { labels: collector.result(), frames, tracks: [] };
}

/** The lines of a _GT.txt, with Datumaro's word groups (0 for a word of one character). */
function characters(file: string, text: string): Character[] {
  const out: Character[] = [];
  let group = 1, inGroup = 0;
  const endWord = () => {
    if (inGroup === 1) out[out.length - 1]!.group = 0;
    else if (inGroup > 1) group++;
    inGroup = 0;
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') {
      // Datumaro counts a blank line after a blank line as a new (empty) word too.
      if (inGroup === 0) group++;
      else endWord();
      return;
    }
    let fields = line.split(/\s+/);
    if (fields[0]!.startsWith('#')) {
      // A text of one space: `#R G B ... " "` splits into 11 fields.
      if (fields.length !== 11) throw new DatasetFormatError(file, `${fields.length} fields; expected #R G B cx cy x0 y0 x1 y1 " "`, { line: i + 1 });
      fields[0] = fields[0]!.slice(1);
      fields = [...fields.slice(0, 9), '" "'];
    }
    if (fields.length !== 10) throw new DatasetFormatError(file, `${fields.length} fields; expected R G B cx cy x0 y0 x1 y1 "char"`, { line: i + 1 });
    const at = { file, line: i + 1 };
    const color = fields.slice(0, 3).map((v, k) => {
      const n = parseIntField(v, ['red', 'green', 'blue'][k]!, at);
      if (n < 0 || n > 255) throw new DatasetFormatError(file, `color value ${n} is outside 0..255`, at);
      return n;
    }) as [number, number, number];
    let char = fields[9]!;
    if (char.length >= 2 && char.startsWith('"') && char.endsWith('"')) char = char.slice(1, -1);
    out.push({ color, center: `${fields[3]} ${fields[4]}`, text: char, group });
    inGroup++;
  });
  if (inGroup === 1) out[out.length - 1]!.group = 0;
  return out;
}

async function readColors(source: ImportSource, path: string, ctx: ImportContext): Promise<{ width: number; height: number; rgb: Uint8Array }> {
  const bytes = await source.bytes(path);
  const bmp = decodeBmp(bytes);
  if (bmp) return bmp;
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    const r = await ctx.raster.decodePng(bytes);
    const rgb = new Uint8Array(r.width * r.height * 3);
    for (let p = 0; p < r.width * r.height; p++) {
      for (let c = 0; c < 3; c++) rgb[p * 3 + c] = r.data[p * r.channels + (r.channels < 3 ? 0 : c)]!;
    }
    return { width: r.width, height: r.height, rgb };
  }
  throw new DatasetFormatError(path, 'not an uncompressed 24- or 32-bit BMP (or a PNG)');
}
