import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useOutlet, useParams } from 'react-router';
import { api, ApiError } from '../../api/client';
import type { Task } from '../../api/types';
import { NotFound } from '../../app/NotFound';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate, userName } from '../../ui/format';
import { Preview } from '../../ui/Preview';
import { Spinner } from '../../ui/Spinner';
import { fetchLabels } from '../../api/labels';
import { useOwnSettings } from '../quality/api';
import { SectionTabs } from '../quality/SectionTabs';
import { JobsTable } from './JobsTable';

export function TaskPage() {
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const queries = useQueryClient();
  const task = useQuery({ queryKey: ['task', id], queryFn: () => api.get<Task>(`/api/tasks/${id}`) });
  const labels = useQuery({ queryKey: ['labels', 'task', id], queryFn: () => fetchLabels({ task_id: id }) });
  // The Quality tab (a child route) is shown to those who may read the task's quality data.
  const quality = useOwnSettings({ task_id: id });
  const outlet = useOutlet();
  const remove = useMutation({
    mutationFn: () => api.delete(`/api/tasks/${id}`),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['tasks'] });
      navigate('/tasks');
    },
  });

  if (task.error instanceof ApiError && task.error.status === 404) return <NotFound what="task" />;
  if (task.isPending) return <Spinner />;
  if (task.isError) return <ErrorMessage error={task.error} />;
  const t = task.data;
  return (
    <section>
      <div className="page-head">
        <div className="task-head">
          <Preview src={`/api/tasks/${t.id}/preview`} alt="" />
          <div>
            <h1>{t.name}</h1>
            <p className="muted">
              Task #{t.id}
              {t.project_id !== null && (
                <>
                  {' '}
                  in <Link to={`/projects/${t.project_id}`}>project #{t.project_id}</Link>
                </>
              )}{' '}
              · {t.size} frames · segment size {t.segment_size} · owner {userName(t.owner)} · created {formatDate(t.created_date)}
            </p>
            <p className="label-chips">
              {labels.data?.map((l) => (
                <span key={l.id} className="chip" style={{ borderColor: l.color }}>
                  {l.name}
                </span>
              ))}
            </p>
          </div>
        </div>
        <div className="actions">
          <button
            type="button"
            className="danger"
            onClick={() => {
              if (window.confirm(`Delete task "${t.name}" with its data and annotations?`)) remove.mutate();
            }}
          >
            Delete
          </button>
        </div>
      </div>
      <ErrorMessage error={remove.error} />
      {quality.data ? (
        <SectionTabs label="Task sections" tabs={[{ to: `/tasks/${t.id}`, name: 'Jobs' }, { to: `/tasks/${t.id}/quality`, name: 'Quality' }]} />
      ) : (
        !outlet && <h2>Jobs</h2>
      )}
      {outlet ?? <JobsTable taskId={t.id} />}
    </section>
  );
}
