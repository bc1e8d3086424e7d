/** Task and project reports, the API summary, the target check and the settings. */
import { describe, expect, it } from 'vitest';
import { projectReport, taskReport } from '../../src/quality/aggregate.js';
import { DEFAULT_QUALITY_SETTINGS, effectiveQualitySettings, qualitySettings, qualitySettingsProblems } from '../../src/quality/settings.js';
import { meetsTarget, qualityReportSummary, reportConflicts } from '../../src/quality/summary.js';
import { box, compare, PERSON } from './helpers.js';

const at = (...frames: number[]) => frames.map((frame) => ({ frame, width: 100, height: 100 }));
const settings = qualitySettings();

// Task 1, jobs of 10 frames: job 10 checks frames 0 (car found) and 1 (car missing); job 13
// overlaps it on frame 1 and found the car; job 11 has no validation frame; job 12 the filter left out.
const gt = { shapes: [box(1, 0, 0, 10, 10), box(2, 0, 0, 10, 10, { frame: 1 })] };
const job10 = compare(gt, { shapes: [box(3, 0, 0, 10, 10)] }, { jobId: 10, frames: at(0, 1), inherited: true });
const job13 = compare(gt, { shapes: [box(4, 0, 0, 10, 10, { frame: 1 })] }, { jobId: 13, frames: at(1), inherited: true });
const job11 = compare(gt, {}, { jobId: 11, frames: [], inherited: true });
const task1 = taskReport({ settings, inherited: true, allJobIds: [10, 11, 12, 13], jobReports: new Map([[10, job10], [11, job11], [13, job13]]) });

describe('taskReport', () => {
  it('adds up its jobs\' counts', () => {
    // job 10: valid 1 of total 2 (job's 1, ground truth's 2); job 13: 1 of 1; job 11: nothing.
    expect(task1.comparison_summary.annotations).toMatchObject({ valid_count: 2, total_count: 3, ds_count: 2, gt_count: 3 });
    expect(task1.comparison_summary.annotations.accuracy).toBeCloseTo(2 / 3, 12);
    expect(task1.comparison_summary.annotations.confusion_matrix.rows[0]![0]).toBe(2);
  });

  it('counts frames per job (a frame checked by two jobs counts twice) and lists them once', () => {
    expect(task1.comparison_summary).toMatchObject({ frames: [0, 1], frame_count: 3, total_frames: 30 });
    expect(task1.comparison_summary.frame_share).toBeCloseTo(0.1, 12);
  });

  it('merges the results of a frame two jobs share', () => {
    // Frame 1: job 10 missed the car (IoU 0), job 13 found it (1): one conflict, mean IoU 0.5.
    const f1 = task1.frame_results![1]!;
    expect(f1.conflicts.map((c) => [c.type, c.annotation_ids[0]!.obj_id])).toEqual([['missing_annotation', 2]]);
    expect(f1.annotations).toMatchObject({ valid_count: 1, total_count: 2 });
    expect(f1.annotation_components.shape.mean_iou).toBeCloseTo(0.5, 12);
    expect(reportConflicts(task1)).toHaveLength(1);
  });

  it('summarizes jobs: total, excluded by the filter, without validation frames, included', () => {
    expect(qualityReportSummary(task1).jobs).toEqual({ total: 4, excluded: 1, not_checkable: 1, included: 3 });
    expect(qualityReportSummary(task1).tasks).toBeUndefined();
  });
});

