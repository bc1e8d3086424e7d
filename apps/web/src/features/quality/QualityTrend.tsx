/** Project reports over time: accuracy and QA pass rate per report, with the target as a line. */
import { formatDate } from '../../ui/format';
import { percent } from './format';
import type { TrendPoint } from './project-stats';

const W = 640;
const H = 190;
const PAD = { left: 40, right: 12, top: 12, bottom: 28 };

export function QualityTrend({ points, threshold }: { points: TrendPoint[]; threshold: number }) {
  if (points.length === 0) return <p className="muted">No project report yet: compute one to start the history.</p>;
  const x = (i: number) => PAD.left + (points.length === 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (points.length - 1));
  const y = (v: number) => PAD.top + (1 - v) * (H - PAD.top - PAD.bottom);
  const line = (get: (p: TrendPoint) => number | null) =>
    points
      .map((p, i) => [i, get(p)] as const)
      .filter(([, v]) => v !== null)
      .map(([i, v], k) => `${k === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v!).toFixed(1)}`)
      .join(' ');
  const labelEvery = Math.max(1, Math.ceil(points.length / 6));
  return (
    <figure className="q-trend">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Quality over time">
        {[0, 0.25, 0.5, 0.75, 1].map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} className="q-grid" />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" className="q-axis">
              {v * 100}%
            </text>
          </g>
        ))}
        <line x1={PAD.left} x2={W - PAD.right} y1={y(threshold)} y2={y(threshold)} className="q-target-line" />
        <path d={line((p) => p.passRate)} className="q-line-pass" />
        <path d={line((p) => p.accuracy)} className="q-line-acc" />
        {points.map((p, i) => (
          <g key={p.report.id}>
            {p.accuracy !== null && (
              <circle cx={x(i)} cy={y(p.accuracy)} r={4} className="q-dot-acc">
                <title>{`${formatDate(p.report.created_date)}: accuracy ${percent(p.accuracy)}, pass rate ${percent(p.passRate)}`}</title>
              </circle>
            )}
            {p.passRate !== null && <circle cx={x(i)} cy={y(p.passRate)} r={3} className="q-dot-pass" />}
            {i % labelEvery === 0 && (
              <text x={x(i)} y={H - 8} textAnchor="middle" className="q-axis">
                {new Date(p.report.created_date).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}
              </text>
            )}
          </g>
        ))}
      </svg>
      <figcaption className="q-legend small">
        <span className="q-key q-key-acc" /> accuracy <span className="q-key q-key-pass" /> jobs meeting the target <span className="q-key q-key-target" /> target {percent(threshold)}
      </figcaption>
    </figure>
  );
}
