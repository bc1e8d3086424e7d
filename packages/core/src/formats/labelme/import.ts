/**
 * LabelMe 3.0 import, as Datumaro reads it for CVAT. Every .xml file is an image. Two layouts:
 *
 * - CVAT's (Datumaro's subset folders): `<subset>/<name>.xml`, masks in `<subset>/Masks/`; the
 *   image is <folder>/<filename>, the subset the first folder of the XML's path.
 * - LabelMe's own (Datumaro's newer one, as in its sample dataset): `Annotations/<folder>/`,
 *   `Images/<folder>/`, `Masks/<folder>/`; the image is <filename>, the subset <folder>.
 *
 * Objects: <polygon> with <type>bounding_box</type> is a rectangle, without it a polygon; <segm>
 * a mask (any non-zero channel of the PNG); deleted objects are skipped. <occluded>yes</occluded>
 * is the shape's flag, <username> (when set) and <attributes> are attributes, "rotation" comes
 * back as the rotation. Objects linked by <hasparts>/<ispartof> share a group, one per root
 * object, kept (as CVAT keeps groups) when more than one shape is in it.
 */
import { bitmapToCvatMask, type Bitmap } from '../mask.js';
import { ImageMatcher } from '../match.js';
import {
  DatasetFormatError, type DatasetShape, type FrameAnnotations, type ImportContext, type ImportSource, type ParsedDataset,
} from '../model.js';
import { child, children, parseXml, type XmlElement } from '../xml.js';
import { LabelCollector, collapseGroups, importedValue, type ValueHint } from '../voc/attributes.js';
import { subsetOrDefault } from '../voc/layout.js';
import { parseAttributes } from './attributes.js';

const SOURCES = new Set(['auto', 'semi-auto', 'manual', 'file']);

export async function importLabelMe(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const has = new Set(source.paths());
  const xmls = source.paths().filter((p) => p.toLowerCase().endsWith('.xml'));
  if (xmls.length === 0) throw new DatasetFormatError('.', 'no LabelMe annotation (.xml) files');
  const labels = new LabelCollector();
  const matcher = new ImageMatcher(ctx.images);
  const frames: FrameAnnotations[] = [];
  for (const file of xmls) {
    const root = parseXml(file, await source.text(file));
    if (root.name !== 'annotation') throw new DatasetFormatError(file, `root element is <${root.name}>, expected <annotation>`, { line: root.line });
    const filename = child(root, 'filename')?.text;
    if (!filename) throw new DatasetFormatError(file, '<filename> is missing or empty', { line: root.line });
    const folder = child(root, 'folder')?.text ?? '';
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    const ownLayout = dir === (folder ? `Annotations/${folder}` : 'Annotations');
    const parts = file.split('/');
    const subsetRoot = parts.length > 1 ? parts[0]! : '';
    const name = ownLayout ? filename : folder ? `${folder}/${filename}` : filename;
    const subset = subsetOrDefault(ownLayout ? folder : subsetRoot);
    const maskPaths = (mask: string) => {
      const own = `Masks/${folder ? `${folder}/` : ''}${mask}`, cvat = `${subsetRoot ? `${subsetRoot}/` : ''}Masks/${mask}`;
      return ownLayout ? [own, cvat] : [cvat, own];
    };
    const size = imageSize(file, root);
    const matched = matcher.match(name);
    const width = size?.width ?? matched?.width ?? 0, height = size?.height ?? matched?.height ?? 0;
    const shapes = await objects(file, root, labels, async (maskName, line) => {
      const path = maskPaths(maskName).find((p) => has.has(p));
      if (!path) throw new DatasetFormatError(file, `mask "${maskName}" is not in the archive (looked for ${maskPaths(maskName).join(', ')})`, { line });
      return readMask(ctx, path, await source.bytes(path));
    });
    frames.push({ image: { frame: -1, name, width, height, ...(subset !== undefined ? { subset } : {}) }, shapes, tags: [] });
  }
  return { labels: labels.result(), frames, tracks: [] };
}

function imageSize(file: string, root: XmlElement): { width: number; height: number } | undefined {
  const el = child(root, 'imagesize');
  if (!el) return undefined;
  const get = (n: string) => {
    const c = child(el, n);
    if (!c || !c.text) return undefined;
    if (!/^\d+$/.test(c.text)) throw new DatasetFormatError(file, `<${n}> is "${c.text}", not a whole number of pixels`, { line: c.line });
    return Number(c.text);
  };
  const height = get('nrows'), width = get('ncols');
  return width !== undefined && height !== undefined ? { width, height } : undefined;
}

async function readMask(ctx: ImportContext, path: string, bytes: Uint8Array): Promise<Bitmap> {
  let r;
  try {
    r = await ctx.raster.decodePng(bytes);
  } catch (e) {
    throw new DatasetFormatError(path, `not a readable PNG: ${(e as Error).message}`);
  }
  const data = new Uint8Array(r.width * r.height);
  for (let i = 0; i < data.length; i++) {
    for (let c = 0; c < r.channels; c++) if (r.data[i * r.channels + c]) data[i] = 1;
  }
  return { width: r.width, height: r.height, data };
}

interface ParsedObject {
  id: number;
  shape?: DatasetShape;
}

