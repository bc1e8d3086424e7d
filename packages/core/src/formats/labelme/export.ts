/**
 * LabelMe 3.0 export, as CVAT writes it (Datumaro's "label_me"): per image
 * `<subset>/<frame name without extension>.xml` with <filename>/<folder> of the frame name,
 * <imagesize>, and an <object> per rectangle (type bounding_box, its four corners), polygon or
 * mask (ellipses become masks on the way, as CVAT converts them). Masks are full-image RGBA PNGs
 * at `<subset>/Masks/<item>_mask_<object id>.png`. Groups are written as parts: the group's first
 * object "hasparts" the others, which are "ispartof" it. Attributes go in <attributes> as
 * "name=value, ..." (see attributes.ts), `occluded` in <occluded>, `username` in <username>.
 * Images are copied to `<subset>/<frame name>` when saved.
 *
 * Dropped with a report: tags, points, polylines, cuboids, skeletons, empty masks, masks of
 * images of unknown size, objects of labels the task does not have.
 */
import { cvatMaskToBitmap, type Bitmap } from '../mask.js';
import type { DatasetShape, ExportContext, ExportInput, ExportSink } from '../model.js';
import { shapeAttributes } from '../voc/attributes.js';
import { itemNames } from '../voc/layout.js';
import { pyFixed, pyStr, xmlText } from '../voc/pyformat.js';
import { fillEllipse } from '../voc/rasterize.js';
import { formatAttributes } from './attributes.js';

const OBJECT_TYPES = new Set(['rectangle', 'polygon', 'mask', 'ellipse']);

type Attrs = ReturnType<typeof shapeAttributes>;

interface LabelMeObject {
  shape: DatasetShape;
  attrs: Attrs;
  mask?: { bitmap: Bitmap; box: Box };
}

export async function exportLabelMe(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const labels = new Map(input.labels.map((l) => [l.name, l]));
  const written = new Set<string>();
  for await (const frame of input.frames) {
    const item = itemNames(frame.image);
    const f = frame.image.frame;
    const { width, height } = frame.image;
    if (input.saveImages) await sink.image(frame.image, `${item.subset}/${item.file}`);
    frame.tags.forEach(() => ctx.report.dropped('tags', f, 'LabelMe has no image-level labels'));

    // A second image with the same name but extension gets "<name>.<ext>.xml" (Datumaro's rule);
    // its masks would overwrite the first image's, so they are left out instead.
    const repeated = written.has(`${item.subset}/${item.id}.xml`);
    const objects: LabelMeObject[] = [];
    for (const s of frame.shapes) {
      if (!OBJECT_TYPES.has(s.type)) {
        ctx.report.dropped(`${s.type} shapes`, f, 'LabelMe keeps rectangles, polygons and masks');
        continue;
      }
      if (!labels.has(s.label)) {
        ctx.report.dropped(`${s.type} shapes of labels not in the task`, f, `label "${s.label}" is not in the task`);
        continue;
      }
      const attrs = shapeAttributes(s, labels.get(s.label));
      if (s.type !== 'mask' && s.type !== 'ellipse') {
        if (s.type === 'rectangle' && s.rotation) ctx.report.converted('rotated rectangles', f, 'written unrotated, the angle in a "rotation" attribute');
        objects.push({ shape: s, attrs });
        continue;
      }
      if (!(width > 0 && height > 0) || repeated) {
        ctx.report.dropped(`${s.type} shapes`, f, repeated ? 'another image of this name has the mask file names' : 'the image size is unknown');
        continue;
      }
      const bitmap = s.type === 'mask' ? cvatMaskToBitmap(s.points, width, height) : ellipseBitmap(s, width, height);
      const box = bitmapBox(bitmap);
      if (!box) {
        ctx.report.dropped('empty masks', f, 'a mask without pixels has no box');
        continue;
      }
      if (s.type === 'ellipse') ctx.report.converted('ellipses', f, 'written as masks');
      objects.push({ shape: s, attrs, mask: { bitmap, box } });
    }

    const parts = partsOf(objects.map((o) => o.shape.group));
    let xml = '<annotation>\n';
    xml += line(1, 'filename', item.file.slice(item.file.lastIndexOf('/') + 1));
    xml += line(1, 'folder', item.file.includes('/') ? item.file.slice(0, item.file.lastIndexOf('/')) : '');
    xml += '  <source>\n' + line(2, 'sourceImage', '') + line(2, 'sourceAnnotation', 'Datumaro') + '  </source>\n';
    if (width > 0 && height > 0) xml += '  <imagesize>\n' + line(2, 'nrows', String(height)) + line(2, 'ncols', String(width)) + '  </imagesize>\n';
    for (const [id, o] of objects.entries()) {
      if (!o.mask) {
        xml += objectXml(o.shape, id, o.attrs, parts[id]!, polygonXml(o.shape, o.attrs));
        continue;
      }
      const maskFile = `${item.id}_mask_${id}.png`;
      await sink.file(`${item.subset}/Masks/${maskFile}`, await ctx.raster.encodePng(paintMask(o.mask.bitmap)));
      xml += objectXml(o.shape, id, o.attrs, parts[id]!, segmXml(maskFile, o.mask.box, o.attrs));
    }
    xml += '</annotation>\n';

    let path = `${item.subset}/${item.id}.xml`;
    if (written.has(path)) path = `${item.subset}/${item.file}.xml`;
    if (written.has(path)) {
      ctx.report.dropped('images with the same name as an earlier one', f, `${path} is already written`);
      continue;
    }
    written.add(path);
    await sink.file(path, xml);
  }
}

