/**
 * Open Images V6 as CVAT has it ("Open Images V6 1.0"): image labels, boxes and instance masks
 * with normalized coordinates. See export.ts and import.ts for what goes where.
 *
 * Round trip: export -> import -> export writes the same files (mask PNGs too, when the same
 * encoder writes them). Normalisations on the way: labels that gain an Is* attribute on some boxes
 * write the attribute's default ("0") on their other boxes where the first export wrote -1;
 * skeleton points come back as plain labels, so the hierarchy file loses their parent.
 */
import type { FormatCodec } from '../model.js';
import { exportOpenImages } from './export.js';
import { importOpenImages } from './import.js';

export const openImagesFormat: FormatCodec = {
  name: 'Open Images V6 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportOpenImages,
  import: importOpenImages,
};
