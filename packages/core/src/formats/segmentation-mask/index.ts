/**
 * Segmentation mask 1.1, as CVAT exports it (export.ts); its import is CVAT's PASCAL VOC reader
 * (voc/import.ts), which turns SegmentationObject instances (or, without them, SegmentationClass
 * classes) into masks. Round trip: export -> import -> export writes the same bytes when the same
 * PNG encoder writes them; grouped shapes come back as one mask, rectangles and polygons as masks.
 */
import type { FormatCodec } from '../model.js';
import { importVoc } from '../voc/import.js';
import { exportSegmentationMask } from './export.js';

export const segmentationMaskFormat: FormatCodec = {
  name: 'Segmentation mask 1.1',
  ext: 'ZIP',
  dimension: '2d',
  export: exportSegmentationMask,
  import: importVoc,
};
