/**
 * Market-1501's naming (Datumaro's Market1501Path): images are `<person>_c<camera>s<track>_
 * <frame:06d>_<box:02d>[rest].<ext>` under `bounding_box_<subset>/` or `query/`, listed (when
 * annotations only) in `images_<subset>.txt`. CVAT keeps what the name says as attributes of a
 * tag "market-1501" on the image.
 */

export const LABEL = 'market-1501';
export const QUERY_DIR = 'query';
export const BOX_DIR_PREFIX = 'bounding_box_';
export const LIST_PREFIX = 'images_';
export const PATTERN = /^(-?\d+)_c(\d+)s(\d+)_(\d+)_(\d+)(.*)$/;
export const ATTRIBUTES = ['person_id', 'camera_id', 'track_id', 'frame_id', 'bbox_id', 'query'] as const;
