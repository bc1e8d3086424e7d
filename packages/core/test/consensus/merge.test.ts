/**
 * Consensus merges worked out by hand: three replicas (jobs 11, 12, 13) of a parent job (10) on
 * one 100 x 100 frame unless told otherwise, with the defaults (quorum 0.5: 2 votes of 3; IoU 0.4).
 */
import { describe, expect, it } from 'vitest';
import type { Annotations, LabeledShape } from '../../src/annotations/types.js';
import { mergeReplicas, type MergeInput } from '../../src/consensus/merge.js';
import { box, CAR, COLOR, DAY, NIGHT, PARKED, PERSON, POSE, SCHEMA, shape, skeleton, SPEED, tag, track, keyframe } from '../quality/helpers.js';

type Data = Partial<Omit<Annotations, 'version'>>;

function merge(replicas: Data[], over: Partial<MergeInput> = {}) {
  return mergeReplicas({
    parent_job_id: 10,
    labels: SCHEMA,
    replicas: replicas.map((d, i) => ({ job_id: 11 + i, annotations: { tags: [], shapes: [], tracks: [], ...d } })),
    frames: [{ frame: 0, width: 100, height: 100 }],
    ...over,
  });
}

const geometry = (s: LabeledShape) => ({ type: s.type, frame: s.frame, label_id: s.label_id, points: s.points });

