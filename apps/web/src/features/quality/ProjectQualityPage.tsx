/**
 * The Quality tab of a project (/projects/{id}/quality): reports over time, the QA pass rate
 * (share of compared jobs meeting the target), quality per annotator from the latest report of
 * each job, the latest report of each task, and the project's settings (which its tasks inherit).
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api } from '../../api/client';
import type { Page, Task } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate, userName } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { Spinner } from '../../ui/Spinner';
import { fetchOwnSettings, fetchReports, qualityKeys } from './api';
import { METRIC_NAMES, percent } from './format';
import { annotatorStats, latestBy, passRate, trend } from './project-stats';
import { QualityTrend } from './QualityTrend';
import { ReportDownloads, ReportFigures } from './ReportFigures';
import { SettingsForm } from './SettingsForm';
import { useComputeReport } from './useComputeReport';
import './quality.css';

export function ProjectQualityPage() {
  const id = Number(useParams().id);
  const settings = useQuery({ queryKey: qualityKeys.settings({ project_id: id }), queryFn: () => fetchOwnSettings({ project_id: id }) });
  const reports = useQuery({ queryKey: qualityKeys.reports({ project_id: id }), queryFn: () => fetchReports({ project_id: id }), enabled: !!settings.data });
  const tasks = useQuery({ queryKey: ['tasks', { project: id }], queryFn: () => api.get<Page<Task>>('/api/tasks', { project_id: id, page_size: 100 }) });
  const compute = useComputeReport({ project_id: id });

  if (settings.isPending) return <Spinner />;
  if (settings.isError) return <ErrorMessage error={settings.error} />;
  if (settings.data === null) return <div className="empty-state">Quality reports are for those who manage this project.</div>;
  const target = settings.data;
  const all = reports.data ?? [];
  const points = trend(all, target);
  const latestProject = points.at(-1)?.report;
  const latestJobs = latestBy(
    all.filter((r) => r.target === 'job'),
    (r) => r.job_id,
  );
  const rate = passRate(latestJobs, target);
  const people = annotatorStats(latestJobs, target);
  const latestTasks = latestBy(
    all.filter((r) => r.target === 'task'),
    (r) => r.task_id,
  ).sort((a, b) => (a.task_id ?? 0) - (b.task_id ?? 0));
  const taskName = new Map((tasks.data?.results ?? []).map((t) => [t.id, t.name]));

  return (
    <div className="q-page">
      <div className="q-columns">
        <section className="panel" aria-labelledby="q-trend-title">
          <div className="q-panel-head">
            <h2 id="q-trend-title">Over time</h2>
            <button type="button" className="primary" onClick={compute.start} disabled={compute.running} title="Compute a fresh report of every task whose ground truth is accepted">
              Compute project report
            </button>
          </div>
          {compute.running && <ProgressBar label={compute.message} value={compute.progress} />}
          <ErrorMessage error={compute.error ?? reports.error} />
          {reports.isPending ? <Spinner /> : <QualityTrend points={points} threshold={target.target_metric_threshold} />}
        </section>
        <section className="panel" aria-labelledby="q-now-title">
          <h2 id="q-now-title">Now</h2>
          <div className="q-figures" role="group" aria-label="QA pass rate">
            <div className="q-figure" aria-label="QA pass rate">
              <span className="q-figure-value">{percent(rate.rate)}</span>
              <span className="q-figure-name">
                QA pass rate{' '}
                <span className="muted small">
                  {rate.passed} of {rate.checked} jobs at {METRIC_NAMES[target.target_metric].toLowerCase()} ≥ {percent(target.target_metric_threshold)}
                </span>
              </span>
            </div>
          </div>
          {latestProject ? (
            <>
              <h3>Latest project report</h3>
              <ReportFigures report={latestProject} target={{ metric: target.target_metric, threshold: target.target_metric_threshold }} />
              <ReportDownloads reportId={latestProject.id} />
            </>
          ) : (
            <p className="muted small">The pass rate counts the latest report of each job, from task or project reports.</p>
          )}
        </section>
      </div>
      <div className="q-columns">
        <section className="panel" aria-labelledby="q-people-title">
          <h2 id="q-people-title">Annotators</h2>
          {people.length === 0 ? (
            <p className="muted">No job compared yet.</p>
          ) : (
            <table className="table q-table" aria-label="Annotators">
              <thead>
                <tr>
                  <th>Annotator</th>
                  <th>Jobs</th>
                  <th>Meeting target</th>
                  <th>Accuracy</th>
                  <th>Precision</th>
                  <th>Recall</th>
                  <th>Errors</th>
                </tr>
              </thead>
              <tbody>
                {people.map((p) => (
                  <tr key={p.assignee?.id ?? 0}>
                    <td>{p.assignee ? userName(p.assignee) : <span className="muted">unassigned</span>}</td>
                    <td>{p.jobs}</td>
                    <td>
                      {p.passed} ({percent(p.passed / p.jobs)})
                    </td>
                    <td>{percent(p.accuracy)}</td>
                    <td>{percent(p.precision)}</td>
                    <td>{percent(p.recall)}</td>
                    <td>{p.errors}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel" aria-labelledby="q-tasks-title">
          <h2 id="q-tasks-title">Tasks</h2>
          {latestTasks.length === 0 ? (
            <p className="muted">No task report yet. A task needs an accepted ground truth to be compared.</p>
          ) : (
            <table className="table q-table" aria-label="Tasks">
              <thead>
                <tr>
                  <th>Task</th>
                  <th>Accuracy</th>
                  <th>Frames</th>
                  <th>Conflicts</th>
                  <th>Date</th>
                </tr>
              </thead>
              <tbody>
                {latestTasks.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <Link to={`/tasks/${r.task_id}/quality`}>{taskName.get(r.task_id!) ?? `Task #${r.task_id}`}</Link>
                    </td>
                    <td>{r.summary.total_count ? percent(r.summary.accuracy) : '—'}</td>
                    <td>
                      {r.summary.validation_frames} of {r.summary.total_frames}
                    </td>
                    <td>{r.summary.conflict_count}</td>
                    <td className="muted small nowrap">{formatDate(r.created_date)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
      <section className="panel" aria-labelledby="q-settings-title">
        <h2 id="q-settings-title">Settings</h2>
        <p className="muted small">The project's tasks use these unless a task is set to use its own (in its Quality tab).</p>
        <SettingsForm settings={settings.data} />
      </section>
    </div>
  );
}
