/**
 * A consensus merge: the annotations of a parent job's replicas made into one set for the parent
 * job, as CVAT's merge (its IntersectMerge over the quality engine's matchers) makes it. Frame by
 * frame and kind by kind:
 *
 * 1. every two replicas are matched as quality reports match a job with its ground truth
 *    (pairs.ts), geometry first, labels aside;
 * 2. matched objects join clusters, at most one per replica (cluster.ts);
 * 3. a cluster takes the label most of its replicas gave it and is kept only with
 *    ceil(quorum x replicas) such votes; its shape is that of the voting replica nearest the
 *    cluster's mean, its attributes the majority's (vote.ts); its score is votes / replicas;
 * 4. tags are voted per label: a label that enough replicas tagged the frame with is kept.
 *
 * The result holds shapes and tags, source "consensus": a replica's track gives a shape on each
 * frame it shows, as CVAT's merge (which reads jobs as per-frame datasets) does. Groups are not
 * carried over (a merged object is ungrouped).
 */
import { indexLabels, type IndexedLabel } from '../annotations/label-index.js';
import type { LabelSchema } from '../annotations/schema.js';
import type { AttributeValue, LabeledShape, LabeledTag, LabeledTrack, ShapeType } from '../annotations/types.js';
import type { FrameObject } from '../quality/objects.js';
import { AgreementTally, type JobAgreement } from './agreement.js';
import { clusterObjects } from './cluster.js';
import { replicaObjects, type ReplicaData, type ReplicaObject } from './objects.js';
import { matchFamily, ofFamily } from './pairs.js';
import { consensusSettings, requiredVotes, type ConsensusSettings } from './settings.js';
import { FrameSimilarity, SHAPE_FAMILIES, type Family, type FrameSize } from './similarity.js';
import { representative, votedAttributes, winningLabel } from './vote.js';

export interface ConsensusFrame extends FrameSize {
  frame: number;
}

export interface ReplicaInput {
  job_id: number;
  annotations: ReplicaData;
}

export interface MergeInput {
  parent_job_id: number;
  /** The task's labels. */
  labels: LabelSchema;
  /** The replicas merged, in the order ties are settled in (CVAT's: by job id). */
  replicas: readonly ReplicaInput[];
  /** The parent job's frames, with their sizes. */
  frames: readonly ConsensusFrame[];
  settings?: Partial<ConsensusSettings>;
}

export interface MergedAnnotations {
  tags: LabeledTag[];
  shapes: LabeledShape[];
  tracks: LabeledTrack[];
}

export interface MergeResult {
  annotations: MergedAnnotations;
  agreement: JobAgreement;
}

const FAMILIES: readonly Family[] = [...SHAPE_FAMILIES, 'tag'];

