import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { ErrorMessage } from '../../ui/ErrorMessage';

/**
 * Account creation. Servers are closed to registration by default; an invitation key (from the
 * invitation link or mail) lets the invited person in anyway.
 */
export function RegisterPage() {
  const [params] = useSearchParams();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const invitation = params.get('invitation') ?? '';
  // The invitation mail's link names the address it was sent to, which registration must match.
  const email = params.get('email') ?? '';

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    try {
      const body: Record<string, string> = {
        username: String(f.get('username')).trim(),
        email: String(f.get('email')).trim(),
        first_name: String(f.get('first_name')).trim(),
        last_name: String(f.get('last_name')).trim(),
        password1: String(f.get('password1')),
        password2: String(f.get('password2')),
      };
      const key = String(f.get('invitation') ?? '').trim();
      if (key) body.invitation = key;
      const user = await api.post<{ username: string }>('/api/auth/register', body);
      setDone(user.username);
    } catch (err) {
      setError(err);
    }
  }

  if (done) {
    return (
      <div className="auth-page">
        <div className="auth-card">
          <h1>Account created</h1>
          <p>
            Welcome, {done}. <Link to="/auth/login">Sign in</Link> to start.
          </p>
        </div>
      </div>
    );
  }
  return (
    <div className="auth-page">
      <form className="auth-card" onSubmit={submit}>
        <h1>Create an account</h1>
        <label>
          Invitation key
          <input name="invitation" defaultValue={invitation} placeholder="from your invitation" />
        </label>
        <label>
          Username
          <input name="username" autoComplete="username" required />
        </label>
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required defaultValue={email} />
        </label>
        <div className="row">
          <label>
            First name
            <input name="first_name" autoComplete="given-name" />
          </label>
          <label>
            Last name
            <input name="last_name" autoComplete="family-name" />
          </label>
        </div>
        <label>
          Password
          <input name="password1" type="password" autoComplete="new-password" required />
        </label>
        <label>
          Password again
          <input name="password2" type="password" autoComplete="new-password" required />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" className="primary">
          Create account
        </button>
        <p className="muted small">
          Have an account? <Link to="/auth/login">Sign in</Link>
        </p>
      </form>
    </div>
  );
}
