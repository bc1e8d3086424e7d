/**
 * ICDAR Segmentation 1.0 export (Datumaro's icdar_text_segmentation): per image
 * `<subset>/<id>_GT.txt`, a line per character mask, `R G B cx cy x0 y0 x1 y1 "c"` (its color in
 * the mask image, its "center", the mask's pixel bounds, its "text"), words separated by a blank
 * line; `<subset>/<id>_GT.bmp`, the masks painted in their colors on white (24-bit BMP, as OpenCV
 * writes it); images at `<subset>/images/<name>`.
 *
 * Rectangles, polygons and masks become masks (CVAT's boxes_to_masks and polygons_to_masks; rotated
 * boxes through their corners), ordered by the "index" attribute; "color" ("R G B") is kept when
 * valid, else a free VOC color is taken; "center" defaults to "- -"; a text of one space is
 * written with the line starting with "#", as ICDAR does.
 *
 * Differences from CVAT, which merges the masks of a group into one (losing every character of a
 * word but one): each shape stays a mask and groups mark words; a group of one mask is written as
 * ungrouped, which is how it reads back. Reported: other shapes and tags, masks with no pixel in
 * the image, texts and centers the line cannot hold, attributes the format has no place for,
 * labels (the files name none), pixels two masks share (the later one keeps them).
 */
import { paintCvatMask } from '../mask.js';
import type { DatasetShape, ExportContext, ExportInput, ExportSink } from '../model.js';
import { shapeAttributes } from '../voc/attributes.js';
import { vocColormap, type Rgb } from '../voc/colormap.js';
import { pyIntOr, pyStr, type PyValue } from '../voc/pyformat.js';
import { fillPolygon, rotatedBoxPolygon } from '../voc/rasterize.js';
import { encodeBmp } from './bmp.js';
import { ICDAR_LABEL, IMAGES_DIR, icdarItem } from './common.js';

const KNOWN = new Set(['index', 'color', 'text', 'center', 'occluded', 'rotation', 'track_id', 'keyframe']);
const WHITE: Rgb = [255, 255, 255];

interface Segment {
  shape: DatasetShape;
  attributes: Map<string, PyValue>;
  bitmap: Uint8Array;
  group: number;
}

export async function exportSegmentation(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const labels = new Map(input.labels.map((l) => [l.name, l]));
  for await (const frame of input.frames) {
    const f = frame.image.frame;
    const item = icdarItem(frame.image);
    const { width, height } = frame.image;
    if (input.saveImages) await sink.image(frame.image, `${item.subset}/${IMAGES_DIR}/${item.file}`);
    frame.tags.forEach(() => ctx.report.dropped('tags', f, 'ICDAR Segmentation holds character masks only'));

    let segments: Segment[] = [];
    for (const s of frame.shapes) {
      if (s.type !== 'rectangle' && s.type !== 'polygon' && s.type !== 'mask') {
        ctx.report.dropped(`${s.type} shapes`, f, 'ICDAR Segmentation holds masks (and boxes and polygons drawn as masks) only');
        continue;
      }
      if (width <= 0 || height <= 0) {
        ctx.report.dropped(`${s.type} shapes`, f, 'the image size is unknown, so no mask can be drawn');
        continue;
      }
      const bitmap = draw(s, width, height);
      if (!bitmap.some((v) => v)) {
        ctx.report.dropped('masks with no pixel in the image', f, 'an empty mask has no color in the mask image');
        continue;
      }
      if (s.type !== 'mask') ctx.report.converted(s.type === 'polygon' ? 'polygons' : 'rectangles', f, 'drawn as masks');
      if (s.label !== ICDAR_LABEL) ctx.report.converted('labels', f, `ICDAR files name no labels: "${s.label}" reads back as "${ICDAR_LABEL}"`);
      const attributes = shapeAttributes(s, labels.get(s.label));
      for (const [k, v] of attributes) if (!KNOWN.has(k) && pyStr(v) !== '') ctx.report.dropped('attribute values', f, `"${k}" has no place in ICDAR Segmentation`);
      segments.push({ shape: s, attributes, bitmap, group: s.group });
    }
    // A word of one character is no word: such groups read back as ungrouped.
    const sizes = new Map<number, number>();
    for (const s of segments) sizes.set(s.group, (sizes.get(s.group) ?? 0) + 1);
    for (const s of segments) if (s.group && sizes.get(s.group) === 1) s.group = 0;
    segments = segments.map((s, i) => ({ s, i, key: pyIntOr(s.attributes.get('index'), 0) }))
      .sort((a, b) => a.key - b.key || a.i - b.i).map((x) => x.s);

    const palette = colors(segments, f, ctx);
    const base = `${item.subset}/${item.id}_GT`;
    await sink.file(`${base}.txt`, lines(segments, palette, width, f, ctx));
    if (segments.length) await sink.file(`${base}.bmp`, paint(segments, palette, width, height, f, ctx));
  }
}

