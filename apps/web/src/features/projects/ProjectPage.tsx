import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useOutlet, useParams } from 'react-router';
import { api, ApiError } from '../../api/client';
import { fetchLabels } from '../../api/labels';
import type { Label, Page, Project, Task } from '../../api/types';
import { NotFound } from '../../app/NotFound';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate, userName } from '../../ui/format';
import { Spinner } from '../../ui/Spinner';
import { useOwnSettings } from '../quality/api';
import { SectionTabs } from '../quality/SectionTabs';
import { LabelEditor } from './LabelEditor';
import { labelsForApi } from './labels';

export function ProjectPage() {
  const id = Number(useParams().id);
  const navigate = useNavigate();
  const queries = useQueryClient();
  const project = useQuery({ queryKey: ['project', id], queryFn: () => api.get<Project>(`/api/projects/${id}`) });
  const labels = useQuery({ queryKey: ['labels', 'project', id], queryFn: () => fetchLabels({ project_id: id }) });
  const tasks = useQuery({ queryKey: ['tasks', { project: id }], queryFn: () => api.get<Page<Task>>('/api/tasks', { project_id: id, page_size: 100 }) });
  const [draft, setDraft] = useState<Label[] | null>(null);
  // The Quality tab (a child route) is shown to those who may read the project's quality data.
  const quality = useOwnSettings({ project_id: id });
  const outlet = useOutlet();
  useEffect(() => setDraft(null), [id]);

  const saveLabels = useMutation({
    mutationFn: async (next: Label[]) => {
      // Labels left out of the list are deleted (CVAT's `deleted: true`), the rest created or updated.
      const kept = new Set(next.flatMap((l) => (l.id ? [l.id] : [])));
      const removed = (labels.data ?? []).filter((l) => l.id && !kept.has(l.id)).map((l) => ({ ...l, deleted: true }));
      return api.patch<Project>(`/api/projects/${id}`, { labels: [...labelsForApi(next), ...removed] });
    },
    onSuccess: () => {
      setDraft(null);
      void queries.invalidateQueries({ queryKey: ['labels', 'project', id] });
    },
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/api/projects/${id}`),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['projects'] });
      navigate('/projects');
    },
  });

  if (project.error instanceof ApiError && project.error.status === 404) return <NotFound what="project" />;
  if (project.isPending) return <Spinner />;
  if (project.isError) return <ErrorMessage error={project.error} />;
  const p = project.data;
  return (
    <section>
      <div className="page-head">
        <div>
          <h1>{p.name}</h1>
          <p className="muted">
            Project #{p.id} · owner {userName(p.owner)} · created {formatDate(p.created_date)} · {p.status}
          </p>
        </div>
        <div className="actions">
          <Link className="button primary" to={`/tasks/create?project_id=${p.id}`}>
            Create task
          </Link>
          <button
            type="button"
            className="danger"
            onClick={() => {
              if (window.confirm(`Delete project "${p.name}" with its tasks and annotations?`)) remove.mutate();
            }}
          >
            Delete
          </button>
        </div>
      </div>
      <ErrorMessage error={remove.error} />
      {quality.data && (
        <SectionTabs label="Project sections" tabs={[{ to: `/projects/${p.id}`, name: 'Overview' }, { to: `/projects/${p.id}/quality`, name: 'Quality' }]} />
      )}
      {outlet ?? (
        <div className="two-columns">
          <div>
            <h2>Tasks</h2>
            {tasks.data && tasks.data.results.length === 0 && <p className="muted">No tasks yet.</p>}
            <ul className="rows">
              {tasks.data?.results.map((t) => (
                <li key={t.id}>
                  <Link to={`/tasks/${t.id}`}>{t.name}</Link>
                  <span className="muted small">
                    #{t.id} · {t.size} frames · {t.jobs.completed}/{t.jobs.count} jobs completed · {t.status}
                  </span>
                </li>
              ))}
            </ul>
          </div>
          <div>
            <h2>Labels</h2>
            {labels.data && (
              <>
                <LabelEditor labels={draft ?? labels.data} onChange={setDraft} />
                <ErrorMessage error={saveLabels.error} />
                {draft && (
                  <div className="form-actions">
                    <button type="button" className="primary" disabled={saveLabels.isPending} onClick={() => saveLabels.mutate(draft)}>
                      Save labels
                    </button>
                    <button type="button" onClick={() => setDraft(null)}>
                      Discard changes
                    </button>
                  </div>
                )}
              </>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
