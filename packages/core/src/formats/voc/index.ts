/**
 * PASCAL VOC 1.1, as CVAT exports and imports it (see export.ts and import.ts for what goes
 * where). Round trip: export -> import -> export writes the same bytes, PNGs included when the
 * same encoder writes them (PNG bytes depend on the encoder; their pixels do not).
 */
import type { FormatCodec } from '../model.js';
import { exportVoc } from './export.js';
import { importVoc } from './import.js';

export const vocFormat: FormatCodec = {
  name: 'PASCAL VOC 1.1',
  ext: 'ZIP',
  dimension: '2d',
  export: exportVoc,
  import: importVoc,
};
