/**
 * Per-label figures and the confusion matrix of a report (its /data): rows are what the jobs
 * said, columns what the ground truth says; the last row and column are objects without a match.
 */
import { percent } from './format';
import type { ReportData } from './types';

const UNMATCHED = 'unmatched';

export function LabelMetrics({ data }: { data: ReportData }) {
  const m = data.comparison_summary.annotations.confusion_matrix;
  const rowSum = m.rows.map((r) => r.reduce((a, b) => a + b, 0));
  const colSum = m.labels.map((_, j) => m.rows.reduce((a, r) => a + (r[j] ?? 0), 0));
  const labels = m.labels.map((name, i) => ({ name, i })).filter((l) => l.name !== UNMATCHED && (rowSum[l.i]! > 0 || colSum[l.i]! > 0));
  const meanIou = data.comparison_summary.annotation_components?.shape?.mean_iou;
  return (
    <>
      {labels.length === 0 ? (
        <p className="muted">No labelled objects were compared.</p>
      ) : (
        <table className="table q-table" aria-label="Per-label metrics">
          <thead>
            <tr>
              <th>Label</th>
              <th title="objects of this label in the ground truth">Ground truth</th>
              <th title="objects of this label in the jobs">Jobs</th>
              <th>Right</th>
              <th>Precision</th>
              <th>Recall</th>
              <th>Accuracy</th>
              <th title="Jaccard index: right / (ground truth + jobs - right)">Jaccard</th>
            </tr>
          </thead>
          <tbody>
            {labels.map(({ name, i }) => (
              <tr key={name}>
                <td>{name}</td>
                <td>{colSum[i]}</td>
                <td>{rowSum[i]}</td>
                <td>{m.rows[i]![i]}</td>
                <td>{rowSum[i] ? percent(m.precision[i]) : '—'}</td>
                <td>{colSum[i] ? percent(m.recall[i]) : '—'}</td>
                <td>{percent(m.accuracy[i])}</td>
                <td>{percent(m.jaccard_index[i])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {meanIou !== undefined && Number.isFinite(meanIou) && <p className="muted small">Mean overlap (IoU) of matched shapes: {percent(meanIou)}</p>}
      <h3>Confusion matrix</h3>
      <div className="q-matrix-wrap">
        <table className="q-matrix" aria-label="Confusion matrix">
          <thead>
            <tr>
              <th className="q-matrix-corner">
                <span>jobs ↓</span> <span>ground truth →</span>
              </th>
              {m.labels.map((l) => (
                <th key={l} scope="col" className={l === UNMATCHED ? 'muted' : undefined}>
                  {l === UNMATCHED ? 'no match' : l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {m.rows.map((row, i) => (
              <tr key={m.labels[i]}>
                <th scope="row" className={m.labels[i] === UNMATCHED ? 'muted' : undefined}>
                  {m.labels[i] === UNMATCHED ? 'no match' : m.labels[i]}
                </th>
                {row.map((v, j) => (
                  <td key={j} className={v === 0 ? 'q-zero' : i === j && m.labels[i] !== UNMATCHED ? 'q-diag' : 'q-off'}>
                    {v}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
