/**
 * KITTI 1.0 export, file for file what CVAT writes (Datumaro's "kitti" converter, both tasks, with
 * apply_colormap and the task's colours as label map, after RotatedBoxesToPolygons,
 * polygons_to_masks and merge_instance_segments; boxes stay boxes):
 *
 * - <subset>/label_2/<item>.txt for images with (unrotated) boxes: see detection.ts. truncated
 *   and score come from attributes of those names, occluded from the shape.
 * - <subset>/semantic_rgb/<item>.png (RGB class colours), semantic/<item>.png (16-bit class
 *   numbers) and instance/<item>.png (16-bit: class * 256 + instance), for images with polygons,
 *   masks, ellipses or rotated boxes.
 * - label_colors.txt: "r g b name" per class, class 0 the background (the black label, else
 *   "background", added in black), the others sorted by name.
 * - <subset>/image_2/<item><ext> when images are saved.
 *
 * Instance numbers: CVAT passes no annotation ids to Datumaro, which writes each segment's id, so
 * every instance of a class gets number 0 and they read back as one crowd region. Here the
 * instances of a class are numbered 1, 2, ... in the order of the image's segments (0 for a
 * segment whose is_crowd attribute is set), as KITTI numbers them, so they come back apart.
 *
 * Not written, and reported: tags, points, polylines, cuboids, skeletons, segments of labels
 * outside the label map or of the background label, labels numbered above 255 and instances
 * beyond the 255th of a class in an image (instance PNGs hold class * 256 + instance in 16 bits).
 */
import type { DatasetLabel, DatasetShape, ExportContext, ExportInput, ExportSink } from '../model.js';
import { ItemIds, classMap, isCrowd, itemNames, reportAttributes, reportRest, reportTags } from '../cityscapes/export-common.js';
import { LABEL_COLORS_FILE, writeLabelColors } from '../cityscapes/label-colors.js';
import { writeId16Png, type RasterCodec16 } from '../cityscapes/raster16.js';
import { frameSegments, paintColors, topInstances, type Segment } from '../cityscapes/segments.js';
import { detectionLine } from './detection.js';
import { IMAGES_DIR, IMAGE_EXT, INSTANCES_DIR, LABELS_DIR, SEMANTIC_DIR, SEMANTIC_RGB_DIR } from './layout.js';

const FORMAT = 'KITTI';
const CROWD = new Set(['is_crowd']);
const BOX_ATTRIBUTES = new Set(['truncated', 'score']);

export async function exportKitti(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const { labelmap, classOf, colors } = classMap(input.labels);
  const byName = new Map<string, DatasetLabel>(input.labels.map((l) => [l.name, l]));
  const ids = new ItemIds();
  const raster = ctx.raster as RasterCodec16;
  const { report } = ctx;

  for await (const frame of input.frames) {
    const f = frame.image.frame;
    const names = itemNames(frame, IMAGE_EXT);
    if (!ids.first(names, report, f)) continue;
    const dir = `${names.subset}/`;
    if (input.saveImages) await sink.image(frame.image, `${dir}${IMAGES_DIR}/${names.id}${names.ext}`);
    reportTags(frame.tags, report, f, FORMAT);
    const { width, height } = frame.image;
    const { segments, drawn, rest } = frameSegments(frame.shapes, width, height, false, report, f);
    const isBox = (s: DatasetShape) => s.type === 'rectangle' && s.points.length === 4;
    const boxes = rest.filter(isBox);
    reportRest(rest.filter((s) => !isBox(s)), report, f, 'KITTI holds boxes and masks only');
    reportAttributes(drawn, CROWD, report, f, FORMAT);
    reportAttributes(boxes, BOX_ATTRIBUTES, report, f, FORMAT);

    if (segments.length && !(width > 0 && height > 0)) report.dropped('segments', f, 'the image size is unknown');
    else if (segments.length) {
      const kept: Segment[] = [], classes: number[] = [], instances: number[] = [];
      const counts = new Map<number, number>();
      for (const s of segments) {
        const label = s.shape.label, cls = classOf.get(label);
        if (cls === undefined) report.dropped('shapes of labels not in the label map', f, `label "${label}" is not in ${LABEL_COLORS_FILE}`);
        else if (cls === 0) report.dropped('shapes of the background label', f, `"${label}" is class 0, what no object covers`);
        else if (cls > 255) report.dropped('shapes of labels numbered above 255', f, 'instance PNGs hold class * 256 + instance in 16 bits');
        else {
          let n = 0;
          if (!isCrowd(s.shape, byName.get(label))) counts.set(cls, (n = (counts.get(cls) ?? 0) + 1));
          if (n > 255) {
            report.dropped('instances beyond the 255th of a class', f, 'instance PNGs hold 255 instances per class');
            continue;
          }
          kept.push(s);
          classes.push(cls);
          instances.push(cls * 256 + n);
        }
      }
      const top = topInstances(kept, width, height);
      const semantic = new Uint16Array(width * height), instance = new Uint16Array(width * height);
      for (let p = 0; p < top.length; p++) {
        const t = top[p]!;
        if (t) {
          semantic[p] = classes[t - 1]!;
          instance[p] = instances[t - 1]!;
        }
      }
      const file = `${names.id}.png`;
      await sink.file(`${dir}${SEMANTIC_RGB_DIR}/${file}`, await raster.encodePng({ width, height, channels: 3, data: paintColors(semantic, colors) }));
      await sink.file(`${dir}${SEMANTIC_DIR}/${file}`, await writeId16Png(raster, `${dir}${SEMANTIC_DIR}/${file}`, { width, height, data: semantic }));
      await sink.file(`${dir}${INSTANCES_DIR}/${file}`, await writeId16Png(raster, `${dir}${INSTANCES_DIR}/${file}`, { width, height, data: instance }));
    }

    if (boxes.length) {
      await sink.file(`${dir}${LABELS_DIR}/${names.id}.txt`, boxes.map((b) => detectionLine(b, byName.get(b.label))).join(''));
    }
  }
  await sink.file(LABEL_COLORS_FILE, writeLabelColors(labelmap));
}
