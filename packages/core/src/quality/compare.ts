/**
 * A job's quality report: its validation frames compared with the ground truth's, frame by
 * frame, and summed up as CVAT's DatasetComparator does (its job report).
 */
import { indexLabels } from '../annotations/label-index.js';
import type { LabelSchema } from '../annotations/schema.js';
import type { Annotations } from '../annotations/types.js';
import { frameConflicts } from './conflicts.js';
import { matchFrame, type FrameContext, type FrameMatch } from './match.js';
import { addComponents, annotationsSummary, emptyComponents, labelSummary, mean, shapeSummary, UNMATCHED_LABEL, withRatios, zeroRows } from './metrics.js';
import { objectsByFrame, type FrameObject } from './objects.js';
import { qualitySettings, type QualitySettings } from './settings.js';
import { countConflicts } from './summary.js';
import type { AnnotationsSummary, ComparisonReport, FrameResult } from './types.js';

/** A frame of the job to check, with its size; `gt_frame` when the ground truth is on another frame (a honeypot's validation frame). */
export interface ValidationFrame {
  frame: number;
  gt_frame?: number;
  width: number;
  height: number;
}

export interface JobComparisonInput {
  /** The task's labels: confusion matrix rows, attribute specs, skeleton point order. */
  labels: LabelSchema;
  settings?: Partial<QualitySettings>;
  /** Whether the settings came from the project (reported in parameters.inherited). */
  inherited?: boolean;
  gt: { job_id: number; annotations: Annotations };
  /** The compared job; frame_count is all of its frames (total_frames). */
  job: { job_id: number; annotations: Annotations; frame_count: number };
  /** Its validation frames; annotations on other frames are not looked at. */
  frames: readonly ValidationFrame[];
}

interface LabelTable {
  names: string[];
  index: Map<number, number>;
}

function labelTable(schema: LabelSchema): LabelTable {
  const names = schema.labels.map((l) => l.name);
  const index = new Map(schema.labels.map((l, i) => [l.id, i]));
  return { names: [...names, UNMATCHED_LABEL], index };
}

function frameAnnotations(m: FrameMatch, table: LabelTable, s: QualitySettings): AnnotationsSummary {
  const n = table.names.length;
  const rows = zeroRows(n);
  const at = (o: FrameObject) => table.index.get(o.label_id)!;
  for (const p of [...m.matches, ...m.mismatches]) rows[at(p.ds)]![at(p.gt)]!++;
  for (const o of m.dsUnmatched) rows[at(o)]![n - 1]!++;
  for (const o of m.gtUnmatched) rows[n - 1]![at(o)]!++;
  const summary = annotationsSummary(table.names, rows);
  if (!s.empty_is_annotated) return summary;
  // A frame with nothing on it counts as one virtual annotation on each empty side.
  return withRatios({
    ...summary,
    valid_count: summary.total_count ? summary.valid_count : 1,
    total_count: summary.total_count || 1,
    ds_count: summary.ds_count || 1,
    gt_count: summary.gt_count || 1,
  });
}

function frameResult(gt: readonly FrameObject[], ds: readonly FrameObject[], m: FrameMatch, frame: number, ctx: FrameContext, table: LabelTable): FrameResult {
  const s = ctx.settings;
  const conflicts = frameConflicts(frame, gt, ds, m, ctx);
  const shape = (o: FrameObject) => o.kind !== 'tag';
  const shapePairs = [...m.matches, ...m.mismatches].filter((p) => shape(p.gt));
  const gtMissing = m.gtUnmatched.filter(shape), dsExtra = m.dsUnmatched.filter(shape);
  let valid = shapePairs.length, total = valid + gtMissing.length + dsExtra.length;
  let dsCount = valid + dsExtra.length, gtCount = valid + gtMissing.length;
  let validLabels = m.matches.length, totalLabels = m.matches.length + m.mismatches.length;
  const empty = { gt: gt.length === 0, ds: ds.length === 0 };
  if (s.empty_is_annotated) {
    if (empty.gt && empty.ds) valid = total = validLabels = totalLabels = 1;
    if (empty.ds) dsCount = 1;
    if (empty.gt) gtCount = 1;
  }
  const ious = [...shapePairs.map((p) => p.similarity), ...[...gtMissing, ...dsExtra].map((o) => m.closest.get(o) ?? 0)].map((v) => (v > 0 ? v : 0));
  return {
    conflicts,
    ...countConflicts(conflicts),
    annotations: frameAnnotations(m, table, s),
    annotation_components: {
      shape: shapeSummary({ valid_count: valid, missing_count: gtMissing.length, extra_count: dsExtra.length, total_count: total, ds_count: dsCount, gt_count: gtCount, mean_iou: mean(ious) }),
      label: labelSummary({ valid_count: validLabels, invalid_count: m.mismatches.length, total_count: totalLabels }),
    },
  };
}

