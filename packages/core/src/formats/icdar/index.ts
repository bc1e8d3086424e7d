/**
 * The three ICDAR variants CVAT lists: word recognition (texts of word images), text
 * localization (boxes and quadrilaterals with their text) and text segmentation (character
 * masks by color). Every object reads back under the label "icdar", as in CVAT.
 *
 * Round trips: export -> import -> export writes the same files (BMPs included). Normalisations:
 * numbers are written as Python prints floats; segmentation masks gain "index", "color" and
 * "center" attributes on import, so a second export keeps the colors the first one chose, and a
 * group of one mask is written as ungrouped.
 */
import type { FormatCodec } from '../model.js';
import { exportLocalization, importLocalization } from './localization.js';
import { exportRecognition, importRecognition } from './recognition.js';
import { exportSegmentation } from './segmentation-export.js';
import { importSegmentation } from './segmentation-import.js';

export const icdarRecognitionFormat: FormatCodec = {
  name: 'ICDAR Recognition 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportRecognition,
  import: importRecognition,
};

export const icdarLocalizationFormat: FormatCodec = {
  name: 'ICDAR Localization 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportLocalization,
  import: importLocalization,
};

export const icdarSegmentationFormat: FormatCodec = {
  name: 'ICDAR Segmentation 1.0',
  ext: 'ZIP',
  dimension: '2d',
  export: exportSegmentation,
  import: importSegmentation,
};
