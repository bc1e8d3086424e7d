/**
 * Segmentation mask 1.1 export, as CVAT writes it (Datumaro's "voc_segmentation" after CVAT's
 * RotatedBoxesToPolygons, polygons_to_masks, boxes_to_masks and merge_instance_segments):
 *
 * - labelmap.txt: the task's labels with their own colors, sorted by name, the background first
 *   (the label colored #000000, else "background", added in black when the task has neither).
 * - SegmentationClass/<item>.png: each pixel colored with its label's color; SegmentationObject/
 *   <item>.png: instances 1, 2, ... colored with the VOC colormap. Rectangles (rotated ones as
 *   their rotated corners), polygons, ellipses and masks all become instances; the shapes of one
 *   group become one instance, labeled by its largest shape. Later z_order paints over earlier.
 * - ImageSets/Segmentation/<subset>.txt: images with segments, and images with no annotation.
 * - JPEGImages/<item><ext> when images are saved.
 *
 * Reported: tags, points, polylines, cuboids and skeletons (dropped); rectangles, polygons and
 * ellipses (rasterized), merged groups, labels sharing a color (their pixels read back as one).
 */
import type { DatasetLabel, DatasetShape, ExportContext, ExportInput, ExportSink } from '../model.js';
import { hexToRgb, rgbKey, vocColormap, type Rgb } from '../voc/colormap.js';
import { isEmpty } from '../voc/export.js';
import { compileInstances, encodeIndexed, instancePalette, mergeGroups, painter, type Instance } from '../voc/instances.js';
import { CLASS_DIR, IMAGES_DIR, OBJECT_DIR, SETS_DIR, itemNames, listText } from '../voc/layout.js';
import { LABELMAP_FILE, withBackgroundFirst, writeLabelmap, type VocLabelMap } from '../voc/labelmap.js';
import { rotatedBoxPolygon } from '../voc/rasterize.js';

const SEGMENTS = new Set(['rectangle', 'polygon', 'ellipse', 'mask']);

/** The label map CVAT builds from the task's colors (make_colormap), background first. */
export function colorLabelmap(labels: readonly DatasetLabel[]): VocLabelMap {
  const entries: Array<[string, Rgb | undefined]> = labels.map((l) => [l.name, l.color ? hexToRgb(l.color) ?? undefined : undefined]);
  if (!entries.some(([n]) => n === 'background')) entries.unshift(['background', [0, 0, 0]]);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const map = withBackgroundFirst(new Map(entries.map(([n, color]) => [n, { color, parts: [], actions: [] }])));
  // The task model may leave a label uncolored; CVAT's never are. Give it its VOC color.
  const fallback = vocColormap(map.size);
  [...map.values()].forEach((info, i) => (info.color ??= fallback[i]));
  return map;
}

interface Segment {
  shape: DatasetShape;
  classId: number;
  paint: (target: Uint8Array, value: number) => void;
}

export async function exportSegmentationMask(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const labelmap = colorLabelmap(input.labels);
  const names = [...labelmap.keys()];
  const classOf = new Map(names.map((n, i) => [n, i]));
  const palette = [...labelmap.values()].map((i) => i.color!);
  const colorUsers = new Map<number, string[]>();
  for (const [n, info] of labelmap) colorUsers.set(rgbKey(info.color!), [...(colorUsers.get(rgbKey(info.color!)) ?? []), n]);
  for (const users of colorUsers.values()) {
    if (users.length > 1) ctx.report.converted('labels sharing a color', null, `${users.join(', ')} read back as ${users[users.length - 1]}`);
  }
  const lists = new Map<string, string[]>();
  const written = new Set<string>();

  for await (const frame of input.frames) {
    const names = itemNames(frame.image);
    const f = frame.image.frame;
    if (written.has(names.id)) {
      ctx.report.dropped('images with the same name as an earlier one', f, `"${names.id}" already names an item`);
      continue;
    }
    written.add(names.id);
    if (!lists.has(names.subset)) lists.set(names.subset, []);
    const list = lists.get(names.subset)!;
    if (input.saveImages) await sink.image(frame.image, `${IMAGES_DIR}/${names.file}`);
    frame.tags.forEach(() => ctx.report.dropped('tags', f, 'segmentation masks have no place for them'));

    const { width, height } = frame.image;
    const segments: Segment[] = [];
    const rotated: Segment[] = [];
    for (const s of frame.shapes) {
      if (!SEGMENTS.has(s.type)) {
        ctx.report.dropped(`${s.type} shapes`, f, 'segmentation masks have no place for them');
        continue;
      }
      if (!classOf.has(s.label)) {
        ctx.report.dropped(`${s.type} shapes of labels not in the task`, f, `label "${s.label}" is not in the label map`);
        continue;
      }
      if (s.type !== 'mask') ctx.report.converted(`${s.type} shapes`, f, 'rasterized into the masks');
      const classId = classOf.get(s.label)!;
      if (s.type === 'rectangle' && s.rotation) {
        // RotatedBoxesToPolygons moves rotated boxes to the end of the image's annotations.
        const [x0, y0, x1, y1] = s.points as [number, number, number, number];
        rotated.push({ shape: s, classId, paint: painter('polygon', rotatedBoxPolygon(x0, y0, x1, y1, s.rotation), 0, width, height) });
      } else {
        segments.push({ shape: s, classId, paint: painter(s.type, s.type === 'rectangle' ? boxCorners(s.points) : s.points, s.rotation, width, height) });
      }
    }
    segments.push(...rotated);
    if (segments.length && !(width > 0 && height > 0)) {
      ctx.report.dropped('segments', f, 'the image size is unknown');
      segments.length = 0;
    }

    if (segments.length) {
      const instances: Instance[] = mergeGroups(segments, width, height, ctx.report, f).map(({ leader, paint }) => ({
        classId: leader.classId, z: leader.shape.z_order, paint,
      }));
      const masks = compileInstances(instances, width, height, 0, ctx.report, f);
      await sink.file(`${CLASS_DIR}/${names.id}.png`, await encodeIndexed(ctx.raster, masks.classMask, width, height, palette));
      await sink.file(`${OBJECT_DIR}/${names.id}.png`, await encodeIndexed(ctx.raster, masks.instanceMask, width, height, instancePalette(Math.min(255, instances.length))));
      list.push(names.id);
    } else if (isEmpty(frame)) {
      list.push(names.id);
    }
  }

  for (const [subset, items] of lists) if (items.length) await sink.file(`${SETS_DIR}/Segmentation/${subset}.txt`, listText(items));
  await sink.file(LABELMAP_FILE, writeLabelmap(labelmap));
}

/** A box's polygon as Datumaro's boxes_to_masks builds it from x, y, w, h. */
function boxCorners(points: readonly number[]): number[] {
  const [x0, y0, x1, y1] = points as [number, number, number, number];
  const xs = [x0, x0 + (x1 - x0)], ys = [y0, y0 + (y1 - y0)];
  const x = Math.min(...xs), y = Math.min(...ys);
  const w = Math.max(...xs) - x, h = Math.max(...ys) - y;
  return [x, y, x + w, y, x + w, y + h, x, y + h];
}
