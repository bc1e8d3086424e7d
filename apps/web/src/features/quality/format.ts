import type { ConflictType, QualityReport, QualitySettingsValues, TargetMetric } from './types';

/** 0.5 -> "50%", 2/3 -> "66.7%"; null or NaN (nothing to divide by) -> "—". */
export function percent(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const p = x * 100;
  return `${Number.isInteger(Math.round(p * 10) / 10) ? Math.round(p) : p.toFixed(1)}%`;
}

export const CONFLICT_NAMES: Record<ConflictType, string> = {
  missing_annotation: 'Missing annotation',
  extra_annotation: 'Extra annotation',
  mismatching_label: 'Wrong label',
  low_overlap: 'Low overlap',
  mismatching_direction: 'Wrong direction',
  mismatching_attributes: 'Wrong attributes',
  mismatching_groups: 'Wrong grouping',
  covered_annotation: 'Covered annotation',
};

export const CONFLICT_HINTS: Record<ConflictType, string> = {
  missing_annotation: 'an object of the ground truth has no match in the job',
  extra_annotation: 'an object of the job has no match in the ground truth',
  mismatching_label: 'the object matches a ground-truth object with another label',
  low_overlap: 'matched, but the shapes overlap less than the low-overlap threshold',
  mismatching_direction: 'a line drawn the other way round',
  mismatching_attributes: 'matched, but attributes differ',
  mismatching_groups: 'objects grouped differently from the ground truth',
  covered_annotation: 'an object almost entirely hidden under others',
};

export const METRIC_NAMES: Record<TargetMetric, string> = { accuracy: 'Accuracy', precision: 'Precision', recall: 'Recall' };

/** The report's figure for the settings' target metric. */
export function scoreOf(report: QualityReport, metric: TargetMetric): number {
  return report.summary[metric];
}

/** Whether a job report reached the target; null when it compared nothing (no validation frames). */
export function passes(report: QualityReport, settings: Pick<QualitySettingsValues, 'target_metric' | 'target_metric_threshold'>): boolean | null {
  if (report.summary.validation_frames === 0 && report.summary.total_count === 0) return null;
  return scoreOf(report, settings.target_metric) >= settings.target_metric_threshold;
}

/** "0, 2, 5-8" -> [0, 2, 5, 6, 7, 8]; a problem is thrown as an Error naming the bad part. */
export function parseFrames(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(/[\s,;]+/).filter(Boolean)) {
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a) throw new Error(`"${part}": a range goes from the smaller frame to the larger`);
      if (b - a > 100_000) throw new Error(`"${part}": too long a range`);
      for (let f = a; f <= b; f++) out.push(f);
    } else if (/^\d+$/.test(part)) out.push(Number(part));
    else throw new Error(`"${part}" is not a frame number or a range like 5-8`);
  }
  return out;
}

/** [0, 1, 2, 5, 7, 8] -> "0-2, 5, 7-8". */
export function formatFrames(frames: readonly number[], max = 40): string {
  const sorted = [...frames].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.length > max ? `${parts.slice(0, max).join(', ')}, … (${sorted.length} frames)` : parts.join(', ');
}
