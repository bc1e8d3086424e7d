/**
 * Cityscapes 1.0 export, file for file what CVAT writes (Datumaro's "cityscapes" converter with
 * apply_colormap and the task's colours as label map, after the raster pipeline of segments.ts):
 *
 * - label_colors.txt: "r g b name" per class, class 0 the background (the black label, else
 *   "background", added in black), the others sorted by name. Only labels of types any,
 *   rectangle, polygon and mask take part, as in CVAT.
 * - gtFine/<subset>/<item>_gtFine_color.png (RGB class colours), _labelIds.png (8-bit class
 *   numbers) and _instanceIds.png (16-bit: class * 1000 + instance number, the instance number
 *   being the segment's position among the image's segments from 1; just the class number for
 *   a segment whose is_crowd attribute is set), for images with segments (even when every
 *   segment is left out, as Datumaro writes them for any image with masks).
 * - imgsFine/leftImg8bit/<subset>/<item>_leftImg8bit<ext> when images are saved.
 *
 * Not written, and reported: tags, points, polylines, cuboids, skeletons, shapes of labels outside
 * the label map or of the background label (class 0 is what no object covers), labels numbered
 * above 255 (labelIds is 8-bit) and instances whose id would not fit 16 bits or roll into the
 * next class (the 1000th segment of an image on).
 * CVAT's own exporter also leaves the first task label out of label_colors.txt (it tests the
 * label's index for truth); that slip is not reproduced.
 */
import type { DatasetLabel, ExportContext, ExportInput, ExportSink } from '../model.js';
import { ItemIds, classMap, isCrowd, itemNames, reportAttributes, reportRest, reportTags } from './export-common.js';
import { LABEL_COLORS_FILE, writeLabelColors } from './label-colors.js';
import { writeId16Png, type RasterCodec16 } from './raster16.js';
import { frameSegments, paintColors, topInstances, type Segment } from './segments.js';

const SEGMENT_LABEL_TYPES = new Set(['any', 'rectangle', 'polygon', 'mask']);
const FORMAT = 'Cityscapes';
const CROWD = new Set(['is_crowd']);

export const GT_DIR = 'gtFine';
export const IMAGES_DIR = 'imgsFine/leftImg8bit';

export async function exportCityscapes(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const labels = input.labels.filter((l) => SEGMENT_LABEL_TYPES.has(l.type));
  const { labelmap, classOf, colors } = classMap(labels);
  const byName = new Map<string, DatasetLabel>(labels.map((l) => [l.name, l]));
  const ids = new ItemIds();
  const raster = ctx.raster as RasterCodec16;
  const { report } = ctx;

  for await (const frame of input.frames) {
    const f = frame.image.frame;
    const names = itemNames(frame, '.png');
    if (!ids.first(names, report, f)) continue;
    if (input.saveImages) await sink.image(frame.image, `${IMAGES_DIR}/${names.subset}/${names.id}_leftImg8bit${names.ext}`);
    reportTags(frame.tags, report, f, FORMAT);
    const { width, height } = frame.image;
    const { segments, drawn, rest } = frameSegments(frame.shapes, width, height, true, report, f);
    reportRest(rest, report, f, 'Cityscapes holds masks only');
    reportAttributes(drawn, CROWD, report, f, FORMAT);
    if (!segments.length) continue;
    if (!(width > 0 && height > 0)) {
      report.dropped('segments', f, 'the image size is unknown');
      continue;
    }

    const kept: Segment[] = [], classes: number[] = [], instances: number[] = [];
    segments.forEach((s, i) => {
      const cls = classOf.get(s.shape.label);
      const label = s.shape.label;
      if (cls === undefined) report.dropped('shapes of labels not in the label map', f, `label "${label}" is not in ${LABEL_COLORS_FILE}`);
      else if (cls === 0) report.dropped('shapes of the background label', f, `"${label}" is class 0, what no object covers`);
      else if (cls > 255) report.dropped('shapes of labels numbered above 255', f, 'labelIds PNGs hold 8-bit class numbers');
      else {
        // Datumaro numbers instances by position among all the image's segments (CVAT passes no ids).
        const id = isCrowd(s.shape, byName.get(label)) ? cls : cls * 1000 + i + 1;
        if (id !== cls && (i + 1 >= 1000 || id > 0xffff)) {
          report.dropped('instances beyond 16-bit instance ids', f, `${label} instance ${i + 1} does not fit class * 1000 + instance`);
          return;
        }
        kept.push(s);
        classes.push(cls);
        instances.push(id);
      }
    });

    const top = topInstances(kept, width, height);
    const classIds = new Uint8Array(width * height), instanceIds = new Uint16Array(width * height);
    for (let p = 0; p < top.length; p++) {
      const t = top[p]!;
      if (t) {
        classIds[p] = classes[t - 1]!;
        instanceIds[p] = instances[t - 1]!;
      }
    }
    const base = `${GT_DIR}/${names.subset}/${names.id}_gtFine`;
    await sink.file(`${base}_color.png`, await raster.encodePng({ width, height, channels: 3, data: paintColors(classIds, colors) }));
    await sink.file(`${base}_labelIds.png`, await raster.encodePng({ width, height, channels: 1, data: classIds }));
    await sink.file(`${base}_instanceIds.png`, await writeId16Png(raster, `${base}_instanceIds.png`, { width, height, data: instanceIds }));
  }
  await sink.file(LABEL_COLORS_FILE, writeLabelColors(labelmap));
}
