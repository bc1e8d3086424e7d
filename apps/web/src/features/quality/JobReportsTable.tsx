/** The job reports of a task report: who annotated, how well, how many conflicts. */
import { Link } from 'react-router';
import { formatDate, userName } from '../../ui/format';
import { METRIC_NAMES, passes, percent } from './format';
import type { QualityReport, QualitySettingsValues } from './types';

export function JobReportsTable({ reports, taskId, target }: { reports: QualityReport[]; taskId: number; target: Pick<QualitySettingsValues, 'target_metric' | 'target_metric_threshold'> }) {
  if (reports.length === 0) return <p className="muted">No annotation job was compared.</p>;
  const sorted = [...reports].sort((a, b) => (a.job_id ?? 0) - (b.job_id ?? 0));
  return (
    <table className="table q-table" aria-label="Jobs in the report">
      <thead>
        <tr>
          <th>Job</th>
          <th>Assignee</th>
          <th>Accuracy</th>
          <th>Precision</th>
          <th>Recall</th>
          <th>
            Target <span className="muted small">({METRIC_NAMES[target.target_metric].toLowerCase()} ≥ {percent(target.target_metric_threshold)})</span>
          </th>
          <th>Frames</th>
          <th>Conflicts</th>
          <th>Date</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => {
          const s = r.summary;
          const pass = passes(r, target);
          return (
            <tr key={r.id}>
              <td>
                <Link to={`/tasks/${taskId}/jobs/${r.job_id}`}>Job #{r.job_id}</Link>
              </td>
              <td>{userName(r.assignee)}</td>
              <td>{pass === null ? <span className="muted">not checked</span> : percent(s.accuracy)}</td>
              <td>{pass === null ? '' : percent(s.precision)}</td>
              <td>{pass === null ? '' : percent(s.recall)}</td>
              <td>{pass !== null && <span className={pass ? 'badge badge-completed' : 'badge badge-warn'}>{pass ? 'meets target' : 'below target'}</span>}</td>
              <td>{s.validation_frames}</td>
              <td>
                {s.conflict_count}
                {s.error_count > 0 && <span className="muted small"> ({s.error_count} errors)</span>}
              </td>
              <td className="muted small nowrap">{formatDate(r.created_date)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