describe('boxes', () => {
  // Boxes 10 x 10 at x = 0, 2, 4: IoU 2/3 side by side, 0.43 across, all above 0.4: one object.
  const three = [{ shapes: [box(1, 0, 0, 10, 10)] }, { shapes: [box(2, 2, 0, 12, 10)] }, { shapes: [box(3, 4, 0, 14, 10)] }];

  it('takes the box nearest the mean of the three (the middle one), with score 3/3 and source consensus', () => {
    const { annotations } = merge(three);
    expect(annotations.shapes.map(geometry)).toEqual([{ type: 'rectangle', frame: 0, label_id: CAR, points: [2, 0, 12, 10] }]);
    expect(annotations.shapes[0]).toMatchObject({ source: 'consensus', score: 1, group: 0, occluded: false, outside: false });
    expect(annotations.tags).toEqual([]);
    expect(annotations.tracks).toEqual([]);
  });

  it('gives the label most replicas gave, scored votes / replicas, and the shape among those who voted for it', () => {
    // Replica 12 calls it a person: car wins 2 to 1 (score 2/3). The shape is chosen among the
    // car boxes (x 0 and 1) by pixels, as CVAT chooses: filled as pycocotools fills a polygon, a
    // box takes the pixel columns whose centres (c + 0.5, on its grid of fifths rounded) lie
    // inside, so the mean box (x 0.5 to 10.5) covers columns 1 to 10, exactly those of the box
    // at x 1 (IoU 1; the box at x 0 covers 0 to 9: IoU 9/11).
    const { annotations } = merge([
      { shapes: [box(1, 0, 0, 10, 10)] },
      { shapes: [box(2, 0, 0, 10, 10, { label_id: PERSON })] },
      { shapes: [box(3, 1, 0, 11, 10)] },
    ]);
    expect(annotations.shapes.map(geometry)).toEqual([{ type: 'rectangle', frame: 0, label_id: CAR, points: [1, 0, 11, 10] }]);
    expect(annotations.shapes[0]!.score).toBeCloseTo(2 / 3, 12);
  });

  it('drops an object fewer replicas than the quorum saw, and keeps it when the quorum allows', () => {
    const extra = [{ shapes: [box(1, 0, 0, 10, 10), box(9, 50, 50, 60, 60)] }, three[1]!, three[2]!];
    const { annotations, agreement } = merge(extra);
    expect(annotations.shapes.map((s) => s.points)).toEqual([[2, 0, 12, 10]]);
    expect(agreement).toMatchObject({ required_votes: 2, merged_count: 1, dropped_count: 1 });

    const all = merge(extra, { settings: { quorum: 0 } }).annotations.shapes;
    expect(all.map((s) => [s.points, s.score])).toEqual([
      [[2, 0, 12, 10], 1],
      [[50, 50, 60, 60], 1 / 3],
    ]);
    // A quorum of 1 needs all three: the shared box still has them.
    expect(merge(extra, { settings: { quorum: 1 } }).annotations.shapes.map((s) => s.points)).toEqual([[2, 0, 12, 10]]);
  });

  it('drops a label with too few votes even when the object was seen by all', () => {
    // car, person, car-at-x1 with quorum 1 (3 votes needed): car has 2.
    const { annotations, agreement } = merge(
      [{ shapes: [box(1, 0, 0, 10, 10)] }, { shapes: [box(2, 0, 0, 10, 10, { label_id: PERSON })] }, { shapes: [box(3, 1, 0, 11, 10)] }],
      { settings: { quorum: 1 } },
    );
    expect(annotations.shapes).toEqual([]);
    expect(agreement.dropped_count).toBe(1);
  });

  it('puts at most one object of a replica in an object, and the matching threshold decides what is one object', () => {
    // Replica 11 drew the car twice (x 0 and 1); replica 12 once (x 0); replica 13 nothing. The
    // pair x0/x0 is one object (2 votes); replica 11's second box is alone (1 vote): dropped.
    const { annotations } = merge([{ shapes: [box(1, 0, 0, 10, 10), box(2, 1, 0, 11, 10)] }, { shapes: [box(3, 0, 0, 10, 10)] }, {}]);
    expect(annotations.shapes.map((s) => [s.points, s.score])).toEqual([[[0, 0, 10, 10], 2 / 3]]);
    // At IoU 0.9 the boxes at x 0, 2, 4 (2/3 apart) are three objects of one vote each.
    expect(merge(three, { settings: { iou_threshold: 0.9 } }).annotations.shapes).toEqual([]);
  });

  it('votes attributes and occluded by majority among the replicas that gave the winning label', () => {
    const car = (id: number, x: number, color: string, speed: string, occluded: boolean) =>
      box(id, x, 0, x + 10, 10, { occluded, attributes: [{ spec_id: COLOR, value: color }, { spec_id: SPEED, value: speed }] });
    const { annotations } = merge([
      { shapes: [car(1, 0, 'blue', '1.0', true)] },
      { shapes: [car(2, 1, 'blue', '1', false)] },
      { shapes: [car(3, 2, 'red', '2', false)] },
    ]);
    const [merged] = annotations.shapes;
    // color blue (2 of 3), speed 1 ("1.0" and "1" are one number), parked unset everywhere: its default.
    expect(merged!.attributes).toEqual([
      { spec_id: COLOR, value: 'blue' },
      { spec_id: SPEED, value: '1' },
      { spec_id: PARKED, value: 'false' },
    ]);
    expect(merged!.occluded).toBe(false);
  });

  it('takes the highest z order of the voters', () => {
    const { annotations } = merge([{ shapes: [box(1, 0, 0, 10, 10, { z_order: 3 })] }, { shapes: [box(2, 0, 0, 10, 10, { z_order: 5 })] }, {}]);
    expect(annotations.shapes[0]!.z_order).toBe(5);
  });
});

