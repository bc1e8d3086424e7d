/**
 * What the CamVid, Cityscapes, KITTI and MOTS exporters share: the label map CVAT hands Datumaro
 * (the task's colours, sorted by name, the background first), item naming, and the reports for
 * what a raster format cannot hold.
 */
import type { DatasetLabel, DatasetShape, DatasetTag, ExportReport, FrameAnnotations } from '../model.js';
import { stripExtension } from '../match.js';
import { colorLabelmap } from '../segmentation-mask/export.js';
import type { Rgb } from '../voc/colormap.js';
import type { VocLabelMap } from '../voc/labelmap.js';
import { shapeAttributes } from '../voc/attributes.js';
import type { PyValue } from '../voc/pyformat.js';

/** Datumaro's name for items without a subset; imports read it back as no subset. */
export const DEFAULT_SUBSET = 'default';

export interface ClassMap {
  labelmap: VocLabelMap;
  names: string[];
  classOf: Map<string, number>;
  colors: Map<number, Rgb>;
}

/** Labels as CVAT's task meta lists them: a skeleton's points too. */
export function withSublabels(labels: readonly DatasetLabel[]): DatasetLabel[] {
  return labels.flatMap((l) => [l, ...(l.sublabels ?? [])]);
}

/** CVAT's make_colormap as the CamVid, Cityscapes and KITTI converters order it. */
export function classMap(labels: readonly DatasetLabel[]): ClassMap {
  const labelmap = colorLabelmap(withSublabels(labels));
  const names = [...labelmap.keys()];
  const colors = new Map<number, Rgb>();
  [...labelmap.values()].forEach((info, i) => colors.set(i, info.color!));
  return { labelmap, names, classOf: new Map(names.map((n, i) => [n, i])), colors };
}

export interface ItemNames {
  id: string;
  /** The image's extension, `fallback` for names without one. */
  ext: string;
  subset: string;
}

export function itemNames(frame: FrameAnnotations, fallback: string): ItemNames {
  const id = stripExtension(frame.image.name);
  return { id, ext: frame.image.name.slice(id.length) || fallback, subset: frame.image.subset || DEFAULT_SUBSET };
}

/** Datumaro's truthiness of an attribute value (is_crowd). */
export function pyTruthy(v: PyValue | undefined): boolean {
  if (!v) return false;
  if (v.kind === 'str') return v.value !== '';
  if (v.kind === 'bool') return v.value;
  return v.value !== 0;
}

export function isCrowd(shape: DatasetShape, label: DatasetLabel | undefined): boolean {
  return pyTruthy(shapeAttributes(shape, label).get('is_crowd'));
}

export function reportTags(tags: readonly DatasetTag[], report: ExportReport, frame: number, format: string): void {
  for (const _ of tags) report.dropped('tags', frame, `${format} has no image-level labels`);
}

/** Reports shapes the format has no place for; `holds` says what it does hold. */
export function reportRest(shapes: readonly DatasetShape[], report: ExportReport, frame: number, holds: string): void {
  for (const s of shapes) report.dropped(`${s.type} shapes`, frame, holds);
}

/** Reports shapes with attribute values other than those the format writes. */
export function reportAttributes(shapes: readonly DatasetShape[], written: ReadonlySet<string>, report: ExportReport, frame: number, format: string): void {
  for (const s of shapes) {
    if (Object.keys(s.attributes).some((k) => !written.has(k))) report.dropped('attribute values', frame, `${format} has no place for them`);
  }
}

/** Keeps the frame when it is the first with its item id; reports it otherwise. */
export class ItemIds {
  private readonly seen = new Set<string>();
  first(names: ItemNames, report: ExportReport, frame: number): boolean {
    const key = `${names.subset}\n${names.id}`;
    if (this.seen.has(key)) {
      report.dropped('images with the same name as an earlier one', frame, `"${names.id}" already names an item`);
      return false;
    }
    this.seen.add(key);
    return true;
  }
}
