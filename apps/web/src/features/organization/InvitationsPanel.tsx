/**
 * Inviting people (owner and maintainers): an address and a role. With mail configured the server
 * mails the link; either way the link is shown here to pass on, since the inviter is the one
 * who gets the key back.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { Invitation, Organization, OrgRole, Page, User } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate, userName } from '../../ui/format';
import { CopyField } from '../../ui/CopyField';
import { Field, fieldErrors, formLevelError } from '../../ui/fieldErrors';
import { grantableRoles, ROLE_HELP, type Actor } from './roles';

/**
 * The link the server would mail: someone without an account (the server's placeholder: inactive,
 * never signed in) registers with the key; anyone else accepts it after signing in.
 */
export function invitationLink(invitation: Invitation, invitee: User | undefined, email?: string): string {
  const origin = window.location.origin;
  if (invitee && !invitee.is_active && !invitee.last_login) {
    const query = new URLSearchParams({ invitation: invitation.key });
    const address = email || invitee.email;
    if (address) query.set('email', address);
    return `${origin}/auth/register?${query}`;
  }
  return `${origin}/invitations?key=${encodeURIComponent(invitation.key)}`;
}

export function InvitationsPanel({ org, actor }: { org: Organization; actor: Actor }) {
  const queries = useQueryClient();
  const roles = grantableRoles(actor);
  const [sent, setSent] = useState<{ invitation: Invitation; email: string } | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  const [resent, setResent] = useState<string | null>(null);
  const pending = useQuery({
    queryKey: ['invitations', org.id, 'pending'],
    queryFn: () => api.get<Page<Invitation>>('/api/invitations', { accepted: false, page_size: 100 }),
  });
  // Members, invited people included, to tell who has no account yet.
  const people = useQuery({
    queryKey: ['users', 'org', org.id],
    queryFn: () => api.get<Page<User>>('/api/users', { page_size: 1000 }),
  });
  const invitee = (id: number) => people.data?.results.find((u) => u.id === id);
  const refresh = () =>
    Promise.all([queries.invalidateQueries({ queryKey: ['invitations', org.id] }), queries.invalidateQueries({ queryKey: ['memberships', org.id] }), queries.invalidateQueries({ queryKey: ['users'] })]);

  const invite = useMutation({
    mutationFn: (body: { email: string; role: OrgRole }) => api.post<Invitation>('/api/invitations', body),
    onSuccess: async (invitation, body) => {
      await refresh();
      setSent({ invitation, email: body.email });
    },
  });
  const resend = useMutation({
    mutationFn: (key: string) => api.post(`/api/invitations/${encodeURIComponent(key)}/resend`),
    onSuccess: (_, key) => {
      setResent(key);
      void refresh();
    },
  });
  const cancel = useMutation({
    mutationFn: (key: string) => api.delete(`/api/invitations/${encodeURIComponent(key)}`),
    onSuccess: (_, key) => {
      if (sent?.invitation.key === key) setSent(null);
      void refresh();
    },
  });

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setSent(null);
    invite.mutate({ email: String(f.get('email') ?? '').trim(), role: String(f.get('role')) as OrgRole }, { onSuccess: () => form.reset() });
  };
  const errors = fieldErrors(invite.error);

  return (
    <div className="panel invitations-panel">
      <h2>Invite people</h2>
      <form className="invite-form" onSubmit={submit}>
        <Field label="Email" error={errors.email}>
          <input name="email" type="email" required placeholder="name@example.com" />
        </Field>
        <Field label="Role">
          <select name="role" defaultValue="worker">
            {roles.map((r) => (
              <option key={r} value={r} title={ROLE_HELP[r]}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="primary" disabled={invite.isPending}>
          Invite
        </button>
      </form>
      <ErrorMessage error={formLevelError(invite.error, ['email'])} />
      {sent && (
        <div className="new-token" role="status">
          Invited <strong>{sent.email}</strong> as {sent.invitation.role}. If mail is not set up on this server, send them this link:
          <CopyField value={invitationLink(sent.invitation, invitee(sent.invitation.user.id), sent.email)} label="Invitation link" />
        </div>
      )}
      <h3>Pending invitations</h3>
      <ErrorMessage error={pending.error ?? resend.error ?? cancel.error} />
      {pending.data && pending.data.results.length === 0 && <p className="muted small">No invitations waiting for an answer.</p>}
      <ul className="rows invitation-rows">
        {pending.data?.results.map((i) => (
          <li key={i.key}>
            <div className="invitation-row">
              <span>
                {userName(i.user)} <span className="badge">{i.role}</span>
                {i.expired && <span className="badge badge-warn">expired</span>}
                {resent === i.key && <span className="badge badge-completed">sent again</span>}
              </span>
              <span className="actions">
                <button type="button" className="icon-button" onClick={() => setShown(shown === i.key ? null : i.key)}>
                  Link
                </button>
                <button type="button" className="icon-button" disabled={resend.isPending} onClick={() => resend.mutate(i.key)}>
                  Resend
                </button>
                <button
                  type="button"
                  className="icon-button danger"
                  aria-label={`Cancel the invitation of ${i.user.username}`}
                  disabled={cancel.isPending}
                  onClick={() => {
                    if (window.confirm(`Withdraw the invitation of ${i.user.username}?`)) cancel.mutate(i.key);
                  }}
                >
                  Cancel
                </button>
              </span>
            </div>
            <span className="muted small">
              by {userName(i.owner)} · {formatDate(i.created_date)}
            </span>
            {shown === i.key && <CopyField value={invitationLink(i, invitee(i.user.id))} label={`Invitation link for ${i.user.username}`} />}
          </li>
        ))}
      </ul>
    </div>
  );
}