describe('projectReport', () => {
  // Task 5 (5 frames, 2 checked: share 0.4): frame 0 has the label wrong, frame 1 is empty.
  const job20 = compare({ shapes: [box(1, 0, 0, 10, 10)] }, { shapes: [box(5, 0, 0, 10, 10, { label_id: PERSON })] }, { jobId: 20, frames: at(0, 1), frameCount: 5, inherited: true });
  const task5 = taskReport({ settings, inherited: true, allJobIds: [20], jobReports: { 20: job20 } });
  // Task 2 has its own settings; task 4's only job was filtered out; task 3 has no ground truth.
  const task2 = taskReport({ settings, inherited: false, allJobIds: [30], jobReports: { 30: job10 } });
  const task4 = taskReport({ settings, inherited: true, allJobIds: [40], jobReports: {} });
  const project = projectReport({ settings, allTaskIds: [1, 2, 3, 4, 5], taskReports: new Map([[1, task1], [2, task2], [4, task4], [5, task5]]) });

  it('weighs each task by 1 / its validation share, rounding counts up', () => {
    // Task 1 (share 0.1, weight 10): valid 20, total 30, job's 20, ground truth's 30.
    // Task 5 (share 0.4, weight 2.5): valid 0, total 1 -> ceil(2.5) = 3, job's 3, ground truth's 3.
    expect(project.comparison_summary.annotations).toMatchObject({ valid_count: 20, total_count: 33, ds_count: 23, gt_count: 33 });
    expect(project.comparison_summary.annotations.accuracy).toBeCloseTo(20 / 33, 12);
    expect(project.comparison_summary.annotations.precision).toBeCloseTo(20 / 23, 12);
    // Unweighted, the same counts would give 2 / 4.
  });

  it('leaves out tasks with their own settings, without ground truth, or with no job included', () => {
    const s = qualityReportSummary(project);
    expect(s.tasks).toEqual({ total: 5, custom: 1, not_configured: 1, excluded: 1, included: 2 });
    expect(s.jobs).toEqual({ total: 5, excluded: 1, not_checkable: 1, included: 4 });
    expect(s).toMatchObject({ validation_frames: 5, frame_count: 5, total_frames: 35, conflict_count: 2, error_count: 2, conflicts_by_type: { missing_annotation: 1, mismatching_label: 1 } });
    expect(project.frame_results).toBeNull();
  });
});

describe('qualityReportSummary and the target', () => {
  it('fills CVAT\'s QualityReportSummary from a job report', () => {
    expect(qualityReportSummary(job10)).toEqual({
      total_frames: 10, frame_count: 2, validation_frames: 2, frame_share: 0.2, validation_frame_share: 0.2,
      conflict_count: 1, warning_count: 0, error_count: 1, conflicts_by_type: { missing_annotation: 1 },
      valid_count: 1, ds_count: 1, gt_count: 2, total_count: 2, accuracy: 0.5, precision: 1, recall: 0.5,
    });
  });

  it('meets the target when the chosen metric reaches the threshold', () => {
    // job 10: accuracy 0.5, precision 1, recall 0.5.
    expect(meetsTarget(job10, { target_metric: 'accuracy', target_metric_threshold: 0.7 })).toBe(false);
    expect(meetsTarget(job10, { target_metric: 'precision', target_metric_threshold: 0.7 })).toBe(true);
    expect(meetsTarget(job10, { target_metric: 'recall', target_metric_threshold: 0.5 })).toBe(true);
  });
});

describe('settings', () => {
  it('defaults to CVAT\'s values', () => {
    expect(DEFAULT_QUALITY_SETTINGS).toEqual({
      iou_threshold: 0.4, low_overlap_threshold: 0.8, oks_sigma: 0.09, point_size_base: 'group_bbox_size',
      line_thickness: 0.01, compare_line_orientation: true, line_orientation_threshold: 0.1,
      compare_groups: true, group_match_threshold: 0.5, check_covered_annotations: true,
      object_visibility_threshold: 0.05, panoptic_comparison: true, compare_attributes: true,
      empty_is_annotated: false, target_metric: 'accuracy', target_metric_threshold: 0.7,
      max_validations_per_job: 0, job_filter: '', inherit: true,
    });
    expect(qualitySettings({ iou_threshold: 0.5, job_filter: undefined })).toMatchObject({ iou_threshold: 0.5, job_filter: '' });
  });

  it('reports what is wrong in a patch, field by field', () => {
    expect(qualitySettingsProblems({ iou_threshold: 0.5, point_size_base: 'image_size', job_filter: '{"==":[{"var":"type"},"annotation"]}' })).toEqual([]);
    expect(qualitySettingsProblems({ iou_threshold: 1.5, target_metric: 'f1', max_validations_per_job: -1, compare_groups: 'yes', colour: 1 }).map((p) => p.path)).toEqual([
      'iou_threshold', 'target_metric', 'max_validations_per_job', 'compare_groups', 'colour',
    ]);
  });

  it('uses the project\'s settings for a task that inherits them', () => {
    const project = qualitySettings({ iou_threshold: 0.6 });
    expect(effectiveQualitySettings(qualitySettings({ iou_threshold: 0.3 }), project).iou_threshold).toBe(0.6);
    expect(effectiveQualitySettings(qualitySettings({ iou_threshold: 0.3, inherit: false }), project).iou_threshold).toBe(0.3);
    expect(effectiveQualitySettings(qualitySettings({ iou_threshold: 0.3 }), null).iou_threshold).toBe(0.3);
  });
});
