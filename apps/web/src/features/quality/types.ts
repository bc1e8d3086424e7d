/**
 * The quality API's resources as the web app reads them (docs/quality.md): CVAT's
 * QualitySettings, QualityReport and AnnotationConflict, the validation layouts, and Framewise's
 * job validation feedback. Only the fields the app uses.
 */
import type { AnnotationId, ConflictType, QualitySettings as CoreQualitySettings, QualityReportSummary, TargetMetric } from '@framewise/core';
import type { UserRef } from '../../api/types';

export type { ConflictType, PointSizeBase, TargetMetric } from '@framewise/core';

/** The settings' values, as the comparison engine defines them (CVAT's fields). */
export type QualitySettingsValues = CoreQualitySettings;

export interface QualitySettings extends QualitySettingsValues {
  id: number;
  task_id: number | null;
  project_id: number | null;
  updated_date: string;
}

export interface QualityReport {
  id: number;
  job_id: number | null;
  task_id: number | null;
  project_id: number | null;
  parent_id: number | null;
  target: 'job' | 'task' | 'project';
  summary: QualityReportSummary;
  created_date: string;
  target_last_updated: string;
  gt_last_updated: string | null;
  assignee: UserRef | null;
}

export interface Conflict {
  id: number;
  frame: number;
  type: ConflictType;
  severity: 'warning' | 'error';
  annotation_ids: AnnotationId[];
  report_id: number;
}

/** The parts of GET /api/quality/reports/{id}/data the report view shows. */
export interface ReportData {
  parameters: QualitySettingsValues & { inherited: boolean };
  comparison_summary: {
    annotations: {
      confusion_matrix: {
        labels: string[];
        rows: number[][];
        precision: number[];
        recall: number[];
        accuracy: number[];
        jaccard_index: number[];
      };
    };
    annotation_components?: { shape?: { mean_iou: number } };
  };
}

export interface TaskValidationLayout {
  mode: 'gt' | 'gt_pool' | null;
  frames_per_job_count?: number | null;
  validation_frames?: number[];
  disabled_frames?: number[];
  honeypot_count?: number;
  honeypot_frames?: number[];
  honeypot_real_frames?: number[];
}

export interface ValidationFeedback {
  job_id: number;
  enabled: boolean;
  status: 'validating' | 'accepted' | 'rejected' | 'sent_to_review' | 'failed' | null;
  attempts: number;
  max_attempts: number;
  remaining_attempts: number;
  target_metric: TargetMetric;
  target_metric_threshold: number;
  score: number | null;
  failing_frames: number[];
  rq_id: string | null;
  checked_date: string | null;
}
