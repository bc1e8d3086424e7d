import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { onUnauthorized } from '../api/client';
import { ErrorMessage } from '../ui/ErrorMessage';
import { Spinner } from '../ui/Spinner';
import { fetchSelf, SessionProvider } from './session';

/** Pages under it need a logged-in user; anyone else goes to the login page and comes back after. */
export function RequireLogin() {
  const location = useLocation();
  const queries = useQueryClient();
  const self = useQuery({ queryKey: ['self'], queryFn: fetchSelf, staleTime: Infinity });

  // A session that ends while the app is open (logout elsewhere, expiry) sends the user to log in.
  useEffect(() => onUnauthorized(() => queries.setQueryData(['self'], null)), [queries]);

  if (self.isPending) return <Spinner label="Loading" />;
  if (self.isError) return <ErrorMessage error={self.error} />;
  if (!self.data) {
    const next = location.pathname + location.search;
    return <Navigate to={`/auth/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <SessionProvider user={self.data}>
      <Outlet />
    </SessionProvider>
  );
}
