/**
 * Figures a project's quality page derives from its reports (all of them, in one list): the
 * history of project reports, the QA pass rate (share of compared jobs meeting the target) and
 * per-annotator quality. Counts are summed before dividing, as CVAT sums job reports into a task
 * report, so a job with 100 checked objects weighs more than one with 2.
 */
import type { UserRef } from '../../api/types';
import { passes } from './format';
import type { QualityReport, QualitySettingsValues } from './types';

type Target = Pick<QualitySettingsValues, 'target_metric' | 'target_metric_threshold'>;

/** The newest report per key (reports come newest first, but ids decide). */
export function latestBy(reports: QualityReport[], key: (r: QualityReport) => number | null): QualityReport[] {
  const out = new Map<number, QualityReport>();
  for (const r of reports) {
    const k = key(r);
    if (k === null) continue;
    const had = out.get(k);
    if (!had || had.id < r.id) out.set(k, r);
  }
  return [...out.values()];
}

/** Share of job reports that compared something and met the target; null when none compared anything. */
export function passRate(jobReports: QualityReport[], target: Target): { passed: number; checked: number; rate: number | null } {
  let passed = 0;
  let checked = 0;
  for (const r of jobReports) {
    const p = passes(r, target);
    if (p === null) continue;
    checked++;
    if (p) passed++;
  }
  return { passed, checked, rate: checked ? passed / checked : null };
}

export interface TrendPoint {
  report: QualityReport;
  accuracy: number | null;
  passRate: number | null;
}

/** Project reports, oldest first, each with the pass rate of the job reports computed under it. */
export function trend(all: QualityReport[], target: Target): TrendPoint[] {
  const byId = new Map(all.map((r) => [r.id, r]));
  const jobsUnder = new Map<number, QualityReport[]>();
  for (const r of all) {
    if (r.target !== 'job' || r.parent_id === null) continue;
    const root = byId.get(r.parent_id)?.parent_id;
    if (root == null) continue;
    const list = jobsUnder.get(root) ?? [];
    list.push(r);
    jobsUnder.set(root, list);
  }
  return all
    .filter((r) => r.target === 'project')
    .sort((a, b) => a.id - b.id)
    .map((report) => ({
      report,
      accuracy: report.summary.total_count ? report.summary.accuracy : null,
      passRate: passRate(jobsUnder.get(report.id) ?? [], target).rate,
    }));
}

export interface AnnotatorStats {
  assignee: UserRef | null;
  jobs: number;
  passed: number;
  valid: number;
  total: number;
  ds: number;
  gt: number;
  errors: number;
  warnings: number;
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
}

/** Per assignee over the given job reports (pass the latest per job), best first. */
export function annotatorStats(jobReports: QualityReport[], target: Target): AnnotatorStats[] {
  const out = new Map<number, AnnotatorStats>();
  for (const r of jobReports) {
    const p = passes(r, target);
    if (p === null) continue;
    const key = r.assignee?.id ?? 0;
    const a = out.get(key) ?? { assignee: r.assignee, jobs: 0, passed: 0, valid: 0, total: 0, ds: 0, gt: 0, errors: 0, warnings: 0, accuracy: null, precision: null, recall: null };
    a.jobs++;
    if (p) a.passed++;
    a.valid += r.summary.valid_count;
    a.total += r.summary.total_count;
    a.ds += r.summary.ds_count;
    a.gt += r.summary.gt_count;
    a.errors += r.summary.error_count;
    a.warnings += r.summary.warning_count;
    out.set(key, a);
  }
  for (const a of out.values()) {
    a.accuracy = a.total ? a.valid / a.total : null;
    a.precision = a.ds ? a.valid / a.ds : null;
    a.recall = a.gt ? a.valid / a.gt : null;
  }
  return [...out.values()].sort((x, y) => (y.accuracy ?? -1) - (x.accuracy ?? -1));
}
