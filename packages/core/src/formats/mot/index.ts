/**
 * MOT 1.1 (the MOT Challenge's ground-truth layout), as CVAT exports and imports it.
 *
 * Round trips: export, import into the same task, export is byte-equal. Import makes every box of
 * a track a keyframe (the format keeps no keyframes), so what comes back is the track as shown on
 * each frame rather than its original keyframes; boxes come back without z_order, attributes,
 * groups or rotation, which the export reports.
 */
import type { FormatCodec } from '../model.js';
import { exportMot } from './export.js';
import { importMot } from './import.js';

export { exportMot, importMot };

export const motFormat: FormatCodec = {
  name: 'MOT 1.1',
  ext: 'ZIP',
  dimension: '2d',
  export: exportMot,
  import: importMot,
};
