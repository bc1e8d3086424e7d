/**
 * A frame's annotations in the order and shape CVAT hands them to Datumaro's Open Images writer:
 * tags, then boxes (rectangles), then segments. CVAT turns rotated boxes into polygons and
 * polygons into masks (pycocotools' fill), then merges the masks of one group into one (the
 * largest gives label and attributes); the writer visits ungrouped annotations first, then the
 * groups in ascending order, each group's first box framing its masks.
 */
import { paintCvatMask } from '../mask.js';
import type { DatasetLabel, DatasetShape, ExportContext, FrameAnnotations } from '../model.js';
import { shapeAttributes, tagAttributes } from '../voc/attributes.js';
import type { PyValue } from '../voc/pyformat.js';
import { fillPolygon, rotatedBoxPolygon } from '../voc/rasterize.js';

export interface Annotation {
  kind: 'label' | 'box' | 'mask';
  label: string;
  group: number;
  attributes: Map<string, PyValue>;
  /** Boxes: x, y, w, h. */
  box?: [number, number, number, number];
  /** Masks: image-sized, 1 = in. */
  bitmap?: Uint8Array;
}

export interface Instance {
  members: Annotation[];
  /** The first box of a group: its normalized corners go with the group's masks. */
  box?: Annotation;
}

export function frameInstances(
  frame: FrameAnnotations, labels: ReadonlyMap<string, DatasetLabel>, known: (label: string) => boolean, ctx: ExportContext,
): Instance[] {
  const f = frame.image.frame;
  const { width, height } = frame.image;
  const plain: Annotation[] = [];
  const segments: Annotation[] = [];
  for (const t of frame.tags) {
    if (!known(t.label)) ctx.report.dropped('tags of labels not in the task', f, `label "${t.label}" is not in the class list`);
    else plain.push({ kind: 'label', label: t.label, group: t.group, attributes: tagAttributes(t, labels.get(t.label)) });
  }
  for (const s of frame.shapes) {
    if (!known(s.label)) {
      ctx.report.dropped(`${s.type} shapes of labels not in the task`, f, `label "${s.label}" is not in the class list`);
      continue;
    }
    const attributes = shapeAttributes(s, labels.get(s.label));
    if (s.type === 'rectangle' && !s.rotation) {
      const [x0, y0, x1, y1] = s.points as [number, number, number, number];
      plain.push({ kind: 'box', label: s.label, group: s.group, attributes, box: [x0, y0, x1 - x0, y1 - y0] });
    } else if (s.type === 'rectangle' || s.type === 'polygon' || s.type === 'mask') {
      if (width <= 0 || height <= 0) {
        ctx.report.dropped(`${s.type} shapes`, f, 'the image size is unknown, so no mask can be drawn');
        continue;
      }
      if (s.type !== 'mask') ctx.report.converted(s.type === 'polygon' ? 'polygons' : 'rotated rectangles', f, 'written as mask PNGs');
      segments.push({ kind: 'mask', label: s.label, group: s.group, attributes, bitmap: draw(s, width, height) });
    } else ctx.report.dropped(`${s.type} shapes`, f, 'Open Images holds image labels, boxes and masks only');
  }
  const annotations = [...plain, ...byInstance(segments).map(merge)];
  return byInstance(annotations).map((members) => ({ members, box: members[0]!.group ? members.find((a) => a.kind === 'box') : undefined }));
}

function draw(s: DatasetShape, width: number, height: number): Uint8Array {
  const bitmap = new Uint8Array(width * height);
  if (s.type === 'mask') paintCvatMask(s.points, bitmap, width, height, 1);
  else if (s.type === 'polygon') fillPolygon(s.points, width, height, bitmap, 1);
  else {
    const [x0, y0, x1, y1] = s.points as [number, number, number, number];
    fillPolygon(rotatedBoxPolygon(x0, y0, x1, y1, s.rotation), width, height, bitmap, 1);
  }
  return bitmap;
}

/** Datumaro's find_instances: ungrouped annotations one by one, then each group, by number. */
function byInstance(annotations: readonly Annotation[]): Annotation[][] {
  const out: Annotation[][] = annotations.filter((a) => !a.group).map((a) => [a]);
  const groups = new Map<number, Annotation[]>();
  for (const a of annotations) if (a.group) (groups.get(a.group) ?? groups.set(a.group, []).get(a.group)!).push(a);
  for (const g of [...groups.keys()].sort((a, b) => a - b)) out.push(groups.get(g)!);
  return out;
}

function merge(instance: Annotation[]): Annotation {
  if (instance.length === 1) return instance[0]!;
  const area = (a: Annotation) => a.bitmap!.reduce((n, v) => n + v, 0);
  let leader = instance[0]!;
  for (const a of instance) if (area(a) > area(leader)) leader = a;
  const bitmap = new Uint8Array(leader.bitmap!.length);
  for (const a of instance) a.bitmap!.forEach((v, i) => (bitmap[i] = bitmap[i]! | v));
  return { ...leader, bitmap };
}
