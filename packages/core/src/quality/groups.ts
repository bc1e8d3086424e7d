/**
 * mismatching_groups, as CVAT checks it: objects grouped together in the ground truth should
 * be grouped together in the job. Groups (ungrouped objects are groups of one) are matched by
 * the share of their members matched to each other (a Jaccard index over matched pairs, at
 * least group_match_threshold); a matched pair of objects is in conflict when the ground
 * truth's object stands alone but the job's is grouped, or when the job's group is not matched
 * to the ground truth object's group.
 */
import { matchObjects } from './assign.js';
import type { MatchedPair } from './match.js';
import type { FrameObject } from './objects.js';
import { groupInstancesByGroup } from './group-index.js';

export function mismatchingGroupPairs(gt: readonly FrameObject[], ds: readonly FrameObject[], shapePairs: readonly MatchedPair[], threshold: number): MatchedPair[] {
  const g = groupInstancesByGroup(gt.filter((o) => o.kind !== 'tag'));
  const d = groupInstancesByGroup(ds.filter((o) => o.kind !== 'tag'));
  // A ground-truth object matched more than once (parts of merged polygons) keeps its last partner, as in CVAT.
  const partner = new Map<FrameObject, FrameObject>();
  for (const p of shapePairs) partner.set(p.gt, p.ds);
  // Only groups linked by a matched pair can score above 0.
  const links = new Set<string>();
  const candidates: Array<[number, number]> = [];
  for (const p of shapePairs) {
    const gi = g.of.get(p.gt), di = d.of.get(p.ds);
    if (gi === undefined || di === undefined) continue;
    const key = `${gi}:${di}`;
    if (!links.has(key)) {
      links.add(key);
      candidates.push([gi, di]);
    }
  }
  const jaccard = (gi: number, di: number) => {
    const members = new Set(d.groups[di]);
    let inter = 0;
    for (const o of g.groups[gi]!) if (members.has(partner.get(o)!)) inter++;
    const union = g.groups[gi]!.length + d.groups[di]!.length - inter;
    return inter / (union || 1);
  };
  const gIdx = g.groups.map((_, i) => i), dIdx = d.groups.map((_, i) => i);
  const r = matchObjects(gIdx, dIdx, candidates, jaccard, threshold);
  const dsToGt = new Map<number, number>();
  for (const p of r.pairs) dsToGt.set(p.b, p.a);
  return shapePairs.filter((p) => {
    const gi = g.of.get(p.gt)!, di = d.of.get(p.ds)!;
    const lone = g.groups[gi]!.length === 1 && d.groups[di]!.length !== 1;
    return lone || dsToGt.get(di) !== gi;
  });
}
