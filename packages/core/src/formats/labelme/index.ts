/**
 * LabelMe 3.0, as CVAT exports it (export.ts) and imports it (import.ts, which also reads
 * LabelMe's own Annotations/Images/Masks layout). Round trip: export -> import -> export writes
 * the same XML and the same mask pixels (PNG bytes depend on the encoder); ellipses come back as
 * masks, tags and point-like shapes are not exported (reported).
 */
import type { FormatCodec } from '../model.js';
import { exportLabelMe } from './export.js';
import { importLabelMe } from './import.js';

export const labelmeFormat: FormatCodec = {
  name: 'LabelMe 3.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportLabelMe,
  import: importLabelMe,
};
