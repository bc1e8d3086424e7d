/**
 * Reading and changing quality data (docs/quality.md). Small on purpose: the task and project
 * pages import it to decide whether to show their Quality tab, so it sits in the main bundle;
 * everything else of the feature is loaded with the quality routes.
 */
import { useQuery } from '@tanstack/react-query';
import { api, ApiError } from '../../api/client';
import type { Page } from '../../api/types';
import type { Conflict, QualityReport, QualitySettings } from './types';

export type Owner = { task_id: number } | { project_id: number };

export const qualityKeys = {
  settings: (owner: Owner) => ['quality', 'settings', owner] as const,
  reports: (query: Record<string, unknown>) => ['quality', 'reports', query] as const,
  conflicts: (reportId: number) => ['quality', 'conflicts', reportId] as const,
  data: (reportId: number) => ['quality', 'data', reportId] as const,
  layout: (taskId: number) => ['quality', 'layout', taskId] as const,
  feedback: (jobId: number) => ['quality', 'feedback', jobId] as const,
};

/**
 * The task's or project's own settings row, or null when the user may not read quality data
 * (the list leaves out what an annotator may not see, so a 200 with nothing in it means "no").
 */
export async function fetchOwnSettings(owner: Owner): Promise<QualitySettings | null> {
  const query = 'task_id' in owner ? { task_id: owner.task_id, parent_type: 'task' } : { project_id: owner.project_id, parent_type: 'project' };
  try {
    const page = await api.get<Page<QualitySettings>>('/api/quality/settings', query);
    return page.results[0] ?? null;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return null;
    throw e;
  }
}

export function useOwnSettings(owner: Owner) {
  return useQuery({ queryKey: qualityKeys.settings(owner), queryFn: () => fetchOwnSettings(owner) });
}

/** Every report matching `query`, newest first (one page of up to 1000 is plenty for a screen). */
export async function fetchReports(query: Record<string, string | number>): Promise<QualityReport[]> {
  return (await api.get<Page<QualityReport>>('/api/quality/reports', { sort: '-id', page_size: 1000, ...query })).results;
}

export async function fetchConflicts(reportId: number): Promise<Conflict[]> {
  return (await api.get<Page<Conflict>>('/api/quality/conflicts', { report_id: reportId, sort: 'frame', page_size: 1000 })).results;
}
