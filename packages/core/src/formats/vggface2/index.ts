/**
 * VGGFace2 as CVAT has it ("VGGFace2 1.0"): per image one set of 5 landmarks (a points shape),
 * one box and any number of tags, all of the label the row names. See export.ts and import.ts.
 *
 * Round trip: export -> import -> export writes the same files. Imported frames are named
 * `<label>/<image>` (the row's NAME_ID), which the exporter writes back unchanged; numbers are
 * written as Python prints floats ("2" comes back as "2.0").
 */
import type { FormatCodec } from '../model.js';
import { exportVggFace2 } from './export.js';
import { importVggFace2 } from './import.js';

export const vggFace2Format: FormatCodec = {
  name: 'VGGFace2 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportVggFace2,
  import: importVggFace2,
};
