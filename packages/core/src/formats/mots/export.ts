/**
 * MOTS PNG 1.0 export, file for file what CVAT writes (Datumaro's "mots_png" converter after
 * KeepTracks, RotatedBoxesToPolygons, polygons_to_masks, boxes_to_masks and
 * merge_instance_segments):
 *
 * - <subset>/instances/<item>.png, 16-bit gray, for images with track shapes: each pixel
 *   1000 * (1 + label number) + track number of the instance on top (z_order, later over
 *   earlier), 0 where none is.
 * - <subset>/instances/labels.txt: the label names (a skeleton's points after it, as CVAT lists
 *   categories), one a line, without a final newline.
 * - <subset>/images/<item><ext> when images are saved.
 *
 * Track numbers are CVAT's: the track's position among the task's tracks, from 0 (tracks that
 * input.tracks does not list are numbered after them, in order of appearance).
 *
 * Not written, and reported: shapes that are not part of a track (MOTS holds tracks only), tags,
 * points, polylines, cuboids, skeletons, track numbers from 1000 on and labels whose pixel value
 * would not fit 16 bits.
 */
import type { ExportContext, ExportInput, ExportSink } from '../model.js';
import { categoryNames } from '../voc/attributes.js';
import { ItemIds, itemNames, reportAttributes, reportRest, reportTags } from '../cityscapes/export-common.js';
import { writeId16Png, type RasterCodec16 } from '../cityscapes/raster16.js';
import { frameSegments, topInstances, type Segment } from '../cityscapes/segments.js';
import { IMAGES_DIR, IMAGE_EXT, LABELS_FILE, MASKS_DIR, MAX_INSTANCES } from './layout.js';

const FORMAT = 'MOTS';

export async function exportMots(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const names = categoryNames(input.labels);
  const labelIndex = new Map(names.map((n, i) => [n, i]));
  const trackNo = new Map(input.tracks.map((t, i) => [t.id, i]));
  const numberOf = (id: number) => {
    if (!trackNo.has(id)) trackNo.set(id, trackNo.size);
    return trackNo.get(id)!;
  };
  const ids = new ItemIds();
  const subsets = new Set<string>();
  const raster = ctx.raster as RasterCodec16;
  const { report } = ctx;

  for await (const frame of input.frames) {
    const f = frame.image.frame;
    const item = itemNames(frame, IMAGE_EXT);
    if (!ids.first(item, report, f)) continue;
    subsets.add(item.subset);
    if (input.saveImages) await sink.image(frame.image, `${item.subset}/${IMAGES_DIR}/${item.id}${item.ext}`);
    reportTags(frame.tags, report, f, FORMAT);
    const tracked = frame.shapes.filter((s) => s.track_id !== undefined);
    for (const s of frame.shapes) if (s.track_id === undefined) report.dropped('shapes outside tracks', f, 'MOTS holds tracks only');
    const { width, height } = frame.image;
    const { segments, drawn, rest } = frameSegments(tracked, width, height, true, report, f);
    reportRest(rest, report, f, 'MOTS holds masks only');
    reportAttributes(drawn, new Set(), report, f, FORMAT);
    if (!segments.length) continue;
    if (!(width > 0 && height > 0)) {
      report.dropped('segments', f, 'the image size is unknown');
      continue;
    }

    const kept: Segment[] = [], values: number[] = [];
    for (const s of segments) {
      const label = labelIndex.get(s.shape.label);
      const track = numberOf(s.shape.track_id!);
      const value = MAX_INSTANCES * (1 + (label ?? 0)) + track;
      if (label === undefined) report.dropped('shapes of labels not in the task', f, `label "${s.shape.label}" is not in ${LABELS_FILE}`);
      else if (track >= MAX_INSTANCES) report.dropped('tracks numbered 1000 and above', f, 'a MOTS pixel holds instance numbers below 1000');
      else if (value > 0xffff) report.dropped('shapes of labels numbered above 64', f, 'MOTS pixels are 16-bit: 1000 * (1 + label) + track');
      else {
        kept.push(s);
        values.push(value);
      }
    }
    const top = topInstances(kept, width, height);
    const data = new Uint16Array(width * height);
    for (let p = 0; p < top.length; p++) if (top[p]) data[p] = values[top[p]! - 1]!;
    const path = `${item.subset}/${MASKS_DIR}/${item.id}.png`;
    await sink.file(path, await writeId16Png(raster, path, { width, height, data }));
  }
  for (const subset of subsets) await sink.file(`${subset}/${MASKS_DIR}/${LABELS_FILE}`, names.join('\n'));
}
