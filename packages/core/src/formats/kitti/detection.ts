/**
 * label_2/<item>.txt, KITTI's object detection labels: a line per box of 16 space-separated
 * fields as Datumaro writes them: type, truncated, occluded, alpha, left, top, right, bottom, the
 * seven 3D fields (height, width, length, x, y, z, rotation_y) and score. Datumaro writes -1 for
 * alpha and the 3D fields, and reads lines of 15 (KITTI's ground truth) or 16 fields, keeping
 * type, the box, truncated (as a flag: non-zero), occluded (non-zero) and score.
 */
import { DatasetFormatError, type DatasetLabel, type DatasetShape } from '../model.js';
import { shapeAttributes } from '../voc/attributes.js';
import { pyFloat, type PyValue } from '../voc/pyformat.js';

const PY_DECIMAL = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

/** Python's float(text), or undefined where Python raises. */
export function pyParseFloat(text: string): number | undefined {
  const t = text.trim();
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) return special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  return PY_DECIMAL.test(t) ? Number(t.replace(/_/g, '')) : undefined;
}

/** Datumaro's cast(value, float, default). */
function castFloat(v: PyValue | undefined, fallback: number): number {
  if (!v) return fallback;
  if (v.kind === 'bool') return v.value ? 1 : 0;
  if (v.kind === 'str') return pyParseFloat(v.value) ?? fallback;
  return v.value;
}

/** Datumaro's cast(value, int, default): int() of a float truncates, of text needs an integer literal. */
function castInt(v: PyValue | undefined, fallback: number): number {
  if (!v) return fallback;
  if (v.kind === 'bool') return v.value ? 1 : 0;
  if (v.kind === 'str') {
    const t = v.value.trim().replace(/_/g, '');
    return /^[+-]?\d+$/.test(t) ? Number(t) : fallback;
  }
  return Number.isFinite(v.value) ? Math.trunc(v.value) : fallback;
}

export function detectionLine(box: DatasetShape, label: DatasetLabel | undefined): string {
  const attrs = shapeAttributes(box, label);
  const [x0, y0, x1, y1] = box.points as [number, number, number, number];
  const w = x1 - x0, h = y1 - y0;
  const fields = [
    box.label, pyFloat(castFloat(attrs.get('truncated'), 0)), String(castInt(attrs.get('occluded'), 0)), '-1',
    pyFloat(x0), pyFloat(y0), pyFloat(x0 + w), pyFloat(y0 + h), '-1', '-1', '-1', '-1', '-1', '-1', '-1',
    pyFloat(castFloat(attrs.get('score'), 1)),
  ];
  return `${fields.join(' ')}\n`;
}

/** The boxes of a label_2 file, as Datumaro reads them. */
export function parseDetections(file: string, text: string): DatasetShape[] {
  const out: DatasetShape[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const at = { line: i + 1 };
    const f = raw.trim().split(/\s+/);
    if (f.length === 1 && f[0] === '') return;
    if (f.length !== 15 && f.length !== 16) throw new DatasetFormatError(file, `expected 15 or 16 space-separated fields, got ${f.length}`, at);
    const num = (k: number, name: string): number => {
      const v = pyParseFloat(f[k]!);
      if (v === undefined) throw new DatasetFormatError(file, `${name} "${f[k]}" is not a number`, at);
      return v;
    };
    const truncated = num(1, 'truncated');
    if (!/^[+-]?\d+(?:_\d+)*$/.test(f[2]!)) throw new DatasetFormatError(file, `occluded "${f[2]}" is not an integer`, at);
    const [x1, y1, x2, y2] = [num(4, 'left'), num(5, 'top'), num(6, 'right'), num(7, 'bottom')];
    const attributes: Record<string, string> = { truncated: truncated !== 0 ? 'true' : 'false' };
    if (f.length === 16) attributes.score = pyFloat(num(15, 'score'));
    // Datumaro keeps x, y, w, h and gives back x + w: the same doubles CVAT stores.
    const w = x2 - x1, h = y2 - y1;
    out.push({
      type: 'rectangle', label: f[0]!, group: 0, source: 'file', attributes, points: [x1, y1, x1 + w, y1 + h],
      rotation: 0, occluded: Number(f[2]!.replace(/_/g, '')) !== 0, outside: false, z_order: 0,
    });
  });
  return out;
}
