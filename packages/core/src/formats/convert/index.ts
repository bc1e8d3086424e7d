/**
 * Conversions between the server's annotation model (label and attribute ids, annotations/) and
 * the dataset model the format codecs read and write (names, formats/model.ts).
 */
export { schemaToDatasetLabels, type ByLabelId, type LabelExtras } from './labels.js';
export { annotationsToDataset, type AnnotationData, type DatasetExport, type DatasetExportOptions } from './export.js';
export { DatasetApplier, applyParsedDataset, type AppliedDataset, type AppliedFrames, type AppliedRest, type ApplyOptions, type Skipped } from './import.js';
export { inferKeyframes, type SeenShape } from './track-rebuild.js';
