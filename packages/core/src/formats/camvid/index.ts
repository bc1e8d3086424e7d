/**
 * CamVid 1.0, as CVAT exports and imports it (see export.ts and import.ts for what goes where).
 *
 * Round trip: export -> import -> export writes the same files, byte for byte when the same PNG
 * encoder writes them (PNG bytes depend on the encoder; their pixels do not). CamVid keeps
 * classes, not instances: what comes back is one mask per class and image, and no groups,
 * attributes or z_order.
 */
import type { FormatCodec } from '../model.js';
import { exportCamvid } from './export.js';
import { importCamvid } from './import.js';

export const camvidFormat: FormatCodec = {
  name: 'CamVid 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportCamvid,
  import: importCamvid,
};
