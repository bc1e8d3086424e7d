/**
 * Datumaro's dataset_meta.json: where present, its "label_map" ({"0": "cat", ...}) is the label
 * list, in the order of its numbers, and takes precedence over a format's own label file.
 */
import { DatasetFormatError, type ImportSource } from '../model.js';

export const DATASET_META_FILE = 'dataset_meta.json';

/** The labels of `<dir>dataset_meta.json`, or null when there is no such file. */
export async function metaLabels(source: ImportSource, dir: string): Promise<string[] | null> {
  const path = `${dir}${DATASET_META_FILE}`;
  if (!source.paths().includes(path)) return null;
  let meta: unknown;
  try {
    meta = JSON.parse(await source.text(path));
  } catch (e) {
    throw new DatasetFormatError(path, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new DatasetFormatError(path, 'expected an object', { path: '$' });
  const map = (meta as Record<string, unknown>)['label_map'];
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new DatasetFormatError(path, 'expected "label_map" to be an object of label names', { path: '$.label_map' });
  }
  const out: string[] = [];
  for (const [key, name] of Object.entries(map)) {
    if (typeof name !== 'string' || name === '') throw new DatasetFormatError(path, 'expected a label name', { path: `$.label_map.${key}` });
    if (!/^\d+$/.test(key)) throw new DatasetFormatError(path, `"${key}" is not a label number`, { path: `$.label_map.${key}` });
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
