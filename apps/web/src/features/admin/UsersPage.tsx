/**
 * /admin/users: every account on the server (administrators only): search, create, deactivate
 * and reactivate. Deactivating ends the user's sessions at once (the server does it).
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import type { Page, User } from '../../api/types';
import { useSession } from '../../app/session';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate } from '../../ui/format';
import { ListToolbar, Pagination, useListState } from '../../ui/ListControls';
import { Modal } from '../../ui/Modal';
import { Spinner } from '../../ui/Spinner';
import { AdminsOnly, AdminTabs } from './AdminTabs';
import { CreateUserForm } from './CreateUserForm';

const SORTS = [
  { value: '-id', label: 'Newest' },
  { value: 'id', label: 'Oldest' },
  { value: 'username', label: 'Username' },
  { value: 'last_name', label: 'Last name' },
];

export function UsersPage() {
  const { user: me } = useSession();
  if (!me.is_superuser) return <AdminsOnly />;
  return <UsersList me={me} />;
}

function UsersList({ me }: { me: User }) {
  const queries = useQueryClient();
  const [state, update] = useListState();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['users', 'admin', state],
    // No organization: an administrator's list is everyone on the server.
    queryFn: () => api.get<Page<User>>('/api/users', { search: state.search, sort: state.sort, page: state.page, page_size: state.pageSize }, { noOrg: true }),
    placeholderData: keepPreviousData,
  });
  const setActive = useMutation({
    mutationFn: ({ id, active }: { id: number; active: boolean }) => api.patch<User>(`/api/users/${id}`, { is_active: active }),
    onSettled: () => queries.invalidateQueries({ queryKey: ['users'] }),
  });

  return (
    <section>
      <div className="page-head">
        <div>
          <h1>Users</h1>
          <AdminTabs />
        </div>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          Create user
        </button>
      </div>
      {created && (
        <p className="ok-note" role="status">
          User {created} created.
        </p>
      )}
      <ListToolbar state={state} update={update} sorts={SORTS} placeholder="Search by username or name" />
      {list.isPending && <Spinner />}
      <ErrorMessage error={list.error ?? setActive.error} />
      {list.data && (
        <>
          <table className="table users-table">
            <thead>
              <tr>
                <th>Username</th>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Joined</th>
                <th>Last sign-in</th>
                <th>Status</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {list.data.results.map((u) => (
                <tr key={u.id} className={u.is_active ? undefined : 'inactive'}>
                  <td>
                    {u.username}
                    {u.id === me.id && <span className="badge">you</span>}
                  </td>
                  <td>{`${u.first_name} ${u.last_name}`.trim() || '—'}</td>
                  <td className="small">{u.email || '—'}</td>
                  <td>{u.is_superuser ? <span className="badge badge-validation">administrator</span> : 'user'}</td>
                  <td className="small">{formatDate(u.date_joined)}</td>
                  <td className="small">{formatDate(u.last_login)}</td>
                  <td>{u.is_active ? 'active' : <span className="badge">inactive</span>}</td>
                  <td className="cell-actions">
                    {u.id !== me.id &&
                      (u.is_active ? (
                        <button
                          type="button"
                          className="danger"
                          aria-label={`Deactivate ${u.username}`}
                          disabled={setActive.isPending}
                          onClick={() => {
                            if (window.confirm(`Deactivate ${u.username}? Their sessions end now and they can no longer sign in.`)) setActive.mutate({ id: u.id, active: false });
                          }}
                        >
                          Deactivate
                        </button>
                      ) : (
                        <button type="button" aria-label={`Activate ${u.username}`} disabled={setActive.isPending} onClick={() => setActive.mutate({ id: u.id, active: true })}>
                          Activate
                        </button>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination state={state} update={update} count={list.data.count} />
        </>
      )}
      <Modal title="Create user" open={creating} onClose={() => setCreating(false)}>
        <CreateUserForm
          onCancel={() => setCreating(false)}
          onCreated={(u) => {
            setCreating(false);
            setCreated(u.username);
            void queries.invalidateQueries({ queryKey: ['users'] });
          }}
        />
      </Modal>
    </section>
  );
}
