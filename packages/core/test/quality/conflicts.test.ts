/** One case per conflict type, through compareJob, with the ids and severities CVAT reports. */
import { describe, expect, it } from 'vitest';
import { box, COLOR, compare, conflictsOf, GT_JOB, JOB, LANE, PARKED, PERSON, shape, shapeId, SPEED } from './helpers.js';

const typesOf = (r: ReturnType<typeof compare>) => conflictsOf(r).map((c) => c.type);

describe('errors', () => {
  it('missing_annotation: a ground-truth object with no match names the ground truth\'s object', () => {
    const r = compare({ shapes: [box(7, 0, 0, 10, 10)] }, {});
    expect(conflictsOf(r)).toEqual([
      { frame: 0, type: 'missing_annotation', severity: 'error', annotation_ids: [shapeId(GT_JOB, 7, 'rectangle')] },
    ]);
  });

  it('extra_annotation: a job object with no match names the job\'s object', () => {
    const r = compare({}, { shapes: [box(8, 0, 0, 10, 10)] });
    expect(conflictsOf(r)).toEqual([
      { frame: 0, type: 'extra_annotation', severity: 'error', annotation_ids: [shapeId(JOB, 8, 'rectangle')] },
    ]);
  });

  it('mismatching_label: geometry matches, label differs; ids are [job, ground truth]', () => {
    const r = compare({ shapes: [box(7, 0, 0, 10, 10)] }, { shapes: [box(8, 0, 0, 10, 10, { label_id: PERSON })] });
    expect(conflictsOf(r)).toEqual([
      { frame: 0, type: 'mismatching_label', severity: 'error', annotation_ids: [shapeId(JOB, 8, 'rectangle'), shapeId(GT_JOB, 7, 'rectangle')] },
    ]);
  });

  it('pairs below iou_threshold are a missing and an extra object, not a match', () => {
    // [0,10]x[0,10] against [0,10]x[0,3.5]: IoU 35/100 = 0.35 < 0.4.
    expect(typesOf(compare({ shapes: [box(7, 0, 0, 10, 10)] }, { shapes: [box(8, 0, 0, 10, 3.5)] }))).toEqual(['missing_annotation', 'extra_annotation']);
    // With the threshold lowered to 0.3 they match, with low overlap.
    expect(typesOf(compare({ shapes: [box(7, 0, 0, 10, 10)] }, { shapes: [box(8, 0, 0, 10, 3.5)] }, { settings: { iou_threshold: 0.3 } }))).toEqual(['low_overlap']);
  });
});

