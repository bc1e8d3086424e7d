import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { Field, fieldErrors, formLevelError } from '../../ui/fieldErrors';

const FIELDS = ['new_password1', 'new_password2'] as const;

/** /auth/password/reset/confirm?uid=&token=: where the reset mail's link lands. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const uid = params.get('uid') ?? '';
  const token = params.get('token') ?? '';
  const confirm = useMutation({
    mutationFn: (body: Record<string, string>) => api.post('/api/auth/password/reset/confirm', body),
  });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    confirm.mutate({ uid, token, new_password1: String(f.get('new_password1') ?? ''), new_password2: String(f.get('new_password2') ?? '') });
  };
  const errors = fieldErrors(confirm.error);
  // A used, expired or mangled link cannot be fixed on this page: a new one must be asked for.
  const badLink = !uid || !token || Boolean(errors.token || errors.uid);

  return (
    <div className="auth-page">
      <form className="auth-card" onSubmit={submit}>
        <h1>Choose a new password</h1>
        {confirm.isSuccess ? (
          <>
            <p role="status">Your password has been changed. Sign in with the new one.</p>
            <Link className="button primary" to="/auth/login">
              Sign in
            </Link>
          </>
        ) : badLink ? (
          <>
            <p className="error" role="alert">
              {errors.token || errors.uid ? 'This link has been used already or has expired.' : 'This link is incomplete.'} Ask for a new one.
            </p>
            <Link className="button primary" to="/auth/password/reset">
              Send a new link
            </Link>
          </>
        ) : (
          <>
            <Field label="New password" error={errors.new_password1} hint="At least 8 characters.">
              <input name="new_password1" type="password" autoComplete="new-password" minLength={8} required autoFocus />
            </Field>
            <Field label="New password again" error={errors.new_password2}>
              <input name="new_password2" type="password" autoComplete="new-password" minLength={8} required />
            </Field>
            <ErrorMessage error={formLevelError(confirm.error, FIELDS)} />
            <button type="submit" className="primary" disabled={confirm.isPending}>
              Set password
            </button>
          </>
        )}
        <p className="muted small">
          <Link to="/auth/login">Back to sign in</Link>
        </p>
      </form>
    </div>
  );
}