export function mergeReplicas(input: MergeInput): MergeResult {
  const settings = consensusSettings(input.settings);
  const labels = indexLabels(input.labels);
  const skeletonPoints = new Map(input.labels.labels.filter((l) => l.sublabels.length).map((l) => [l.id, l.sublabels.map((s) => s.id)]));
  const n = input.replicas.length;
  const required = requiredVotes(settings.quorum, n);
  const seen = new Set<number>();
  const frames = [...input.frames].filter((f) => !seen.has(f.frame) && (seen.add(f.frame), true)).sort((a, b) => a.frame - b.frame);
  const frameNumbers = frames.map((f) => f.frame);
  const byReplica = input.replicas.map((r, i) => replicaObjects(r.annotations, i, r.job_id, frameNumbers, labels));
  const tally = new AgreementTally(input.replicas.map((r) => r.job_id));
  const out: MergedAnnotations = { tags: [], shapes: [], tracks: [] };

  for (const f of frames) {
    const sim = new FrameSimilarity(f, settings.iou_threshold, skeletonPoints);
    const info = new Map<FrameObject, ReplicaObject>();
    const objects = byReplica.map((m, r) => {
      const list = (m.get(f.frame) ?? []).filter((o) => sim.comparable(o.object));
      tally.objectsOf(r, list.length);
      for (const o of list) info.set(o.object, o);
      return list.map((o) => o.object);
    });
    const replicaOf = (o: FrameObject) => info.get(o)!.replica;

    // Every two replicas, kind by kind: the pairs clusters grow along, and the agreement figures.
    const matches = new Map<Family, Array<[FrameObject, FrameObject]>>();
    for (const family of FAMILIES) {
      const found: Array<[FrameObject, FrameObject]> = [];
      const lists = objects.map((list) => ofFamily(list, family));
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const m = matchFamily(lists[i]!, lists[j]!, family, sim);
          for (const p of m.pairs) {
            tally.matched(i, j, p.a.label_id === p.b.label_id, p.similarity, family !== 'tag');
            found.push([p.a, p.b]);
          }
          tally.unmatched(i, j, m.aUnmatched.length + m.bUnmatched.length);
        }
      }
      matches.set(family, found);
    }

    out.tags.push(...mergeTags(f.frame, objects.map((list) => ofFamily(list, 'tag')), labels, required, n, replicaOf, tally));

    for (const family of SHAPE_FAMILIES) {
      const clusters = clusterObjects({
        sources: objects.map((list) => ofFamily(list, family)),
        matches: matches.get(family)!,
        similarity: (a, b) => sim.of(a, b),
        threshold: settings.iou_threshold,
      });
      for (const cluster of clusters) {
        const vote = winningLabel(cluster);
        if (vote.votes < required) {
          tally.drop();
          continue;
        }
        const voters = cluster.filter((m) => m.label_id === vote.label_id);
        const chosen = representative(voters, sim, f);
        const score = vote.votes / n;
        out.shapes.push(mergedShape(f.frame, chosen, info.get(chosen)!.pointAttributes, voters, labels.get(vote.label_id)!, required, score));
        tally.kept(voters.map(replicaOf), score);
      }
    }
  }
  return { annotations: out, agreement: tally.report(input.parent_job_id, required, frames.length) };
}

/** Tags: each label counts the replicas that tagged the frame with it; one tag per label kept. */
function mergeTags(
  frame: number,
  tagsByReplica: ReadonlyArray<readonly FrameObject[]>,
  labels: ReadonlyMap<number, IndexedLabel>,
  required: number,
  replicas: number,
  replicaOf: (o: FrameObject) => number,
  tally: AgreementTally,
): LabeledTag[] {
  const byLabel = new Map<number, FrameObject[]>();
  for (const tags of tagsByReplica) {
    const mine = new Set<number>();
    for (const t of tags) {
      if (mine.has(t.label_id)) continue; // one vote per replica, whatever its duplicates
      mine.add(t.label_id);
      let voters = byLabel.get(t.label_id);
      if (!voters) byLabel.set(t.label_id, (voters = []));
      voters.push(t);
    }
  }
  const out: LabeledTag[] = [];
  for (const [label_id, voters] of byLabel) {
    if (voters.length < required) {
      tally.drop();
      continue;
    }
    const { attributes } = votedAttributes(voters, labels.get(label_id)!, required);
    out.push({ frame, label_id, group: 0, source: 'consensus', attributes });
    tally.kept(voters.map(replicaOf), voters.length / replicas);
  }
  return out;
}

function mergedShape(
  frame: number,
  chosen: FrameObject,
  pointAttributes: ReadonlyMap<number, AttributeValue[]>,
  voters: readonly FrameObject[],
  label: IndexedLabel,
  required: number,
  score: number,
): LabeledShape {
  const { attributes, occluded } = votedAttributes(voters, label, required);
  const z_order = Math.max(...voters.map((v) => v.z_order));
  const type = chosen.kind as ShapeType;
  return {
    frame,
    label_id: label.label.id,
    group: 0,
    source: 'consensus',
    attributes,
    type,
    points: type === 'skeleton' ? [] : [...chosen.points],
    rotation: chosen.rotation,
    occluded,
    outside: false,
    z_order,
    score,
    elements:
      type === 'skeleton'
        ? chosen.elements.map((e) => ({
            frame,
            label_id: e.label_id,
            group: 0,
            source: 'consensus' as const,
            attributes: pointAttributes.get(e.label_id) ?? [],
            type: 'points' as const,
            points: [e.x, e.y],
            rotation: 0,
            occluded: e.occluded,
            outside: e.outside,
            z_order,
            score,
          }))
        : [],
  };
}
