/**
 * A small job worked through by hand: labels car, person (and the schema's others), three
 * validation frames of a job of 10 frames.
 *   frame 0: ground truth car A [0,10]², person B [20,30]x[0,10];
 *            job car A' on A, car B' on B (label wrong), person C far away (extra)
 *   frame 1: ground truth car D; job nothing (D missing)
 *   frame 2: nothing on either side
 */
import { describe, expect, it } from 'vitest';
import { annotationsSummary, confusionMatrix } from '../../src/quality/metrics.js';
import { box, CAR, compare, DAY, JOB, NIGHT, PERSON, tag } from './helpers.js';

const gt = { shapes: [box(1, 0, 0, 10, 10), box(2, 20, 0, 30, 10, { label_id: PERSON }), box(3, 0, 0, 10, 10, { frame: 1 })] };
const ds = { shapes: [box(11, 0, 0, 10, 10), box(12, 20, 0, 30, 10, { label_id: CAR }), box(13, 60, 60, 80, 80, { label_id: PERSON })] };
const frames = [0, 1, 2].map((frame) => ({ frame, width: 100, height: 100 }));
const labels = ['car', 'person', 'pose', 'day', 'night', 'lane', 'unmatched'];

describe('a job report', () => {
  const r = compare(gt, ds, { frames });
  const s = r.comparison_summary;

  it('fills the confusion matrix: rows the job\'s labels, columns the ground truth\'s, unmatched last', () => {
    const cm = s.annotations.confusion_matrix;
    expect(cm.labels).toEqual(labels);
    const cell = (ds: number, gt: number) => cm.rows[ds]![gt];
    expect(cell(0, 0)).toBe(1); // A' car on car A
    expect(cell(0, 1)).toBe(1); // B' car on person B
    expect(cell(1, 6)).toBe(1); // C person, no ground truth: extra
    expect(cell(6, 0)).toBe(1); // D car, nothing in the job: missing
    expect(cm.rows.flat().reduce((a, b) => a + b, 0)).toBe(4);
  });

  it('counts valid = matched with the right label, total = matched + mismatched + missing + extra', () => {
    // valid 1; total 4; the job's 3 (A', B', C), the ground truth's 3 (A, B, D).
    expect(s.annotations).toMatchObject({ valid_count: 1, total_count: 4, ds_count: 3, gt_count: 3, missing_count: 1, extra_count: 1 });
    expect(s.annotations.accuracy).toBeCloseTo(1 / 4, 12);
    expect(s.annotations.precision).toBeCloseTo(1 / 3, 12);
    expect(s.annotations.recall).toBeCloseTo(1 / 3, 12);
  });

  it('gives per-label precision, recall, accuracy and Jaccard index', () => {
    const cm = s.annotations.confusion_matrix;
    // car: 1 right of 2 in the job (row) and of 2 in the ground truth (column).
    expect(cm.precision[0]).toBeCloseTo(0.5, 12);
    expect(cm.recall[0]).toBeCloseTo(0.5, 12);
    expect(cm.jaccard_index[0]).toBeCloseTo(1 / 3, 12); // 1 / (2 + 2 - 1)
    expect(cm.accuracy[0]).toBeCloseTo(0.5, 12); // (4 - 1 FP - 1 FN) / 4
    // person: none right of 1 and 1; accuracy (4 - 1 - 1) / 4.
    expect([cm.precision[1], cm.recall[1], cm.jaccard_index[1], cm.accuracy[1]]).toEqual([0, 0, 0, 0.5]);
    // A label nobody used: no errors, accuracy 1, the rest 0 (0 / 1).
    expect([cm.precision[2], cm.recall[2], cm.accuracy[2]]).toEqual([0, 0, 1]);
  });

  it('splits shapes (geometry) from labels', () => {
    // Geometry matched A-A' and B-B' (label aside): 2 valid of 4; labels 1 right of 2 pairs.
    expect(s.annotation_components.shape).toMatchObject({ valid_count: 2, missing_count: 1, extra_count: 1, total_count: 4, ds_count: 3, gt_count: 3, accuracy: 0.5 });
    expect(s.annotation_components.label).toMatchObject({ valid_count: 1, invalid_count: 1, total_count: 2, accuracy: 0.5 });
  });

  it('averages IoU per frame, then over frames', () => {
    // Frame 0: pairs 1 and 1, C's best overlap with any ground-truth box 0: mean 2/3.
    // Frame 1: D alone, 0. Frame 2: nothing, 0. Over the three frames: 2/9.
    expect(r.frame_results![0]!.annotation_components.shape.mean_iou).toBeCloseTo(2 / 3, 12);
    expect(s.annotation_components.shape.mean_iou).toBeCloseTo(2 / 9, 12);
  });

  it('reports per-frame results and frame counts', () => {
    expect(s.frames).toEqual([0, 1, 2]);
    expect(s.frame_count).toBe(3);
    expect(s.total_frames).toBe(10);
    expect(s.frame_share).toBeCloseTo(0.3, 12);
    expect(r.frame_results![0]!.conflicts.map((c) => c.type)).toEqual(['extra_annotation', 'mismatching_label']);
    expect(r.frame_results![1]!.conflicts.map((c) => c.type)).toEqual(['missing_annotation']);
    expect(r.frame_results![2]!).toMatchObject({ conflict_count: 0, annotations: { total_count: 0, accuracy: 0 } });
    expect(s).toMatchObject({ conflict_count: 3, error_count: 3, warning_count: 0, conflicts_by_type: { missing_annotation: 1, extra_annotation: 1, mismatching_label: 1 } });
    expect(s.mean_conflict_count).toBeCloseTo(1, 12);
    expect(r.frame_results![0]!.conflicts[0]!.annotation_ids[0]).toEqual({ obj_id: 13, job_id: JOB, type: 'shape', shape_type: 'rectangle' });
  });
});

