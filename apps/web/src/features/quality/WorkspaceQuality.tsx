/**
 * Quality in the annotation workspace's side panel: the conflicts of the job's latest report
 * (click one: its frame, with the job's object selected), and the annotator's latest feedback
 * when a hand-in was sent back (its failing frames are links). Shown only to those who may see
 * them; an annotator never sees conflicts (the server lists none for them).
 */
import { useState } from 'react';
import { formatDate } from '../../ui/format';
import { CONFLICT_HINTS, CONFLICT_NAMES, METRIC_NAMES, percent } from './format';
import type { Conflict, QualityReport, ValidationFeedback } from './types';
import './workspace-quality.css';

export function ConflictsList({
  report,
  conflicts,
  frame,
  onOpen,
}: {
  report: QualityReport;
  conflicts: Conflict[];
  frame: number;
  onOpen: (c: Conflict) => void;
}) {
  const [open, setOpen] = useState(true);
  const errors = conflicts.filter((c) => c.severity === 'error').length;
  return (
    <section className="ws-quality" aria-label="Conflicts">
      <button type="button" className="ws-quality-head" aria-expanded={open} onClick={() => setOpen(!open)}>
        <strong>Conflicts</strong>
        <span className="muted small">
          {conflicts.length === 0 ? 'none' : `${conflicts.length} (${errors} error${errors === 1 ? '' : 's'})`} · accuracy {percent(report.summary.accuracy)}
        </span>
        <span className="ws-quality-caret" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
      </button>
      {open && (
        <>
          <p className="ws-quality-note muted small">Report of {formatDate(report.created_date)}: later edits are not in it.</p>
          <ul className="ws-conflicts">
            {conflicts.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  className={c.frame === frame ? 'ws-conflict here' : 'ws-conflict'}
                  title={CONFLICT_HINTS[c.type]}
                  onClick={() => onOpen(c)}
                  aria-label={`${CONFLICT_NAMES[c.type]}, ${c.severity}, frame ${c.frame}`}
                >
                  <span className={`q-sev q-sev-${c.severity}`} />
                  <span className="ws-conflict-type">{CONFLICT_NAMES[c.type] ?? c.type}</span>
                  <span className="muted small">frame {c.frame}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The annotator's standing after a hand-in that was sent back or to review. */
export function FeedbackNote({ feedback, onFrame }: { feedback: ValidationFeedback; onFrame: (n: number) => void }) {
  if (feedback.status !== 'rejected' && feedback.status !== 'sent_to_review' && feedback.status !== 'validating') return null;
  return (
    <section className={`ws-feedback ws-feedback-${feedback.status}`} aria-label="Quality check">
      <strong>{feedback.status === 'validating' ? 'Checking your job…' : feedback.status === 'rejected' ? 'Returned for fixes' : 'Sent to review'}</strong>
      {feedback.score !== null && feedback.status !== 'validating' && (
        <span className="small">
          {METRIC_NAMES[feedback.target_metric]} {percent(feedback.score)}, target {percent(feedback.target_metric_threshold)}
          {feedback.status === 'rejected' && ` · ${feedback.remaining_attempts} attempt${feedback.remaining_attempts === 1 ? '' : 's'} left`}
        </span>
      )}
      {feedback.failing_frames.length > 0 && feedback.status !== 'validating' && <FrameLinks frames={feedback.failing_frames} onFrame={onFrame} />}
    </section>
  );
}

export function FrameLinks({ frames, onFrame }: { frames: number[]; onFrame: (n: number) => void }) {
  return (
    <span className="ws-frame-links small">
      Frames to check:{' '}
      {frames.map((f) => (
        <button key={f} type="button" className="link-button" onClick={() => onFrame(f)} aria-label={`Go to frame ${f} to check`}>
          {f}
        </button>
      ))}
    </span>
  );
}