describe('warnings', () => {
  it('low_overlap: matched with similarity under low_overlap_threshold', () => {
    // IoU 50/100 = 0.5: at least 0.4 (a match), under 0.8.
    const r = compare({ shapes: [box(7, 0, 0, 10, 10)] }, { shapes: [box(8, 0, 0, 10, 5)] });
    expect(conflictsOf(r)).toEqual([
      { frame: 0, type: 'low_overlap', severity: 'warning', annotation_ids: [shapeId(JOB, 8, 'rectangle'), shapeId(GT_JOB, 7, 'rectangle')] },
    ]);
    // IoU 0.8 exactly is not low.
    expect(typesOf(compare({ shapes: [box(7, 0, 0, 10, 10)] }, { shapes: [box(8, 0, 0, 10, 8)] }))).toEqual([]);
  });

  it('mismatching_direction: a line drawn the other way round', () => {
    const line = (id: number, points: number[]) => shape(id, 'polyline', points, { label_id: LANE });
    const r = compare({ shapes: [line(7, [0, 50, 100, 50])] }, { shapes: [line(8, [100, 50, 0, 50])] });
    expect(conflictsOf(r)).toEqual([
      { frame: 0, type: 'mismatching_direction', severity: 'warning', annotation_ids: [shapeId(JOB, 8, 'polyline'), shapeId(GT_JOB, 7, 'polyline')] },
    ]);
    expect(typesOf(compare({ shapes: [line(7, [0, 50, 100, 50])] }, { shapes: [line(8, [100, 50, 0, 50])] }, { settings: { compare_line_orientation: false } }))).toEqual([]);
  });

  it('mismatching_attributes: a value differs, occluded differs; equal numbers written differently do not', () => {
    const gt = box(7, 0, 0, 10, 10, { attributes: [{ spec_id: COLOR, value: 'red' }, { spec_id: SPEED, value: '1' }] });
    const same = box(8, 0, 0, 10, 10, { attributes: [{ spec_id: SPEED, value: '1.0' }, { spec_id: PARKED, value: 'False' }] });
    // color left out = its default "red"; speed 1.0 = 1; parked "False" = the default false.
    expect(typesOf(compare({ shapes: [gt] }, { shapes: [same] }))).toEqual([]);
    const blue = box(8, 0, 0, 10, 10, { attributes: [{ spec_id: COLOR, value: 'blue' }, { spec_id: SPEED, value: '1' }] });
    expect(conflictsOf(compare({ shapes: [gt] }, { shapes: [blue] }))).toEqual([
      { frame: 0, type: 'mismatching_attributes', severity: 'warning', annotation_ids: [shapeId(JOB, 8, 'rectangle'), shapeId(GT_JOB, 7, 'rectangle')] },
    ]);
    const occluded = { ...same, occluded: true };
    expect(typesOf(compare({ shapes: [gt] }, { shapes: [occluded] }))).toEqual(['mismatching_attributes']);
    expect(typesOf(compare({ shapes: [gt] }, { shapes: [blue] }, { settings: { compare_attributes: false } }))).toEqual([]);
  });

  it('mismatching_groups: an object grouped in the ground truth but left out of the job\'s group', () => {
    // Ground truth: box, points and line in group 1. Job: box and points in group 7, the line alone.
    // Groups pair by matched members: {box, points} holds 2 of the 3 (Jaccard 2/3 >= 0.5), the
    // lone line 1 of 3 (1/3). The line's job group is matched to no ground-truth group.
    const gt = [box(1, 0, 0, 100, 100, { group: 1 }), shape(2, 'points', [10, 10, 50, 50, 90, 10], { group: 1 }), shape(3, 'polyline', [0, 50, 100, 50], { group: 1, label_id: LANE })];
    const ds = [box(4, 0, 0, 100, 100, { group: 7 }), shape(5, 'points', [10, 10, 50, 50, 90, 10], { group: 7 }), shape(6, 'polyline', [0, 50, 100, 50], { label_id: LANE })];
    expect(conflictsOf(compare({ shapes: gt }, { shapes: ds }))).toEqual([
      { frame: 0, type: 'mismatching_groups', severity: 'warning', annotation_ids: [shapeId(JOB, 6, 'polyline'), shapeId(GT_JOB, 3, 'polyline')] },
    ]);
  });

  it('mismatching_groups: objects alone in the ground truth but grouped in the job', () => {
    const gt = [box(1, 0, 0, 100, 100), shape(2, 'points', [10, 10, 50, 50, 90, 10])];
    const ds = [box(4, 0, 0, 100, 100, { group: 7 }), shape(5, 'points', [10, 10, 50, 50, 90, 10], { group: 7 })];
    expect(typesOf(compare({ shapes: gt }, { shapes: ds }))).toEqual(['mismatching_groups', 'mismatching_groups']);
    expect(typesOf(compare({ shapes: gt }, { shapes: ds }, { settings: { compare_groups: false } }))).toEqual([]);
  });

  it('covered_annotation: a job object hidden under others above it in z order', () => {
    // The job's 20 px square at z 0 lies inside a 30 px square at z 1: 0% of it shows (< 5%).
    // Compared without panoptic visibility so that both match their ground truth.
    const objects = (first: number) => [
      shape(first, 'polygon', [10, 10, 30, 10, 30, 30, 10, 30]),
      shape(first + 1, 'polygon', [5, 5, 35, 5, 35, 35, 5, 35], { z_order: 1 }),
    ];
    const r = compare({ shapes: objects(1) }, { shapes: objects(3) }, { settings: { panoptic_comparison: false } });
    expect(conflictsOf(r)).toEqual([
      { frame: 0, type: 'covered_annotation', severity: 'warning', annotation_ids: [shapeId(JOB, 3, 'polygon')] },
    ]);
    // Half of a box showing is not covered; a box fully under a box is.
    const boxes = (first: number, x: number) => [box(first, 10, 10, 20, 20), box(first + 1, x, 0, 40, 40, { z_order: 1 })];
    expect(typesOf(compare({ shapes: boxes(1, 15) }, { shapes: boxes(3, 15) }))).toEqual([]);
    expect(typesOf(compare({ shapes: boxes(1, 0) }, { shapes: boxes(3, 0) }))).toEqual(['covered_annotation']);
    expect(typesOf(compare({ shapes: boxes(1, 0) }, { shapes: boxes(3, 0) }, { settings: { check_covered_annotations: false } }))).toEqual([]);
  });
});
