/**
 * What the annotator is told when "Finish job" was checked against the ground truth and not
 * accepted: the score against the target, the attempts left, and the frames that failed, each a
 * link to the frame. After the last attempt the job has gone to a reviewer.
 */
import { Modal } from '../../ui/Modal';
import { METRIC_NAMES, percent } from './format';
import type { ValidationFeedback } from './types';
import { FrameLinks } from './WorkspaceQuality';

export function FeedbackDialog({ feedback, onFrame, onClose }: { feedback: ValidationFeedback; onFrame: (n: number) => void; onClose: () => void }) {
  const metric = METRIC_NAMES[feedback.target_metric];
  const title =
    feedback.status === 'validating'
      ? 'Checking your job'
      : feedback.status === 'rejected'
        ? 'Not accepted yet'
        : feedback.status === 'sent_to_review'
          ? 'Sent to a reviewer'
          : feedback.status === 'accepted'
            ? 'Accepted'
            : 'The check could not run';
  const go = (n: number) => {
    onFrame(n);
    onClose();
  };
  return (
    <Modal title={title} open onClose={onClose}>
      <div className="feedback-dialog" data-status={feedback.status ?? ''}>
        {feedback.status === 'validating' ? (
          <p>Your job is being compared with the ground truth; this takes a moment for large jobs. It is handed in when the check ends.</p>
        ) : (
          <>
            {feedback.score !== null && (
              <p className="feedback-score" aria-label="Score">
                <strong>
                  {metric} {percent(feedback.score)}
                </strong>{' '}
                <span className="muted">· the target is {percent(feedback.target_metric_threshold)}</span>
              </p>
            )}
            {feedback.status === 'rejected' && (
              <p>
                The job came back to you: some frames differ too much from the expected annotations. Attempt {feedback.attempts} of {feedback.max_attempts}:{' '}
                <strong>
                  {feedback.remaining_attempts} attempt{feedback.remaining_attempts === 1 ? '' : 's'} left
                </strong>
                . Check the frames below, fix them and finish the job again.
              </p>
            )}
            {feedback.status === 'sent_to_review' && (
              <p>
                That was the last of {feedback.max_attempts} attempt{feedback.max_attempts === 1 ? '' : 's'}: <strong>the job went to review</strong>. A reviewer
                will look at it; you need not do anything more.
              </p>
            )}
            {feedback.status === 'failed' && <p>The comparison failed on the server; the job keeps its state. Try finishing it again later.</p>}
            {feedback.failing_frames.length > 0 && feedback.status !== 'accepted' && <FrameLinks frames={feedback.failing_frames} onFrame={go} />}
          </>
        )}
        <div className="form-actions">
          {feedback.failing_frames.length > 0 && feedback.status === 'rejected' && (
            <button type="button" className="primary" onClick={() => go(feedback.failing_frames[0]!)}>
              Go to frame {feedback.failing_frames[0]}
            </button>
          )}
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </Modal>
  );
}