describe('other kinds', () => {
  it('points: matched by OKS, the shape nearest the mean box taken', () => {
    // Two points spanning 40 x 40, shifted by 1 and 2 px: OKS exp(-1/103.68) and exp(-4/103.68)
    // (scale: the mean box, 1600; 2 x 1600 x (2 x 0.09)^2 = 103.68), well above 0.4.
    const pts = (id: number, dx: number) => shape(id, 'points', [0 + dx, 0, 40 + dx, 40]);
    const { annotations, agreement } = merge([{ shapes: [pts(1, 0)] }, { shapes: [pts(2, 1)] }, { shapes: [pts(3, 2)] }]);
    expect(annotations.shapes.map(geometry)).toEqual([{ type: 'points', frame: 0, label_id: CAR, points: [1, 0, 41, 40] }]);
    expect(agreement.pairs[0]!.mean_similarity).toBeCloseTo(Math.exp(-1 / 103.68), 9);
    expect(agreement.pairs[1]!.mean_similarity).toBeCloseTo(Math.exp(-4 / 103.68), 9);
  });

  it('polygons: matched by pixel IoU, the polygon whose pixels best cover the mean box taken', () => {
    // 10 x 10 squares at x = 0, 2, 4: 100 pixels each, 80 and 60 shared.
    const square = (id: number, x: number) => shape(id, 'polygon', [x, 0, x + 10, 0, x + 10, 10, x, 10]);
    const { annotations, agreement } = merge([{ shapes: [square(1, 0)] }, { shapes: [square(2, 2)] }, { shapes: [square(3, 4)] }]);
    expect(annotations.shapes.map(geometry)).toEqual([{ type: 'polygon', frame: 0, label_id: CAR, points: [2, 0, 12, 0, 12, 10, 2, 10] }]);
    expect(agreement.pairs.map((p) => p.mean_similarity)).toEqual([80 / 120, 60 / 140, 80 / 120]);
  });

  it('polygons and masks are compared with each other', () => {
    // A mask of the same 10 x 10 pixels as the polygons: CVAT's runs over its box (background first), then left, top, right, bottom.
    const mask = shape(2, 'mask', [0, 100, 0, 0, 9, 9]);
    const polygon = (id: number) => shape(id, 'polygon', [0, 0, 10, 0, 10, 10, 0, 10]);
    const { annotations } = merge([{ shapes: [polygon(1)] }, { shapes: [mask] }, { shapes: [polygon(3)] }]);
    expect(annotations.shapes).toHaveLength(1);
    expect(annotations.shapes[0]!.score).toBe(1);
  });

  it('skeletons: the one most alike to the others, with its points', () => {
    const pose = (id: number, dx: number) => skeleton(id, [[10 + dx, 10], [20 + dx, 10], [30 + dx, 30]]);
    const { annotations } = merge([{ shapes: [pose(1, 0)] }, { shapes: [pose(2, 1)] }, { shapes: [pose(3, 2)] }]);
    expect(annotations.shapes).toHaveLength(1);
    const [s] = annotations.shapes;
    expect(s).toMatchObject({ type: 'skeleton', label_id: POSE, points: [], score: 1, source: 'consensus' });
    expect(s!.elements.map((e) => [e.label_id, e.points, e.source])).toEqual([
      [31, [11, 10], 'consensus'],
      [32, [21, 10], 'consensus'],
      [33, [31, 30], 'consensus'],
    ]);
  });

  it('tags: a label enough replicas gave is kept, once', () => {
    const { annotations, agreement } = merge([{ tags: [tag(1, DAY), tag(2, DAY)] }, { tags: [tag(3, DAY)] }, { tags: [tag(4, NIGHT)] }]);
    expect(annotations.tags).toEqual([{ frame: 0, label_id: DAY, group: 0, source: 'consensus', attributes: [] }]);
    // 11/12 agree on day; 13's night pairs with day as a different label; 11's second day has no partner.
    expect(agreement.pairs.map((p) => [p.job_ids, p.matched_count, p.mismatched_count, p.unmatched_count])).toEqual([
      [[11, 12], 1, 0, 1],
      [[11, 13], 0, 1, 1],
      [[12, 13], 0, 1, 0],
    ]);
  });

  it('tracks give a shape on each frame they show, merged there like any shape', () => {
    // Replica 11's track moves from x 0 (frame 0) to x 20 (frame 2); replica 12 drew the same
    // boxes on frames 0 and 1 only; replica 13 nothing. Frame 2 has one vote of the two needed.
    const frames = [0, 1, 2].map((frame) => ({ frame, width: 100, height: 100 }));
    const moving = track(1, [keyframe(0, [0, 0, 10, 10]), keyframe(2, [20, 0, 30, 10])]);
    const { annotations } = merge([{ tracks: [moving] }, { shapes: [box(2, 0, 0, 10, 10), box(3, 10, 0, 20, 10, { frame: 1 })] }, {}], { frames });
    expect(annotations.shapes.map(geometry)).toEqual([
      { type: 'rectangle', frame: 0, label_id: CAR, points: [0, 0, 10, 10] },
      { type: 'rectangle', frame: 1, label_id: CAR, points: [10, 0, 20, 10] },
    ]);
    expect(annotations.tracks).toEqual([]);
  });

  it('leaves frames that are not the parent job\'s alone', () => {
    const { annotations } = merge([{ shapes: [box(1, 0, 0, 10, 10, { frame: 5 })] }, { shapes: [box(2, 0, 0, 10, 10, { frame: 5 })] }, {}]);
    expect(annotations.shapes).toEqual([]);
  });
});

