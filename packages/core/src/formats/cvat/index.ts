/**
 * CVAT's own XML formats. Two exporters ("CVAT for images 1.1", "CVAT for video 1.1") and one
 * importer ("CVAT 1.1") that reads both layouts, as CVAT registers them (cvat.py).
 *
 * Import reads every .xml file of the upload (CVAT does the same for task archives). Frames are
 * renumbered from the file's absolute numbers to the task's (from 0, see xml-meta.ts). A file's
 * `source` values are kept when valid (CVAT marks everything imported "file"); tracks in project
 * files lose the subset they were written under (the dataset model keeps none on tracks).
 * Attribute values come back trimmed of surrounding whitespace (xml.ts trims element text).
 *
 * Round trips (export, import, export) are byte-equal. What import normalises: coordinates to
 * the two decimals written; keyframes carry every mutable attribute in effect rather than only
 * those that changed; attributes are written in the label's declared order; a frame's shapes in
 * z_order; in CVAT for video every standalone shape comes back as a two-keyframe track, as in CVAT.
 */
import { DatasetFormatError, type FormatCodec, type ImportSource, type ParsedDataset } from '../model.js';
import { exportCvatImages } from './export-images.js';
import { exportCvatVideo } from './export-video.js';
import { LabelUsage } from './label-usage.js';
import { CvatXmlReader, type CvatCollected } from './xml-reader.js';

export async function importCvat(source: ImportSource): Promise<ParsedDataset> {
  const files = source.paths().filter((p) => /\.xml$/i.test(p));
  if (files.length === 0) throw new DatasetFormatError(source.paths()[0] ?? 'upload', 'no CVAT annotation file (.xml) found');
  const out: CvatCollected = { usage: new LabelUsage(), frames: [], tracks: [] };
  const trackIds = new Set<number>();
  for (const file of files) new CvatXmlReader(file, out, trackIds).read(await source.text(file));
  return { labels: out.usage.labels(), frames: out.frames, tracks: out.tracks };
}

export const cvatImagesFormat: FormatCodec = {
  name: 'CVAT for images 1.1',
  ext: 'ZIP',
  dimension: '2d',
  export: exportCvatImages,
};

export const cvatVideoFormat: FormatCodec = {
  name: 'CVAT for video 1.1',
  ext: 'ZIP',
  dimension: '2d',
  export: exportCvatVideo,
};

export const cvatImportFormat: FormatCodec = {
  name: 'CVAT 1.1',
  ext: 'XML, ZIP',
  dimension: '2d',
  import: (source) => importCvat(source),
};
