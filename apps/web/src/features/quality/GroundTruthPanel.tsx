/**
 * The task's ground truth: its job (or the form that makes one), whether it is ready for reports
 * (accepted and completed, CVAT's rule), and its frames, which can be taken out of use.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../api/client';
import type { Job, Page, Task } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { userName } from '../../ui/format';
import { Spinner } from '../../ui/Spinner';
import { qualityKeys } from './api';
import { CreateGroundTruthForm } from './CreateGroundTruthForm';
import type { TaskValidationLayout } from './types';
import { ValidationFrames } from './ValidationFrames';

export function isReady(job: Job): boolean {
  return job.stage === 'acceptance' && job.state === 'completed';
}

export function useGroundTruthJob(taskId: number) {
  return useQuery({
    queryKey: ['jobs', { task: taskId, type: 'ground_truth' }],
    queryFn: async () => (await api.get<Page<Job>>('/api/jobs', { task_id: taskId, type: 'ground_truth' })).results[0] ?? null,
  });
}

export function GroundTruthPanel({ task }: { task: Task }) {
  const queries = useQueryClient();
  const gt = useGroundTruthJob(task.id);
  const layout = useQuery({
    queryKey: qualityKeys.layout(task.id),
    queryFn: () => api.get<TaskValidationLayout>(`/api/tasks/${task.id}/validation_layout`),
    enabled: gt.data != null,
  });
  const change = useMutation({
    mutationFn: (patch: Partial<Pick<Job, 'stage' | 'state'>>) => api.patch<Job>(`/api/jobs/${gt.data!.id}`, patch),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['jobs'] }),
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/api/jobs/${gt.data!.id}`),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['jobs'] });
      void queries.invalidateQueries({ queryKey: ['task', task.id] });
      void queries.invalidateQueries({ queryKey: ['quality'] });
    },
  });

  if (gt.isPending) return <Spinner />;
  if (gt.isError) return <ErrorMessage error={gt.error} />;
  const job = gt.data;
  if (!job) {
    if (task.size === 0) return <p className="muted">Attach the task's data first: ground truth is chosen among its frames.</p>;
    return <CreateGroundTruthForm task={task} />;
  }
  const pool = task.validation_mode === 'gt_pool';
  const ready = isReady(job);
  return (
    <div className="q-gt">
      <div className="q-gt-head">
        <div>
          <Link to={`/tasks/${task.id}/jobs/${job.id}`} className="q-gt-link">
            Job #{job.id}
          </Link>{' '}
          <span className="muted">
            · {job.frame_count} frame{job.frame_count === 1 ? '' : 's'} · {pool ? 'honeypot pool' : 'ground truth'} · {job.stage}, {job.state} · {job.assignee ? userName(job.assignee) : 'unassigned'}
          </span>
        </div>
        {!pool && (
          <button
            type="button"
            className="danger"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(`Delete ground-truth job #${job.id} with its annotations? Reports already computed stay.`)) remove.mutate();
            }}
          >
            Delete
          </button>
        )}
      </div>
      {ready ? (
        <p className="q-ready ok-note small">Accepted: reports and immediate feedback compare with it.</p>
      ) : (
        <div className="q-not-ready">
          <p className="small">
            Annotate its frames, then accept it: reports and immediate feedback need the ground truth in the acceptance stage and completed.
          </p>
          <div className="actions">
            <Link className="button" to={`/tasks/${task.id}/jobs/${job.id}`}>
              Annotate
            </Link>
            <button type="button" className="primary" disabled={change.isPending} onClick={() => change.mutate({ stage: 'acceptance', state: 'completed' })}>
              Accept ground truth
            </button>
          </div>
        </div>
      )}
      <ErrorMessage error={change.error ?? remove.error} />
      {layout.data && <ValidationFrames task={task} layout={layout.data} />}
      <ErrorMessage error={layout.error} />
    </div>
  );
}
