/** value in [0, 1]; null shows an indeterminate bar (work started, amount unknown). */
export function ProgressBar({ value, label }: { value: number | null; label: string }) {
  const percent = value === null ? undefined : Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div className="progress">
      <div className="progress-label">
        <span>{label}</span>
        {percent !== undefined && <span>{percent}%</span>}
      </div>
      <div
        className={percent === undefined ? 'progress-track indeterminate' : 'progress-track'}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="progress-fill" style={{ width: percent === undefined ? undefined : `${percent}%` }} />
      </div>
    </div>
  );
}
