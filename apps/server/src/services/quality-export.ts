/**
 * A stored report as /api/quality/reports/{id}/data gives it (CVAT's export): JSON with the
 * report's place (ids, dates, assignee), its comparison data, a link to every conflicting
 * annotation, and the frame share in percent; or the confusion matrix as CSV, in the layout and
 * number spelling of CVAT's (Python's csv module and float repr).
 */
import type { ComparisonReport } from '@framewise/core';

/** The last row and column of a confusion matrix (core's name for objects without a match). */
const UNMATCHED_LABEL = 'unmatched';

export interface ReportPlace {
  id: number;
  target: 'job' | 'task' | 'project';
  job_id: number | null;
  task_id: number | null;
  project_id: number | null;
  parent_id: number | null;
  created_date: string;
  target_last_updated: string;
  gt_last_updated: string | null;
  assignee: { id: number; username: string; first_name: string; last_name: string } | null;
}

/** `host` is the web app's base URL, with a trailing slash; `taskOfJob` names each job's task. */
export function reportJson(place: ReportPlace, report: ComparisonReport, host: string, taskOfJob: (jobId: number) => number | undefined): string {
  const out: Record<string, unknown> = { id: place.id };
  if (place.job_id !== null) out.job_id = place.job_id;
  if (place.task_id !== null) out.task_id = place.task_id;
  if (place.project_id !== null) out.project_id = place.project_id;
  if (place.parent_id !== null) out.parent_id = place.parent_id;
  out.created_date = place.created_date;
  out.target_last_updated = place.target_last_updated;
  if (place.gt_last_updated !== null) out.gt_last_updated = place.gt_last_updated;
  out.assignee = place.assignee;
  out.parameters = report.parameters;
  const summary: Record<string, unknown> = { ...report.comparison_summary };
  if (place.target === 'project') {
    // Too detailed for a project, as CVAT has it.
    delete summary.frames;
  } else {
    out.frame_results = Object.fromEntries(
      Object.entries(report.frame_results ?? {}).map(([frame, r]) => [
        frame,
        {
          ...r,
          conflicts: r.conflicts.map((c) => ({
            ...c,
            annotation_ids: c.annotation_ids.map((a) => ({
              ...a,
              url: `${host}tasks/${taskOfJob(a.job_id) ?? place.task_id}/jobs/${a.job_id}?frame=${c.frame}&type=${a.type}&serverID=${a.obj_id}`,
            })),
          })),
        },
      ]),
    );
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const s = report.comparison_summary;
  if (s.tasks) summary.tasks = Object.fromEntries(Object.entries(s.tasks).map(([k, v]) => [k, sorted(v)]));
  if (s.jobs) summary.jobs = Object.fromEntries(Object.entries(s.jobs).map(([k, v]) => [k, sorted(v)]));
  summary.frame_share_percent = s.frame_share * 100;
  out.comparison_summary = summary;
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** Python's repr of a float (1.0, 0.5, nan, 1e-05), which CVAT's CSV writes. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
  return String(x).replace(/e([+-])(\d)$/, 'e$10$2');
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function csvRow(fields: string[]): string {
  // Python's csv writes a lone empty field quoted, so the row is not taken for a blank line.
  if (fields.length === 1 && fields[0] === '') return '""\r\n';
  return `${fields.map(csvField).join(',')}\r\n`;
}

/**
 * The report's confusion matrix (rows: the job's labels, columns: the ground truth's) with
 * precision per row, recall, Dice coefficient and Jaccard index per column, and the micro
 * accuracy and macro Dice over the labels (the "unmatched" row and column left out of both).
 */
export function confusionCsv(report: ComparisonReport): string {
  const m = report.comparison_summary.annotations.confusion_matrix;
  const n = m.labels.length;
  const unmatched = m.labels.indexOf(UNMATCHED_LABEL);
  const rowSums = m.rows.map((r) => r.reduce((a, b) => a + b, 0));
  const colSums = m.labels.map((_, j) => m.rows.reduce((a, r) => a + r[j]!, 0));
  const diag = m.rows.map((r, i) => r[i]!);
  const total = rowSums.reduce((a, b) => a + b, 0);
  const dice = diag.map((d, i) => (i === unmatched || rowSums[i] === 0 ? NaN : (2 * d) / (rowSums[i]! + colSums[i]! || 1)));
  const counted = dice.filter((d) => !Number.isNaN(d));
  const diceMacro = counted.length ? counted.reduce((a, b) => a + b, 0) / counted.length : NaN;
  const accuracyMicro = diag.reduce((a, b) => a + b, 0) / (total || 1);
  const jaccard = m.jaccard_index.map((j, i) => (i === unmatched ? NaN : j));
  let out = csvRow(['label', ...m.labels, 'precision']);
  for (let i = 0; i < n; i++) out += csvRow([m.labels[i]!, ...m.rows[i]!.map((v) => String(v)), pyFloat(m.precision[i]!)]);
  out += csvRow(['recall', ...m.recall.map(pyFloat)]);
  out += csvRow(['dice coefficient', ...dice.map(pyFloat)]);
  out += csvRow(['jaccard index', ...jaccard.map(pyFloat)]);
  out += csvRow(['']);
  out += csvRow(['avg. accuracy (micro)', pyFloat(accuracyMicro)]);
  out += csvRow(['avg. dice coefficient (macro)', pyFloat(diceMacro)]);
  return out;
}
