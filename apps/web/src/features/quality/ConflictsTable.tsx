/** The conflicts of a task report, each a link to its frame and object in the job's workspace. */
import { useState } from 'react';
import { Link } from 'react-router';
import { conflictLink } from './conflict-link';
import { CONFLICT_HINTS, CONFLICT_NAMES } from './format';
import type { Conflict } from './types';

const SHOWN = 100;

export function ConflictsTable({ conflicts, jobOfReport, taskId }: { conflicts: Conflict[]; jobOfReport: ReadonlyMap<number, number>; taskId: number }) {
  const [severity, setSeverity] = useState('');
  const [all, setAll] = useState(false);
  if (conflicts.length === 0) return <p className="muted">No conflicts: the jobs agree with the ground truth.</p>;
  const filtered = conflicts.filter((c) => !severity || c.severity === severity);
  const rows = all ? filtered : filtered.slice(0, SHOWN);
  return (
    <>
      <div className="q-toolbar">
        <select aria-label="Severity" value={severity} onChange={(e) => setSeverity(e.target.value)}>
          <option value="">Errors and warnings</option>
          <option value="error">Errors</option>
          <option value="warning">Warnings</option>
        </select>
        <span className="muted small">{filtered.length} shown of {conflicts.length}</span>
      </div>
      <table className="table q-table" aria-label="Conflicts">
        <thead>
          <tr>
            <th>Conflict</th>
            <th>Job</th>
            <th>Frame</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => {
            const jobId = jobOfReport.get(c.report_id);
            return (
              <tr key={c.id}>
                <td title={CONFLICT_HINTS[c.type]}>
                  <span className={`q-sev q-sev-${c.severity}`} aria-label={c.severity} />
                  {CONFLICT_NAMES[c.type] ?? c.type}
                </td>
                <td>{jobId !== undefined ? `#${jobId}` : '—'}</td>
                <td>{c.frame}</td>
                <td className="cell-actions">
                  {jobId !== undefined && (
                    <Link to={conflictLink(taskId, jobId, c)} aria-label={`Open ${CONFLICT_NAMES[c.type]} on frame ${c.frame} of job ${jobId}`}>
                      Open
                    </Link>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {!all && filtered.length > SHOWN && (
        <button type="button" className="link-button" onClick={() => setAll(true)}>
          Show all {filtered.length}
        </button>
      )}
    </>
  );
}
