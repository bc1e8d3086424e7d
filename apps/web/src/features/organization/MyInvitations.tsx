import { useState } from 'react';
import { Link } from 'react-router';
import type { Invitation } from '../../api/types';
import { useSession } from '../../app/session';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate, userName } from '../../ui/format';
import { useMyInvitations, useRespondToInvitation } from './useMyInvitations';

interface Answer {
  key: string;
  slug: string;
  role: string;
  joined: boolean;
}

/** Invitations waiting for the signed-in user; nothing at all when there are none, unless `empty` says what to show. */
export function MyInvitations({ empty }: { empty?: string }) {
  const mine = useMyInvitations();
  // An answered invitation leaves the list; what became of it stays on screen.
  const [answers, setAnswers] = useState<Answer[]>([]);
  if (mine.error) return <ErrorMessage error={mine.error} />;
  if (!mine.data) return null;
  const waiting = mine.data.filter((i) => !answers.some((a) => a.key === i.key));
  if (waiting.length === 0 && answers.length === 0) return empty ? <p className="muted">{empty}</p> : null;
  return (
    <div className="invitation-list">
      <h2>Invitations for you</h2>
      {answers.map((a) => (
        <AnswerNote key={a.key} answer={a} />
      ))}
      {waiting.map((i) => (
        <InvitationCard key={i.key} invitation={i} onAnswered={(a) => setAnswers((prev) => [...prev, a])} />
      ))}
    </div>
  );
}

function AnswerNote({ answer }: { answer: Answer }) {
  const { switchOrganization } = useSession();
  if (!answer.joined) {
    return (
      <div className="invitation-card done" role="status">
        You declined the invitation to {answer.slug}.
      </div>
    );
  }
  return (
    <div className="invitation-card done" role="status">
      <span>
        You joined <strong>{answer.slug}</strong> as {answer.role}. Choose it in the organization menu at the top, or{' '}
        <Link to="/projects" onClick={() => switchOrganization(answer.slug)}>
          start working in {answer.slug}
        </Link>
        .
      </span>
    </div>
  );
}

/** One invitation with Accept and Decline; once answered, what became of it. */
export function InvitationCard({ invitation: i, onAnswered }: { invitation: Invitation; onAnswered?: (answer: Answer) => void }) {
  const [answer, setAnswer] = useState<Answer | null>(null);
  const slug = i.organization_info.slug;
  const respond = useRespondToInvitation((joined, s) => {
    const a = { key: i.key, slug: s ?? slug, role: i.role, joined };
    if (onAnswered) onAnswered(a);
    else setAnswer(a);
  });

  if (answer) return <AnswerNote answer={answer} />;
  return (
    <div className="invitation-card">
      <div>
        <strong>{slug}</strong>
        <span className="badge">{i.role}</span>
        {i.expired && <span className="badge badge-warn">expired</span>}
        {i.accepted && <span className="badge badge-completed">accepted</span>}
        <div className="muted small">
          Invited by {userName(i.owner)} · {formatDate(i.created_date)}
        </div>
      </div>
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={respond.isPending || i.expired || i.accepted}
          onClick={() => respond.mutate({ key: i.key, accept: true })}
        >
          Accept
        </button>
        <button type="button" disabled={respond.isPending || i.accepted} onClick={() => respond.mutate({ key: i.key, accept: false })}>
          Decline
        </button>
      </div>
      <ErrorMessage error={respond.error} />
    </div>
  );
}

/** The top bar's reminder: how many invitations wait, linking to /invitations. */
export function InvitationsBadge() {
  const mine = useMyInvitations();
  const count = mine.data?.length ?? 0;
  if (count === 0) return null;
  return (
    <Link to="/invitations" className="invites-badge" title="Invitations waiting for your answer">
      Invitations <span className="count">{count}</span>
    </Link>
  );
}
