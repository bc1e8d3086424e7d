/**
 * The conflicts of one compared frame, in CVAT's order: low_overlap, missing_annotation,
 * extra_annotation, mismatching_label, mismatching_direction, covered_annotation,
 * mismatching_attributes, mismatching_groups.
 */
import { coveredObjects } from './covered.js';
import { mismatchingGroupPairs } from './groups.js';
import type { FrameContext, FrameMatch, MatchedPair } from './match.js';
import type { FrameObject } from './objects.js';
import { lineSimilarity } from './similarity/lines.js';
import { conflictSeverity, type AnnotationConflict, type ConflictType } from './types.js';

/** Whether two objects' attributes differ (a value differs, or one has an attribute the other lacks). */
export function attributesDiffer(a: FrameObject, b: FrameObject): boolean {
  if (a.attributes.size !== b.attributes.size) return true;
  for (const [k, v] of a.attributes) if (b.attributes.get(k) !== v) return true;
  return false;
}

export function frameConflicts(frame: number, gt: readonly FrameObject[], ds: readonly FrameObject[], m: FrameMatch, ctx: FrameContext): AnnotationConflict[] {
  const s = ctx.settings;
  const out: AnnotationConflict[] = [];
  const add = (type: ConflictType, ...objects: FrameObject[]) => out.push({ frame, type, severity: conflictSeverity(type), annotation_ids: objects.map((o) => o.id) });
  const pairs: MatchedPair[] = [...m.matches, ...m.mismatches];
  for (const p of pairs) {
    // Tags have no overlap to be low.
    if (p.gt.kind !== 'tag' && p.similarity > 0 && p.similarity < s.low_overlap_threshold) add('low_overlap', p.ds, p.gt);
  }
  for (const o of m.gtUnmatched) add('missing_annotation', o);
  for (const o of m.dsUnmatched) add('extra_annotation', o);
  for (const p of m.mismatches) add('mismatching_label', p.ds, p.gt);
  if (s.compare_line_orientation) {
    const opts = { scale: ctx.width * ctx.height, thickness: s.line_thickness, oriented: true };
    for (const p of pairs) {
      if (p.gt.kind !== 'polyline' || p.ds.kind !== 'polyline') continue;
      if (p.similarity - lineSimilarity(p.gt.points, p.ds.points, opts) > s.line_orientation_threshold) add('mismatching_direction', p.ds, p.gt);
    }
  }
  if (s.check_covered_annotations) {
    for (const o of coveredObjects(ds, ctx.width, ctx.height, s.object_visibility_threshold, m.rasters)) add('covered_annotation', o);
  }
  if (s.compare_attributes) {
    for (const p of m.matches) if (attributesDiffer(p.gt, p.ds)) add('mismatching_attributes', p.ds, p.gt);
  }
  if (s.compare_groups) {
    const shapePairs = pairs.filter((p) => p.gt.kind !== 'tag');
    for (const p of mismatchingGroupPairs(gt, ds, shapePairs, s.group_match_threshold)) add('mismatching_groups', p.ds, p.gt);
  }
  return out;
}
