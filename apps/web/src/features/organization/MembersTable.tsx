/**
 * An organization's members: role and date joined for everyone; role changes and removal for
 * whom the caller's role allows. People invited but not yet joined are listed as pending.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Membership, Organization, OrgRole, Page } from '../../api/types';
import { useSession } from '../../app/session';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate, userName } from '../../ui/format';
import { ListToolbar, Pagination, useListState } from '../../ui/ListControls';
import { canChangeMember, grantableRoles, ROLE_HELP, type Actor } from './roles';

const SORTS = [
  { value: 'id', label: 'Joined first' },
  { value: 'user', label: 'Name' },
  { value: 'role', label: 'Role' },
];

export function MembersTable({ org, actor }: { org: Organization; actor: Actor }) {
  const { user } = useSession();
  const queries = useQueryClient();
  const [state, update] = useListState('id', 25);
  const list = useQuery({
    queryKey: ['memberships', org.id, state],
    queryFn: () => api.get<Page<Membership>>('/api/memberships', { search: state.search, sort: state.sort, page: state.page, page_size: state.pageSize }),
    placeholderData: keepPreviousData,
  });
  const change = useMutation({
    mutationFn: ({ id, role }: { id: number; role: OrgRole }) => api.patch<Membership>(`/api/memberships/${id}`, { role }),
    onSettled: () => queries.invalidateQueries({ queryKey: ['memberships', org.id] }),
  });
  const remove = useMutation({
    mutationFn: (id: number) => api.delete(`/api/memberships/${id}`),
    onSettled: () => queries.invalidateQueries({ queryKey: ['memberships', org.id] }),
  });

  return (
    <>
      <ListToolbar state={state} update={update} sorts={SORTS} placeholder="Search members" />
      <ErrorMessage error={list.error ?? change.error ?? remove.error} />
      {list.data && (
        <>
          <table className="table members-table">
            <thead>
              <tr>
                <th>Member</th>
                <th>Role</th>
                <th>Joined</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {list.data.results.map((m) => {
                const self = m.user.id === user.id;
                const editable = m.is_active && canChangeMember(actor, m.role, self);
                return (
                  <tr key={m.id}>
                    <td>
                      {userName(m.user)}
                      {self && <span className="badge">you</span>}
                    </td>
                    <td>
                      {editable ? (
                        <select
                          aria-label={`Role of ${m.user.username}`}
                          value={m.role}
                          disabled={change.isPending}
                          onChange={(e) => change.mutate({ id: m.id, role: e.target.value as OrgRole })}
                        >
                          {grantableRoles(actor).map((r) => (
                            <option key={r} value={r} title={ROLE_HELP[r]}>
                              {r}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <span title={ROLE_HELP[m.role]}>{m.role}</span>
                      )}
                    </td>
                    <td className="small">{m.is_active ? formatDate(m.joined_date) : <span className="badge badge-validation">invited</span>}</td>
                    <td className="cell-actions">
                      {editable && (
                        <button
                          type="button"
                          className="danger"
                          aria-label={`Remove ${m.user.username}`}
                          disabled={remove.isPending}
                          onClick={() => {
                            if (window.confirm(`Remove ${m.user.username} from ${org.slug}? They lose access to everything in it.`)) remove.mutate(m.id);
                          }}
                        >
                          Remove
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <Pagination state={state} update={update} count={list.data.count} />
        </>
      )}
    </>
  );
}
