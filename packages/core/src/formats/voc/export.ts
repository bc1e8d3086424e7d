/**
 * PASCAL VOC 1.1 export, file for file what CVAT writes (Datumaro's "voc" converter with the
 * task's labels as label map):
 *
 * - labelmap.txt: "background" first (added when the task has none), then the task's labels
 *   (a skeleton's points after it), each colored by the VOC colormap of its number.
 * - Annotations/<item>.xml per image: rectangles as objects with truncated/occluded/difficult
 *   (and pose) from attributes of those names, the other attributes under <attributes>
 *   (rotation included: CVAT writes the unrotated box and re-imports the angle from there).
 * - ImageSets/Main/<subset>.txt (every image) and <label>_<subset>.txt (tags, as 1/-1 per image
 *   with tags); ImageSets/Segmentation/<subset>.txt; ImageSets/Layout and Action/<subset>.txt,
 *   which Datumaro fills with the images that have no annotation at all.
 * - SegmentationClass/ and SegmentationObject/<item>.png for images with masks, ellipses and
 *   polygons: CVAT itself writes only masks (ellipses become masks on the way); polygons are
 *   rasterized here too, the way CVAT's "Segmentation mask" export rasterizes them.
 * - JPEGImages/<item><ext> when images are saved.
 *
 * Dropped with a report: points, polylines, cuboids, skeletons, tag attributes, objects of labels
 * the task does not have, a second image with the same item id.
 */
import type { DatasetLabel, DatasetShape, ExportContext, ExportInput, ExportSink, FrameAnnotations } from '../model.js';
import { categoryNames, shapeAttributes } from './attributes.js';
import { compileInstances, encodeIndexed, instancePalette, painter, type Instance } from './instances.js';
import { ANNOTATIONS_DIR, CLASS_DIR, IMAGES_DIR, OBJECT_DIR, SETS_DIR, SubsetLists, itemNames, listText } from './layout.js';
import { LABELMAP_FILE, vocCategories, withBackgroundFirst, writeLabelmap, type VocLabelMap } from './labelmap.js';
import { pyFloat, pyIntOr, pyStr, xmlText, type PyValue } from './pyformat.js';

const BUILTIN_ATTRS = new Set(['difficult', 'pose', 'truncated', 'occluded']);
const SEGMENT_TYPES = new Set(['mask', 'polygon', 'ellipse']);

export async function exportVoc(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const labelmap = withBackgroundFirst(new Map(categoryNames(input.labels).map((n) => [n, { parts: [], actions: [] }])));
  const cats = vocCategories(labelmap);
  cats.colors.forEach((c, id) => (labelmap.get(cats.names[id]!)!.color = c));
  const classOf = new Map(cats.names.map((n, i) => [n, i]));
  const labels = new Map(input.labels.map((l) => [l.name, l]));
  const lists = new Map<string, SubsetLists>();
  const written = new Set<string>();

  for await (const frame of input.frames) {
    const names = itemNames(frame.image);
    const f = frame.image.frame;
    if (written.has(names.id)) {
      ctx.report.dropped('images with the same name as an earlier one', f, `"${names.id}" already names an item`);
      continue;
    }
    written.add(names.id);
    let list = lists.get(names.subset);
    if (!list) lists.set(names.subset, (list = new SubsetLists()));
    if (input.saveImages) await sink.image(frame.image, `${IMAGES_DIR}/${names.file}`);

    const segments = frame.shapes.filter((s) => SEGMENT_TYPES.has(s.type) && known(s.label));
    const sized = frame.image.width > 0 && frame.image.height > 0;
    for (const s of frame.shapes) reportUnwritten(s, f);
    if (segments.length && !sized) ctx.report.dropped('masks and polygons', f, 'the image size is unknown');
    const drawn = sized ? segments : [];

    await sink.file(`${ANNOTATIONS_DIR}/${names.id}.xml`, annotationXml(frame, names, drawn.length > 0, labels, known));
    list.main.push(names.id);

    for (const tag of frame.tags) {
      if (!known(tag.label)) {
        ctx.report.dropped('tags of labels not in the task', f, `label "${tag.label}" is not in the label map`);
        continue;
      }
      if (Object.keys(tag.attributes).length) ctx.report.dropped('tag attributes', f, 'VOC class lists keep only labels');
      let set = list.classes.get(names.id);
      if (!set) list.classes.set(names.id, (set = new Set()));
      set.add(classOf.get(tag.label)!);
    }

    if (drawn.length) {
      const { width, height } = frame.image;
      const instances: Instance[] = drawn.map((s) => ({
        classId: classOf.get(s.label)!, z: s.z_order, paint: painter(s.type, s.points, s.rotation, width, height),
      }));
      for (const s of drawn) {
        if (s.type === 'polygon') ctx.report.converted('polygons', f, 'rasterized into SegmentationClass/SegmentationObject');
        if (s.type === 'ellipse') ctx.report.converted('ellipses', f, 'rasterized into SegmentationClass/SegmentationObject');
      }
      const masks = compileInstances(instances, width, height, cats.background ?? 0, ctx.report, f);
      const palette = cats.names.map((_, i) => cats.colors.get(i) ?? ([0, 0, 0] as const));
      await sink.file(`${CLASS_DIR}/${names.id}.png`, await encodeIndexed(ctx.raster, masks.classMask, width, height, palette));
      await sink.file(`${OBJECT_DIR}/${names.id}.png`, await encodeIndexed(ctx.raster, masks.instanceMask, width, height, instancePalette(Math.min(255, instances.length))));
      list.segmentation.push(names.id);
    }
    if (isEmpty(frame)) {
      list.segmentation.push(names.id);
      list.layout.push(names.id);
      list.action.push(names.id);
    }
  }

  for (const [subset, list] of lists) await writeLists(sink, subset, list, labelmap);
  await sink.file(LABELMAP_FILE, writeLabelmap(labelmap));

  function known(label: string): boolean {
    return classOf.has(label);
  }

  function reportUnwritten(s: DatasetShape, frame: number): void {
    if (!known(s.label)) ctx.report.dropped(`${s.type} shapes of labels not in the task`, frame, `label "${s.label}" is not in the label map`);
    else if (s.type === 'rectangle' && s.rotation) ctx.report.converted('rotated rectangles', frame, 'written unrotated, the angle in a "rotation" attribute');
    else if (s.type !== 'rectangle' && !SEGMENT_TYPES.has(s.type)) ctx.report.dropped(`${s.type} shapes`, frame, 'PASCAL VOC has no place for them');
  }
}

