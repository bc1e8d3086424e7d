import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { api } from '../../api/client';
import type { User } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { Field, fieldErrors, formLevelError } from '../../ui/fieldErrors';

const FIELDS = ['username', 'email', 'password', 'first_name', 'last_name', 'is_superuser'] as const;

/** POST /api/users: the way people get accounts while registration is closed. */
export function CreateUserForm({ onCreated, onCancel }: { onCreated: (user: User) => void; onCancel: () => void }) {
  const create = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<User>('/api/users', body),
    onSuccess: onCreated,
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    const body: Record<string, unknown> = {
      username: text('username'),
      password: String(f.get('password') ?? ''),
      first_name: text('first_name'),
      last_name: text('last_name'),
      is_superuser: f.get('is_superuser') === 'on',
    };
    // The email is optional, but an empty one is not an address.
    if (text('email')) body.email = text('email');
    create.mutate(body);
  };
  const errors = fieldErrors(create.error);
  return (
    <form className="form create-user-form" onSubmit={submit}>
      <div className="row">
        <Field label="Username" error={errors.username}>
          <input name="username" required maxLength={150} autoComplete="off" autoFocus />
        </Field>
        <Field label="Email" error={errors.email}>
          <input name="email" type="email" autoComplete="off" />
        </Field>
      </div>
      <div className="row">
        <Field label="First name" error={errors.first_name}>
          <input name="first_name" maxLength={150} />
        </Field>
        <Field label="Last name" error={errors.last_name}>
          <input name="last_name" maxLength={150} />
        </Field>
      </div>
      <Field label="Password" error={errors.password} hint="At least 8 characters. Tell it to the user; they can change it on their account page.">
        <input name="password" type="password" required minLength={8} autoComplete="new-password" />
      </Field>
      <label className="inline">
        <input name="is_superuser" type="checkbox" />
        Administrator (may do everything on this server)
      </label>
      <ErrorMessage error={formLevelError(create.error, FIELDS)} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          Create user
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
