/**
 * Personal access tokens: named keys for scripts (`Authorization: Bearer <key>`). The server keeps
 * only a hash, so the key is shown once, right after creation, and never again.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { AccessToken, Page } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate } from '../../ui/format';
import { CopyField } from '../../ui/CopyField';
import { Field, fieldErrors, formLevelError } from '../../ui/fieldErrors';

const KEY = ['access-tokens'];

/** The end of the chosen day in the user's time zone: "expires on the 12th" includes the 12th. */
function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59`).toISOString();
}

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function AccessTokens() {
  const queries = useQueryClient();
  const [created, setCreated] = useState<AccessToken | null>(null);
  const tokens = useQuery({
    queryKey: KEY,
    queryFn: () => api.get<Page<AccessToken>>('/api/auth/access_tokens', { page_size: 1000, sort: '-id' }, { noOrg: true }),
  });
  const create = useMutation({
    mutationFn: (body: { name: string; expiry_date: string | null; read_only: boolean }) => api.post<AccessToken>('/api/auth/access_tokens', body),
    onSuccess: (token) => {
      setCreated(token);
      void queries.invalidateQueries({ queryKey: KEY });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => api.delete(`/api/auth/access_tokens/${id}`),
    onSettled: () => queries.invalidateQueries({ queryKey: KEY }),
  });

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const expiry = String(f.get('expiry_date') ?? '');
    create.mutate(
      { name: String(f.get('name') ?? '').trim(), expiry_date: expiry ? endOfDay(expiry) : null, read_only: f.get('read_only') === 'on' },
      { onSuccess: () => form.reset() },
    );
  };
  const errors = fieldErrors(create.error);

  return (
    <>
      <p className="muted small">
        Scripts and CVAT's SDK sign in with a token instead of your password: send it as <code>Authorization: Bearer &lt;token&gt;</code>. A read-only token
        may only read. Revoke any token you do not recognise.
      </p>
      <form className="token-form" onSubmit={submit}>
        <Field label="Token name" error={errors.name}>
          <input name="name" required maxLength={50} placeholder="e.g. nightly export" />
        </Field>
        <Field label="Expires on (optional)" error={errors.expiry_date}>
          <input name="expiry_date" type="date" min={today()} />
        </Field>
        <label className="inline">
          <input name="read_only" type="checkbox" />
          Read-only
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          Create token
        </button>
      </form>
      <ErrorMessage error={formLevelError(create.error, ['name', 'expiry_date'])} />
      {created?.value && (
        <div className="new-token" role="status">
          <strong>Token “{created.name}” created.</strong> Copy it now: it will not be shown again.
          <CopyField value={created.value} label="New token" />
          <button type="button" className="link-button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      <ErrorMessage error={tokens.error ?? revoke.error} />
      {tokens.data &&
        (tokens.data.results.length === 0 ? (
          <p className="muted">No tokens yet.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Access</th>
                <th>Created</th>
                <th>Expires</th>
                <th>Last used</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {tokens.data.results.map((t) => {
                const expired = t.expiry_date !== null && new Date(t.expiry_date) < new Date();
                return (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td>{t.read_only ? 'read-only' : 'read and write'}</td>
                    <td className="small">{formatDate(t.created_date)}</td>
                    <td className="small">
                      {t.expiry_date ? formatDate(t.expiry_date) : 'never'}
                      {expired && <span className="badge">expired</span>}
                    </td>
                    <td className="small">{formatDate(t.last_used_date)}</td>
                    <td className="cell-actions">
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Revoke token ${t.name}`}
                        disabled={revoke.isPending}
                        onClick={() => {
                          if (window.confirm(`Revoke the token "${t.name}"? Scripts using it stop working at once.`)) revoke.mutate(t.id);
                        }}
                      >
                        Revoke
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ))}
    </>
  );
}
