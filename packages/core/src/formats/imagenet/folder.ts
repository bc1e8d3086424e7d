/**
 * ImageNet as image folders (Datumaro's "imagenet", CVAT's ImageNet export with images): each
 * image copied into a folder per tag label, `<label>/<frame name>`, or `no_label/<frame name>`
 * when it has no tag; no annotation file. A frame name that already starts with the label's
 * folder is not nested again (Datumaro's rule, so a re-export writes the same paths).
 *
 * Import reads images exactly one folder deep (as Datumaro does: images at the root or deeper
 * are not items); each is a frame named `<folder>/<file>` with the folder as its tag, which is
 * how CVAT matches `label/image` items to the task's `image`. Labels are the root's folders,
 * sorted, except no_label.
 */
import { ImageMatcher, baseName } from '../match.js';
import type { ExportContext, ExportInput, ExportSink, FrameAnnotations, ImportContext, ImportSource, ParsedDataset } from '../model.js';
import { categoryNames } from '../voc/attributes.js';
import { itemNames } from '../voc/layout.js';

export const NO_LABEL = 'no_label';

/** Extensions Datumaro takes for images. */
const IMAGE_EXTENSIONS = new Set([
  'jpg', 'jpeg', 'jpe', 'jp2', 'png', 'bmp', 'dib', 'tif', 'tiff', 'tga', 'webp', 'pfm', 'sr', 'ras', 'exr', 'hdr', 'pic',
  'pbm', 'pgm', 'ppm', 'pxm', 'pnm',
]);

export function isImagePath(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') && IMAGE_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
}

export async function exportFolders(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const index = new Map(categoryNames(input.labels).map((n, i) => [n, i]));
  const names = [...index.keys()];
  let firstSubset: string | undefined;
  for await (const frame of input.frames) {
    const item = itemNames(frame.image);
    const f = frame.image.frame;
    firstSubset ??= item.subset;
    if (item.subset !== firstSubset) ctx.report.dropped('subsets', f, 'ImageNet folders have no subsets: all images go into one tree');
    reportUntagged(frame, index, ctx);
    const classes = [...new Set(frame.tags.filter((t) => index.has(t.label)).map((t) => index.get(t.label)!))].sort((a, b) => a - b);
    const dirs = classes.length ? classes.map((c) => names[c]!) : [NO_LABEL];
    const first = item.id.split('/')[0];
    for (const dir of dirs) {
      const path = item.id.includes('/') && first === dir ? item.file : `${dir}/${item.file}`;
      await sink.image(frame.image, path);
    }
  }
}

/** What classification formats cannot keep: shapes, tag attributes, tags of unknown labels. */
export function reportUntagged(frame: FrameAnnotations, index: ReadonlyMap<string, number>, ctx: ExportContext): void {
  const f = frame.image.frame;
  for (const s of frame.shapes) ctx.report.dropped(`${s.type} shapes`, f, 'ImageNet keeps image tags only');
  for (const t of frame.tags) {
    if (!index.has(t.label)) ctx.report.dropped('tags of labels not in the task', f, `label "${t.label}" is not in the label list`);
    else if (Object.keys(t.attributes).length) ctx.report.dropped('tag attributes', f, 'ImageNet keeps labels only');
  }
}

export async function importFolders(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const labels = [...new Set(source.paths().filter((p) => p.includes('/')).map((p) => p.slice(0, p.indexOf('/'))))]
    .filter((d) => d !== NO_LABEL)
    .sort();
  const matcher = new ImageMatcher(ctx.images);
  const frames: FrameAnnotations[] = [];
  for (const p of source.paths()) {
    const parts = p.split('/');
    if (parts.length !== 2 || !isImagePath(p)) continue;
    const dir = parts[0]!;
    const match = matcher.match(p) ?? matcher.match(baseName(p));
    frames.push({
      image: { frame: -1, name: p, width: match?.width ?? 0, height: match?.height ?? 0 },
      shapes: [],
      tags: dir === NO_LABEL ? [] : [{ label: dir, group: 0, source: 'file', attributes: {} }],
    });
  }
  return { labels: labels.map((name) => ({ name, type: 'any', attributes: [] })), frames, tracks: [] };
}
