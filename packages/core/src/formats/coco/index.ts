/**
 * COCO 1.0 and COCO Keypoints 1.0, as CVAT exports and imports them (through Datumaro's
 * coco_instances and coco_person_keypoints). What each writes and reads, and where it differs
 * from CVAT, is described in export.ts, instances.ts, import.ts and read.ts.
 *
 * Round trips: export -> import -> export into the same labels gives byte-equal files when every
 * object is expressible: ungrouped rectangles, polygons and masks (COCO 1.0), skeletons
 * (Keypoints), coordinates with at most 2 decimals. Groups come back as one object, ellipses as
 * masks, tags and polylines not at all; the export reports each.
 */
import type { FormatCodec } from '../model.js';
import { exportCoco } from './export.js';
import { importCoco } from './import.js';

export const cocoFormat: FormatCodec = {
  name: 'COCO 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: (input, sink, ctx) => exportCoco('instances', input, sink, ctx),
  import: (source, ctx) => importCoco('instances', source, ctx),
};

export const cocoKeypointsFormat: FormatCodec = {
  name: 'COCO Keypoints 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: (input, sink, ctx) => exportCoco('person_keypoints', input, sink, ctx),
  import: (source, ctx) => importCoco('person_keypoints', source, ctx),
};
