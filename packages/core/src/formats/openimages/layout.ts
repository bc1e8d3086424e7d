/** Where Open Images keeps things, and the naming helpers Datumaro uses (OpenImagesPath). */

export const ANNOTATIONS_DIR = 'annotations';
export const IMAGES_DIR = 'images';
export const MASKS_DIR = 'masks';
export const FULL_DESCRIPTION_FILE = 'image_ids_and_rotation.csv';
export const SUBSET_DESCRIPTION_SUFFIXES = ['-images-with-rotation.csv', '-images-with-labels-with-rotation.csv'] as const;
export const V5_CLASS_FILE = 'class-descriptions.csv';
export const V5_CLASS_BOXABLE_FILE = 'class-descriptions-boxable.csv';
export const HIERARCHY_FILE = 'bbox_labels_600_hierarchy.json';
export const IMAGE_META_FILE = 'images.meta';
export const LABELS_SUFFIX = '-annotations-human-imagelabels.csv';
export const BOXES_SUFFIX = '-annotations-bbox.csv';
export const MASKS_SUFFIX = '-annotations-object-segmentation.csv';

export const DESCRIPTION_COLUMNS = [
  'ImageID', 'Subset', 'OriginalURL', 'OriginalLandingURL', 'License', 'AuthorProfileURL', 'Author', 'Title', 'OriginalSize',
  'OriginalMD5', 'Thumbnail300KURL', 'Rotation',
] as const;
export const LABEL_COLUMNS = ['ImageID', 'Source', 'LabelName', 'Confidence'] as const;
export const BOX_COLUMNS = [
  'ImageID', 'Source', 'LabelName', 'Confidence', 'XMin', 'XMax', 'YMin', 'YMax', 'IsOccluded', 'IsTruncated', 'IsGroupOf',
  'IsDepiction', 'IsInside',
] as const;
export const MASK_COLUMNS = [
  'MaskPath', 'ImageID', 'LabelName', 'BoxID', 'BoxXMin', 'BoxXMax', 'BoxYMin', 'BoxYMax', 'PredictedIoU', 'Clicks',
] as const;

/** Box flags: the attribute each Is* column becomes (-1 in the file means "not given"). */
export const BOX_FLAGS = [
  ['occluded', 'IsOccluded'], ['truncated', 'IsTruncated'], ['is_group_of', 'IsGroupOf'], ['is_depiction', 'IsDepiction'],
  ['is_inside', 'IsInside'],
] as const;

/** Subset names and mask paths must be plain path components (Datumaro refuses others). */
export function isPathComponent(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..' && !/[/\\\0]/.test(s);
}

/** The subset a `<subset>-annotations-...csv` (or `oidv6-<subset>-...`) file holds. */
export function subsetOfFile(fileName: string): string {
  const parts = fileName.split('-');
  return parts[0] === 'oidv6' ? parts[1] ?? '' : parts[0]!;
}

/** Datumaro's make_file_name: ASCII, lowercase, only word characters and single hyphens. */
export function makeFileName(s: string): string {
  const ascii = s.normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
  return ascii.replace(/[^\w\s-]/g, '').trim().toLowerCase().replace(/[-\s]+/g, '-');
}

/** Python's shlex.quote. */
export function shlexQuote(s: string): string {
  if (s === '') return "''";
  if (!/[^\w@%+=:,./-]/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

/** Python's shlex.split(line, comments=True), POSIX mode. */
export function shlexSplit(line: string): string[] | null {
  const out: string[] = [];
  let token: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) return null;
      let inner = line.slice(i + 1, end);
      if (c === '"') inner = inner.replace(/\\(["\\$`\n])/g, '$1');
      token = (token ?? '') + inner;
      i = end;
    } else if (c === '\\') {
      token = (token ?? '') + (line[i + 1] ?? '');
      i++;
    } else if (/\s/.test(c)) {
      if (token !== null) out.push(token);
      token = null;
    } else if (c === '#' && token === null) break;
    else token = (token ?? '') + c;
  }
  if (token !== null) out.push(token);
  return out;
}
