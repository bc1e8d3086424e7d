/**
 * Quality report data in CVAT's shapes: AnnotationId and AnnotationConflict as the API serves
 * them (/api/quality/conflicts), and the comparison report CVAT stores per job, task and project
 * (its ComparisonReport JSON, field names kept), from which QualityReportSummary is read.
 */
import type { ShapeType } from '../annotations/types.js';
import type { QualitySettings } from './settings.js';

export const CONFLICT_TYPES = [
  'missing_annotation',
  'extra_annotation',
  'mismatching_label',
  'low_overlap',
  'mismatching_direction',
  'mismatching_attributes',
  'mismatching_groups',
  'covered_annotation',
] as const;
export type ConflictType = (typeof CONFLICT_TYPES)[number];

export type ConflictSeverity = 'warning' | 'error';

/** Missing, extra and wrongly labelled objects are errors; the rest are warnings. */
export function conflictSeverity(type: ConflictType): ConflictSeverity {
  return type === 'missing_annotation' || type === 'extra_annotation' || type === 'mismatching_label' ? 'error' : 'warning';
}

export type AnnotationType = 'tag' | 'shape' | 'track';

/** One annotated object of a job: a shape, a track (by its id, on whatever frame) or a tag. */
export interface AnnotationId {
  obj_id: number;
  job_id: number;
  type: AnnotationType;
  /** null for tags. */
  shape_type: ShapeType | null;
}

/**
 * A conflict on a frame of the compared job. For pairs, annotation_ids is [job's, ground
 * truth's]; missing_annotation names the ground-truth object, extra and covered the job's.
 */
export interface AnnotationConflict {
  frame: number;
  type: ConflictType;
  severity: ConflictSeverity;
  annotation_ids: AnnotationId[];
}

/** Rows are the job's labels (ds), columns the ground truth's (gt); the last of each is "unmatched". */
export interface ConfusionMatrix {
  labels: string[];
  rows: number[][];
  precision: number[];
  recall: number[];
  accuracy: number[];
  jaccard_index: number[];
  axes: { cols: 'gt'; rows: 'ds' };
}

/** Counts over all compared objects (tags and shapes); accuracy, precision and recall derived. */
export interface AnnotationsSummary {
  valid_count: number;
  missing_count: number;
  extra_count: number;
  total_count: number;
  ds_count: number;
  gt_count: number;
  accuracy: number;
  precision: number;
  recall: number;
  confusion_matrix: ConfusionMatrix;
}

/** Geometry only: a shape matched whatever its label. */
export interface ShapeSummary {
  valid_count: number;
  missing_count: number;
  extra_count: number;
  total_count: number;
  ds_count: number;
  gt_count: number;
  mean_iou: number;
  accuracy: number;
}

/** Labels of geometrically matched pairs (and of tags). */
export interface LabelSummary {
  valid_count: number;
  invalid_count: number;
  total_count: number;
  accuracy: number;
}

export interface ComponentsSummary {
  shape: ShapeSummary;
  label: LabelSummary;
}

export type ConflictCounts = Partial<Record<ConflictType, number>>;

export interface FrameResult {
  conflicts: AnnotationConflict[];
  conflict_count: number;
  warning_count: number;
  error_count: number;
  conflicts_by_type: ConflictCounts;
  annotations: AnnotationsSummary;
  annotation_components: ComponentsSummary;
}

/** Job ids of a task report: all (non-ground-truth) jobs, those the filter left out, and included ones without validation frames. */
export interface JobStats {
  all: number[];
  excluded: number[];
  not_checkable: number[];
}

/** Task ids of a project report. */
export interface TaskStats {
  all: number[];
  /** Tasks with their own settings (not inheriting the project's): left out of the project's figures. */
  custom: number[];
  /** Tasks without a (complete) ground truth: no report. */
  not_configured: number[];
  /** Tasks whose report included no job. */
  excluded: number[];
}

export interface ComparisonSummary {
  /** Compared (validation) frames; null in project reports. */
  frames: number[] | null;
  frame_count: number;
  total_frames: number;
  frame_share: number;
  mean_conflict_count: number;
  conflict_count: number;
  warning_count: number;
  error_count: number;
  conflicts_by_type: ConflictCounts;
  annotations: AnnotationsSummary;
  annotation_components: ComponentsSummary;
  tasks: TaskStats | null;
  jobs: JobStats | null;
}

export interface ComparisonParameters extends QualitySettings {
  /** Task reports: the settings came from the project. */
  inherited: boolean;
}

export interface ComparisonReport {
  parameters: ComparisonParameters;
  comparison_summary: ComparisonSummary;
  /** Per compared frame (job frame numbers); null in project reports. */
  frame_results: Record<number, FrameResult> | null;
}
