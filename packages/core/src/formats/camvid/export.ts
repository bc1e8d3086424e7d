/**
 * CamVid 1.0 export, file for file what CVAT writes (Datumaro's "camvid" converter with
 * apply_colormap and the task's colours as label map, after the raster pipeline of
 * cityscapes/segments.ts):
 *
 * - <subset>.txt: a line per image, "/<subset>/<item><ext> <subset>annot/<item>.png", or the image
 *   and a space for images without segments; both paths quoted when either holds whitespace.
 * - <subset>annot/<item>.png: RGB, each pixel its class colour, class 0 (the background: the
 *   black label, else "background") where no segment is.
 * - label_colors.txt: "r g b name" per class, the background first, the others sorted by name;
 *   the "background" CVAT adds when the task has no label of that name is left out, as Datumaro
 *   leaves it out.
 * - <subset>/<item><ext> when images are saved.
 *
 * Not written, and reported: tags, points, polylines, cuboids, skeletons, shapes of labels outside
 * the label map and of the background label (class 0 is what no object covers).
 */
import type { ExportContext, ExportInput, ExportSink } from '../model.js';
import { ItemIds, classMap, itemNames, reportAttributes, reportRest, reportTags, withSublabels } from '../cityscapes/export-common.js';
import { LABEL_COLORS_FILE, writeLabelColors } from '../cityscapes/label-colors.js';
import { frameSegments, paintColors, topInstances, type Segment } from '../cityscapes/segments.js';

const FORMAT = 'CamVid';
export const MASK_DIR_SUFFIX = 'annot';

function listLine(image: string, mask: string): string {
  const quote = /\s/.test(image) || /\s/.test(mask);
  return quote ? `"${image}" "${mask}"\n` : `${image} ${mask}\n`;
}

export async function exportCamvid(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const { labelmap, classOf, colors } = classMap(input.labels);
  const ids = new ItemIds();
  const lists = new Map<string, string[]>();
  const { report } = ctx;

  for await (const frame of input.frames) {
    const f = frame.image.frame;
    const names = itemNames(frame, '.jpg');
    if (!ids.first(names, report, f)) continue;
    const imagePath = `${names.subset}/${names.id}${names.ext}`;
    if (input.saveImages) await sink.image(frame.image, imagePath);
    let list = lists.get(names.subset);
    if (!list) lists.set(names.subset, (list = []));
    reportTags(frame.tags, report, f, FORMAT);
    const { width, height } = frame.image;
    const { segments, drawn, rest } = frameSegments(frame.shapes, width, height, true, report, f);
    reportRest(rest, report, f, 'CamVid holds class masks only');
    reportAttributes(drawn, new Set(), report, f, FORMAT);
    if (segments.length && !(width > 0 && height > 0)) report.dropped('segments', f, 'the image size is unknown');
    if (!segments.length || !(width > 0 && height > 0)) {
      list.push(listLine(`/${imagePath}`, ''));
      continue;
    }

    const kept: Segment[] = [], classes: number[] = [];
    for (const s of segments) {
      const cls = classOf.get(s.shape.label);
      if (cls === undefined) report.dropped('shapes of labels not in the label map', f, `label "${s.shape.label}" is not in ${LABEL_COLORS_FILE}`);
      else if (cls === 0) report.dropped('shapes of the background label', f, `"${s.shape.label}" is class 0, what no object covers`);
      else {
        kept.push(s);
        classes.push(cls);
      }
    }
    const top = topInstances(kept, width, height);
    const classIds = new Int32Array(width * height);
    for (let p = 0; p < top.length; p++) if (top[p]) classIds[p] = classes[top[p]! - 1]!;
    const maskPath = `${names.subset}${MASK_DIR_SUFFIX}/${names.id}.png`;
    await sink.file(maskPath, await ctx.raster.encodePng({ width, height, channels: 3, data: paintColors(classIds, colors) }));
    list.push(listLine(`/${imagePath}`, maskPath));
  }

  for (const [subset, lines] of lists) await sink.file(`${subset}.txt`, lines.join(''));
  // Datumaro drops the background CVAT added (the map then has more entries than the task labels).
  const written = new Map(labelmap);
  if (labelmap.size > new Set(withSublabels(input.labels).map((l) => l.name)).size) written.delete('background');
  await sink.file(LABEL_COLORS_FILE, writeLabelColors(written));
}
