import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError } from '../../api/client';
import type { AuthMethods } from '../../api/types';
import { fetchSelf } from '../../app/session';
import { ErrorMessage } from '../../ui/ErrorMessage';

/** Only paths of this app may be returned to after login (no open redirect through `next`). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/auth/') ? next : '/projects';
}

export function LoginPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const queries = useQueryClient();
  const methods = useQuery({ queryKey: ['auth-methods'], queryFn: () => api.get<AuthMethods>('/api/auth/methods', undefined, { noOrg: true }) });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/auth/login', { username: String(form.get('username')).trim(), password: String(form.get('password')) });
      // The user is known before the next page renders, so it does not bounce back here.
      queries.setQueryData(['self'], await fetchSelf());
      navigate(next, { replace: true });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? new Error('Wrong username or password.') : err);
    } finally {
      setBusy(false);
    }
  }

  const oidc = methods.data?.oidc;
  // Someone sent here by an invitation link who has no account yet registers with its key.
  const invitation = new URLSearchParams(next.split('?')[1] ?? '').get('key');
  const registerLink = next.startsWith('/invitations?') && invitation ? `/auth/register?invitation=${encodeURIComponent(invitation)}` : '/auth/register';
  return (
    <div className="auth-page">
      <form className="auth-card" onSubmit={submit}>
        <h1>Framewise</h1>
        <p className="muted">Sign in to annotate</p>
        <label>
          Username or email
          <input name="username" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <Link className="small forgot-link" to="/auth/password/reset">
          Forgot password?
        </Link>
        {methods.data?.ldap && <p className="muted small">Directory (LDAP) accounts sign in with their directory password.</p>}
        {oidc && (
          <a className="button" href={`${oidc.login_url}?next=${encodeURIComponent(next)}`}>
            Sign in with {oidc.name}
          </a>
        )}
        <p className="muted small">
          Invited to an organization? <Link to={registerLink}>Create your account</Link>
        </p>
      </form>
    </div>
  );
}