async function objects(
  file: string, root: XmlElement, labels: LabelCollector, mask: (name: string, line: number) => Promise<Bitmap>,
): Promise<DatasetShape[]> {
  const parsed: ParsedObject[] = [];
  const links = new Map<number, { children: number[]; group: number }>();
  const roots = new Set<number>();
  for (const el of children(root, 'object')) {
    const idEl = child(el, 'id');
    if (!idEl || !/^\d+$/.test(idEl.text)) throw new DatasetFormatError(file, `object <id> is "${idEl?.text ?? ''}", expected a whole number`, { line: (idEl ?? el).line });
    const id = Number(idEl.text);
    const label = child(el, 'name')?.text;
    if (!label) throw new DatasetFormatError(file, `object ${id} has no <name>`, { line: el.line });
    labels.declare(label);
    const deleted = child(el, 'deleted')?.text;
    if (deleted && !/^\d+$/.test(deleted)) throw new DatasetFormatError(file, `<deleted> is "${deleted}", expected 0 or 1`, { line: child(el, 'deleted')!.line });
    const shape = deleted && Number(deleted) ? undefined : await objectShape(file, el, label, labels, mask);
    parsed.push({ id, shape });
    const partsEl = child(el, 'parts');
    if (partsEl) {
      const ids = (name: string) => {
        const c = child(partsEl, name);
        if (!c?.text) return [];
        return c.text.split(',').map((t) => {
          if (!/^\s*\d+\s*$/.test(t)) throw new DatasetFormatError(file, `<${name}> lists "${t}", not an object id`, { line: c.line });
          return Number(t);
        });
      };
      const kids = ids('hasparts');
      if (kids.length && ids('ispartof').length === 0) roots.add(id);
      links.set(id, { children: kids, group: 0 });
    }
  }
  // Datumaro's walk: from each root object (last first), a new group spreading to its parts.
  let group = 0;
  const stack = [...roots].sort((a, b) => a - b);
  while (stack.length) {
    const id = stack.pop()!;
    const link = links.get(id);
    if (!link) throw new DatasetFormatError(file, `an object lists part ${id}, which is not an object with <parts> here`);
    if (link.group) continue;
    if (roots.has(id)) group++;
    link.group = group;
    stack.push(...link.children);
  }
  const shapes = parsed.filter((p) => p.shape).map((p) => ({ ...p.shape!, group: links.get(p.id)?.group ?? 0 }));
  collapseGroups(shapes.map((s) => s.group)).forEach((g, i) => (shapes[i]!.group = g));
  return shapes;
}

async function objectShape(
  file: string, el: XmlElement, label: string, labels: LabelCollector, mask: (name: string, line: number) => Promise<Bitmap>,
): Promise<DatasetShape | undefined> {
  const attrs = new Map<string, string | boolean>();
  const hints = new Map<string, ValueHint>();
  for (const a of parseAttributes(child(el, 'attributes')?.text ?? '')) {
    attrs.set(a.name, a.value);
    hints.set(a.name, typeof a.value === 'boolean' ? 'bool' : a.number ? 'number' : 'text');
  }
  const shape: DatasetShape = {
    type: 'polygon', label, points: [], group: 0, source: 'file', attributes: {}, rotation: 0,
    occluded: child(el, 'occluded')?.text === 'yes', outside: false, z_order: 0,
  };
  const polygon = child(el, 'polygon'), segm = child(el, 'segm');
  const geometry = polygon ?? segm;
  if (!geometry) return undefined;
  const user = child(geometry, 'username')?.text;
  if (user) attrs.set('username', user);
  if (polygon) {
    const pts = children(polygon, 'pt').flatMap((pt) => [coordinate(file, pt, 'x'), coordinate(file, pt, 'y')]);
    if (child(el, 'type')?.text === 'bounding_box') {
      if (pts.length === 0) throw new DatasetFormatError(file, 'a bounding box without points', { line: polygon.line });
      const xs = pts.filter((_, i) => i % 2 === 0), ys = pts.filter((_, i) => i % 2 === 1);
      const x = Math.min(...xs), y = Math.min(...ys);
      shape.type = 'rectangle';
      shape.points = [x, y, x + (Math.max(...xs) - x), y + (Math.max(...ys) - y)];
    } else {
      if (pts.length < 6) throw new DatasetFormatError(file, `a polygon needs 3 points, this one has ${pts.length / 2}`, { line: polygon.line });
      shape.points = pts;
    }
  } else {
    const maskEl = child(segm!, 'mask');
    if (!maskEl?.text) throw new DatasetFormatError(file, '<segm> has no <mask>', { line: segm!.line });
    const points = bitmapToCvatMask(await mask(maskEl.text, maskEl.line));
    if (!points) return undefined;
    shape.type = 'mask';
    shape.points = points;
  }
  const rotation = attrs.get('rotation');
  if (rotation !== undefined && Number.isFinite(Number(rotation)) && typeof rotation === 'string') {
    shape.rotation = Number(rotation);
    attrs.delete('rotation');
  }
  const trackId = attrs.get('track_id');
  if (typeof trackId === 'string' && /^\d+$/.test(trackId)) {
    shape.track_id = Number(trackId);
    shape.keyframe = attrs.get('keyframe') === true;
    attrs.delete('track_id');
    attrs.delete('keyframe');
  }
  const src = attrs.get('source');
  if (typeof src === 'string' && SOURCES.has(src.toLowerCase())) {
    shape.source = src.toLowerCase() as DatasetShape['source'];
    attrs.delete('source');
  }
  for (const [k, v] of attrs) shape.attributes[k] = importedValue(v);
  labels.attributes(label, shape.attributes, hints);
  return shape;
}

function coordinate(file: string, pt: XmlElement, name: string): number {
  const c = child(pt, name);
  const v = Number(c?.text);
  if (!c || !c.text.trim() || !Number.isFinite(v)) throw new DatasetFormatError(file, `<pt> <${name}> is "${c?.text ?? ''}", not a number`, { line: (c ?? pt).line });
  return v;
}
