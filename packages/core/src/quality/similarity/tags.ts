/**
 * Tags (image labels) have no geometry: CVAT scores a pair 1 for the same label and 0.5 for
 * different ones and matches with a threshold of 0.5, so tags pair up same label first, and
 * any left over pair with each other as mismatching labels.
 */
export const TAG_THRESHOLD = 0.5;

export function tagSimilarity(a: { label_id: number }, b: { label_id: number }): number {
  return a.label_id === b.label_id ? 1 : 0.5;
}
