/**
 * label_colors.txt, the label map of CamVid, Cityscapes and KITTI ("r g b name" a line, in class
 * number order), and the label maps these formats fall back on. Datumaro reads a name that is a
 * single word after three numbers, or a bare name without colour; names with spaces (which CVAT
 * writes as they are) are read here as the rest of the line, so our own exports read back.
 */
import type { DatasetLabel } from '../model.js';
import { hexToRgb, type Rgb } from '../voc/colormap.js';
import type { VocLabelMap } from '../voc/labelmap.js';
import { DatasetFormatError } from '../model.js';

export const LABEL_COLORS_FILE = 'label_colors.txt';

export function parseLabelColors(file: string, text: string): VocLabelMap {
  const map: VocLabelMap = new Map();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const at = { line: i + 1 };
    const fields = line.split(/\s+/);
    let name = line;
    let color: Rgb | undefined;
    if (fields.length >= 3 && fields.slice(0, 3).every((f) => /^[+-]?\d+$/.test(f))) {
      const rgb = fields.slice(0, 3).map(Number);
      if (rgb.some((c) => c < 0 || c > 255)) throw new DatasetFormatError(file, `color "${fields.slice(0, 3).join(' ')}" is not three numbers from 0 to 255`, at);
      if (fields.length === 3) throw new DatasetFormatError(file, 'a color without a label name', at);
      color = [rgb[0]!, rgb[1]!, rgb[2]!];
      name = line.replace(/^(\S+\s+){3}/, '');
    } else if (fields.length > 1) {
      throw new DatasetFormatError(file, `expected "r g b name" or a bare name, got "${line}"`, at);
    }
    if (map.has(name)) throw new DatasetFormatError(file, `label "${name}" is defined twice`, at);
    map.set(name, { color, parts: [], actions: [] });
  });
  return map;
}

/** Datumaro's write_label_map: "%s %s\n" of the joined colour (empty without one) and the name. */
export function writeLabelColors(map: VocLabelMap): string {
  let out = '';
  for (const [name, info] of map) out += `${info.color ? info.color.join(' ') : ''} ${name}\n`;
  return out;
}

function fixed(entries: ReadonlyArray<readonly [string, Rgb]>): VocLabelMap {
  return new Map(entries.map(([n, c]) => [n, { color: c, parts: [], actions: [] }]));
}

/** Datumaro's CITYSCAPES_LABEL_MAP, which is also its KittiLabelMap. */
export const CITYSCAPES_LABELS: ReadonlyArray<readonly [string, Rgb]> = [
  ['unlabeled', [0, 0, 0]], ['egovehicle', [0, 0, 0]], ['rectificationborder', [0, 0, 0]], ['outofroi', [0, 0, 0]],
  ['static', [0, 0, 0]], ['dynamic', [111, 74, 0]], ['ground', [81, 0, 81]], ['road', [128, 64, 128]],
  ['sidewalk', [244, 35, 232]], ['parking', [250, 170, 160]], ['railtrack', [230, 150, 140]], ['building', [70, 70, 70]],
  ['wall', [102, 102, 156]], ['fence', [190, 153, 153]], ['guardrail', [180, 165, 180]], ['bridge', [150, 100, 100]],
  ['tunnel', [150, 120, 90]], ['pole', [153, 153, 153]], ['polegroup', [153, 153, 153]], ['trafficlight', [250, 170, 30]],
  ['trafficsign', [220, 220, 0]], ['vegetation', [107, 142, 35]], ['terrain', [152, 251, 152]], ['sky', [70, 130, 180]],
  ['person', [220, 20, 60]], ['rider', [255, 0, 0]], ['car', [0, 0, 142]], ['truck', [0, 0, 70]], ['bus', [0, 60, 100]],
  ['caravan', [0, 0, 90]], ['trailer', [0, 0, 110]], ['train', [0, 80, 100]], ['motorcycle', [0, 0, 230]],
  ['bicycle', [119, 11, 32]], ['licenseplate', [0, 0, 142]],
];

/** Datumaro's TRAIN_CITYSCAPES_LABEL_MAP, for labelTrainIds masks (class 19 is the background). */
export const CITYSCAPES_TRAIN_LABELS: ReadonlyArray<readonly [string, Rgb]> = [
  ['road', [128, 64, 128]], ['sidewalk', [244, 35, 232]], ['building', [70, 70, 70]], ['wall', [102, 102, 156]],
  ['fence', [190, 153, 153]], ['pole', [153, 153, 153]], ['trafficlight', [250, 170, 30]], ['trafficsign', [220, 220, 0]],
  ['vegetation', [107, 142, 35]], ['terrain', [152, 251, 152]], ['sky', [70, 130, 180]], ['person', [220, 20, 60]],
  ['rider', [255, 0, 0]], ['car', [0, 0, 142]], ['truck', [0, 0, 70]], ['bus', [0, 60, 100]], ['train', [0, 80, 100]],
  ['motorcycle', [0, 0, 230]], ['bicycle', [119, 11, 32]], ['background', [0, 0, 0]],
];

export const cityscapesLabelMap = () => fixed(CITYSCAPES_LABELS);
export const cityscapesTrainLabelMap = () => fixed(CITYSCAPES_TRAIN_LABELS);

/**
 * The label map CVAT writes into an uploaded Cityscapes or KITTI archive that has none
 * (make_colormap): "background" in black first unless a label has that name, then the task's
 * labels in their order and colours.
 */
export function taskLabelMap(labels: readonly DatasetLabel[]): VocLabelMap {
  const map: VocLabelMap = new Map();
  if (!labels.some((l) => l.name === 'background')) map.set('background', { color: [0, 0, 0], parts: [], actions: [] });
  for (const l of labels) {
    if (!map.has(l.name)) map.set(l.name, { color: (l.color && hexToRgb(l.color)) || undefined, parts: [], actions: [] });
  }
  return map;
}
