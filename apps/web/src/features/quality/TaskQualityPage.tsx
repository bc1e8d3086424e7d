/**
 * The Quality tab of a task (/tasks/{id}/quality): its ground truth, the latest report with its
 * jobs, conflicts and per-label figures, and the settings reports are computed with. Loaded with
 * its route, so the task page itself stays small.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { api } from '../../api/client';
import type { Task } from '../../api/types';
import { ErrorMessage } from '../../ui/ErrorMessage';
import { formatDate } from '../../ui/format';
import { ProgressBar } from '../../ui/ProgressBar';
import { Spinner } from '../../ui/Spinner';
import { fetchConflicts, fetchOwnSettings, fetchReports, qualityKeys } from './api';
import { ConflictsTable } from './ConflictsTable';
import { percent } from './format';
import { GroundTruthPanel, isReady, useGroundTruthJob } from './GroundTruthPanel';
import { JobReportsTable } from './JobReportsTable';
import { LabelMetrics } from './LabelMetrics';
import { ReportDownloads, ReportFigures } from './ReportFigures';
import { SettingsForm } from './SettingsForm';
import type { ReportData } from './types';
import { useComputeReport } from './useComputeReport';
import './quality.css';

export function TaskQualityPage() {
  const id = Number(useParams().id);
  const task = useQuery({ queryKey: ['task', id], queryFn: () => api.get<Task>(`/api/tasks/${id}`) });
  const own = useQuery({ queryKey: qualityKeys.settings({ task_id: id }), queryFn: () => fetchOwnSettings({ task_id: id }) });
  const projectId = task.data?.project_id ?? null;
  const parent = useQuery({
    queryKey: qualityKeys.settings({ project_id: projectId ?? 0 }),
    queryFn: () => fetchOwnSettings({ project_id: projectId! }),
    enabled: projectId !== null,
  });
  if (task.isPending || own.isPending) return <Spinner />;
  if (task.isError || own.isError) return <ErrorMessage error={task.error ?? own.error} />;
  if (own.data === null) {
    return <div className="empty-state">Quality reports and ground truth are for those who manage this task.</div>;
  }
  const settings = own.data.inherit && projectId !== null && parent.data ? parent.data : own.data;
  return (
    <div className="q-page">
      <div className="q-columns">
        <section className="panel" aria-labelledby="q-gt-title">
          <h2 id="q-gt-title">Ground truth</h2>
          <GroundTruthPanel task={task.data} />
        </section>
        <TaskReport task={task.data} target={settings} />
      </div>
      <section className="panel" aria-labelledby="q-settings-title">
        <h2 id="q-settings-title">Settings</h2>
        <SettingsForm settings={own.data} parent={projectId !== null ? (parent.data ?? null) : undefined} parentLink={projectId !== null ? `/projects/${projectId}/quality` : undefined} />
      </section>
    </div>
  );
}

function TaskReport({ task, target }: { task: Task; target: { target_metric: 'accuracy' | 'precision' | 'recall'; target_metric_threshold: number } }) {
  const [chosen, setChosen] = useState<number | null>(null);
  const gt = useGroundTruthJob(task.id);
  const compute = useComputeReport({ task_id: task.id }, () => setChosen(null));
  const reports = useQuery({ queryKey: qualityKeys.reports({ task_id: task.id, target: 'task' }), queryFn: () => fetchReports({ task_id: task.id, target: 'task', page_size: 50 }) });
  const report = reports.data?.find((r) => r.id === chosen) ?? reports.data?.[0];
  const reportId = report?.id ?? 0;
  const jobs = useQuery({ queryKey: qualityKeys.reports({ parent_id: reportId, target: 'job' }), queryFn: () => fetchReports({ parent_id: reportId, target: 'job' }), enabled: !!report });
  const conflicts = useQuery({ queryKey: qualityKeys.conflicts(reportId), queryFn: () => fetchConflicts(reportId), enabled: !!report });
  const data = useQuery({
    queryKey: qualityKeys.data(reportId),
    queryFn: () => api.get<ReportData>(`/api/quality/reports/${reportId}/data`),
    enabled: !!report,
    staleTime: Infinity,
  });
  // The report's own parameters say which target it was measured against.
  const measured = data.data?.parameters ?? target;
  const ready = gt.data ? isReady(gt.data) : false;
  const jobOfReport = new Map((jobs.data ?? []).map((r) => [r.id, r.job_id!]));

  return (
    <>
      <section className="panel q-report-panel" aria-labelledby="q-report-title">
        <div className="q-panel-head">
          <h2 id="q-report-title">Report</h2>
          {reports.data && reports.data.length > 1 && (
            <select aria-label="Report" value={report?.id} onChange={(e) => setChosen(Number(e.target.value))}>
              {reports.data.map((r, i) => (
                <option key={r.id} value={r.id}>
                  {i === 0 ? 'Latest' : `#${r.id}`} · {formatDate(r.created_date)} · {percent(r.summary.accuracy)}
                </option>
              ))}
            </select>
          )}
          <button
            type="button"
            className="primary"
            onClick={compute.start}
            disabled={compute.running || !ready}
            title={ready ? 'Compare every annotation job with the ground truth now' : 'The ground truth must be accepted first'}
          >
            Compute report
          </button>
        </div>
        {compute.running && <ProgressBar label={compute.message} value={compute.progress} />}
        <ErrorMessage error={compute.error} />
        {reports.isPending ? (
          <Spinner />
        ) : !report ? (
          <p className="muted">
            No report yet. {ready ? 'Compute one to compare the jobs with the ground truth.' : 'Once the ground truth is annotated and accepted, compute one here.'} A report is also computed whenever an annotation job is
            completed.
          </p>
        ) : (
          <>
            <ReportFigures report={report} target={{ metric: measured.target_metric, threshold: measured.target_metric_threshold }} />
            <ReportDownloads reportId={report.id} />
          </>
        )}
        <ErrorMessage error={reports.error} />
      </section>
      {report && (
        <div className="q-wide">
          <section className="panel" aria-labelledby="q-jobs-title">
            <h2 id="q-jobs-title">Jobs</h2>
            {jobs.data ? <JobReportsTable reports={jobs.data} taskId={task.id} target={measured} /> : <ErrorMessage error={jobs.error} />}
          </section>
          <div className="q-columns">
            <section className="panel" aria-labelledby="q-conflicts-title">
              <h2 id="q-conflicts-title">Conflicts</h2>
              {conflicts.data && jobs.data ? <ConflictsTable conflicts={conflicts.data} jobOfReport={jobOfReport} taskId={task.id} /> : <ErrorMessage error={conflicts.error} />}
            </section>
            <section className="panel" aria-labelledby="q-labels-title">
              <h2 id="q-labels-title">Per label</h2>
              {data.data ? <LabelMetrics data={data.data} /> : data.isPending ? <Spinner /> : <ErrorMessage error={data.error} />}
            </section>
          </div>
        </div>
      )}
    </>
  );
}
