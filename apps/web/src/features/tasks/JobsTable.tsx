/**
 * A task's jobs with the controls a task manager uses every day: assignee, stage and state, and
 * the link into the workspace. The server decides who may change what; a refused change shows its
 * message and the row keeps the value the server has.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client';
import type { Job, JobStage, JobState, Page, User } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate } from '../../ui/format';

const STAGES: JobStage[] = ['annotation', 'validation', 'acceptance'];
const STATES: JobState[] = ['new', 'in progress', 'rejected', 'completed'];

export function JobsTable({ taskId }: { taskId: number }) {
  const queries = useQueryClient();
  const jobs = useQuery({ queryKey: ['jobs', { task: taskId }], queryFn: () => api.get<Page<Job>>('/api/jobs', { task_id: taskId, page_size: 500, sort: 'id' }) });
  const users = useQuery({ queryKey: ['users', 'assignable'], queryFn: () => api.get<Page<User>>('/api/users', { page_size: 500, sort: 'username' }) });
  const change = useMutation({
    mutationFn: ({ id, patch }: { id: number; patch: Partial<{ assignee: number | null; stage: JobStage; state: JobState }> }) =>
      api.patch<Job>(`/api/jobs/${id}`, patch),
    onSettled: () => queries.invalidateQueries({ queryKey: ['jobs'] }),
  });

  if (!jobs.data) return <ErrorMessage error={jobs.error} />;
  return (
    <>
      <ErrorMessage error={change.error} />
      <table className="table">
        <thead>
          <tr>
            <th>Job</th>
            <th>Frames</th>
            <th>Assignee</th>
            <th>Stage</th>
            <th>State</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {jobs.data.results.map((j) => (
            <tr key={j.id}>
              <td>
                <Link to={`/tasks/${taskId}/jobs/${j.id}`}>Job #{j.id}</Link>
                {j.type !== 'annotation' && <span className="badge">{j.type.replace('_', ' ')}</span>}
              </td>
              <td>
                {j.start_frame}–{j.stop_frame}
              </td>
              <td>
                <select
                  aria-label={`Assignee of job ${j.id}`}
                  value={j.assignee?.id ?? ''}
                  onChange={(e) => change.mutate({ id: j.id, patch: { assignee: e.target.value ? Number(e.target.value) : null } })}
                >
                  <option value="">—</option>
                  {/* The assignee is listed even when the user list cannot show them (a worker's view). */}
                  {j.assignee && !users.data?.results.some((u) => u.id === j.assignee!.id) && <option value={j.assignee.id}>{j.assignee.username}</option>}
                  {users.data?.results.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.username}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <select aria-label={`Stage of job ${j.id}`} value={j.stage} onChange={(e) => change.mutate({ id: j.id, patch: { stage: e.target.value as JobStage } })}>
                  {STAGES.map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </select>
              </td>
              <td>
                <select aria-label={`State of job ${j.id}`} value={j.state} onChange={(e) => change.mutate({ id: j.id, patch: { state: e.target.value as JobState } })}>
                  {STATES.map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </select>
              </td>
              <td className="muted small">{formatDate(j.updated_date)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
