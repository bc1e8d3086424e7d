/** Where WIDER Face keeps things (Datumaro's WiderFacePath). */

export const SPLIT_DIR = 'wider_face_split';
export const LABELS_FILE = 'labels.txt';
export const NO_LABEL = 'no_label';
/** Boxes without a label name in the file are faces; a face box's line names no label. */
export const DEFAULT_LABEL = 'face';
/** The columns after x y w h, in order; "-" stands for a value not given. */
export const BOX_ATTRIBUTES = ['blur', 'expression', 'illumination', 'occluded', 'pose', 'invalid'] as const;

export function annotationPath(subset: string): string {
  return `${SPLIT_DIR}/wider_face_${subset}_bbx_gt.txt`;
}

/** The subset an annotation file holds: `wider_face_<subset>_bbx_gt.txt` (or `_filelist`). */
export function subsetOfFile(fileName: string): string {
  const stem = fileName.replace(/\.txt$/i, '');
  const m = /^wider_face_(.+)_(bbx_gt|filelist)$/.exec(stem);
  return m ? m[1]! : stem;
}

export function imagesDir(subset: string): string {
  return `WIDER_${subset}/images`;
}
