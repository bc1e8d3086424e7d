/**
 * CVAT's quality shapes: QualitySettings (read and PATCH), QualityReport with its summary,
 * QualityReportCreateRequest, AnnotationConflict; and Framewise's job validation feedback.
 */
import { CONFLICT_TYPES, POINT_SIZE_BASES, qualitySettings, TARGET_METRICS, type QualitySettings } from '@framewise/core';
import { z } from 'zod';
import type { QualityJobFeedbackRow, QualitySettingsRow } from '../db/schema.js';
import type { UrlBuilder } from '../http/urls.js';
import { basicUser, basicUserSchema, iso } from './common.js';

const share = z.number().min(0).max(1);

/** PATCH /api/quality/settings/{id} (CVAT's PatchedQualitySettingsRequest); read-only fields sent back are ignored. */
export const qualitySettingsPatchSchema = z.object({
  job_filter: z.string().max(1024).optional(),
  inherit: z.boolean().optional(),
  target_metric: z.enum(TARGET_METRICS).optional(),
  target_metric_threshold: share.optional(),
  max_validations_per_job: z.number().int().min(0).max(2147483647).optional(),
  iou_threshold: share.optional(),
  oks_sigma: share.optional(),
  point_size_base: z.enum(POINT_SIZE_BASES).optional(),
  line_thickness: share.optional(),
  low_overlap_threshold: share.optional(),
  compare_line_orientation: z.boolean().optional(),
  line_orientation_threshold: share.optional(),
  compare_groups: z.boolean().optional(),
  group_match_threshold: share.optional(),
  check_covered_annotations: z.boolean().optional(),
  object_visibility_threshold: share.optional(),
  panoptic_comparison: z.boolean().optional(),
  compare_attributes: z.boolean().optional(),
  empty_is_annotated: z.boolean().optional(),
});
export type QualitySettingsPatch = z.infer<typeof qualitySettingsPatchSchema>;

export const qualitySettingsReadSchema = qualitySettingsPatchSchema.required().extend({
  id: z.number(),
  task_id: z.number().nullable(),
  project_id: z.number().nullable(),
  created_date: z.string(),
  updated_date: z.string(),
});
export type QualitySettingsRead = z.infer<typeof qualitySettingsReadSchema>;

/** A stored row read over the defaults. */
export function storedSettings(row: Pick<QualitySettingsRow, 'settings' | 'inherit'>): QualitySettings {
  return qualitySettings({ ...(row.settings as Partial<QualitySettings>), inherit: row.inherit });
}

export function toSettingsDto(row: QualitySettingsRow): QualitySettingsRead {
  const s = storedSettings(row);
  return {
    id: row.id,
    task_id: row.task_id,
    project_id: row.project_id,
    job_filter: s.job_filter,
    inherit: s.inherit,
    target_metric: s.target_metric,
    target_metric_threshold: s.target_metric_threshold,
    max_validations_per_job: s.max_validations_per_job,
    iou_threshold: s.iou_threshold,
    oks_sigma: s.oks_sigma,
    point_size_base: s.point_size_base,
    line_thickness: s.line_thickness,
    low_overlap_threshold: s.low_overlap_threshold,
    compare_line_orientation: s.compare_line_orientation,
    line_orientation_threshold: s.line_orientation_threshold,
    compare_groups: s.compare_groups,
    group_match_threshold: s.group_match_threshold,
    check_covered_annotations: s.check_covered_annotations,
    object_visibility_threshold: s.object_visibility_threshold,
    panoptic_comparison: s.panoptic_comparison,
    compare_attributes: s.compare_attributes,
    empty_is_annotated: s.empty_is_annotated,
    created_date: row.created_at.toISOString(),
    updated_date: row.updated_at.toISOString(),
  };
}

/** POST /api/quality/reports (CVAT's QualityReportCreateRequest): one of the two. */
export const qualityReportCreateSchema = z.object({
  task_id: z.number().int().positive().optional(),
  project_id: z.number().int().positive().optional(),
});
export type QualityReportCreate = z.infer<typeof qualityReportCreateSchema>;

const conflictCounts = z.record(z.string(), z.number());

export const qualityReportSummarySchema = z.object({
  total_frames: z.number(),
  frame_count: z.number(),
  validation_frames: z.number(),
  frame_share: z.number(),
  validation_frame_share: z.number(),
  conflict_count: z.number(),
  warning_count: z.number(),
  error_count: z.number(),
  conflicts_by_type: conflictCounts,
  valid_count: z.number(),
  ds_count: z.number(),
  gt_count: z.number(),
  total_count: z.number(),
  accuracy: z.number(),
  precision: z.number(),
  recall: z.number(),
  tasks: z.object({ total: z.number(), custom: z.number(), not_configured: z.number(), excluded: z.number(), included: z.number() }).optional(),
  jobs: z.object({ total: z.number(), excluded: z.number(), not_checkable: z.number(), included: z.number() }).optional(),
});

