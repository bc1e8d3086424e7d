import { Link } from 'react-router';
import type { Task } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate, userName } from '../../ui/format';
import { ListToolbar, Pagination, STANDARD_SORTS, useListState, usePagedList } from '../../ui/ListControls';
import { Preview } from '../../ui/Preview';
import { Spinner } from '../../ui/Spinner';

export function TasksPage() {
  const [state, update] = useListState();
  const list = usePagedList<Task>('/api/tasks', state);
  return (
    <section>
      <div className="page-head">
        <h1>Tasks</h1>
        <Link className="button primary" to="/tasks/create">
          Create task
        </Link>
      </div>
      <ListToolbar state={state} update={update} sorts={STANDARD_SORTS} placeholder="Search by name, owner, assignee, project" />
      {list.isPending && <Spinner />}
      <ErrorMessage error={list.error} />
      {list.data && (
        <>
          {list.data.results.length === 0 ? (
            <div className="empty-state">{state.search ? 'No task matches this search.' : 'No tasks yet.'}</div>
          ) : (
            <ul className="task-rows">
              {list.data.results.map((t) => (
                <li key={t.id} className="task-row">
                  <Preview src={`/api/tasks/${t.id}/preview`} alt="" />
                  <div className="task-row-main">
                    <Link to={`/tasks/${t.id}`} className="card-title">
                      {t.name}
                    </Link>
                    <span className="muted small">
                      #{t.id} · {t.size} frames · owner {userName(t.owner)} · updated {formatDate(t.updated_date)}
                    </span>
                  </div>
                  <div className="task-row-progress">
                    <span className={`badge badge-${t.status}`}>{t.status}</span>
                    <span className="muted small">
                      {t.jobs.completed} of {t.jobs.count} jobs completed
                    </span>
                  </div>
                </li>
              ))}
            </ul>
          )}
          <Pagination state={state} update={update} count={list.data.count} />
        </>
      )}
    </section>
  );
}
