/**
 * WIDER Face as CVAT has it ("WiderFace 1.0"): boxes with WIDER's six attribute columns and one
 * label per image (its folder). See export.ts and import.ts for what goes where.
 *
 * Round trip: export -> import -> export writes the same files. Normalisations on the way: a
 * numeric `occluded` read from a file becomes the shape's flag and is written back as
 * "True"/"False"; numbers are written as Python prints floats ("2" comes back as "2.0").
 */
import type { FormatCodec } from '../model.js';
import { exportWiderFace } from './export.js';
import { importWiderFace } from './import.js';

export const widerFaceFormat: FormatCodec = {
  name: 'WiderFace 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportWiderFace,
  import: importWiderFace,
};
