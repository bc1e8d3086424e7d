/**
 * LFW as CVAT has it ("LFW 1.0"): persons as tags, matched and mismatched pairs in the tag's
 * positive_pairs / negative_pairs attributes, landmarks as points. See export.ts and import.ts.
 *
 * Round trip: export -> import -> export writes the same files when frames come in the order
 * pairs.txt lists them (matched pairs, mismatched, the rest): import creates frames in file order.
 * Normalisations: landmark numbers are written as Python prints floats; pair lists come back in
 * the form CVAT stores them ("['name1/name1_0002']").
 */
import type { FormatCodec } from '../model.js';
import { exportLfw } from './export.js';
import { importLfw } from './import.js';

export const lfwFormat: FormatCodec = {
  name: 'LFW 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportLfw,
  import: importLfw,
};
