/**
 * Labels of a Datumaro annotation file: the categories (which annotations refer to by index), and
 * the label schema, exact from infos.framewise.labels when our export wrote it, else built from
 * the categories (types "any", attributes "text", colors from the mask colormap, skeletons from
 * points categories).
 */
import { isAttributeInputType, isLabelType, COLOR_RE, type AttributeSpec } from '../../labels.js';
import type { DatasetLabel } from '../model.js';
import { skeletonSvg } from './categories.js';
import type { JsonObject, JsonValues } from './json-values.js';

export interface CategoryLabel {
  name: string;
  /** The skeleton's name for a skeleton point. */
  parent?: string;
}

export interface FileLabels {
  categories: CategoryLabel[];
  labels: DatasetLabel[];
  /** Whether `labels` is our exact schema (and keyframe flags in the file are complete). */
  exact: boolean;
}

function schemaLabel(j: JsonValues, v: unknown, path: string, isPoint: boolean): DatasetLabel {
  const o = j.object(v, path);
  const type = j.string(o.type, `${path}.type`);
  if (!isLabelType(type)) j.fail(`${path}.type`, `unknown label type "${type}"`);
  const attributes = j.array(o.attributes ?? [], `${path}.attributes`).map((a, i): AttributeSpec => {
    const p = `${path}.attributes[${i}]`;
    const ao = j.object(a, p);
    const inputType = j.string(ao.input_type, `${p}.input_type`);
    if (!isAttributeInputType(inputType)) j.fail(`${p}.input_type`, `unknown input type "${inputType}"`);
    if (typeof ao.mutable !== 'boolean') j.fail(`${p}.mutable`, 'must be true or false');
    return {
      name: j.string(ao.name, `${p}.name`),
      mutable: ao.mutable,
      input_type: inputType,
      default_value: j.string(ao.default_value ?? '', `${p}.default_value`),
      values: j.array(ao.values ?? [], `${p}.values`).map((x, k) => j.string(x, `${p}.values[${k}]`)),
    };
  });
  const label: DatasetLabel = { name: j.string(o.name, `${path}.name`), type, attributes };
  const color = j.opt(o, 'color', path, j.string);
  if (color !== undefined) {
    if (!COLOR_RE.test(color)) j.fail(`${path}.color`, `"${color}" is not a #rrggbb color`);
    label.color = color;
  }
  if (o.sublabels !== undefined && !isPoint) {
    label.sublabels = j.array(o.sublabels, `${path}.sublabels`).map((s, i) => schemaLabel(j, s, `${path}.sublabels[${i}]`, true));
  }
  const svg = j.opt(o, 'svg', path, j.string);
  if (svg !== undefined) label.svg = svg;
  return label;
}

export function readLabels(j: JsonValues, root: JsonObject): FileLabels {
  const cats = j.object(root.categories, 'categories');
  const labelCat = cats.label === undefined ? undefined : j.object(cats.label, 'categories.label');
  const categories: CategoryLabel[] = j.array(labelCat?.labels ?? [], 'categories.label.labels').map((l, i) => {
    const p = `categories.label.labels[${i}]`;
    const o = j.object(l, p);
    const parent = j.opt(o, 'parent', p, j.string);
    const c: CategoryLabel = { name: j.string(o.name, `${p}.name`) };
    if (parent) c.parent = parent;
    return c;
  });

  const infos = root.infos ?? root.info;
  const schema = typeof infos === 'object' && infos !== null ? (infos as JsonObject).framewise : undefined;
  if (schema !== undefined) {
    const path = 'infos.framewise.labels';
    const list = j.array(j.object(schema, 'infos.framewise').labels, path);
    return { categories, labels: list.map((l, i) => schemaLabel(j, l, `${path}[${i}]`, false)), exact: true };
  }

  const colors = new Map<number, string>();
  const maskCat = cats.mask === undefined ? undefined : j.object(cats.mask, 'categories.mask');
  j.array(maskCat?.colormap ?? [], 'categories.mask.colormap').forEach((c, i) => {
    const p = `categories.mask.colormap[${i}]`;
    const o = j.object(c, p);
    const hex = (k: string) => j.int(o[k], `${p}.${k}`, 0).toString(16).padStart(2, '0').slice(-2);
    colors.set(j.int(o.label_id, `${p}.label_id`, 0), `#${hex('r')}${hex('g')}${hex('b')}`);
  });
  const joints = new Map<number, number[][]>();
  const pointsCat = cats.points === undefined ? undefined : j.object(cats.points, 'categories.points');
  j.array(pointsCat?.items ?? [], 'categories.points.items').forEach((it, i) => {
    const p = `categories.points.items[${i}]`;
    const o = j.object(it, p);
    joints.set(
      j.int(o.label_id, `${p}.label_id`, 0),
      j.array(o.joints ?? [], `${p}.joints`).map((x, k) => j.numbers(x, `${p}.joints[${k}]`, 2)),
    );
  });

  const attrNames = (i: number) => {
    const p = `categories.label.labels[${i}]`;
    const o = j.object(j.array(labelCat?.labels, 'categories.label.labels')[i], p);
    return j.array(o.attributes ?? [], `${p}.attributes`).map((a, k) => j.string(a, `${p}.attributes[${k}]`));
  };
  const build = (i: number, isPoint: boolean): DatasetLabel => {
    const c = categories[i]!;
    const children = isPoint ? [] : categories.map((x, k) => ({ x, k })).filter(({ x }) => x.parent === c.name);
    const label: DatasetLabel = {
      name: c.name,
      type: isPoint ? 'points' : children.length > 0 ? 'skeleton' : 'any',
      attributes: attrNames(i).map((name) => ({ name, mutable: false, input_type: 'text', default_value: '', values: [] })),
    };
    const color = colors.get(i);
    if (color) label.color = color;
    if (children.length > 0) {
      label.sublabels = children.map(({ k }) => build(k, true));
      label.svg = skeletonSvg(label.sublabels.map((s) => s.name), joints.get(i) ?? []);
    }
    return label;
  };
  const labels = categories.flatMap((c, i) => (c.parent ? [] : [build(i, false)]));
  return { categories, labels, exact: false };
}
