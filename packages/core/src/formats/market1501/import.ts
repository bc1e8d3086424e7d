/**
 * Market-1501 import, as Datumaro reads it for CVAT: subsets are the `bounding_box_<subset>/`
 * folders, `images_<subset>.txt` lists (a list wins over a folder of the same subset) and
 * `query/` (subset "query"). Each image is a frame named without its folder; when its name
 * follows the pattern, a tag "market-1501" carries person_id (as written), camera_id (from 0),
 * track_id, frame_id, bbox_id and query, as CVAT stores them ("true"/"false" for query). A name
 * with more after the pattern keeps only that rest as its name, as Datumaro does.
 *
 * Unlike Datumaro, an image listed under query/ in an `images_<subset>.txt` is a query image
 * (Datumaro marks only images of the subset "query"), so an export's query images read back so;
 * and a list's images keep the list's order (Datumaro sorts them), so a re-export lists them the
 * same way.
 */
import { ImageMatcher, stripExtension } from '../match.js';
import { DatasetFormatError, type FrameAnnotations, type ImportContext, type ImportSource, type ParsedDataset } from '../model.js';
import { LabelCollector, type ValueHint } from '../voc/attributes.js';
import { isImagePath } from '../imagenet/folder.js';
import { BOX_DIR_PREFIX, LABEL, LIST_PREFIX, PATTERN, QUERY_DIR } from './layout.js';

export async function importMarket1501(source: ImportSource, ctx: ImportContext): Promise<ParsedDataset> {
  const paths = source.paths();
  const subsets = new Map<string, { list?: string; dir?: string }>();
  const subset = (name: string) => subsets.get(name) ?? subsets.set(name, {}).get(name)!;
  for (const p of paths) {
    const top = p.split('/')[0]!;
    if (p.includes('/') && top.startsWith(BOX_DIR_PREFIX)) subset(top.slice(BOX_DIR_PREFIX.length)).dir = top;
    else if (p.includes('/') && top.startsWith(QUERY_DIR)) subset(QUERY_DIR).dir = top;
    else if (!p.includes('/') && p.startsWith(LIST_PREFIX) && p.endsWith('.txt')) subset(stripExtension(p.slice(LIST_PREFIX.length))).list = p;
  }
  if (subsets.size === 0) throw new DatasetFormatError(`${BOX_DIR_PREFIX}<subset>`, `no ${BOX_DIR_PREFIX}<subset>/ or ${QUERY_DIR}/ folders and no ${LIST_PREFIX}<subset>.txt lists`);
  const collector = new LabelCollector();
  const matcher = new ImageMatcher(ctx.images);
  const frames: FrameAnnotations[] = [];
  for (const [subsetName, where] of subsets) {
    let images: string[];
    if (where.list) {
      images = [];
      (await source.text(where.list)).split(/\r?\n/).forEach((raw, i) => {
        const line = raw.trim().replace(/\\/g, '/');
        if (line === '') return;
        if (!line.includes('/')) throw new DatasetFormatError(where.list!, `"${line}" is not in a folder (bounding_box_<subset>/ or query/)`, { line: i + 1 });
        images.push(line);
      });
    } else images = paths.filter((p) => p.startsWith(`${where.dir}/`) && isImagePath(p)).sort();
    const seen = new Set<string>();
    for (const path of images) {
      const ext = path.slice(stripExtension(path).length);
      let id = stripExtension(path).slice(path.indexOf('/') + 1);
      const dir = id.includes('/') ? id.slice(0, id.lastIndexOf('/') + 1) : '';
      const m = PATTERN.exec(id.slice(dir.length));
      const tags = [];
      if (m) {
        const attributes: Record<string, string> = {
          person_id: m[1]!, camera_id: String(Number(m[2]) - 1), track_id: String(Number(m[3])), frame_id: String(Number(m[4])),
          bbox_id: String(Number(m[5])), query: subsetName === QUERY_DIR || path.startsWith(`${QUERY_DIR}/`) ? 'true' : 'false',
        };
        const hints = new Map<string, ValueHint>([['query', 'bool']]);
        collector.attributes(LABEL, attributes, hints);
        tags.push({ label: LABEL, group: 0, source: 'file' as const, attributes });
        if (m[6]) id = dir + m[6];
      }
      if (seen.has(id)) continue;
      seen.add(id);
      const name = id + ext;
      const match = matcher.match(name);
      frames.push({
        image: { frame: -1, name, width: match?.width ?? 0, height: match?.height ?? 0, ...(subsetName !== 'default' ? { subset: subsetName } : {}) },
        shapes: [],
        tags,
      });
    }
  }
  return { labels: collector.result(), frames, tracks: [] };
}
