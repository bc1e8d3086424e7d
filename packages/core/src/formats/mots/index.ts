/**
 * MOTS PNG 1.0, as CVAT exports and imports it (see export.ts and import.ts for what goes
 * where). Its 16-bit PNGs need the host's RasterCodec to offer decodePng16/encodePng16
 * (cityscapes/raster16.ts); without them, import and export fail with a DatasetFormatError that
 * says so.
 *
 * Round trip: export -> import -> export writes the same files, byte for byte when the same PNG
 * encoder writes them (PNG bytes depend on the encoder; their pixels do not). What comes back are
 * tracks of masks with a keyframe on every frame they are seen (the format keeps no keyframes),
 * numbered as the export numbered them; shapes of a group come back as one mask.
 */
import type { FormatCodec } from '../model.js';
import { exportMots } from './export.js';
import { importMots } from './import.js';

export const motsFormat: FormatCodec = {
  name: 'MOTS PNG 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportMots,
  import: importMots,
};
