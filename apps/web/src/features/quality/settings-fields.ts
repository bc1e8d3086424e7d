/**
 * The quality settings form's fields: CVAT's names and defaults (docs/quality.md, "Quality
 * settings"), with a line on what each does, in the groups a team lead thinks in.
 */
import type { QualitySettingsValues } from './types';

export type SettingKey = Exclude<keyof QualitySettingsValues, 'inherit'>;

export type FieldSpec =
  | { key: SettingKey; label: string; hint: string; kind: 'share' }
  | { key: SettingKey; label: string; hint: string; kind: 'count' }
  | { key: SettingKey; label: string; hint: string; kind: 'flag' }
  | { key: SettingKey; label: string; hint: string; kind: 'choice'; choices: { value: string; label: string }[] }
  | { key: SettingKey; label: string; hint: string; kind: 'text' };

/**
 * CVAT's defaults, as the engine's DEFAULT_QUALITY_SETTINGS (packages/core) has them. Written out
 * here because importing a value from @framewise/core pulls 150 KB of it into the quality chunk;
 * apps/web/test/quality-defaults.test.ts keeps the two equal.
 */
export const DEFAULT_SETTINGS: Omit<QualitySettingsValues, 'inherit'> = {
  target_metric: 'accuracy',
  target_metric_threshold: 0.7,
  max_validations_per_job: 0,
  iou_threshold: 0.4,
  low_overlap_threshold: 0.8,
  compare_attributes: true,
  empty_is_annotated: false,
  oks_sigma: 0.09,
  point_size_base: 'group_bbox_size',
  line_thickness: 0.01,
  compare_line_orientation: true,
  line_orientation_threshold: 0.1,
  compare_groups: true,
  group_match_threshold: 0.5,
  check_covered_annotations: true,
  object_visibility_threshold: 0.05,
  panoptic_comparison: true,
  job_filter: '',
};

export const SETTING_GROUPS: { title: string; fields: FieldSpec[] }[] = [
  {
    title: 'Target',
    fields: [
      {
        key: 'target_metric',
        label: 'Target metric',
        kind: 'choice',
        choices: [
          { value: 'accuracy', label: 'Accuracy' },
          { value: 'precision', label: 'Precision' },
          { value: 'recall', label: 'Recall' },
        ],
        hint: 'what a job is scored by',
      },
      { key: 'target_metric_threshold', label: 'Target threshold', kind: 'share', hint: 'the score a job must reach (0–1)' },
      {
        key: 'max_validations_per_job',
        label: 'Attempts per job',
        kind: 'count',
        hint: 'immediate feedback: a job handed in below the target goes back to its annotator this many times, then to review; 0 turns it off',
      },
    ],
  },
  {
    title: 'Matching',
    fields: [
      { key: 'iou_threshold', label: 'Min overlap (IoU)', kind: 'share', hint: 'the least similarity for two shapes to be a match at all' },
      { key: 'low_overlap_threshold', label: 'Low overlap below', kind: 'share', hint: 'matches less alike than this are reported as low overlap' },
      { key: 'compare_attributes', label: 'Compare attributes', kind: 'flag', hint: 'report matched objects whose attributes differ' },
      { key: 'empty_is_annotated', label: 'Empty frames count', kind: 'flag', hint: 'a frame empty in both the job and the ground truth counts as one right answer' },
    ],
  },
  {
    title: 'Points and lines',
    fields: [
      { key: 'oks_sigma', label: 'OKS sigma', kind: 'share', hint: 'points and skeletons: tolerance as a share of the object size' },
      {
        key: 'point_size_base',
        label: 'Point size from',
        kind: 'choice',
        choices: [
          { value: 'group_bbox_size', label: 'the group\'s box' },
          { value: 'image_size', label: 'the image' },
        ],
        hint: 'the object size OKS scales by',
      },
      { key: 'line_thickness', label: 'Line thickness', kind: 'share', hint: 'polylines: tolerance as a share of the image diagonal scale' },
      { key: 'compare_line_orientation', label: 'Compare line direction', kind: 'flag', hint: 'report lines drawn the other way round' },
      { key: 'line_orientation_threshold', label: 'Direction threshold', kind: 'share', hint: 'how much worse the reversed line must match to count as wrong' },
    ],
  },
  {
    title: 'Groups and overlaps',
    fields: [
      { key: 'compare_groups', label: 'Compare groups', kind: 'flag', hint: 'report objects grouped differently' },
      { key: 'group_match_threshold', label: 'Group match threshold', kind: 'share', hint: 'how alike two groups must be to be the same group' },
      { key: 'check_covered_annotations', label: 'Check covered objects', kind: 'flag', hint: 'report the job\'s polygons, masks and boxes almost hidden under others' },
      { key: 'object_visibility_threshold', label: 'Visible at least', kind: 'share', hint: 'an object with less of it visible is covered' },
      { key: 'panoptic_comparison', label: 'Visible parts only', kind: 'flag', hint: 'compare only what is visible of polygons and masks' },
    ],
  },
  {
    title: 'Jobs compared',
    fields: [
      {
        key: 'job_filter',
        label: 'Job filter',
        kind: 'text',
        hint: 'JSON-logic over id, type, state, stage, assignee, task_id, task_name; empty compares every job. E.g. {"==": [{"var": "stage"}, "acceptance"]}',
      },
    ],
  },
];

export const ALL_FIELDS: FieldSpec[] = SETTING_GROUPS.flatMap((g) => g.fields);
