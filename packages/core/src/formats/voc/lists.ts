/**
 * VOC's image lists: which images a dataset has (ImageSets/<task>/<subset>.txt, names without
 * "_"), where the dataset sits in the archive, and the tags of ImageSets/Main/<label>_<subset>.txt.
 */
import { DatasetFormatError, type DatasetTag, type ImportSource } from '../model.js';
import type { VocCategories } from './labelmap.js';
import { SETS_DIR, TASK_DIRS, type TaskDir } from './layout.js';

export interface Item {
  subset: string;
  id: string;
  tasks: Set<TaskDir>;
}

const LIST_RE = /^((?:[^/]+\/){0,3})ImageSets\/(Main|Segmentation|Layout|Action)\/([^/_]+)\.txt$/;

/** The folder holding ImageSets/ (dataset root), or null when there are no subset lists. */
export function findRoot(paths: readonly string[]): string | null {
  let best: string | null = null;
  for (const p of paths) {
    const m = LIST_RE.exec(p);
    if (m && (best === null || m[1]!.length < best.length)) best = m[1]!;
  }
  return best;
}

export function flatItems(paths: readonly string[]): Item[] {
  return paths.filter((p) => p.toLowerCase().endsWith('.xml')).map((p) => ({ subset: 'train', id: p, tasks: new Set<TaskDir>(['Main']) }));
}

export async function listedItems(source: ImportSource, base: string, paths: readonly string[]): Promise<Item[]> {
  const items = new Map<string, Item>();
  for (const task of TASK_DIRS) {
    const dir = `${base}${SETS_DIR}/${task}/`;
    for (const p of paths) {
      if (!p.startsWith(dir)) continue;
      const m = /^([^/_]+)\.txt$/.exec(p.slice(dir.length));
      if (!m) continue;
      const subset = m[1]!;
      for (const id of parseSubsetList(p, await source.text(p), task === 'Layout')) {
        const key = `${subset}\n${id}`;
        let item = items.get(key);
        if (!item) items.set(key, (item = { subset, id, tasks: new Set() }));
        item.tasks.add(task);
      }
    }
  }
  return [...items.values()];
}

/** Image ids of a subset list; Layout lists quote names with spaces and may add object numbers. */
export function parseSubsetList(file: string, text: string, layout: boolean): string[] {
  const out: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    if (!layout) {
      out.push(line);
      return;
    }
    const quoted = line.split('"');
    if (quoted.length === 1) out.push(line.split(/\s+/)[0]!);
    else if (quoted.length === 3) out.push(quoted[1]!);
    else throw new DatasetFormatError(file, 'unexpected number of quotes in the image name, expected 0 or 2', { line: i + 1 });
  });
  return out;
}

/** Tags from ImageSets/Main/<label>_<subset>.txt of the images in Main lists, in label order. */
export async function classTags(
  source: ImportSource, base: string, has: ReadonlySet<string>, items: readonly Item[], cats: VocCategories,
): Promise<Map<string, DatasetTag[]>> {
  const out = new Map<string, DatasetTag[]>();
  const subsets = new Set(items.filter((i) => i.tasks.has('Main')).map((i) => i.subset));
  const listed = new Set(items.filter((i) => i.tasks.has('Main')).map((i) => `${i.subset}\n${i.id}`));
  for (const subset of subsets) {
    for (const label of [...cats.names]) {
      const file = `${base}${SETS_DIR}/Main/${label}_${subset}.txt`;
      if (!has.has(file)) continue;
      const lines = (await source.text(file)).split(/\r?\n/);
      lines.forEach((raw, i) => {
        const line = raw.trim();
        if (!line || line.startsWith('#')) return;
        const m = /^(.*\S)\s+(\S+)$/.exec(line);
        if (!m) throw new DatasetFormatError(file, 'expected "<image> <1|0|-1>"', { line: i + 1 });
        const [, id, present] = m as unknown as [string, string, string];
        if (present !== '1' && present !== '0' && present !== '-1') {
          throw new DatasetFormatError(file, `class presence is "${present}", expected 1, 0 or -1`, { line: i + 1 });
        }
        const key = `${subset}\n${id}`;
        if (present !== '1' || !listed.has(key)) return;
        if (!out.has(key)) out.set(key, []);
        out.get(key)!.push({ label, group: 0, source: 'file', attributes: {} });
      });
    }
  }
  return out;
}
