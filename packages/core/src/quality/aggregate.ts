/**
 * Task and project reports from their parts, as CVAT builds them: a task report adds up its
 * jobs' reports (no comparison of its own), a project report adds up its tasks' reports, each
 * task's counts scaled from its validation frames to all its frames (1 / frame share, rounded
 * up), so that a task checked on 10% of its frames weighs as much as one checked on all.
 */
import { addAnnotations, addComponents, emptyAnnotations, emptyComponents, mean, UNMATCHED_LABEL } from './metrics.js';
import type { QualitySettings } from './settings.js';
import { countConflicts, reportConflicts } from './summary.js';
import type { ComparisonReport, FrameResult, JobStats, TaskStats } from './types.js';

function entries<T>(m: ReadonlyMap<number, T> | Readonly<Record<number, T>>): Array<[number, T]> {
  return m instanceof Map ? [...m.entries()] : Object.entries(m).map(([k, v]) => [Number(k), v as T]);
}

export interface TaskReportInput {
  /** The task's settings (effective: the project's when inherited). */
  settings: QualitySettings;
  inherited?: boolean;
  /** Every annotation job of the task (not the ground-truth job), whether the job filter kept it or not. */
  allJobIds: readonly number[];
  /** Reports of the jobs the filter kept, by job id. */
  jobReports: ReadonlyMap<number, ComparisonReport> | Readonly<Record<number, ComparisonReport>>;
}

function mergeFrame(into: FrameResult | undefined, add: FrameResult, seen: number): FrameResult {
  if (!into) return add;
  const conflicts = [...into.conflicts, ...add.conflicts];
  // Frames shared by overlapping jobs: the mean IoU is the mean over the jobs that saw the frame.
  const meanIou = (into.annotation_components.shape.mean_iou * seen + add.annotation_components.shape.mean_iou) / (seen + 1);
  return {
    conflicts,
    ...countConflicts(conflicts),
    annotations: addAnnotations(into.annotations, add.annotations),
    annotation_components: addComponents(into.annotation_components, add.annotation_components, 1, meanIou),
  };
}

export function taskReport(input: TaskReportInput): ComparisonReport {
  const reports = entries(input.jobReports);
  const included = new Set(reports.map(([id]) => id));
  const jobs: JobStats = {
    all: [...input.allJobIds],
    excluded: input.allJobIds.filter((id) => !included.has(id)),
    not_checkable: reports.filter(([, r]) => r.comparison_summary.frame_count === 0).map(([id]) => id),
  };
  const frames = new Set<number>();
  let frameCount = 0, totalFrames = 0;
  let annotations = emptyAnnotations([UNMATCHED_LABEL]);
  let components = emptyComponents();
  const frameResults: Record<number, FrameResult> = {};
  const seen = new Map<number, number>();
  for (const [, r] of reports) {
    const s = r.comparison_summary;
    for (const f of s.frames ?? []) frames.add(f);
    frameCount += s.frame_count;
    totalFrames += s.total_frames;
    annotations = addAnnotations(annotations, s.annotations);
    components = addComponents(components, s.annotation_components);
    for (const [frame, fr] of entries(r.frame_results ?? {})) {
      const n = seen.get(frame) ?? 0;
      frameResults[frame] = mergeFrame(frameResults[frame], fr, n);
      seen.set(frame, n + 1);
    }
  }
  // CVAT means to average its jobs' mean IoU here (its code repeats one job's); the mean is kept.
  components.shape.mean_iou = mean(reports.map(([, r]) => r.comparison_summary.annotation_components.shape.mean_iou));
  const conflicts = Object.values(frameResults).flatMap((r) => r.conflicts);
  const counts = countConflicts(conflicts);
  return {
    parameters: { ...input.settings, inherited: input.inherited ?? false },
    comparison_summary: {
      frames: [...frames].sort((a, b) => a - b),
      frame_count: frameCount,
      total_frames: totalFrames,
      frame_share: frameCount / (totalFrames || 1),
      mean_conflict_count: counts.conflict_count / (frameCount || 1),
      ...counts,
      annotations,
      annotation_components: components,
      tasks: null,
      jobs,
    },
    frame_results: frameResults,
  };
}

export interface ProjectReportInput {
  settings: QualitySettings;
  /** Every task of the project. */
  allTaskIds: readonly number[];
  /** The latest report of each task that has one (a complete ground truth), by task id. */
  taskReports: ReadonlyMap<number, ComparisonReport> | Readonly<Record<number, ComparisonReport>>;
}

export function projectReport(input: ProjectReportInput): ComparisonReport {
  const reports = entries(input.taskReports);
  const withReport = new Set(reports.map(([id]) => id));
  const custom = reports.filter(([, r]) => !r.parameters.inherited).map(([id]) => id);
  const customSet = new Set(custom);
  const tasks: TaskStats = {
    all: [...input.allTaskIds],
    custom,
    not_configured: input.allTaskIds.filter((id) => !withReport.has(id)),
    excluded: reports.filter(([id, r]) => !customSet.has(id) && (r.comparison_summary.jobs ? r.comparison_summary.jobs.all.length - r.comparison_summary.jobs.excluded.length : 0) === 0).map(([id]) => id),
  };
  const excluded = new Set(tasks.excluded);
  const included = reports.filter(([id]) => !customSet.has(id) && !excluded.has(id));
  const jobs: JobStats = { all: [], excluded: [], not_checkable: [] };
  let totalFrames = 0, frameCount = 0;
  let annotations = emptyAnnotations([UNMATCHED_LABEL]);
  let components = emptyComponents();
  const conflicts = [];
  for (const [, r] of included) {
    const s = r.comparison_summary;
    if (s.jobs) {
      jobs.all.push(...s.jobs.all);
      jobs.excluded.push(...s.jobs.excluded);
      jobs.not_checkable.push(...s.jobs.not_checkable);
    }
    totalFrames += s.total_frames;
    frameCount += s.frame_count;
    const weight = 1 / (s.frame_share || 1);
    annotations = addAnnotations(annotations, s.annotations, weight);
    components = addComponents(components, s.annotation_components, weight);
    conflicts.push(...reportConflicts(r));
  }
  components.shape.mean_iou = mean(included.map(([, r]) => r.comparison_summary.annotation_components.shape.mean_iou));
  const counts = countConflicts(conflicts);
  return {
    parameters: { ...input.settings, inherited: false },
    comparison_summary: {
      frames: null,
      frame_count: frameCount,
      total_frames: totalFrames,
      frame_share: frameCount / (totalFrames || 1),
      mean_conflict_count: counts.conflict_count / (frameCount || 1),
      ...counts,
      annotations,
      annotation_components: components,
      tasks,
      jobs,
    },
    frame_results: null,
  };
}
