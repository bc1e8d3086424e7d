/** What the three ICDAR variants share: the label CVAT gives their objects and item naming. */
import { stripExtension } from '../match.js';
import type { DatasetImage, DatasetLabel, DatasetShape, DatasetTag } from '../model.js';
import { shapeAttributes, tagAttributes } from '../voc/attributes.js';
import { pyStr } from '../voc/pyformat.js';

/** ICDAR files name no labels; CVAT puts every object it reads under this one. */
export const ICDAR_LABEL = 'icdar';
export const IMAGES_DIR = 'images';
export const DEFAULT_SUBSET = 'default';

export interface IcdarItem {
  id: string;
  /** id plus the image's extension (".png", Datumaro's default for ICDAR, when it has none). */
  file: string;
  subset: string;
}

export function icdarItem(image: DatasetImage): IcdarItem {
  const id = stripExtension(image.name);
  return { id, file: id + (image.name.slice(id.length) || '.png'), subset: image.subset || DEFAULT_SUBSET };
}

/** The object's "text" attribute as CVAT hands it over (declared ones typed, else as stored). */
export function textOf(object: DatasetShape | DatasetTag, labels: ReadonlyMap<string, DatasetLabel>, isShape: boolean): string | undefined {
  const label = labels.get(object.label);
  const attrs = isShape ? shapeAttributes(object as DatasetShape, label) : tagAttributes(object, label);
  const v = attrs.get('text');
  if (v) return pyStr(v);
  return object.attributes.text;
}

/** `<dir>/<name>` split into its first folder (the subset) and the rest. */
export function splitSubset(path: string): { subset: string; rest: string } {
  const slash = path.indexOf('/');
  return slash < 0 ? { subset: DEFAULT_SUBSET, rest: path } : { subset: path.slice(0, slash), rest: path.slice(slash + 1) };
}

export function subsetField(subset: string): { subset?: string } {
  return subset === DEFAULT_SUBSET ? {} : { subset };
}
