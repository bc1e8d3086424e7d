/**
 * LFW's naming: an image of a person is `<person>/<person>_<NNNN>` (number zero-padded to 4),
 * pairs.txt names it by person and number; pair lists are kept in attributes as CVAT stores
 * Datumaro's lists, Python's repr of a list of strings ("['name1/name1_0002']").
 */

export const ANNOTATIONS_DIR = 'annotations';
export const IMAGES_DIR = 'images';
export const PAIRS_FILE = 'pairs.txt';
export const PEOPLE_FILE = 'people.txt';
export const LANDMARKS_FILE = 'landmarks.txt';
export const POSITIVE = 'positive_pairs';
export const NEGATIVE = 'negative_pairs';

/** Datumaro's LfwPath.PATTERN: a person name and an image number, searched anywhere. */
export const PATTERN = /([\w-]+)_([-\d]+)/;

/** Python's int(s), or null where Python would raise. */
export function pyInt(s: string): number | null {
  const m = /^\s*([+-]?\d+(?:_\d+)*)\s*$/.exec(s);
  return m ? Number(m[1]!.replace(/_/g, '')) : null;
}

/** Python's '{:04d}'.format(n). */
export function pad4(n: number): string {
  const digits = String(Math.abs(n));
  return n < 0 ? `-${digits.padStart(3, '0')}` : digits.padStart(4, '0');
}

/** The image path and item id pairs.txt means by a person and an image number (or name). */
export function imageName(person: string, image: string): { image: string; id: string } {
  const n = pyInt(image);
  if (n === null) return { image: `${person}/${image}`, id: image };
  return { image: `${person}/${person}_${pad4(n)}`, id: `${person}_${pad4(n)}` };
}

/** Python's repr of a list of strings. */
export function pyListRepr(items: readonly string[]): string {
  return `[${items.map((s) => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`)).join(', ')}]`;
}

/**
 * The image names an attribute lists: Python's list repr as CVAT stores an imported list, or
 * names separated by commas or whitespace as a person types them.
 */
export function parseList(value: string): string[] {
  const v = value.trim();
  if (v.startsWith('[') && v.endsWith(']')) {
    const out: string[] = [];
    const re = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g;
    for (let m = re.exec(v); m; m = re.exec(v)) out.push((m[1] ?? m[2]!).replace(/\\(.)/g, '$1'));
    return out;
  }
  return v.split(/[\s,]+/).filter(Boolean);
}
