/**
 * The route /tasks/{task}/jobs/{job}: loads what the workspace needs (job, labels, frame sizes,
 * annotations) in parallel, then hands over to the workspace. Lives in its own chunk with the
 * canvas engine.
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, ApiError } from '../../api/client';
import { fetchLabels } from '../../api/labels';
import type { DataMeta, Job } from '../../api/types';
import type { CvatAnnotations } from '../../editor/cvat';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { Spinner } from '../../ui/Spinner';
import { Workspace } from './Workspace';

export function WorkspacePage() {
  const params = useParams();
  const jobId = Number(params.jobId);
  const taskId = Number(params.taskId);
  const job = useQuery({ queryKey: ['job', jobId], queryFn: () => api.get<Job>(`/api/jobs/${jobId}`) });
  const labels = useQuery({ queryKey: ['labels', 'job', jobId], queryFn: () => fetchLabels({ job_id: jobId }) });
  const meta = useQuery({ queryKey: ['job-meta', jobId], queryFn: () => api.get<DataMeta>(`/api/jobs/${jobId}/data/meta`) });
  const annotations = useQuery({
    queryKey: ['job-annotations', jobId],
    queryFn: () => api.get<CvatAnnotations>(`/api/jobs/${jobId}/annotations`),
    // The workspace owns the annotations once loaded; a background refetch must not replace them.
    staleTime: Infinity,
    gcTime: 0,
  });

  const error = job.error ?? labels.error ?? meta.error ?? annotations.error;
  if (error) {
    return (
      <div className="workspace-message">
        {error instanceof ApiError && error.status === 404 ? <p>This job does not exist, or you have no access to it.</p> : <ErrorMessage error={error} />}
        <Link to="/jobs">Back to jobs</Link>
      </div>
    );
  }
  if (!job.data || !labels.data || !meta.data || !annotations.data) return <Spinner label="Opening the job" />;
  if (job.data.task_id !== taskId) {
    return (
      <div className="workspace-message">
        <p>
          Job #{jobId} belongs to <Link to={`/tasks/${job.data.task_id}/jobs/${jobId}`}>task #{job.data.task_id}</Link>.
        </p>
      </div>
    );
  }
  if (meta.data.frames.length === 0) {
    return (
      <div className="workspace-message">
        <p>This job has no frames yet: its task's data is still being processed.</p>
        <Link to={`/tasks/${taskId}`}>Back to the task</Link>
      </div>
    );
  }
  return <Workspace job={job.data} labels={labels.data} meta={meta.data} annotations={annotations.data} />;
}
