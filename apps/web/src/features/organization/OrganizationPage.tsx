/**
 * /organization: the organization the user works in (chosen in the top bar): its members, its
 * invitations and its settings for workers, with the controls the user's role allows; or, in the
 * personal workspace, the user's organizations and the invitations waiting for them.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client';
import type { Membership, Organization, Page } from '../../api/types';
import { useSession } from '../../app/session';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate, userName } from '../../ui/format';
import { Spinner } from '../../ui/Spinner';
import { InvitationsPanel } from './InvitationsPanel';
import { MembersTable } from './MembersTable';
import { MyInvitations } from './MyInvitations';
import { canManageMembers, type Actor } from './roles';
import { SettingsPanel } from './SettingsPanel';

export function OrganizationPage() {
  const { organization } = useSession();
  return organization ? <OrganizationView org={organization} /> : <PersonalWorkspace />;
}

function PersonalWorkspace() {
  const { organizations, switchOrganization } = useSession();
  return (
    <section className="narrow">
      <div className="page-head">
        <div>
          <h1>Organization</h1>
          <p className="muted">You are working in your personal workspace. Choose an organization in the top bar to work in it.</p>
        </div>
        <Link className="button primary" to="/organizations/create">
          Create organization
        </Link>
      </div>
      <MyInvitations />
      <h2>Your organizations</h2>
      {organizations.length === 0 ? (
        <p className="muted">You belong to no organization yet. Create one, or ask its owner to invite you.</p>
      ) : (
        <ul className="rows">
          {organizations.map((o) => (
            <li key={o.id} className="org-row">
              <div>
                <strong>{o.name || o.slug}</strong> <span className="muted small">{o.slug}</span>
                {o.description && <div className="muted small">{o.description}</div>}
              </div>
              <button type="button" onClick={() => switchOrganization(o.slug)}>
                Work in {o.slug}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function OrganizationView({ org }: { org: Organization }) {
  const { user, switchOrganization } = useSession();
  const queries = useQueryClient();
  // The caller's own membership says what they may do here (the server still decides).
  const mine = useQuery({
    queryKey: ['memberships', org.id, 'me', user.id],
    queryFn: () => api.get<Page<Membership>>('/api/memberships', { user: user.username, page_size: 1 }),
  });
  const membership = mine.data?.results.find((m) => m.user.id === user.id) ?? null;
  const actor: Actor = membership?.role ?? (user.is_superuser ? 'admin' : null);

  const leave = useMutation({
    mutationFn: () => api.delete(`/api/memberships/${membership!.id}`),
    onSuccess: async () => {
      switchOrganization(null);
      await queries.invalidateQueries({ queryKey: ['organizations'] });
    },
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/api/organizations/${org.id}`),
    onSuccess: async () => {
      switchOrganization(null);
      await queries.invalidateQueries({ queryKey: ['organizations'] });
    },
  });

  if (mine.isPending) return <Spinner />;
  const manager = canManageMembers(actor);
  return (
    <section className="org-page">
      <div className="page-head">
        <div>
          <h1>{org.name || org.slug}</h1>
          <p className="muted">
            <code>{org.slug}</code> · owner {userName(org.owner)} · created {formatDate(org.created_date)}
            {actor && (
              <>
                {' '}
                · you are <span className="badge role-badge">{actor === 'admin' ? 'administrator' : actor}</span>
              </>
            )}
          </p>
          {org.description && <p className="org-description">{org.description}</p>}
        </div>
        <div className="actions">
          <Link className="button" to="/organizations/create">
            New organization
          </Link>
          {membership && membership.role !== 'owner' && (
            <button
              type="button"
              className="danger"
              disabled={leave.isPending}
              onClick={() => {
                if (window.confirm(`Leave ${org.slug}? You lose access to everything in it, including what you created there.`)) leave.mutate();
              }}
            >
              Leave organization
            </button>
          )}
          {(actor === 'owner' || actor === 'admin') && (
            <button
              type="button"
              className="danger"
              disabled={remove.isPending}
              onClick={() => {
                if (window.confirm(`Delete the organization ${org.slug}? It must hold no projects, tasks or cloud storages any more.`)) remove.mutate();
              }}
            >
              Delete organization
            </button>
          )}
        </div>
      </div>
      <ErrorMessage error={mine.error ?? leave.error ?? remove.error} />
      <MyInvitations />
      <div className="org-columns">
        <div>
          <h2>Members</h2>
          <MembersTable org={org} actor={actor} />
        </div>
        <div>
          {manager && <InvitationsPanel org={org} actor={actor} />}
          <SettingsPanel org={org} canChange={manager} />
        </div>
      </div>
    </section>
  );
}
