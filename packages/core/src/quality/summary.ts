/**
 * What the API shows of a report: CVAT's QualityReportSummary, the conflict list of
 * /api/quality/conflicts, and whether the target metric is met (immediate feedback).
 */
import type { TargetMetric, QualitySettings } from './settings.js';
import { CONFLICT_TYPES, type AnnotationConflict, type ComparisonReport, type ConflictCounts } from './types.js';

export function countConflicts(conflicts: readonly AnnotationConflict[]): {
  conflict_count: number;
  warning_count: number;
  error_count: number;
  conflicts_by_type: ConflictCounts;
} {
  const byType: ConflictCounts = {};
  let warnings = 0, errors = 0;
  for (const c of conflicts) {
    byType[c.type] = (byType[c.type] ?? 0) + 1;
    if (c.severity === 'error') errors++;
    else warnings++;
  }
  // Same key order whatever the order of conflicts.
  const ordered: ConflictCounts = {};
  for (const t of CONFLICT_TYPES) if (byType[t] !== undefined) ordered[t] = byType[t];
  return { conflict_count: conflicts.length, warning_count: warnings, error_count: errors, conflicts_by_type: ordered };
}

/** CVAT's QualityReportSummary (tasks only in project reports, jobs in task and project reports). */
export interface QualityReportSummary {
  total_frames: number;
  frame_count: number;
  validation_frames: number;
  frame_share: number;
  validation_frame_share: number;
  conflict_count: number;
  warning_count: number;
  error_count: number;
  conflicts_by_type: ConflictCounts;
  valid_count: number;
  ds_count: number;
  gt_count: number;
  total_count: number;
  accuracy: number;
  precision: number;
  recall: number;
  tasks?: { total: number; custom: number; not_configured: number; excluded: number; included: number };
  jobs?: { total: number; excluded: number; not_checkable: number; included: number };
}

export function qualityReportSummary(report: ComparisonReport): QualityReportSummary {
  const s = report.comparison_summary;
  const a = s.annotations;
  const out: QualityReportSummary = {
    total_frames: s.total_frames,
    frame_count: s.frame_count,
    validation_frames: s.frame_count,
    frame_share: s.frame_share,
    validation_frame_share: s.frame_share,
    conflict_count: s.conflict_count,
    warning_count: s.warning_count,
    error_count: s.error_count,
    conflicts_by_type: s.conflicts_by_type,
    valid_count: a.valid_count,
    ds_count: a.ds_count,
    gt_count: a.gt_count,
    total_count: a.total_count,
    accuracy: a.accuracy,
    precision: a.precision,
    recall: a.recall,
  };
  if (s.tasks) {
    const t = s.tasks;
    out.tasks = {
      total: t.all.length,
      custom: t.custom.length,
      not_configured: t.not_configured.length,
      excluded: t.excluded.length,
      included: t.all.length - t.custom.length - t.not_configured.length - t.excluded.length,
    };
  }
  if (s.jobs) {
    const j = s.jobs;
    out.jobs = { total: j.all.length, excluded: j.excluded.length, not_checkable: j.not_checkable.length, included: j.all.length - j.excluded.length };
  }
  return out;
}

/** The conflicts in a report's frame results, frame by frame (a task report holds its jobs'; a project report none). */
export function reportConflicts(report: ComparisonReport): AnnotationConflict[] {
  return Object.values(report.frame_results ?? {}).flatMap((r) => r.conflicts);
}

export function targetMetricValue(report: ComparisonReport, metric: TargetMetric): number {
  return report.comparison_summary.annotations[metric];
}

/** Whether the report reaches the settings' target (target_metric >= target_metric_threshold). */
export function meetsTarget(report: ComparisonReport, settings: Pick<QualitySettings, 'target_metric' | 'target_metric_threshold'>): boolean {
  return targetMetricValue(report, settings.target_metric) >= settings.target_metric_threshold;
}