function draw(s: DatasetShape, width: number, height: number): Uint8Array {
  const bitmap = new Uint8Array(width * height);
  if (s.type === 'mask') paintCvatMask(s.points, bitmap, width, height, 1);
  else if (s.type === 'polygon') fillPolygon(s.points, width, height, bitmap, 1);
  else {
    const [x0, y0, x1, y1] = s.points as [number, number, number, number];
    fillPolygon(s.rotation ? rotatedBoxPolygon(x0, y0, x1, y1, s.rotation) : [x0, y0, x1, y0, x1, y1, x0, y1], width, height, bitmap, 1);
  }
  return bitmap;
}

/** Colors by segment: the "color" attribute when valid, else the next unused VOC color. */
function colors(segments: readonly Segment[], frame: number, ctx: ExportContext): Rgb[] {
  const used = new Set([WHITE.join(' ')]);
  let bank = vocColormap(segments.length + 1).slice(1);
  let next = 0;
  return segments.map((s) => {
    const given = s.attributes.get('color');
    const text = given ? pyStr(given) : '';
    if (text) {
      const parts = text.trim().split(/\s+/).map(Number);
      if (parts.length === 3 && parts.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
        used.add(parts.join(' '));
        return parts as unknown as Rgb;
      }
      ctx.report.converted('mask colors that are not "R G B"', frame, `"${text}" replaced by a free color`);
    }
    for (;;) {
      if (next >= bank.length) bank = vocColormap(bank.length * 2 + 1).slice(1);
      const c = bank[next++]!;
      if (!used.has(c.join(' '))) {
        used.add(c.join(' '));
        return c;
      }
    }
  });
}

function lines(segments: readonly Segment[], palette: readonly Rgb[], width: number, frame: number, ctx: ExportContext): string {
  let out = '';
  let group = segments[0]?.group ?? 0;
  segments.forEach((s, i) => {
    if (s.group !== group || (!s.group && segments[0]!.group !== 0)) out += '\n';
    let text = s.attributes.get('text') ? pyStr(s.attributes.get('text')!) : '';
    if (text !== ' ' && /[\s"]/.test(text)) {
      ctx.report.dropped('texts with whitespace or a double quote', frame, 'the line could not be read back; written as ""');
      text = '';
    }
    let center = s.attributes.get('center') ? pyStr(s.attributes.get('center')!) : '';
    if (center === '') center = '- -';
    else if (center.trim().split(/\s+/).length !== 2) {
      ctx.report.dropped('centers that are not two values', frame, `"${center}" written as "- -"`);
      center = '- -';
    }
    const [x0, y0, x1, y1] = bounds(s.bitmap, width);
    out += `${text === ' ' ? '#' : ''}${palette[i]!.join(' ')} ${center.trim().split(/\s+/).join(' ')} ${x0} ${y0} ${x1} ${y1} "${text}"\n`;
    group = s.group;
  });
  return out;
}

/** Datumaro's find_mask_bbox, as corners: the first and last columns and rows with pixels. */
function bounds(bitmap: Uint8Array, width: number): [number, number, number, number] {
  const height = bitmap.length / width;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!bitmap[y * width + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return [x0, y0, x1, y1];
}

function paint(segments: readonly Segment[], palette: readonly Rgb[], width: number, height: number, frame: number, ctx: ExportContext): Uint8Array {
  const owner = new Int32Array(width * height).fill(-1);
  // Datumaro paints by z order, later over earlier.
  const order = segments.map((s, i) => ({ s, i })).sort((a, b) => a.s.shape.z_order - b.s.shape.z_order || a.i - b.i);
  let shared = false;
  for (const { s, i } of order) {
    s.bitmap.forEach((v, p) => {
      if (!v) return;
      if (owner[p]! >= 0) shared = true;
      owner[p] = i;
    });
  }
  if (shared) ctx.report.converted('pixels of two masks', frame, 'the mask painted later keeps them');
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const c = owner[p]! >= 0 ? palette[owner[p]!]! : WHITE;
    rgb[p * 3] = c[0];
    rgb[p * 3 + 1] = c[1];
    rgb[p * 3 + 2] = c[2];
  }
  return encodeBmp(width, height, rgb);
}
