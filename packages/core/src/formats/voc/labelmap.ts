/**
 * labelmap.txt ("# label:color_rgb:parts:actions") and the label numbering it implies: labels in
 * file order, then every body part (sorted), with class colors either from the file or, when it
 * gives none, the VOC colormap by label number. This is Datumaro's VocLabelMap and
 * make_voc_categories, which decide what a class PNG's colors mean.
 */
import { DatasetFormatError } from '../model.js';
import { VOC_ACTIONS, VOC_BODY_PARTS, VOC_LABELS, rgbKey, vocColormap, type Rgb } from './colormap.js';

export const LABELMAP_FILE = 'labelmap.txt';
export const LABELMAP_HEADER = '# label:color_rgb:parts:actions\n';

export interface VocLabelInfo {
  color?: Rgb;
  parts: string[];
  actions: string[];
}

/** Labels by name in file order. */
export type VocLabelMap = Map<string, VocLabelInfo>;

export function parseLabelmap(file: string, text: string): VocLabelMap {
  const map: VocLabelMap = new Map();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const at = { line: i + 1 };
    const fields = line.split(':');
    if (fields.length !== 4) {
      throw new DatasetFormatError(file, `expected 4 ':'-separated fields (label:color:parts:actions), got ${fields.length}`, at);
    }
    const [name, colorText, partsText, actionsText] = fields as [string, string, string, string];
    if (!name) throw new DatasetFormatError(file, 'empty label name', at);
    if (map.has(name)) throw new DatasetFormatError(file, `label "${name}" is defined twice`, at);
    let color: Rgb | undefined;
    if (colorText) {
      const parts = colorText.split(',');
      const values = parts.map((c) => Number(c.trim()));
      if (parts.length !== 3 || values.some((v, k) => !/^\s*\d+\s*$/.test(parts[k]!) || v > 255)) {
        throw new DatasetFormatError(file, `label "${name}": color "${colorText}" is not an r,g,b triplet of 0..255`, at);
      }
      color = [values[0]!, values[1]!, values[2]!];
    }
    const list = (s: string) => (s ? s.split(',').map((p) => p.trim()) : []);
    map.set(name, { color, parts: list(partsText), actions: list(actionsText) });
  });
  return map;
}

export function writeLabelmap(map: VocLabelMap): string {
  let out = LABELMAP_HEADER;
  for (const [name, info] of map) {
    out += `${[name, info.color ? info.color.join(',') : '', info.parts.join(','), info.actions.join(',')].join(':')}\n`;
  }
  return out;
}

/** VOC's own label map: its 21 classes and "ignored", person with body parts and actions. */
export function defaultLabelmap(): VocLabelMap {
  const colors = vocColormap(256);
  const map: VocLabelMap = new Map();
  for (const [name, id] of VOC_LABELS) {
    const person = name === 'person';
    map.set(name, { color: colors[id], parts: person ? [...VOC_BODY_PARTS] : [], actions: person ? [...VOC_ACTIONS] : [] });
  }
  return map;
}

/** The label a map treats as background: the one colored black, else the one named "background". */
export function findBackground(map: VocLabelMap): string | undefined {
  for (const [name, info] of map) if (info.color && rgbKey(info.color) === 0) return name;
  return map.has('background') ? 'background' : undefined;
}

/** Moves (or adds, uncolored unless others have colors) the background label to the front. */
export function withBackgroundFirst(map: VocLabelMap): VocLabelMap {
  let bg = findBackground(map);
  const hasColors = [...map.values()].some((i) => i.color);
  if (!bg) {
    bg = 'background';
    map = new Map([[bg, { color: hasColors ? ([0, 0, 0] as Rgb) : undefined, parts: [], actions: [] }], ...map]);
  }
  const info = map.get(bg)!;
  const rest = [...map].filter(([n]) => n !== bg);
  return new Map([[bg, info], ...rest]);
}

/** Class numbering and colors a label map implies. */
export interface VocCategories {
  /** Labels in map order, then body parts. */
  names: string[];
  /** Declared actions of each label (Datumaro keeps them as the label's attributes). */
  actions: Map<string, string[]>;
  parts: Set<string>;
  /** Class number -> color, for the numbers that have one. */
  colors: Map<number, Rgb>;
  /** Color -> class number (the later label wins a shared color, as in Datumaro). */
  byColor: Map<number, number>;
  background: number | undefined;
}

export function vocCategories(map: VocLabelMap): VocCategories {
  const names = [...map.keys()];
  const parts = new Set<string>();
  for (const info of map.values()) for (const p of info.parts) parts.add(p);
  for (const p of [...parts].sort()) if (!map.has(p)) names.push(p);
  const colors = new Map<number, Rgb>();
  if (![...map.values()].some((i) => i.color)) {
    vocColormap(map.size).forEach((c, i) => colors.set(i, c));
  } else {
    [...map.values()].forEach((info, i) => info.color && colors.set(i, info.color));
  }
  const byColor = new Map<number, number>();
  for (const [id, c] of colors) byColor.set(rgbKey(c), id);
  const actions = new Map([...map].map(([n, i]) => [n, i.actions] as const));
  const bg = findBackground(map);
  return { names, actions, parts, colors, byColor, background: bg === undefined ? undefined : names.indexOf(bg) };
}
