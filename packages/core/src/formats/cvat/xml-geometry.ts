/** Shape geometry read back from CVAT XML attributes (cvat.py load_anno). */
import type { ShapeType } from '../../annotations/types.js';
import { fixed2 } from './pyformat.js';
import type { Attrs, XmlValues } from './xml-values.js';

export const SHAPE_TAGS: Readonly<Record<string, ShapeType>> = {
  box: 'rectangle',
  polygon: 'polygon',
  polyline: 'polyline',
  points: 'points',
  ellipse: 'ellipse',
  cuboid: 'cuboid',
  mask: 'mask',
  skeleton: 'skeleton',
};

const CUBOID_NAMES = ['xtl1', 'ytl1', 'xbl1', 'ybl1', 'xtr1', 'ytr1', 'xbr1', 'ybr1', 'xtl2', 'ytl2', 'xbl2', 'ybl2', 'xtr2', 'ytr2', 'xbr2', 'ybr2'];

export function readGeometry(v: XmlValues, tag: string, attrs: Attrs, line: number): { points: number[]; rotation: number } {
  const rotation = attrs.rotation === undefined ? 0 : v.number(tag, attrs, 'rotation', line);
  const n = (key: string) => v.number(tag, attrs, key, line);
  switch (tag) {
    case 'box':
      return { points: [n('xtl'), n('ytl'), n('xbr'), n('ybr')], rotation };
    case 'ellipse': {
      const cx = n('cx'), cy = n('cy');
      // CVAT rounds the computed corner to two decimals, as it writes them.
      return { points: [cx, cy, Number(fixed2(cx + n('rx'))), Number(fixed2(cy - n('ry')))], rotation };
    }
    case 'cuboid':
      return { points: CUBOID_NAMES.map(n), rotation };
    case 'mask': {
      const left = v.int(tag, attrs, 'left', line, { min: 0 });
      const top = v.int(tag, attrs, 'top', line, { min: 0 });
      const width = v.int(tag, attrs, 'width', line, { min: 1 });
      const height = v.int(tag, attrs, 'height', line, { min: 1 });
      const text = v.required(tag, attrs, 'rle', line);
      const runs = text.split(',').map((s) => {
        const r = v.parseNumber(tag, 'rle', s, line);
        if (!Number.isInteger(r) || r < 0) v.fail(line, `<mask> rle="${text}" holds ${s.trim()}, not a run length`);
        return r;
      });
      const total = runs.reduce((a, b) => a + b, 0);
      if (total > width * height) v.fail(line, `<mask> rle covers ${total} pixels, more than its ${width}x${height} box`);
      return { points: [...runs, left, top, left + width - 1, top + height - 1], rotation };
    }
    case 'skeleton':
      return { points: [], rotation };
    default:
      return { points: v.points(tag, attrs, line), rotation };
  }
}
