/**
 * Reading Annotations/<item>.xml as Datumaro's VOC extractor does: size, filename, and each
 * <object> with its box, flags (0/1 only), pose, actions, body parts and free attributes.
 * Everything malformed is an error naming the file and line.
 */
import { DatasetFormatError } from '../model.js';
import { child, children, parseXml, type XmlElement } from '../xml.js';
import { pyFloat } from './pyformat.js';

export interface VocBox {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

export interface VocObject {
  label: string;
  box: VocBox;
  /** difficult, truncated, occluded, pose, point, actions, then <attributes>, in that order. */
  attributes: Array<[string, string | boolean]>;
  /** Body parts; read only when the image is in a Layout list, as Datumaro reads them. */
  parts: Array<{ label: string; box: VocBox }>;
  /** Whether the object has actions (declared for its label or given): Action lists keep those. */
  hasActions: boolean;
}

export interface VocAnnotation {
  filename?: string;
  width?: number;
  height?: number;
  objects: VocObject[];
}

export interface LabelLookup {
  /** Throws (or adds the label) when the name is not declared. */
  check(name: string, file: string, line: number): void;
  actions(name: string): readonly string[];
}

export function parseAnnotation(file: string, text: string, labels: LabelLookup, withParts: boolean): VocAnnotation {
  const root = parseXml(file, text);
  if (root.name !== 'annotation') throw new DatasetFormatError(file, `root element is <${root.name}>, expected <annotation>`, { line: root.line });
  const size = child(root, 'size');
  const height = size && optionalInt(file, size, 'height');
  const width = size && optionalInt(file, size, 'width');
  const filename = child(root, 'filename')?.text || undefined;
  const objects = children(root, 'object').map((o) => parseObject(file, o, labels, withParts));
  return { filename, width, height, objects };
}

function parseObject(file: string, el: XmlElement, labels: LabelLookup, withParts: boolean): VocObject {
  const label = requiredText(file, el, 'name');
  labels.check(label, file, child(el, 'name')!.line);
  const box = parseBox(file, el);
  const attributes: Array<[string, string | boolean]> = [];
  for (const flag of ['difficult', 'truncated', 'occluded']) attributes.push([flag, flag01(file, el, flag) ?? false]);
  const pose = child(el, 'pose');
  if (pose) attributes.push(['pose', pose.text]);
  const point = child(el, 'point');
  if (point) attributes.push(['point', `(${pyFloat(number(file, point, 'x'))}, ${pyFloat(number(file, point, 'y'))})`]);
  const actions = new Map<string, boolean>(labels.actions(label).map((a) => [a, false]));
  const actionsEl = child(el, 'actions');
  for (const a of actionsEl?.children ?? []) actions.set(a.name, flag01(file, actionsEl!, a.name)!);
  for (const [a, present] of actions) attributes.push([a, present]);
  const parts: VocObject['parts'] = [];
  for (const part of children(el, 'part')) {
    const partLabel = requiredText(file, part, 'name');
    labels.check(partLabel, file, child(part, 'name')!.line);
    // Outside layout lists Datumaro looks at the first part's name only.
    if (!withParts) break;
    parts.push({ label: partLabel, box: parseBox(file, part) });
  }
  const attrsEl = child(el, 'attributes');
  for (const a of attrsEl ? descendants(attrsEl, 'attribute') : []) {
    attributes.push([requiredText(file, a, 'name'), required(file, a, 'value').text]);
  }
  return { label, box, attributes, parts, hasActions: actions.size > 0 };
}

function descendants(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...descendants(c, name)]);
}

function required(file: string, el: XmlElement, name: string): XmlElement {
  const c = child(el, name);
  if (!c) throw new DatasetFormatError(file, `<${el.name}> has no <${name}>`, { line: el.line });
  return c;
}

function requiredText(file: string, el: XmlElement, name: string): string {
  const c = required(file, el, name);
  if (!c.text) throw new DatasetFormatError(file, `<${name}> is empty`, { line: c.line });
  return c.text;
}

function number(file: string, el: XmlElement, name: string): number {
  const c = required(file, el, name);
  const v = Number(c.text);
  if (!c.text || !Number.isFinite(v)) throw new DatasetFormatError(file, `<${name}> is "${c.text}", not a number`, { line: c.line });
  return v;
}

function optionalInt(file: string, el: XmlElement, name: string): number | undefined {
  const c = child(el, name);
  if (!c) return undefined;
  if (!/^\s*\+?\d+\s*$/.test(c.text)) throw new DatasetFormatError(file, `<${name}> is "${c.text}", not a whole number of pixels`, { line: c.line });
  return Number(c.text);
}

/** A 0/1 flag; undefined when absent. */
function flag01(file: string, el: XmlElement, name: string): boolean | undefined {
  const c = child(el, name);
  if (!c) return undefined;
  if (c.text !== '0' && c.text !== '1') throw new DatasetFormatError(file, `<${name}> is "${c.text}", expected 0 or 1`, { line: c.line });
  return c.text === '1';
}

function parseBox(file: string, el: XmlElement): VocBox {
  const box = child(el, 'bndbox');
  if (!box || box.children.length === 0) throw new DatasetFormatError(file, `<${el.name}> has no <bndbox>`, { line: el.line });
  const b = { xmin: number(file, box, 'xmin'), ymin: number(file, box, 'ymin'), xmax: number(file, box, 'xmax'), ymax: number(file, box, 'ymax') };
  if (b.xmax < b.xmin || b.ymax < b.ymin) {
    throw new DatasetFormatError(file, `box (${b.xmin}, ${b.ymin})-(${b.xmax}, ${b.ymax}) has its max below its min`, { line: box.line });
  }
  return b;
}
