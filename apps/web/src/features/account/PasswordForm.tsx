import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { Field, fieldErrors, formLevelError } from '../../ui/fieldErrors';

const FIELDS = ['old_password', 'new_password1', 'new_password2'] as const;

/**
 * The server ends the user's other sessions on a change (this one stays signed in) and refuses
 * accounts whose password lives in LDAP or with a single sign-on provider: its 403 says so.
 */
export function PasswordForm() {
  const [done, setDone] = useState(false);
  const change = useMutation({
    mutationFn: (body: Record<string, string>) => api.post('/api/auth/password/change', body),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setDone(false);
    change.mutate(Object.fromEntries(FIELDS.map((k) => [k, String(f.get(k) ?? '')])), {
      onSuccess: () => {
        form.reset();
        setDone(true);
      },
    });
  };
  const errors = fieldErrors(change.error);
  return (
    <form className="form" onSubmit={submit}>
      <Field label="Current password" error={errors.old_password}>
        <input name="old_password" type="password" autoComplete="current-password" required />
      </Field>
      <Field label="New password" error={errors.new_password1} hint="At least 8 characters.">
        <input name="new_password1" type="password" autoComplete="new-password" minLength={8} required />
      </Field>
      <Field label="New password again" error={errors.new_password2}>
        <input name="new_password2" type="password" autoComplete="new-password" minLength={8} required />
      </Field>
      <ErrorMessage error={formLevelError(change.error, FIELDS)} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={change.isPending}>
          Change password
        </button>
        {done && (
          <span className="ok-note" role="status">
            Password changed. Your other sessions were signed out.
          </span>
        )}
      </div>
    </form>
  );
}
