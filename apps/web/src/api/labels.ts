import { api } from './client';
import type { Label, Page } from './types';

/** The labels of a project, task or job (CVAT's /api/labels?project_id=|task_id=|job_id=). */
export function fetchLabels(owner: { project_id: number } | { task_id: number } | { job_id: number }): Promise<Label[]> {
  return api.get<Page<Label>>('/api/labels', { ...owner, page_size: 1000 }).then((p) => p.results);
}
