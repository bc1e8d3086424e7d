import { Link, useSearchParams } from 'react-router';
import type { Job } from '../../api/types';
import { useSession } from '../../app/session';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate, userName } from '../../ui/format';
import { ListToolbar, Pagination, useListState, usePagedList } from '../../ui/ListControls';
import { Preview } from '../../ui/Preview';
import { Spinner } from '../../ui/Spinner';

const SORTS = [
  { value: '-id', label: 'Newest' },
  { value: 'id', label: 'Oldest' },
  { value: '-updated_date', label: 'Recently updated' },
  { value: 'task_name', label: 'Task' },
  { value: 'state', label: 'State' },
];

/** CVAT's JSON-logic filter for the jobs list: assigned to me, in a stage, in a state. */
function filterOf(mine: boolean, username: string, stage: string, state: string): string | undefined {
  const terms: unknown[] = [];
  if (mine) terms.push({ '==': [{ var: 'assignee' }, username] });
  if (stage) terms.push({ '==': [{ var: 'stage' }, stage] });
  if (state) terms.push({ '==': [{ var: 'state' }, state] });
  if (terms.length === 0) return undefined;
  return JSON.stringify(terms.length === 1 ? terms[0] : { and: terms });
}

export function JobsPage() {
  const { user } = useSession();
  const [state, update] = useListState();
  const [params, setParams] = useSearchParams();
  const mine = params.get('mine') === '1';
  const stage = params.get('stage') ?? '';
  const jobState = params.get('state') ?? '';
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete('page');
    setParams(next);
  };
  const filter = filterOf(mine, user.username, stage, jobState);
  const list = usePagedList<Job>('/api/jobs', state, { filter });
  return (
    <section>
      <div className="page-head">
        <h1>Jobs</h1>
      </div>
      <ListToolbar state={state} update={update} sorts={SORTS} placeholder="Search by task, assignee">
        <label className="inline">
          <input type="checkbox" checked={mine} onChange={(e) => setParam('mine', e.target.checked ? '1' : '')} />
          Assigned to me
        </label>
        <select aria-label="Stage" value={stage} onChange={(e) => setParam('stage', e.target.value)}>
          <option value="">Any stage</option>
          <option value="annotation">annotation</option>
          <option value="validation">validation</option>
          <option value="acceptance">acceptance</option>
        </select>
        <select aria-label="State" value={jobState} onChange={(e) => setParam('state', e.target.value)}>
          <option value="">Any state</option>
          <option value="new">new</option>
          <option value="in progress">in progress</option>
          <option value="rejected">rejected</option>
          <option value="completed">completed</option>
        </select>
      </ListToolbar>
      {list.isPending && <Spinner />}
      <ErrorMessage error={list.error} />
      {list.data && (
        <>
          {list.data.results.length === 0 ? (
            <div className="empty-state">No jobs here.</div>
          ) : (
            <ul className="card-grid">
              {list.data.results.map((j) => (
                <li key={j.id} className="card">
                  <Link to={`/tasks/${j.task_id}/jobs/${j.id}`} className="card-link">
                    <Preview src={`/api/jobs/${j.id}/preview`} alt="" />
                    <div className="card-body">
                      <strong className="card-title">
                        Job #{j.id} · {j.task_name ?? `task #${j.task_id}`}
                      </strong>
                      <span className="muted small">
                        frames {j.start_frame}–{j.stop_frame} · {j.stage} · {j.state}
                      </span>
                      <span className="muted small">
                        {userName(j.assignee)} · {formatDate(j.updated_date)}
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