/** Datumaro lists images with no annotation at all (cuboids make none for 2D) in every list. */
export function isEmpty(frame: FrameAnnotations): boolean {
  return frame.tags.length === 0 && frame.shapes.every((s) => s.type === 'cuboid');
}

function line(depth: number, name: string, text: string): string {
  return `${'  '.repeat(depth)}<${name}>${xmlText(text)}</${name}>\n`;
}

function annotationXml(
  frame: FrameAnnotations, names: { id: string; file: string }, segmented: boolean,
  labels: ReadonlyMap<string, DatasetLabel>, known: (label: string) => boolean,
): string {
  const { width, height } = frame.image;
  const underscore = names.id.indexOf('_');
  let xml = '<annotation>\n';
  xml += line(1, 'folder', underscore >= 0 ? names.id.slice(0, underscore) : '');
  xml += line(1, 'filename', names.file);
  xml += '  <source>\n' + line(2, 'database', 'Unknown') + line(2, 'annotation', 'Unknown') + line(2, 'image', 'Unknown') + '  </source>\n';
  if (width > 0 && height > 0) {
    xml += '  <size>\n' + line(2, 'width', String(width)) + line(2, 'height', String(height)) + line(2, 'depth', '') + '  </size>\n';
  }
  xml += line(1, 'segmented', segmented ? '1' : '0');
  for (const s of frame.shapes) {
    if (s.type !== 'rectangle' || !known(s.label)) continue;
    xml += objectXml(s, shapeAttributes(s, labels.get(s.label)));
  }
  return `${xml}</annotation>\n`;
}

function objectXml(s: DatasetShape, attrs: Map<string, PyValue>): string {
  let xml = '  <object>\n' + line(2, 'name', s.label);
  const pose = attrs.get('pose');
  if (pose) xml += line(2, 'pose', pyStr(pose));
  for (const flag of ['truncated', 'occluded', 'difficult']) xml += line(2, flag, String(pyIntOr(attrs.get(flag), 0)));
  // Datumaro keeps boxes as corners and writes min corner + (max - min): same doubles here.
  const [x0, y0, x1, y1] = s.points as [number, number, number, number];
  const xs = [x0, x0 + (x1 - x0)], ys = [y0, y0 + (y1 - y0)];
  const xmin = Math.min(...xs), ymin = Math.min(...ys);
  xml += '    <bndbox>\n';
  xml += line(3, 'xmin', pyFloat(xmin)) + line(3, 'ymin', pyFloat(ymin));
  xml += line(3, 'xmax', pyFloat(xmin + (Math.max(...xs) - xmin))) + line(3, 'ymax', pyFloat(ymin + (Math.max(...ys) - ymin)));
  xml += '    </bndbox>\n';
  const custom = [...attrs].filter(([k]) => !BUILTIN_ATTRS.has(k));
  if (custom.length) {
    xml += '    <attributes>\n';
    for (const [k, v] of custom) xml += '      <attribute>\n' + line(4, 'name', k) + line(4, 'value', pyStr(v)) + '      </attribute>\n';
    xml += '    </attributes>\n';
  }
  return `${xml}  </object>\n`;
}

async function writeLists(sink: ExportSink, subset: string, list: SubsetLists, labelmap: VocLabelMap): Promise<void> {
  const dir = SETS_DIR;
  if (list.main.length) await sink.file(`${dir}/Main/${subset}.txt`, listText(list.main));
  if (list.classes.size) {
    let id = 0;
    for (const name of labelmap.keys()) {
      const classId = id++;
      // "%s % d": a space stands where the minus sign would be.
      const lines = [...list.classes].map(([item, ids]) => `${item} ${ids.has(classId) ? ' 1' : '-1'}\n`);
      await sink.file(`${dir}/Main/${name}_${subset}.txt`, lines.join(''));
    }
  }
  if (list.segmentation.length) await sink.file(`${dir}/Segmentation/${subset}.txt`, listText(list.segmentation));
  if (list.layout.length) {
    await sink.file(`${dir}/Layout/${subset}.txt`, listText(list.layout.map((i) => (i.split(/\s+/).filter(Boolean).length > 1 ? `"${i}"` : i))));
  }
  if (list.action.length) await sink.file(`${dir}/Action/${subset}.txt`, listText(list.action));
}
