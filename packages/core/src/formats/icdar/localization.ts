/**
 * ICDAR Localization 1.0 (Datumaro's icdar_text_localization): per image
 * `<subset>/<dirs>/gt_<name>.txt`, a line per text region: a box as `x0 y0 x1 y1 "text"` or a
 * quadrilateral (polygon) as `x1,y1,...,x4,y4,"text"`; images at `<subset>/images/<name>`.
 *
 * Export: rectangles and polygons, numbers as Python prints floats, the "text" attribute in
 * quotes when it is not empty (CVAT also writes `""`, which reads back as no text). Reported: other shapes, tags, rotation (boxes are written
 * unrotated, as CVAT does), texts with a double quote, labels (the file names none). Unlike
 * Datumaro, dropped objects leave no empty line behind.
 * Import: every region is labelled "icdar" (CVAT's label for ICDAR objects), its text a "text"
 * attribute; polygons of other than 4 points are read as Datumaro reads them (first 8 numbers).
 */
import { ImageMatcher, stripExtension } from '../match.js';
import { DatasetFormatError, type DatasetShape, type ExportContext, type ExportInput, type ExportSink, type FrameAnnotations, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { pyFloat } from '../voc/pyformat.js';
import { parseFloatField } from '../yolo/numbers.js';
import { ICDAR_LABEL, IMAGES_DIR, icdarItem, splitSubset, subsetField, textOf } from './common.js';

export async function exportLocalization(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const labels = new Map(input.labels.map((l) => [l.name, l]));
  for await (const frame of input.frames) {
    const f = frame.image.frame;
    const item = icdarItem(frame.image);
    if (input.saveImages) await sink.image(frame.image, `${item.subset}/${IMAGES_DIR}/${item.file}`);
    frame.tags.forEach(() => ctx.report.dropped('tags', f, 'ICDAR Localization holds text regions only'));
    let text = '';
    for (const s of frame.shapes) {
      if (s.type !== 'rectangle' && s.type !== 'polygon') {
        ctx.report.dropped(`${s.type} shapes`, f, 'ICDAR Localization holds boxes and polygons only');
        continue;
      }
      if (s.label !== ICDAR_LABEL) ctx.report.converted('labels', f, `ICDAR files name no labels: "${s.label}" reads back as "${ICDAR_LABEL}"`);
      // An empty text reads back as none, so it is not written (CVAT writes "").
      let caption = textOf(s, labels, true) || undefined;
      if (caption !== undefined && /["\r\n]/.test(caption)) {
        ctx.report.dropped('texts with a double quote or a line break', f, 'they would not read back; the region is written without text');
        caption = undefined;
      }
      if (s.type === 'rectangle') {
        if (s.rotation) ctx.report.converted('rotated rectangles', f, 'written unrotated: ICDAR boxes have no angle');
        // Datumaro's Bbox.points: x, y, x + w, y + h with w = x1 - x0.
        const [x0, y0, x1, y1] = s.points as [number, number, number, number];
        text += [x0, y0, x0 + (x1 - x0), y0 + (y1 - y0)].map(pyFloat).join(' ');
        if (caption !== undefined) text += ` "${caption}"`;
      } else {
        if (s.points.length !== 8) ctx.report.converted('polygons of other than 4 points', f, 'written whole; readers take the first 4 points');
        text += s.points.map(pyFloat).join(',');
        if (caption !== undefined) text += `,"${caption}"`;
      }
      text += '\n';
    }
    const dir = item.id.includes('/') ? `${item.id.slice(0, item.id.lastIndexOf('/'))}/` : '';
    await sink.file(`${item.subset}/${dir}gt_${item.id.slice(dir.length)}.txt`, text);
  }
}

export async function importLocalization(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const files = source.paths().filter((p) => p.toLowerCase().endsWith('.txt') && p.includes('/') && !p.split('/').slice(1, -1).includes(IMAGES_DIR));
  if (files.length === 0) throw new DatasetFormatError('gt_<image>.txt', 'no annotation files (<subset>/gt_<image>.txt)');
  const images = imageNames(source.paths());
  const matcher = new ImageMatcher(ctx.images);
  const items = new Map<string, FrameAnnotations>();
  let anyText = false;
  for (const file of files) {
    const { subset, rest } = splitSubset(file);
    let id = stripExtension(rest);
    const slash = id.lastIndexOf('/');
    if (id.slice(slash + 1).startsWith('gt_')) id = id.slice(0, slash + 1) + id.slice(slash + 4);
    const name = images.get(`${subset}/${id}`) ?? `${id}.png`;
    let frame = items.get(`${subset}/${id}`);
    if (!frame) {
      const match = matcher.match(name);
      frame = { image: { frame: -1, name, width: match?.width ?? 0, height: match?.height ?? 0, ...subsetField(subset) }, shapes: [], tags: [] };
      items.set(`${subset}/${id}`, frame);
    }
    const shapes = frame.shapes;
    (await source.text(file)).split(/\r?\n/).forEach((raw, i) => {
      const s = regionLine(file, i + 1, raw.trim());
      if (!s) return;
      if (s.attributes.text !== undefined) anyText = true;
      shapes.push(s);
    });
  }
  const attributes = anyText ? [{ name: 'text', mutable: false, input_type: 'text' as const, default_value: '', values: [] }] : [];
  return { labels: [{ name: ICDAR_LABEL, type: 'any', attributes }], frames: [...items.values()], tracks: [] };
}

function regionLine(file: string, line: number, text: string): DatasetShape | null {
  if (text === '') return null;
  const quoted = text.split('"');
  if (quoted.length !== 1 && quoted.length !== 3) throw new DatasetFormatError(file, 'expected one text in double quotes', { line });
  let caption = quoted.length === 3 ? quoted[1]! : '';
  let fields = quoted[0]!.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 1) fields = fields[0]!.split(',');
  if (fields[fields.length - 1] === '' && quoted.length === 3) fields.pop();
  const at = { file, line };
  const shape: DatasetShape = {
    type: 'polygon', label: ICDAR_LABEL, group: 0, source: 'file', attributes: {}, points: [],
    rotation: 0, occluded: false, outside: false, z_order: 0,
  };
  if (fields.length >= 8) {
    shape.points = fields.slice(0, 8).map((v, k) => parseFloatField(v, `${k % 2 ? 'y' : 'x'}${Math.floor(k / 2) + 1}`, at));
    if (!caption && fields.length === 9) caption = fields[8]!;
  } else if (fields.length >= 4) {
    const [x0, y0, x1, y1] = fields.slice(0, 4).map((v, k) => parseFloatField(v, ['x0', 'y0', 'x1', 'y1'][k]!, at)) as [number, number, number, number];
    if (x1 < x0 || y1 < y0) throw new DatasetFormatError(file, 'the box\'s second corner is above or left of the first', at);
    shape.type = 'rectangle';
    shape.points = [x0, y0, x0 + (x1 - x0), y0 + (y1 - y0)];
    if (!caption && fields.length === 5) caption = fields[4]!;
  } else throw new DatasetFormatError(file, `${fields.length} numbers; expected a box (x0 y0 x1 y1) or 4 points`, at);
  if (caption) shape.attributes.text = caption;
  return shape;
}

/** Image file names under <subset>/images/, by `<subset>/<id>`. */
function imageNames(paths: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of paths) {
    const { subset, rest } = splitSubset(p);
    if (!rest.startsWith(`${IMAGES_DIR}/`)) continue;
    const name = rest.slice(IMAGES_DIR.length + 1);
    out.set(`${subset}/${stripExtension(name)}`, name);
  }
  return out;
}
