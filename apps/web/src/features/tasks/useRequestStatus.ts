import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { RequestStatus } from '../../api/types';

/** Polls a background request (task creation, import, export) until it finishes or fails. */
export function useRequestStatus(rqId: string | null) {
  return useQuery({
    queryKey: ['request', rqId],
    queryFn: () => api.get<RequestStatus>(`/api/requests/${encodeURIComponent(rqId!)}`),
    enabled: rqId !== null,
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'finished' || q.state.data.status === 'failed') ? false : 500),
  });
}
