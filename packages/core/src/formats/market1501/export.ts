/**
 * Market-1501 export, as CVAT writes it (Datumaro's market1501 converter): per subset
 * ("default" for frames without one) `images_<subset>.txt` listing each image's path,
 * `bounding_box_<subset>/<name>` or, for query images, `query/<name>`; images saved there.
 *
 * The name comes from the attributes of the image's one "market-1501" tag, as CVAT takes them:
 * a frame whose name does not already follow the pattern is named
 * `<person_id>_c<camera_id + 1>s<track_id>_<frame_id:06d>_<bbox_id:02d>` (defaults 0, 1, 0, 0;
 * Datumaro's "next free frame" default never finds a used frame, so it is 0), in the frame's
 * folder. Reported: shapes, other tags, a second "market-1501" tag (CVAT then ignores both),
 * attributes other than the pattern's and query, values that are not integers.
 */
import { stripExtension } from '../match.js';
import type { ExportContext, ExportInput, ExportSink } from '../model.js';
import { tagAttributes } from '../voc/attributes.js';
import { itemNames } from '../voc/layout.js';
import { pyIntOr, pyStr, type PyValue } from '../voc/pyformat.js';
import { writeFrames } from '../widerface/stream-files.js';
import { ATTRIBUTES, BOX_DIR_PREFIX, LABEL, LIST_PREFIX, PATTERN, QUERY_DIR } from './layout.js';

export async function exportMarket1501(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const label = input.labels.find((l) => l.name === LABEL);
  const { report } = ctx;
  await writeFrames(input.frames, sink, (frame, out) => {
    const f = frame.image.frame;
    const item = itemNames(frame.image);
    frame.shapes.forEach((s) => report.dropped(`${s.type} shapes`, f, 'Market-1501 keeps what image names say only'));
    const own = frame.tags.filter((t) => t.label === LABEL);
    frame.tags.filter((t) => t.label !== LABEL).forEach(() => report.dropped('tags', f, `Market-1501 keeps the attributes of a "${LABEL}" tag only`));
    if (own.length > 1) report.dropped(`"${LABEL}" tags`, f, 'an image has one set of Market-1501 attributes; with two CVAT takes neither');
    const attrs = own.length === 1 ? tagAttributes(own[0]!, label) : new Map<string, PyValue>();
    for (const [k, v] of attrs) if (!(ATTRIBUTES as readonly string[]).includes(k) && pyStr(v) !== '') report.dropped('tag attributes', f, `Market-1501 names have no place for "${k}"`);

    const query = attrs.get('query');
    const isQuery = query ? (query.kind === 'bool' ? query.value : ['true', 't', 'yes', 'y', 'on', '1'].includes(pyStr(query).toLowerCase())) : false;
    const dir = isQuery ? QUERY_DIR : BOX_DIR_PREFIX + item.subset;
    let name = item.id;
    const pid = attrs.get('person_id') ? pyStr(attrs.get('person_id')!) : '';
    if (!PATTERN.test(item.id) && pid) {
      const int = (key: string, fallback: number) => {
        const v = attrs.get(key);
        const n = pyIntOr(v, NaN);
        if (v && Number.isNaN(n) && pyStr(v) !== '') report.converted('attribute values that are not integers', f, `"${key}" = "${pyStr(v)}" written as ${fallback}`);
        return Number.isNaN(n) ? fallback : n;
      };
      const cid = int('camera_id', 0) + 1, tid = int('track_id', 1), bbid = int('bbox_id', 0), fid = int('frame_id', 0);
      const folder = item.id.includes('/') ? item.id.slice(0, item.id.lastIndexOf('/') + 1) : '';
      name = `${folder}${pid}_c${cid}s${tid}_${pad(fid, 6)}_${pad(bbid, 2)}`;
    }
    const path = `${dir}/${name}${item.file.slice(stripExtension(item.file).length)}`;
    if (input.saveImages) out.image(frame.image, path);
    out.write(`${LIST_PREFIX}${item.subset}.txt`, `${path}\n`);
  });
}

/** Python's '{:0Nd}'. */
function pad(n: number, width: number): string {
  const digits = String(Math.abs(n));
  return n < 0 ? `-${digits.padStart(width - 1, '0')}` : digits.padStart(width, '0');
}
