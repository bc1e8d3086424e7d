/**
 * Report figures from counts, as CVAT derives them: accuracy = valid / total, precision =
 * valid / job's count, recall = valid / ground truth's count (each over 1 when the divisor is
 * 0), and per label from the confusion matrix (rows: the job's label, columns: the ground
 * truth's, the last row and column "unmatched").
 */
import type { AnnotationsSummary, ComponentsSummary, ConfusionMatrix, LabelSummary, ShapeSummary } from './types.js';

export const UNMATCHED_LABEL = 'unmatched';

function safeDiv(a: number, b: number): number {
  return a / (b || 1);
}

/** The matrix with its per-label precision, recall, accuracy and Jaccard index. */
export function confusionMatrix(labels: readonly string[], rows: number[][]): ConfusionMatrix {
  const diag = rows.map((r, i) => r[i]!);
  const dsCounts = rows.map((r) => r.reduce((s, v) => s + v, 0));
  const gtCounts = labels.map((_, j) => rows.reduce((s, r) => s + r[j]!, 0));
  const total = dsCounts.reduce((s, v) => s + v, 0);
  return {
    labels: [...labels],
    rows,
    precision: diag.map((d, i) => safeDiv(d, dsCounts[i]!)),
    recall: diag.map((d, i) => safeDiv(d, gtCounts[i]!)),
    // (TP + TN) / all, TN being everything that is neither FP nor FN for the label.
    accuracy: diag.map((d, i) => safeDiv(total - (dsCounts[i]! - d) - (gtCounts[i]! - d), total)),
    jaccard_index: diag.map((d, i) => safeDiv(d, dsCounts[i]! + gtCounts[i]! - d)),
    axes: { cols: 'gt', rows: 'ds' },
  };
}

export function zeroRows(size: number): number[][] {
  return Array.from({ length: size }, () => new Array<number>(size).fill(0));
}

/** Counts read off a confusion matrix (valid = its diagonal but the unmatched cell, which stays 0). */
export function annotationsSummary(labels: readonly string[], rows: number[][]): AnnotationsSummary {
  const n = labels.length;
  const cm = confusionMatrix(labels, rows);
  let valid = 0, total = 0, ds = 0, gt = 0;
  for (let i = 0; i < n; i++) {
    valid += rows[i]![i]!;
    for (let j = 0; j < n; j++) {
      const v = rows[i]![j]!;
      total += v;
      if (i < n - 1) ds += v;
      if (j < n - 1) gt += v;
    }
  }
  const missing = rows[n - 1]!.reduce((s, v) => s + v, 0);
  const extra = rows.reduce((s, r) => s + r[n - 1]!, 0);
  return withRatios({ valid_count: valid, missing_count: missing, extra_count: extra, total_count: total, ds_count: ds, gt_count: gt, confusion_matrix: cm });
}

export function withRatios(s: Omit<AnnotationsSummary, 'accuracy' | 'precision' | 'recall'>): AnnotationsSummary {
  return { ...s, accuracy: safeDiv(s.valid_count, s.total_count), precision: safeDiv(s.valid_count, s.ds_count), recall: safeDiv(s.valid_count, s.gt_count) };
}

export function shapeSummary(s: Omit<ShapeSummary, 'accuracy'>): ShapeSummary {
  return { ...s, accuracy: safeDiv(s.valid_count, s.total_count) };
}

export function labelSummary(s: Omit<LabelSummary, 'accuracy'>): LabelSummary {
  return { ...s, accuracy: safeDiv(s.valid_count, s.total_count) };
}

const COUNTS = ['valid_count', 'missing_count', 'extra_count', 'total_count', 'ds_count', 'gt_count'] as const;

/**
 * a + b·weight, each count rounded up as CVAT does when it extrapolates a task's counts to the
 * whole task (weight 1 adds plainly). The matrix is scaled the same way, cell by cell.
 */
export function addAnnotations(a: AnnotationsSummary, b: AnnotationsSummary, weight = 1): AnnotationsSummary {
  const sum = Object.fromEntries(COUNTS.map((k) => [k, a[k] + Math.ceil(b[k] * weight)])) as Record<(typeof COUNTS)[number], number>;
  const labels = unionLabels(a.confusion_matrix.labels, b.confusion_matrix.labels);
  const ra = alignRows(a.confusion_matrix, labels), rb = alignRows(b.confusion_matrix, labels);
  const rows = ra.map((r, i) => r.map((v, j) => v + Math.ceil(rb[i]![j]! * weight)));
  return withRatios({ ...sum, confusion_matrix: confusionMatrix(labels, rows) });
}

/** Labels of both matrices (those of `a` first), "unmatched" last. */
function unionLabels(a: readonly string[], b: readonly string[]): string[] {
  if (a.length === b.length && a.every((l, i) => l === b[i])) return [...a];
  const names = [...a, ...b].filter((l) => l !== UNMATCHED_LABEL);
  return [...new Set(names), UNMATCHED_LABEL];
}

/** A matrix's cells moved to the rows and columns of `labels` (a superset of its own). */
function alignRows(m: ConfusionMatrix, labels: readonly string[]): number[][] {
  if (m.labels.length === labels.length && m.labels.every((l, i) => l === labels[i])) return m.rows;
  const at = m.labels.map((l) => labels.indexOf(l));
  const rows = zeroRows(labels.length);
  m.rows.forEach((r, i) => r.forEach((v, j) => (rows[at[i]!]![at[j]!]! += v)));
  return rows;
}

/** Component counts added (weighted as above); mean_iou is left to the caller, as it does not add up. */
export function addComponents(a: ComponentsSummary, b: ComponentsSummary, weight = 1, meanIou = a.shape.mean_iou): ComponentsSummary {
  const w = (x: number) => Math.ceil(x * weight);
  return {
    shape: shapeSummary({
      valid_count: a.shape.valid_count + w(b.shape.valid_count),
      missing_count: a.shape.missing_count + w(b.shape.missing_count),
      extra_count: a.shape.extra_count + w(b.shape.extra_count),
      total_count: a.shape.total_count + w(b.shape.total_count),
      ds_count: a.shape.ds_count + w(b.shape.ds_count),
      gt_count: a.shape.gt_count + w(b.shape.gt_count),
      mean_iou: meanIou,
    }),
    label: labelSummary({
      valid_count: a.label.valid_count + w(b.label.valid_count),
      invalid_count: a.label.invalid_count + w(b.label.invalid_count),
      total_count: a.label.total_count + w(b.label.total_count),
    }),
  };
}

export function emptyAnnotations(labels: readonly string[]): AnnotationsSummary {
  return annotationsSummary(labels, zeroRows(labels.length));
}

export function emptyComponents(): ComponentsSummary {
  return {
    shape: shapeSummary({ valid_count: 0, missing_count: 0, extra_count: 0, total_count: 0, ds_count: 0, gt_count: 0, mean_iou: 0 }),
    label: labelSummary({ valid_count: 0, invalid_count: 0, total_count: 0 }),
  };
}

export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : 0;
}
