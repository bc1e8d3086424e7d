/** compareJob end to end: tracks, honeypot frames, which objects take part, kinds compared together. */
import { describe, expect, it } from 'vitest';
import { box, compare, conflictsOf, GT_JOB, JOB, keyframe, PERSON, shape, skeleton, track } from './helpers.js';

const at = (...frames: number[]) => frames.map((frame) => ({ frame, width: 100, height: 100 }));

describe('tracks', () => {
  it('are compared frame by frame at their interpolated shape, named by track id', () => {
    // Keyframes [0,10]x[0,10] at frame 0 and [20,30]x[0,10] at frame 20: at frame 10 the box is [10,20]x[0,10].
    const t = track(50, [keyframe(0, [0, 0, 10, 10]), keyframe(20, [20, 0, 30, 10]), keyframe(30, [20, 0, 30, 10], { outside: true })]);
    const gtShapes = [box(1, 10, 0, 20, 10, { frame: 10 }), box(2, 20, 0, 30, 10, { frame: 30, label_id: PERSON })];
    const r = compare({ shapes: gtShapes }, { tracks: [t] }, { frames: at(10, 30) });
    // Frame 10 matches exactly; at 30 the track is outside, so the ground truth's box is missing.
    expect(r.frame_results![10]!.conflicts).toEqual([]);
    expect(r.frame_results![10]!.annotation_components.shape.mean_iou).toBe(1);
    expect(conflictsOf(r)).toEqual([
      { frame: 30, type: 'missing_annotation', severity: 'error', annotation_ids: [{ obj_id: 2, job_id: GT_JOB, type: 'shape', shape_type: 'rectangle' }] },
    ]);
  });

  it('name the track in conflicts', () => {
    const t = track(50, [keyframe(0, [0, 0, 10, 10])], { label_id: PERSON });
    const r = compare({ shapes: [box(1, 0, 0, 10, 10)] }, { tracks: [t] });
    expect(conflictsOf(r)[0]!.annotation_ids[0]).toEqual({ obj_id: 50, job_id: JOB, type: 'track', shape_type: 'rectangle' });
  });
});

describe('frames', () => {
  it('compares a honeypot frame of the job with the ground truth of its validation frame', () => {
    const r = compare({ shapes: [box(1, 0, 0, 10, 10, { frame: 100 })] }, { shapes: [box(2, 0, 0, 10, 5, { frame: 5 })] }, { frames: [{ frame: 5, gt_frame: 100, width: 100, height: 100 }] });
    expect(conflictsOf(r).map((c) => [c.frame, c.type])).toEqual([[5, 'low_overlap']]);
    expect(r.comparison_summary.frames).toEqual([5]);
  });

  it('looks only at validation frames and at labels of the task', () => {
    const r = compare(
      { shapes: [box(1, 0, 0, 10, 10)] },
      { shapes: [box(2, 0, 0, 10, 10), box(3, 50, 50, 60, 60, { frame: 1 }), box(4, 50, 50, 60, 60, { label_id: 999 })] },
    );
    expect(r.comparison_summary.annotations).toMatchObject({ valid_count: 1, total_count: 1 });
    expect(conflictsOf(r)).toEqual([]);
  });
});

describe('kinds', () => {
  it('compares masks with polygons (one segmentation kind), and boxes only with boxes', () => {
    const mask = shape(2, 'mask', [0, 100, 0, 0, 9, 9]);
    const r = compare({ shapes: [shape(1, 'polygon', [0, 0, 10, 0, 10, 10, 0, 10])] }, { shapes: [mask] });
    expect(r.comparison_summary.annotations).toMatchObject({ valid_count: 1, total_count: 1 });
    const boxVsPolygon = compare({ shapes: [shape(1, 'polygon', [0, 0, 10, 0, 10, 10, 0, 10])] }, { shapes: [box(2, 0, 0, 10, 10)] });
    expect(conflictsOf(boxVsPolygon).map((c) => c.type)).toEqual(['missing_annotation', 'extra_annotation']);
  });

  it('matches each part of a merged polygon group, as CVAT counts them', () => {
    // One ground-truth square against the job's two grouped halves: one object each side, IoU 1,
    // reported as two matched pairs (square-half 1, square-half 2). The ground truth's square
    // stands alone while the job grouped its halves: each pair is also a mismatching group.
    const halves = [shape(2, 'polygon', [0, 0, 5, 0, 5, 10, 0, 10], { group: 4 }), shape(3, 'polygon', [5, 0, 10, 0, 10, 10, 5, 10], { group: 4 })];
    const r = compare({ shapes: [shape(1, 'polygon', [0, 0, 10, 0, 10, 10, 0, 10])] }, { shapes: halves });
    expect(r.comparison_summary.annotations).toMatchObject({ valid_count: 2, total_count: 2, ds_count: 2, gt_count: 2 });
    expect(conflictsOf(r).map((c) => [c.type, c.annotation_ids.map((a) => a.obj_id)])).toEqual([
      ['mismatching_groups', [2, 1]],
      ['mismatching_groups', [3, 1]],
    ]);
    // Grouped alike on both sides, nothing to report.
    const gtHalves = halves.map((h, i) => ({ ...h, id: 10 + i, group: 9 }));
    expect(conflictsOf(compare({ shapes: gtHalves }, { shapes: halves }))).toEqual([]);
  });

  it('compares skeletons point by point and leaves out skeletons with every point outside', () => {
    const pts: Array<[number, number]> = [[10, 10], [30, 10], [10, 30]];
    const r = compare({ shapes: [skeleton(1, pts)] }, { shapes: [skeleton(2, pts)] });
    expect(r.comparison_summary.annotations).toMatchObject({ valid_count: 1, total_count: 1 });
    const gone = skeleton(2, pts, {}, [{ outside: true }, { outside: true }, { outside: true }]);
    const r2 = compare({ shapes: [skeleton(1, pts)] }, { shapes: [gone] });
    expect(conflictsOf(r2).map((c) => c.type)).toEqual(['missing_annotation']);
  });

  it('matches points by OKS within iou_threshold', () => {
    // Single points on a 100 x 100 image: s = 10^4, score exp(-d²/648). 20 px: exp(-400/648) = 0.539 (a
    // low-overlap match); 30 px: exp(-900/648) = 0.249 < 0.4 (no match).
    const p = (id: number, x: number) => shape(id, 'points', [x, 50]);
    expect(conflictsOf(compare({ shapes: [p(1, 10)] }, { shapes: [p(2, 30)] })).map((c) => c.type)).toEqual(['low_overlap']);
    expect(conflictsOf(compare({ shapes: [p(1, 10)] }, { shapes: [p(2, 40)] })).map((c) => c.type)).toEqual(['missing_annotation', 'extra_annotation']);
  });
});
