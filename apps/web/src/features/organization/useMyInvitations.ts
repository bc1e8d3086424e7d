/**
 * Invitations addressed to the signed-in user that they can still accept: for the badge in the
 * top bar, /organization and /invitations. Asked with no organization named, since the invitee
 * is not a member yet.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Invitation, Page } from '../../api/types';
import { useSession } from '../../app/session';

export function useMyInvitations() {
  const { user } = useSession();
  return useQuery({
    queryKey: ['invitations', 'mine', user.id],
    queryFn: () => api.get<Page<Invitation>>('/api/invitations', { user_id: user.id, accepted: false, page_size: 100 }, { noOrg: true }),
    select: (page) => page.results.filter((i) => !i.expired && !i.accepted),
    staleTime: 60_000,
  });
}

/**
 * Accept or decline. `answered` runs first, before the lists refresh (which drops the invitation
 * and may unmount whoever asked); then the organization appears in the switcher.
 */
export function useRespondToInvitation(answered: (accepted: boolean, slug: string | null) => void) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: async ({ key, accept }: { key: string; accept: boolean }) => {
      if (accept) return (await api.post<{ organization_slug: string }>(`/api/invitations/${encodeURIComponent(key)}/accept`)).organization_slug;
      await api.post(`/api/invitations/${encodeURIComponent(key)}/decline`);
      return null;
    },
    onSuccess: async (slug, { accept }) => {
      answered(accept, slug);
      await Promise.all([queries.invalidateQueries({ queryKey: ['organizations'] }), queries.invalidateQueries({ queryKey: ['invitations'] })]);
    },
  });
}
