/**
 * /admin/audit: the server's audit log (administrators only): sign-ins, failed sign-ins, account,
 * token and organization changes, newest first, filtered by action.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client';
import type { AuditEvent, Page } from '../../api/types';
import { useSession } from '../../app/session';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate } from '../../ui/format';
import { ListToolbar, Pagination, useListState } from '../../ui/ListControls';
import { Spinner } from '../../ui/Spinner';
import { AdminsOnly, AdminTabs } from './AdminTabs';

/** The actions the server records (docs/api.md, docs/organizations.md). */
const ACTIONS = [
  'login',
  'login.failed',
  'logout',
  'user.registered',
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.deleted',
  'password.changed',
  'password.reset_requested',
  'password.reset',
  'access_token.created',
  'access_token.updated',
  'access_token.revoked',
  'organization.created',
  'organization.updated',
  'organization.settings_updated',
  'organization.deleted',
  'membership.created',
  'membership.role_changed',
  'membership.removed',
  'membership.left',
  'invitation.created',
  'invitation.updated',
  'invitation.accepted',
  'invitation.declined',
  'invitation.resent',
  'invitation.deleted',
];

const SORTS = [
  { value: '-id', label: 'Newest' },
  { value: 'id', label: 'Oldest' },
];

function describe(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

export function AuditPage() {
  const { user } = useSession();
  if (!user.is_superuser) return <AdminsOnly />;
  return <AuditLog />;
}

function AuditLog() {
  const [state, update] = useListState('-id', 50);
  const [params, setParams] = useSearchParams();
  const action = params.get('action') ?? '';
  const list = useQuery({
    queryKey: ['audit-events', state, action],
    queryFn: () =>
      api.get<Page<AuditEvent>>('/api/audit-events', { search: state.search, sort: state.sort, page: state.page, page_size: state.pageSize, action }, { noOrg: true }),
    placeholderData: keepPreviousData,
  });
  return (
    <section>
      <div className="page-head">
        <div>
          <h1>Audit log</h1>
          <AdminTabs />
        </div>
      </div>
      <div className="list-toolbar audit-toolbar">
        <ListToolbar state={state} update={update} sorts={SORTS} placeholder="Search by username" />
        <label>
          Action
          <select
            value={action}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              if (e.target.value) next.set('action', e.target.value);
              else next.delete('action');
              next.delete('page');
              setParams(next);
            }}
          >
            <option value="">Any action</option>
            {ACTIONS.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
      </div>
      {list.isPending && <Spinner />}
      <ErrorMessage error={list.error} />
      {list.data && (
        <>
          {list.data.results.length === 0 ? (
            <div className="empty-state">No events{action ? ` with action ${action}` : ''}.</div>
          ) : (
            <table className="table audit-table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Action</th>
                  <th>By</th>
                  <th>User</th>
                  <th>Address</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {list.data.results.map((e) => (
                  <tr key={e.id}>
                    <td className="small nowrap">{formatDate(e.date)}</td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td>{e.actor?.username ?? <span className="muted">anonymous</span>}</td>
                    <td>{e.user?.username ?? '—'}</td>
                    <td className="small">{e.address || '—'}</td>
                    <td className="small details-cell" title={describe(e.details)}>
                      {describe(e.details)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pagination state={state} update={update} count={list.data.count} />
        </>
      )}
    </section>
  );
}
