/** A report's headline: accuracy, precision and recall, and what they were computed over. */
import { formatDate } from '../../ui/format';
import { CONFLICT_NAMES, METRIC_NAMES, percent } from './format';
import type { QualityReport, TargetMetric } from './types';

export function ReportFigures({ report, target }: { report: QualityReport; target?: { metric: TargetMetric; threshold: number } }) {
  const s = report.summary;
  return (
    <div className="q-report">
      <div className="q-figures" role="group" aria-label="Report figures">
        {(['accuracy', 'precision', 'recall'] as const).map((m) => {
          const isTarget = target?.metric === m;
          const ok = isTarget ? s[m] >= target.threshold : undefined;
          return (
            <div key={m} className={`q-figure${isTarget ? (ok ? ' q-pass' : ' q-fail') : ''}`} aria-label={METRIC_NAMES[m]}>
              <span className="q-figure-value">{s.total_count === 0 ? '—' : percent(s[m])}</span>
              <span className="q-figure-name">
                {METRIC_NAMES[m]}
                {isTarget && <span className="muted small"> · target {percent(target.threshold)}</span>}
              </span>
            </div>
          );
        })}
      </div>
      <dl className="q-facts">
        <dt>Compared</dt>
        <dd>
          {s.validation_frames} of {s.total_frames} frames ({percent(s.validation_frame_share)}) · {s.valid_count} of {s.total_count} objects right ({s.gt_count} in the ground truth, {s.ds_count} in the jobs)
        </dd>
        <dt>Conflicts</dt>
        <dd>
          {s.conflict_count === 0 ? (
            'none'
          ) : (
            <>
              {s.error_count} error{s.error_count === 1 ? '' : 's'}, {s.warning_count} warning{s.warning_count === 1 ? '' : 's'}:{' '}
              {Object.entries(s.conflicts_by_type)
                .map(([t, n]) => `${CONFLICT_NAMES[t as keyof typeof CONFLICT_NAMES] ?? t} ${n}`)
                .join(' · ')}
            </>
          )}
        </dd>
        {s.jobs && (
          <>
            <dt>Jobs</dt>
            <dd>
              {s.jobs.included - s.jobs.not_checkable} compared
              {s.jobs.not_checkable > 0 && `, ${s.jobs.not_checkable} without ground-truth frames`}
              {s.jobs.excluded > 0 && `, ${s.jobs.excluded} left out by the job filter`}
            </dd>
          </>
        )}
        {s.tasks && (
          <>
            <dt>Tasks</dt>
            <dd>
              {s.tasks.included} compared
              {s.tasks.not_configured > 0 && `, ${s.tasks.not_configured} without accepted ground truth`}
              {s.tasks.custom > 0 && `, ${s.tasks.custom} with their own settings (left out)`}
            </dd>
          </>
        )}
        <dt>Computed</dt>
        <dd>{formatDate(report.created_date)}</dd>
      </dl>
    </div>
  );
}

export function ReportDownloads({ reportId }: { reportId: number }) {
  return (
    <span className="q-downloads">
      Download{' '}
      <a href={`/api/quality/reports/${reportId}/data?format=json`} download={`quality-report-${reportId}.json`}>
        JSON
      </a>{' '}
      ·{' '}
      <a href={`/api/quality/reports/${reportId}/data?format=csv`} download={`quality-report-${reportId}.csv`}>
        CSV (confusion matrix)
      </a>
    </span>
  );
}
