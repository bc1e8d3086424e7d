import { Link } from 'react-router';
import type { Project } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate, userName } from '../../ui/format';
import { ListToolbar, Pagination, STANDARD_SORTS, useListState, usePagedList } from '../../ui/ListControls';
import { Preview } from '../../ui/Preview';
import { Spinner } from '../../ui/Spinner';

export function ProjectsPage() {
  const [state, update] = useListState();
  const list = usePagedList<Project>('/api/projects', state);
  return (
    <section>
      <div className="page-head">
        <h1>Projects</h1>
        <Link className="button primary" to="/projects/create">
          Create project
        </Link>
      </div>
      <ListToolbar state={state} update={update} sorts={STANDARD_SORTS} placeholder="Search by name, owner, assignee" />
      {list.isPending && <Spinner />}
      <ErrorMessage error={list.error} />
      {list.data && (
        <>
          {list.data.results.length === 0 ? (
            <div className="empty-state">{state.search ? 'No project matches this search.' : 'No projects yet. Create one to define your labels.'}</div>
          ) : (
            <ul className="card-grid">
              {list.data.results.map((p) => (
                <li key={p.id} className="card">
                  <Link to={`/projects/${p.id}`} className="card-link">
                    <Preview src={`/api/projects/${p.id}/preview`} alt="" />
                    <div className="card-body">
                      <strong className="card-title">{p.name}</strong>
                      <span className="muted small">
                        #{p.id} · {p.tasks.count} task{p.tasks.count === 1 ? '' : 's'} · {p.status}
                      </span>
                      <span className="muted small">
                        {userName(p.owner)} · updated {formatDate(p.updated_date)}
                      </span>
                    </div>
                  </Link>
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
