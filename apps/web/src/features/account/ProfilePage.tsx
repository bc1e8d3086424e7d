/**
 * /profile: the signed-in user's own account: names and email, password, and the personal access
 * tokens their scripts use.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import type { User } from '../../api/types';
import { useSession } from '../../app/session';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate } from '../../ui/format';
import { AccessTokens } from './AccessTokens';
import { Field, fieldErrors, formLevelError } from '../../ui/fieldErrors';
import { PasswordForm } from './PasswordForm';

export function ProfilePage() {
  const { user } = useSession();
  return (
    <section className="account-page">
      <div className="page-head">
        <div>
          <h1>Account</h1>
          <p className="muted">
            {user.username}
            {user.is_superuser && <span className="badge">administrator</span>} · joined {formatDate(user.date_joined)} · last sign-in{' '}
            {formatDate(user.last_login)}
          </p>
        </div>
      </div>
      <div className="account-grid">
        <div className="panel">
          <h2>Details</h2>
          <DetailsForm user={user} />
        </div>
        <div className="panel">
          <h2>Password</h2>
          <PasswordForm />
        </div>
      </div>
      <div className="panel">
        <h2>Personal access tokens</h2>
        <AccessTokens />
      </div>
    </section>
  );
}

const DETAIL_FIELDS = ['email', 'first_name', 'last_name'] as const;

function DetailsForm({ user }: { user: User }) {
  const queries = useQueryClient();
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: (patch: Record<string, string>) => api.patch<User>(`/api/users/${user.id}`, patch),
    onSuccess: (next) => {
      queries.setQueryData(['self'], next);
      setSaved(true);
    },
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setSaved(false);
    save.mutate(Object.fromEntries(DETAIL_FIELDS.map((k) => [k, String(f.get(k) ?? '').trim()])));
  };
  const errors = fieldErrors(save.error);
  return (
    <form className="form" onSubmit={submit} onChange={() => setSaved(false)}>
      <Field label="Username">
        <input value={user.username} readOnly disabled />
      </Field>
      <Field label="Email" error={errors.email}>
        <input name="email" type="email" defaultValue={user.email} autoComplete="email" />
      </Field>
      <div className="row">
        <Field label="First name" error={errors.first_name}>
          <input name="first_name" defaultValue={user.first_name} autoComplete="given-name" />
        </Field>
        <Field label="Last name" error={errors.last_name}>
          <input name="last_name" defaultValue={user.last_name} autoComplete="family-name" />
        </Field>
      </div>
      <ErrorMessage error={formLevelError(save.error, DETAIL_FIELDS)} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save details
        </button>
        {saved && (
          <span className="ok-note" role="status">
            Saved
          </span>
        )}
      </div>
    </form>
  );
}
