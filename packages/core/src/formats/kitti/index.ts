/**
 * KITTI 1.0 (segmentation and object detection), as CVAT exports and imports it (see export.ts
 * and import.ts for what goes where). The 16-bit semantic and instance PNGs need the host's
 * RasterCodec to offer decodePng16/encodePng16 (cityscapes/raster16.ts); without them, import of
 * instance PNGs and export of masks fail with a DatasetFormatError that says so.
 *
 * Round trip: export -> import -> export writes the same files, byte for byte when the same PNG
 * encoder writes them (PNG bytes depend on the encoder; their pixels do not). Boxes come back
 * with truncated as a flag and score as attributes; polygons, ellipses and rotated boxes come
 * back as masks, a group as one mask.
 */
import type { FormatCodec } from '../model.js';
import { exportKitti } from './export.js';
import { importKitti } from './import.js';

export const kittiFormat: FormatCodec = {
  name: 'KITTI 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportKitti,
  import: importKitti,
};
