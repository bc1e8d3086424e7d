/** Where VGGFace2 keeps things (Datumaro's VggFace2Path). */

export const ANNOTATION_DIR = 'bb_landmark';
export const BOXES_PREFIX = 'loose_bb_';
export const LANDMARKS_PREFIX = 'loose_landmark_';
export const LABELS_FILE = 'labels.txt';
export const NO_LABEL = 'no_label';

export const LANDMARK_COLUMNS = ['NAME_ID', 'P1X', 'P1Y', 'P2X', 'P2Y', 'P3X', 'P3Y', 'P4X', 'P4Y', 'P5X', 'P5Y'] as const;
export const BOX_COLUMNS = ['NAME_ID', 'X', 'Y', 'W', 'H'] as const;

export function landmarksPath(subset: string): string {
  return `${ANNOTATION_DIR}/${LANDMARKS_PREFIX}${subset}.csv`;
}

export function boxesPath(subset: string): string {
  return `${ANNOTATION_DIR}/${BOXES_PREFIX}${subset}.csv`;
}

/**
 * The row name of an item under a label: `<label>/<item id>`, unless the id already starts with
 * that label's folder (items imported from VGGFace2 keep it), so a re-export names rows the same.
 */
export function nameId(itemId: string, label: string): string {
  const parts = itemId.split('/');
  return parts.length > 1 && parts[0] === label ? itemId : `${label}/${itemId}`;
}
