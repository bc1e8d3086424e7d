/**
 * Datumaro 1.0, CVAT's lossless exchange format: export.ts writes it, import.ts reads it back
 * (ours exactly, CVAT's and Datumaro's as CVAT would).
 *
 * Round trips: import(export(x)) equals x for every shape kind, tracks, attributes, groups,
 * z_order, sources and scores, with these normalisations: masks come back cropped to their tight
 * box; keyframes carry every mutable attribute in effect; attributes follow the label's declared
 * order. export(import(export(x))) is byte-equal.
 */
import type { FormatCodec } from '../model.js';
import { exportDatumaro } from './export.js';
import { importDatumaro } from './import.js';

export { exportDatumaro, importDatumaro };

export const datumaroFormat: FormatCodec = {
  name: 'Datumaro 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportDatumaro,
  import: (source) => importDatumaro(source),
};
