/**
 * Cityscapes 1.0, as CVAT exports and imports it (see export.ts and import.ts for what goes
 * where). 16-bit instanceIds PNGs need the host's RasterCodec to offer decodePng16/encodePng16
 * (raster16.ts); without them, import of 16-bit files and every export with masks fail with a
 * DatasetFormatError that says so.
 *
 * Round trip: export -> import -> export writes the same files, byte for byte when the same PNG
 * encoder writes them (PNG bytes depend on the encoder; their pixels do not). What comes back is
 * one mask per instance: rectangles, polygons and ellipses come back as masks, a group as one
 * mask, and the background label's shapes, which the export reports, not at all.
 */
import type { FormatCodec } from '../model.js';
import { exportCityscapes } from './export.js';
import { importCityscapes } from './import.js';

export type { Raster16, RasterCodec16 } from './raster16.js';

export const cityscapesFormat: FormatCodec = {
  name: 'Cityscapes 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportCityscapes,
  import: importCityscapes,
};
