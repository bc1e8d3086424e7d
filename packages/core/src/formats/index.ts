/**
 * Every dataset format, as `GET /api/server/annotation/formats` lists them. A format with an
 * `export` is an exporter, one with an `import` an importer; CVAT's "CVAT 1.1" importer reads
 * what both CVAT exporters write, so it stands apart from them.
 */
import { camvidFormat } from './camvid/index.js';
import { cityscapesFormat } from './cityscapes/index.js';
import { cocoFormat, cocoKeypointsFormat } from './coco/index.js';
import { cvatImagesFormat, cvatImportFormat, cvatVideoFormat } from './cvat/index.js';
import { datumaroFormat } from './datumaro/index.js';
import { imagenetFormat } from './imagenet/index.js';
import { icdarLocalizationFormat, icdarRecognitionFormat, icdarSegmentationFormat } from './icdar/index.js';
import { kittiFormat } from './kitti/index.js';
import { labelmeFormat } from './labelme/index.js';
import { lfwFormat } from './lfw/index.js';
import { market1501Format } from './market1501/index.js';
import type { FormatCodec } from './model.js';
import { motFormat } from './mot/index.js';
import { motsFormat } from './mots/index.js';
import { openImagesFormat } from './openimages/index.js';
import { segmentationMaskFormat } from './segmentation-mask/index.js';
import { vggFace2Format } from './vggface2/index.js';
import { vocFormat } from './voc/index.js';
import { widerFaceFormat } from './widerface/index.js';
import {
  ultralyticsClassificationFormat,
  ultralyticsDetectionFormat,
  ultralyticsObbFormat,
  ultralyticsPoseFormat,
  ultralyticsSegmentationFormat,
  yoloFormat,
} from './yolo/index.js';

export * from './model.js';
export * from './mask.js';
export * from './match.js';

export const DATASET_FORMATS: readonly FormatCodec[] = [
  cocoFormat,
  cocoKeypointsFormat,
  cvatImagesFormat,
  cvatVideoFormat,
  cvatImportFormat,
  datumaroFormat,
  vocFormat,
  segmentationMaskFormat,
  yoloFormat,
  ultralyticsDetectionFormat,
  ultralyticsSegmentationFormat,
  ultralyticsPoseFormat,
  ultralyticsObbFormat,
  ultralyticsClassificationFormat,
  labelmeFormat,
  motFormat,
  imagenetFormat,
  camvidFormat,
  cityscapesFormat,
  kittiFormat,
  motsFormat,
  icdarRecognitionFormat,
  icdarLocalizationFormat,
  icdarSegmentationFormat,
  lfwFormat,
  market1501Format,
  vggFace2Format,
  widerFaceFormat,
  openImagesFormat,
];

/** CVAT's version is the last word of the name ("COCO 1.0" -> "1.0"). */
export function formatVersion(f: FormatCodec): string {
  return /\s(\d+(?:\.\d+)*)$/.exec(f.name)?.[1] ?? '';
}

export function findExporter(name: string): FormatCodec | undefined {
  return DATASET_FORMATS.find((f) => f.name === name && f.export);
}

export function findImporter(name: string): FormatCodec | undefined {
  return DATASET_FORMATS.find((f) => f.name === name && f.import);
}
export * from './convert/index.js';
