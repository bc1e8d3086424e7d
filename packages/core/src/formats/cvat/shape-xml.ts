/**
 * Shape geometry as CVAT XML attributes (cvat.py dump_labeled_shapes / dump_shape): coordinates
 * with two decimals, ellipses as center and radii, masks as CVAT's RLE over their box with the
 * box's left, top, width and height.
 */
import type { ShapeType } from '../../annotations/types.js';
import type { AttributeMap, DatasetLabel } from '../model.js';
import type { LabelSpecs } from './label-specs.js';
import { fixed2 } from './pyformat.js';
import { escapeText, indent, quoteAttr } from './xml-writer.js';

export const XML_TAG: Record<ShapeType, string> = {
  rectangle: 'box',
  polygon: 'polygon',
  polyline: 'polyline',
  points: 'points',
  ellipse: 'ellipse',
  cuboid: 'cuboid',
  mask: 'mask',
  skeleton: 'skeleton',
};

const CUBOID_NAMES = ['xtl1', 'ytl1', 'xbl1', 'ybl1', 'xtr1', 'ytr1', 'xbr1', 'ybr1', 'xtl2', 'ytl2', 'xbl2', 'ybl2', 'xtr2', 'ytr2', 'xbr2', 'ybr2'];

/** Why `points` cannot be written as `type`, or null when they can. */
export function geometryProblem(type: ShapeType, points: readonly number[]): string | null {
  if (!points.every(Number.isFinite)) return 'coordinates are not finite numbers';
  switch (type) {
    case 'rectangle':
    case 'ellipse':
      return points.length === 4 ? null : `${type} needs 4 numbers, has ${points.length}`;
    case 'cuboid':
      return points.length === 16 ? null : `cuboid needs 16 numbers, has ${points.length}`;
    case 'mask':
      return points.length >= 5 ? null : 'mask needs run lengths and its box';
    case 'skeleton':
      return null;
    default:
      return points.length >= 2 && points.length % 2 === 0 ? null : `${type} needs x,y pairs`;
  }
}

/** The geometry attributes, in CVAT's order, rotation included where CVAT writes it. */
export function geometryAttrs(type: ShapeType, p: readonly number[], rotation: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  switch (type) {
    case 'rectangle':
      out.push(['xtl', fixed2(p[0]!)], ['ytl', fixed2(p[1]!)], ['xbr', fixed2(p[2]!)], ['ybr', fixed2(p[3]!)]);
      if (rotation) out.push(['rotation', fixed2(rotation)]);
      break;
    case 'ellipse':
      out.push(['cx', fixed2(p[0]!)], ['cy', fixed2(p[1]!)], ['rx', fixed2(p[2]! - p[0]!)], ['ry', fixed2(p[1]! - p[3]!)]);
      if (rotation) out.push(['rotation', fixed2(rotation)]);
      break;
    case 'cuboid':
      CUBOID_NAMES.forEach((n, i) => out.push([n, fixed2(p[i]!)]));
      break;
    case 'mask': {
      const n = p.length - 4;
      const left = Math.trunc(p[n]!), top = Math.trunc(p[n + 1]!);
      // Python's str(list)[1:-1]: ", " between the run lengths.
      out.push(
        ['rle', p.slice(0, n).map((v) => String(Math.trunc(v))).join(', ')],
        ['left', String(left)],
        ['top', String(top)],
        ['width', String(Math.trunc(p[n + 2]! - p[n]!) + 1)],
        ['height', String(Math.trunc(p[n + 3]! - p[n + 1]!) + 1)],
      );
      break;
    }
    case 'skeleton':
      break;
    default: {
      const pairs: string[] = [];
      for (let i = 0; i + 1 < p.length; i += 2) pairs.push(`${fixed2(p[i]!)},${fixed2(p[i + 1]!)}`);
      out.push(['points', pairs.join(';')]);
    }
  }
  return out;
}

export function openTag(name: string, attrs: ReadonlyArray<readonly [string, string]>, level: number): string {
  let s = `${indent(level)}<${name}`;
  for (const [k, v] of attrs) s += ` ${k}=${quoteAttr(v)}`;
  return s + '>';
}

export function closeTag(name: string, level: number): string {
  return `${indent(level)}</${name}>`;
}

/** <attribute name="...">value</attribute> lines, in the label's declared order. */
export function attributeLines(values: AttributeMap, label: DatasetLabel | undefined, specs: LabelSpecs, level: number): string {
  let s = '';
  for (const [name, value] of specs.ordered(values, label)) {
    s += `${indent(level)}<attribute name=${quoteAttr(name)}>${escapeText(value)}</attribute>`;
  }
  return s;
}