/**
 * Whether a frame's matrix shows no object of the job (all rows but "unmatched" empty) or none
 * of the ground truth (all columns but "unmatched"). CVAT tests the job's side on the upper
 * triangle, which also calls a frame empty when its only job objects carry a wrong label listed
 * after the right one; here the job's objects are counted wherever they are.
 */
function emptySides(rows: number[][]): { ds: boolean; gt: boolean } {
  const n = rows.length;
  let ds = 0, gt = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i < n - 1) ds += rows[i]![j]!;
      if (j < n - 1) gt += rows[i]![j]!;
    }
  }
  return { ds: ds === 0, gt: gt === 0 };
}

/** The job's report (CVAT's job ComparisonReport). */
export function compareJob(input: JobComparisonInput): ComparisonReport {
  const settings = qualitySettings(input.settings);
  const labels = indexLabels(input.labels);
  const table = labelTable(input.labels);
  const skeletonPoints = new Map(input.labels.labels.filter((l) => l.sublabels.length).map((l) => [l.id, l.sublabels.map((s) => s.id)]));
  const seen = new Set<number>();
  const frames = input.frames.filter((f) => !seen.has(f.frame) && (seen.add(f.frame), true));
  const known = (list: FrameObject[] | undefined) => (list ?? []).filter((o) => table.index.has(o.label_id));
  const gtByFrame = objectsByFrame(input.gt.annotations, input.gt.job_id, frames.map((f) => f.gt_frame ?? f.frame), labels);
  const dsByFrame = objectsByFrame(input.job.annotations, input.job.job_id, frames.map((f) => f.frame), labels);

  const frameResults: Record<number, FrameResult> = {};
  const n = table.names.length;
  const rows = zeroRows(n);
  let components = emptyComponents();
  const ious: number[] = [];
  let emptyDs = 0, emptyGt = 0, emptyBoth = 0, emptyEither = 0;
  for (const f of frames) {
    const gt = known(gtByFrame.get(f.gt_frame ?? f.frame)), ds = known(dsByFrame.get(f.frame));
    const ctx: FrameContext = { width: f.width, height: f.height, settings, skeletonPoints };
    const r = frameResult(gt, ds, matchFrame(gt, ds, ctx), f.frame, ctx, table);
    frameResults[f.frame] = r;
    const fr = r.annotations.confusion_matrix.rows;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) rows[i]![j]! += fr[i]![j]!;
    components = addComponents(components, r.annotation_components);
    ious.push(r.annotation_components.shape.mean_iou);
    const e = emptySides(fr);
    emptyDs += +e.ds;
    emptyGt += +e.gt;
    emptyBoth += +(e.ds && e.gt);
    emptyEither += +(e.ds || e.gt);
  }
  let annotations = annotationsSummary(table.names, rows);
  if (settings.empty_is_annotated) {
    annotations = withRatios({
      ...annotations,
      valid_count: annotations.valid_count + emptyBoth,
      total_count: annotations.total_count + emptyEither,
      ds_count: annotations.ds_count + emptyDs,
      gt_count: annotations.gt_count + emptyGt,
    });
  }
  components = { ...components, shape: { ...components.shape, mean_iou: mean(ious) } };
  const conflicts = Object.values(frameResults).flatMap((r) => r.conflicts);
  const frameCount = frames.length;
  const counts = countConflicts(conflicts);
  return {
    parameters: { ...settings, inherited: input.inherited ?? false },
    comparison_summary: {
      frames: frames.map((f) => f.frame),
      frame_count: frameCount,
      total_frames: input.job.frame_count,
      frame_share: frameCount / (input.job.frame_count || 1),
      mean_conflict_count: counts.conflict_count / (frameCount || 1),
      ...counts,
      annotations,
      annotation_components: components,
      tasks: null,
      jobs: null,
    },
    frame_results: frameResults,
  };
}