function line(depth: number, name: string, text: string): string {
  return `${'  '.repeat(depth)}<${name}>${xmlText(text)}</${name}>\n`;
}

/** <parts> contents per object: a group's first object has the others as parts. */
function partsOf(groups: readonly number[]): string[] {
  const first = new Map<number, number>();
  const members = new Map<number, number[]>();
  groups.forEach((g, i) => {
    if (!g) return;
    if (!first.has(g)) first.set(g, i);
    else members.set(g, [...(members.get(g) ?? []), i]);
  });
  return groups.map((g, i) => {
    const leader = g ? first.get(g)! : undefined;
    const has = leader === i ? (members.get(g) ?? []).join(',') : '';
    const of = leader !== undefined && leader !== i ? String(leader) : '';
    return line(3, 'hasparts', has) + line(3, 'ispartof', of);
  });
}

function objectXml(s: DatasetShape, id: number, attrs: Attrs, parts: string, geometry: string): string {
  const occluded = attrs.get('occluded');
  let xml = '  <object>\n' + line(2, 'name', s.label) + line(2, 'deleted', '0') + line(2, 'verified', '0');
  xml += line(2, 'occluded', occluded?.kind === 'bool' && occluded.value ? 'yes' : 'no');
  xml += line(2, 'date', '') + line(2, 'id', String(id));
  xml += `    <parts>\n${parts}    </parts>\n`;
  xml += geometry;
  xml += line(2, 'attributes', formatAttributes(attrs));
  return `${xml}  </object>\n`;
}

function username(attrs: Attrs): string {
  const u = attrs.get('username');
  return u ? pyStr(u) : '';
}

function polygonXml(s: DatasetShape, attrs: Attrs): string {
  let pts: number[];
  let xml = '';
  if (s.type === 'rectangle') {
    // Datumaro's box corners: x0, y0 and x0 + w, y0 + h.
    const [x0, y0, x1, y1] = s.points as [number, number, number, number];
    const x2 = x0 + (x1 - x0), y2 = y0 + (y1 - y0);
    pts = [x0, y0, x2, y0, x2, y2, x0, y2];
    xml += line(2, 'type', 'bounding_box');
  } else {
    pts = s.points.slice(0, s.points.length - (s.points.length % 2));
  }
  xml += '    <polygon>\n';
  for (let i = 0; i < pts.length; i += 2) {
    xml += '      <pt>\n' + line(4, 'x', pyFixed(pts[i]!, 2)) + line(4, 'y', pyFixed(pts[i + 1]!, 2)) + '      </pt>\n';
  }
  xml += line(3, 'username', username(attrs));
  return `${xml}    </polygon>\n`;
}

function segmXml(maskFile: string, box: Box, attrs: Attrs): string {
  let xml = '    <segm>\n' + line(3, 'mask', maskFile) + '      <box>\n';
  xml += line(4, 'xmin', pyFixed(box.x0, 2)) + line(4, 'ymin', pyFixed(box.y0, 2));
  xml += line(4, 'xmax', pyFixed(box.x1, 2)) + line(4, 'ymax', pyFixed(box.y1, 2));
  xml += '      </box>\n' + line(3, 'username', username(attrs));
  return `${xml}    </segm>\n`;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** First and last set column and row (Datumaro's find_mask_bbox: x, y, last - first). */
function bitmapBox(b: Bitmap): Box | null {
  let x0 = b.width, y0 = b.height, x1 = -1, y1 = -1;
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      if (!b.data[y * b.width + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

function ellipseBitmap(s: DatasetShape, width: number, height: number): Bitmap {
  const data = new Uint8Array(width * height);
  fillEllipse(s.points, s.rotation, width, height, data, 1);
  return { width, height, data };
}

/** Datumaro paints LabelMe masks in one RGBA color on transparent black. */
function paintMask(b: Bitmap) {
  const data = new Uint8Array(b.width * b.height * 4);
  for (let i = 0; i < b.data.length; i++) if (b.data[i]) data.set([255, 203, 0, 153], i * 4);
  return { width: b.width, height: b.height, channels: 4 as const, data };
}
