/** The YOLO family: darknet YOLO 1.1 and CVAT's Ultralytics YOLO formats. */
export { yoloFormat } from './darknet.js';
export {
  ultralyticsDetectionFormat, ultralyticsSegmentationFormat, ultralyticsPoseFormat, ultralyticsObbFormat,
  type PoseImportContext,
} from './ultralytics.js';
export { ultralyticsClassificationFormat } from './classification.js';
