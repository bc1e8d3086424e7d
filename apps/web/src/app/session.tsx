/**
 * Who is logged in and which organization they work in. The organization is kept per browser
 * (localStorage) and sent with every request by api/client.ts; switching it drops every cached
 * query, since lists and objects depend on it.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setOrganization } from '../api/client';
import type { Organization, Page, User } from '../api/types';

const ORG_KEY = 'framewise.organization';

interface Session {
  user: User;
  organizations: Organization[];
  /** The current organization, or null for the personal workspace. */
  organization: Organization | null;
  /** The slug requests act in (set before the organizations list has loaded). */
  slug: string | null;
  switchOrganization(slug: string | null): void;
  logout(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a logged-in page');
  return session;
}

function storedOrganization(): string | null {
  const slug = localStorage.getItem(ORG_KEY);
  return slug ? slug : null;
}
// Requests made before the first render already act in the stored organization.
setOrganization(storedOrganization());

export async function fetchSelf(): Promise<User | null> {
  try {
    return await api.get<User>('/api/users/self', undefined, { noOrg: true });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export function SessionProvider({ user, children }: { user: User; children: ReactNode }) {
  const queries = useQueryClient();
  const [slug, setSlug] = useState(storedOrganization);
  const orgs = useQuery({
    queryKey: ['organizations', 'mine', user.id],
    queryFn: () => api.get<Page<Organization>>('/api/organizations', { page_size: 500 }, { noOrg: true }),
  });
  const organizations = orgs.data?.results ?? [];
  const organization = slug ? (organizations.find((o) => o.slug === slug) ?? null) : null;

  const switchOrganization = useCallback(
    (next: string | null) => {
      if (next) localStorage.setItem(ORG_KEY, next);
      else localStorage.removeItem(ORG_KEY);
      setOrganization(next);
      setSlug(next);
      queries.removeQueries({ predicate: (q) => q.queryKey[0] !== 'self' && q.queryKey[0] !== 'organizations' });
    },
    [queries],
  );

  const logout = useCallback(async () => {
    await api.post('/api/auth/logout');
    queries.clear();
    window.location.assign('/auth/login');
  }, [queries]);

  // A stored organization the user has left falls back to the personal workspace.
  if (slug && orgs.isSuccess && !organization) switchOrganization(null);

  const value = useMemo(
    () => ({ user, organizations, organization, slug, switchOrganization, logout }),
    [user, organizations, organization, slug, switchOrganization, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
