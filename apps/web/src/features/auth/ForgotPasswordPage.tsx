import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { api, ApiError } from '../../api/client';
import { ErrorMessage } from '../../ui/ErrorMessage';

/**
 * /auth/password/reset: asks the server to mail a reset link. The answer is the same whether or
 * not an account has the address; a server without mail answers 503, and then only an
 * administrator can set a new password.
 */
export function ForgotPasswordPage() {
  const reset = useMutation({ mutationFn: (email: string) => api.post('/api/auth/password/reset', { email }) });
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    reset.mutate(String(new FormData(e.currentTarget).get('email') ?? '').trim());
  };
  const noMail = reset.error instanceof ApiError && reset.error.status === 503;
  return (
    <div className="auth-page">
      <form className="auth-card" onSubmit={submit}>
        <h1>Forgot your password?</h1>
        {reset.isSuccess ? (
          <p role="status">
            If an account has the address <strong>{reset.variables}</strong>, a mail with a link to choose a new password is on its way. The link works once, for a
            limited time.
          </p>
        ) : noMail ? (
          <p className="error" role="alert">
            This server cannot send mail, so it cannot send you a reset link: ask an administrator to set a new password for you.
          </p>
        ) : (
          <>
            <p className="muted">Enter the email address of your account: we will mail you a link to choose a new password.</p>
            <label>
              Email
              <input name="email" type="email" autoComplete="email" required autoFocus />
            </label>
            <ErrorMessage error={reset.error} />
            <button type="submit" className="primary" disabled={reset.isPending}>
              {reset.isPending ? 'Sending…' : 'Send reset link'}
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
