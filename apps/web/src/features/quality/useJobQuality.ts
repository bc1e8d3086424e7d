/**
 * What the workspace shows of quality for one job: the conflicts of the job's latest report (for
 * those who may read reports; for an annotator the list comes back empty and nothing is shown)
 * and the job's immediate feedback (its assignee's own, polled while a check runs).
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api } from '../../api/client';
import { fetchConflicts, fetchReports, qualityKeys } from './api';
import type { Conflict, QualityReport, ValidationFeedback } from './types';

export type FrameMark = 'error' | 'warning';

export function useJobConflicts(jobId: number) {
  const report = useQuery({
    queryKey: qualityKeys.reports({ job_id: jobId, target: 'job', latest: true }),
    queryFn: async (): Promise<QualityReport | null> => (await fetchReports({ job_id: jobId, target: 'job', page_size: 1 }))[0] ?? null,
    // A refusal means "not for you": nothing to show, nothing to retry.
    retry: false,
  });
  const reportId = report.data?.id ?? 0;
  const conflicts = useQuery({ queryKey: qualityKeys.conflicts(reportId), queryFn: () => fetchConflicts(reportId), enabled: reportId > 0, retry: false });
  return { report: report.data ?? null, conflicts: conflicts.data ?? null };
}

export function useValidationFeedback(jobId: number) {
  return useQuery({
    queryKey: qualityKeys.feedback(jobId),
    queryFn: () => api.get<ValidationFeedback>(`/api/jobs/${jobId}/validation_feedback`),
    retry: false,
    refetchInterval: (q) => (q.state.data?.status === 'validating' ? 1000 : false),
  });
}

/** Frames to mark on the filmstrip: a frame with an error is an error, else a warning. */
export function useFrameMarks(conflicts: Conflict[] | null, failing: readonly number[] | undefined): ReadonlyMap<number, FrameMark> {
  return useMemo(() => {
    const marks = new Map<number, FrameMark>();
    for (const c of conflicts ?? []) if (marks.get(c.frame) !== 'error') marks.set(c.frame, c.severity);
    for (const f of failing ?? []) marks.set(f, 'error');
    return marks;
  }, [conflicts, failing]);
}