export const qualityReportReadSchema = z.object({
  id: z.number(),
  job_id: z.number().nullable(),
  task_id: z.number().nullable(),
  project_id: z.number().nullable(),
  parent_id: z.number().nullable(),
  target: z.enum(['job', 'task', 'project']),
  summary: qualityReportSummarySchema,
  created_date: z.string(),
  target_last_updated: z.string(),
  gt_last_updated: z.string().nullable(),
  assignee: basicUserSchema.nullable(),
});
export type QualityReportRead = z.infer<typeof qualityReportReadSchema>;

export interface ReportListRow {
  id: number;
  target: 'job' | 'task' | 'project';
  job_id: number | null;
  task_id: number | null;
  project_id: number | null;
  parent_id: number | null;
  assignee_id: number | null;
  created_at: Date;
  target_last_updated: Date;
  gt_last_updated: Date | null;
  summary: Record<string, unknown>;
  assignee_username: string | null;
  assignee_first_name: string | null;
  assignee_last_name: string | null;
}

export function toReportDto(r: ReportListRow, urls: UrlBuilder): QualityReportRead {
  return {
    id: r.id,
    job_id: r.job_id,
    task_id: r.task_id,
    project_id: r.project_id,
    parent_id: r.parent_id,
    target: r.target,
    summary: r.summary as QualityReportRead['summary'],
    created_date: r.created_at.toISOString(),
    target_last_updated: r.target_last_updated.toISOString(),
    gt_last_updated: iso(r.gt_last_updated),
    assignee:
      r.assignee_id !== null && r.assignee_username
        ? basicUser({ id: r.assignee_id, username: r.assignee_username, first_name: r.assignee_first_name ?? '', last_name: r.assignee_last_name ?? '' }, urls)
        : null,
  };
}

export const reportDataQuerySchema = z.object({ format: z.enum(['json', 'csv']).default('json') });

const annotationIdSchema = z.object({
  obj_id: z.number(),
  job_id: z.number(),
  type: z.enum(['tag', 'shape', 'track']),
  shape_type: z.string().nullable(),
});

export const annotationConflictSchema = z.object({
  id: z.number(),
  frame: z.number(),
  type: z.enum(CONFLICT_TYPES),
  annotation_ids: z.array(annotationIdSchema),
  report_id: z.number(),
  severity: z.enum(['warning', 'error']),
});
export type AnnotationConflictRead = z.infer<typeof annotationConflictSchema>;

export function toConflictDto(c: { id: number; frame: number; type: string; annotation_ids: unknown[]; report_id: number; severity: 'warning' | 'error' }): AnnotationConflictRead {
  return {
    id: c.id,
    frame: c.frame,
    type: c.type as AnnotationConflictRead['type'],
    annotation_ids: c.annotation_ids as AnnotationConflictRead['annotation_ids'],
    report_id: c.report_id,
    severity: c.severity,
  };
}

/** GET /api/jobs/{id}/validation_feedback (Framewise). */
export const validationFeedbackSchema = z.object({
  job_id: z.number(),
  /** Whether completing the job now would be checked. */
  enabled: z.boolean(),
  /** The latest check's outcome; null before the first. */
  status: z.enum(['validating', 'accepted', 'rejected', 'sent_to_review', 'failed']).nullable(),
  attempts: z.number(),
  max_attempts: z.number(),
  remaining_attempts: z.number(),
  target_metric: z.enum(TARGET_METRICS),
  target_metric_threshold: z.number(),
  score: z.number().nullable(),
  failing_frames: z.array(z.number()),
  rq_id: z.string().nullable(),
  checked_date: z.string().nullable(),
});
export type ValidationFeedback = z.infer<typeof validationFeedbackSchema>;

export function feedbackFields(row: QualityJobFeedbackRow | undefined): Pick<ValidationFeedback, 'status' | 'score' | 'failing_frames' | 'rq_id' | 'checked_date'> {
  return {
    status: row?.status ?? null,
    score: row?.score ?? null,
    failing_frames: row?.failing_frames ?? [],
    rq_id: row?.status === 'validating' ? row.request_id : null,
    checked_date: iso(row?.finished_at),
  };
}
