/**
 * /invitations?key=...: where an invitation mail's link lands for someone who has an account
 * (the login page brings them back here). Shows the invitation with Accept and Decline; without
 * a key, every invitation waiting for the user.
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, ApiError } from '../../api/client';
import type { Invitation } from '../../api/types';
import { useSession } from '../../app/session';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { Spinner } from '../../ui/Spinner';
import { InvitationCard, MyInvitations } from '../organization/MyInvitations';

export function InvitationPage() {
  const key = useSearchParams()[0].get('key')?.trim() ?? '';
  return (
    <section className="narrow">
      <h1>Invitations</h1>
      {key ? <OneInvitation invitationKey={key} /> : <MyInvitations empty="No invitations are waiting for you." />}
    </section>
  );
}

function OneInvitation({ invitationKey }: { invitationKey: string }) {
  const { user } = useSession();
  // Not under ['invitations']: answering refreshes those lists, and this card keeps its own outcome.
  const invitation = useQuery({
    queryKey: ['invitation', invitationKey],
    queryFn: () => api.get<Invitation>(`/api/invitations/${encodeURIComponent(invitationKey)}`, undefined, { noOrg: true }),
  });
  if (invitation.isPending) return <Spinner />;
  if (invitation.error instanceof ApiError && invitation.error.status === 404) {
    return (
      <div className="empty-state">
        <p>
          This invitation does not exist (it may have been withdrawn or declined), or it is not addressed to you: you are signed in as <strong>{user.username}</strong>.
        </p>
        <Link to="/invitations">See your invitations</Link>
      </div>
    );
  }
  if (invitation.isError) return <ErrorMessage error={invitation.error} />;
  const i = invitation.data;
  return (
    <>
      {i.user.id !== user.id && (
        <p className="error" role="alert">
          This invitation is addressed to {i.user.username}, not to you ({user.username}). Sign in as {i.user.username} to answer it.
        </p>
      )}
      {i.accepted ? (
        <div className="invitation-card done">
          This invitation to <strong>{i.organization_info.slug}</strong> has been accepted already.
        </div>
      ) : (
        <>
          <p className="muted">You are invited to join the organization below as a {i.role}.</p>
          <InvitationCard invitation={i} />
          {i.expired && <p className="muted small">This invitation has expired: ask whoever invited you to send it again.</p>}
        </>
      )}
    </>
  );
}
