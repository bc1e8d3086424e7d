/**
 * Market-1501 as CVAT has it ("Market-1501 1.0"): person re-identification images whose names
 * carry person, camera, track, frame and box numbers, kept as attributes of a "market-1501" tag.
 *
 * Round trip: export -> import -> export writes the same lists. Normalisations: numbers read
 * from names lose their zero padding (frame "001051" is frame_id "1051"), person_id keeps it.
 */
import type { FormatCodec } from '../model.js';
import { exportMarket1501 } from './export.js';
import { importMarket1501 } from './import.js';

export const market1501Format: FormatCodec = {
  name: 'Market-1501 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportMarket1501,
  import: importMarket1501,
};
