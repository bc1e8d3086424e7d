import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { useRequestStatus } from '../tasks/useRequestStatus';
import type { Owner } from './api';

/**
 * Asks the server for a task or project report (computed in the background) and follows the
 * request: `progress` is the server's, the reports are reloaded when it has finished.
 */
export function useComputeReport(owner: Owner, onDone?: () => void) {
  const queries = useQueryClient();
  const [rqId, setRqId] = useState<string | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);
  const start = useMutation({
    mutationFn: () => api.post<{ rq_id: string }>('/api/quality/reports', owner),
    onMutate: () => setFailure(null),
    onSuccess: (r) => setRqId(r.rq_id),
  });
  const status = useRequestStatus(rqId);
  const state = status.data?.status;
  useEffect(() => {
    if (state === 'finished') {
      void queries.invalidateQueries({ queryKey: ['quality', 'reports'] }).then(() => {
        setRqId(null);
        onDone?.();
      });
    } else if (state === 'failed') {
      setFailure(new Error(status.data?.message || 'the report could not be computed'));
      setRqId(null);
    }
    // onDone is called once per request; a new callback each render must not re-run this.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state, status.data?.message, queries]);
  const running = start.isPending || rqId !== null;
  return {
    start: () => start.mutate(),
    running,
    progress: state === 'started' || state === 'finished' ? (status.data?.progress ?? null) : null,
    message: status.data?.message || (state === 'queued' || start.isPending ? 'Waiting for a worker' : 'Computing'),
    error: start.error ?? failure ?? status.error,
  };
}