describe('empty_is_annotated', () => {
  it('counts a frame empty on both sides as one valid annotation, and an empty side as one annotation', () => {
    const r = compare(gt, ds, { frames, settings: { empty_is_annotated: true } });
    // Job side empty on frames 1 and 2, ground truth on frame 2: valid 1 + 1, total 4 + 2,
    // job's 3 + 2, ground truth's 3 + 1.
    expect(r.comparison_summary.annotations).toMatchObject({ valid_count: 2, total_count: 6, ds_count: 5, gt_count: 4 });
    expect(r.comparison_summary.annotations.accuracy).toBeCloseTo(2 / 6, 12);
    // Frame 2 alone scores 1 instead of 0; frame 1 keeps its missing object and counts a virtual job annotation.
    expect(r.frame_results![2]!.annotations).toMatchObject({ valid_count: 1, total_count: 1, accuracy: 1, precision: 1, recall: 1 });
    expect(r.frame_results![2]!.annotation_components.shape).toMatchObject({ valid_count: 1, total_count: 1 });
    expect(r.frame_results![1]!.annotations).toMatchObject({ valid_count: 0, total_count: 1, ds_count: 1, gt_count: 1 });
  });

  it('scores an all-empty job 0 without it and 1 with it', () => {
    const only2 = [{ frame: 2, width: 100, height: 100 }];
    expect(compare({}, {}, { frames: only2 }).comparison_summary.annotations.accuracy).toBe(0);
    expect(compare({}, {}, { frames: only2, settings: { empty_is_annotated: true } }).comparison_summary.annotations.accuracy).toBe(1);
  });
});

describe('tags', () => {
  it('match by label: same label valid, a different one a mismatching label, one left over missing', () => {
    const r = compare({ tags: [tag(1, DAY), tag(2, NIGHT)] }, { tags: [tag(3, NIGHT)] });
    // The job's night pairs with the ground truth's night (1 beats 0.5); day is missing.
    expect(r.comparison_summary.annotations).toMatchObject({ valid_count: 1, total_count: 2 });
    expect(r.frame_results![0]!.conflicts.map((c) => c.type)).toEqual(['missing_annotation']);
    expect(r.frame_results![0]!.conflicts[0]!.annotation_ids).toEqual([{ obj_id: 1, job_id: 1, type: 'tag', shape_type: null }]);
    const wrong = compare({ tags: [tag(1, DAY)] }, { tags: [tag(3, NIGHT)] });
    expect(wrong.frame_results![0]!.conflicts.map((c) => c.type)).toEqual(['mismatching_label']);
    // Tags are not shapes: they count in annotations and labels, not in the shape figures.
    expect(wrong.comparison_summary.annotation_components.shape.total_count).toBe(0);
    expect(wrong.comparison_summary.annotation_components.label).toMatchObject({ valid_count: 0, invalid_count: 1, total_count: 1 });
  });
});

describe('metric helpers', () => {
  it('divide by 1 where a count is 0, as CVAT does', () => {
    const cm = confusionMatrix(['a', 'unmatched'], [[0, 0], [0, 0]]);
    expect(cm.precision).toEqual([0, 0]);
    expect(annotationsSummary(['a', 'unmatched'], [[0, 0], [0, 0]])).toMatchObject({ accuracy: 0, precision: 0, recall: 0 });
  });
});
