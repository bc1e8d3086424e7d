import type { Conflict } from './types';

/**
 * Where a conflict is in the workspace: the compared job at the conflict's frame, with the job's
 * object in it named as CVAT's links name it (`type` and `serverID`, as in the report's JSON), so
 * the workspace selects it. A missing annotation names only the ground truth's object: the link
 * lands on the frame.
 */
export function conflictLink(taskId: number, jobId: number, c: Conflict): string {
  const own = c.annotation_ids.find((a) => a.job_id === jobId);
  const params = new URLSearchParams({ frame: String(c.frame) });
  if (own) {
    params.set('type', own.type);
    params.set('serverID', String(own.obj_id));
  }
  return `/tasks/${taskId}/jobs/${jobId}?${params}`;
}
