/**
 * Quality settings as CVAT's QualitySettings (/api/quality/settings) holds them, with CVAT's
 * defaults. Field names are CVAT's, so a settings row fills the API schema as it is.
 */

export const POINT_SIZE_BASES = ['image_size', 'group_bbox_size'] as const;
export type PointSizeBase = (typeof POINT_SIZE_BASES)[number];

export const TARGET_METRICS = ['accuracy', 'precision', 'recall'] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];

export interface QualitySettings {
  /** Minimal similarity for two shapes to be a match at all. */
  iou_threshold: number;
  /** Matches below this similarity are reported as low_overlap. */
  low_overlap_threshold: number;
  /** COCO OKS sigma for points and skeletons, as a share of the object's size. */
  oks_sigma: number;
  point_size_base: PointSizeBase;
  /** Polyline tolerance, as a share of sqrt(image area). */
  line_thickness: number;
  compare_line_orientation: boolean;
  /** Minimal loss in line similarity when reversing direction to call the direction wrong. */
  line_orientation_threshold: number;
  compare_groups: boolean;
  group_match_threshold: number;
  check_covered_annotations: boolean;
  /** Polygons, masks and boxes with less than this share visible are covered_annotation. */
  object_visibility_threshold: number;
  /** Compare only the visible (not covered by objects above) parts of polygons and masks. */
  panoptic_comparison: boolean;
  compare_attributes: boolean;
  /** A frame empty on both sides counts as one valid (virtual) annotation. */
  empty_is_annotated: boolean;
  target_metric: TargetMetric;
  target_metric_threshold: number;
  /** Immediate-feedback attempts allowed to the assignee; 0 disables feedback. */
  max_validations_per_job: number;
  /** JSON-logic over jobs (assignee, id, stage, state, task_id, task_name, type); passed through. */
  job_filter: string;
  /** Task settings only: use the project's settings instead of these. */
  inherit: boolean;
}

export const DEFAULT_QUALITY_SETTINGS: Readonly<QualitySettings> = Object.freeze({
  iou_threshold: 0.4,
  low_overlap_threshold: 0.8,
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
  compare_attributes: true,
  empty_is_annotated: false,
  target_metric: 'accuracy',
  target_metric_threshold: 0.7,
  max_validations_per_job: 0,
  job_filter: '',
  inherit: true,
});

/** The defaults with `overrides` applied; undefined fields keep their defaults. */
export function qualitySettings(overrides: Partial<QualitySettings> = {}): QualitySettings {
  const out: QualitySettings = { ...DEFAULT_QUALITY_SETTINGS };
  for (const [k, v] of Object.entries(overrides)) {
    if (v !== undefined && k in out) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** The settings a task's report uses: the project's when the task inherits and has a project. */
export function effectiveQualitySettings(task: QualitySettings, project: QualitySettings | null): QualitySettings {
  return task.inherit && project ? { ...project, inherit: true } : task;
}

const SHARES = [
  'iou_threshold', 'low_overlap_threshold', 'oks_sigma', 'line_thickness', 'line_orientation_threshold',
  'group_match_threshold', 'object_visibility_threshold', 'target_metric_threshold',
] as const;
const FLAGS = [
  'compare_line_orientation', 'compare_groups', 'check_covered_annotations', 'panoptic_comparison',
  'compare_attributes', 'empty_is_annotated', 'inherit',
] as const;

/** CVAT's limit on job_filter (QualitySettings.job_filter maxLength). */
export const MAX_JOB_FILTER_LENGTH = 1024;

/**
 * What is wrong with a settings patch as a client sends it (PATCH /api/quality/settings/{id}),
 * each as { path, message }; unknown fields are reported too. Empty when it can be applied.
 */
export function qualitySettingsProblems(patch: Record<string, unknown>): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const known = new Set<string>([...SHARES, ...FLAGS, 'point_size_base', 'target_metric', 'max_validations_per_job', 'job_filter']);
  for (const [k, v] of Object.entries(patch)) {
    if (!known.has(k)) out.push({ path: k, message: 'is not a quality setting' });
    else if ((SHARES as readonly string[]).includes(k)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) out.push({ path: k, message: 'must be a number in [0, 1]' });
    } else if ((FLAGS as readonly string[]).includes(k)) {
      if (typeof v !== 'boolean') out.push({ path: k, message: 'must be a boolean' });
    } else if (k === 'point_size_base') {
      if (!(POINT_SIZE_BASES as readonly unknown[]).includes(v)) out.push({ path: k, message: `must be one of ${POINT_SIZE_BASES.join(', ')}` });
    } else if (k === 'target_metric') {
      if (!(TARGET_METRICS as readonly unknown[]).includes(v)) out.push({ path: k, message: `must be one of ${TARGET_METRICS.join(', ')}` });
    } else if (k === 'max_validations_per_job') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2147483647) out.push({ path: k, message: 'must be a non-negative integer' });
    } else if (k === 'job_filter') {
      if (typeof v !== 'string') out.push({ path: k, message: 'must be a string' });
      else if (v.length > MAX_JOB_FILTER_LENGTH) out.push({ path: k, message: `is longer than ${MAX_JOB_FILTER_LENGTH} characters` });
    }
  }
  return out;
}