describe('agreement', () => {
  it('pairwise and per replica, against each other and against the merged result', () => {
    // Replica 11 also drew a box nobody else drew.
    const { agreement } = merge([{ shapes: [box(1, 0, 0, 10, 10), box(9, 50, 50, 60, 60)] }, { shapes: [box(2, 2, 0, 12, 10)] }, { shapes: [box(3, 4, 0, 14, 10)] }]);
    expect(agreement).toMatchObject({ parent_job_id: 10, replica_count: 3, frame_count: 1, merged_count: 1, dropped_count: 1, mean_score: 1 });
    expect(agreement.pairs.map((p) => [p.job_ids, p.matched_count, p.unmatched_count, p.agreement])).toEqual([
      [[11, 12], 1, 1, 0.5],
      [[11, 13], 1, 1, 0.5],
      [[12, 13], 1, 0, 1],
    ]);
    expect(agreement.pairs[0]!.mean_similarity).toBeCloseTo(80 / 120, 12);
    expect(agreement.agreement).toBeCloseTo(2 / 3, 12);
    expect(agreement.replicas).toEqual([
      { job_id: 11, annotation_count: 2, agreed_count: 1, precision: 0.5, recall: 1, mean_agreement: 0.5 },
      { job_id: 12, annotation_count: 1, agreed_count: 1, precision: 1, recall: 1, mean_agreement: 0.75 },
      { job_id: 13, annotation_count: 1, agreed_count: 1, precision: 1, recall: 1, mean_agreement: 0.75 },
    ]);
  });

  it('counts a different label on the same object as a disagreement', () => {
    const { agreement } = merge([{ shapes: [box(1, 0, 0, 10, 10)] }, { shapes: [box(2, 0, 0, 10, 10, { label_id: PERSON })] }]);
    expect(agreement.pairs).toEqual([
      { job_ids: [11, 12], matched_count: 0, mismatched_count: 1, unmatched_count: 0, agreement: 0, mean_similarity: null },
    ]);
    // Two replicas need one vote: each label has one, car (the earlier replica's) wins the tie.
    expect(agreement).toMatchObject({ required_votes: 1, merged_count: 1, mean_score: 0.5 });
    expect(agreement.replicas.map((r) => [r.job_id, r.agreed_count, r.precision])).toEqual([[11, 1, 1], [12, 0, 0]]);
  });

  it('is null where there is nothing to compare', () => {
    const { agreement, annotations } = merge([{}, {}]);
    expect(annotations.shapes).toEqual([]);
    expect(agreement).toMatchObject({ merged_count: 0, mean_score: null, agreement: null });
    expect(agreement.replicas[0]).toEqual({ job_id: 11, annotation_count: 0, agreed_count: 0, precision: null, recall: null, mean_agreement: null });
  });
});
