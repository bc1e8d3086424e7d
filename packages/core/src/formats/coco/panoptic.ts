/**
 * COCO panoptic files: one annotation per image naming a PNG beside the JSON
 * (`annotations/panoptic_<subset>/<file_name>`) whose pixels hold segment ids as
 * R + 256 G + 65536 B, and `segments_info` giving each segment's category. Each segment becomes
 * a mask; `iscrowd` is not kept, as in CVAT.
 */
import { bitmapToCvatMask } from '../mask.js';
import { DatasetFormatError, type DatasetShape, type ImportContext, type ImportSource, type Raster } from '../model.js';
import { child } from './json.js';
import { categoryOf, imageOf, type FileContext } from './read.js';

function segmentIds(raster: Raster): Uint32Array {
  const { width, height, channels, data } = raster;
  const ids = new Uint32Array(width * height);
  for (let i = 0; i < ids.length; i++) {
    const p = i * channels;
    ids[i] = channels === 1 ? data[p]! : data[p]! + 256 * data[p + 1]! + 65536 * data[p + 2]!;
  }
  return ids;
}

export async function readPanoptic(fc: FileContext, annotations: unknown[], source: ImportSource, ctx: ImportContext): Promise<void> {
  const { r } = fc;
  const dir = fc.file.path.replace(/\.json$/i, '');
  const available = new Set(source.paths());
  for (let i = 0; i < annotations.length; i++) {
    const path = `annotations[${i}]`;
    const ann = r.object(annotations[i], path);
    const frame = imageOf(fc, ann, path);
    const fileName = r.string(r.field(ann, 'file_name', path), child(path, 'file_name'));
    const pngPath = `${dir}/${fileName}`;
    if (!available.has(pngPath)) r.fail(child(path, 'file_name'), `segmentation image ${pngPath} is not in the dataset`);
    const segments = r.array(r.field(ann, 'segments_info', path), child(path, 'segments_info')).map((value, j) => {
      const spath = `${path}.segments_info[${j}]`;
      const seg = r.object(value, spath);
      return { id: r.integer(r.field(seg, 'id', spath), child(spath, 'id')), label: categoryOf(fc, seg, spath).name };
    });
    if (segments.length === 0) continue;
    let raster: Raster;
    try {
      raster = await ctx.raster.decodePng(await source.bytes(pngPath));
    } catch (e) {
      throw new DatasetFormatError(pngPath, `cannot read the segmentation PNG: ${(e as Error).message}`);
    }
    const ids = segmentIds(raster);
    const shapes: DatasetShape[] = [];
    for (const seg of segments) {
      const data = new Uint8Array(ids.length);
      for (let p = 0; p < ids.length; p++) if (ids[p] === seg.id) data[p] = 1;
      const points = bitmapToCvatMask({ width: raster.width, height: raster.height, data });
      if (!points) continue;
      shapes.push({
        type: 'mask', points, label: seg.label, group: 0, source: 'file', attributes: {},
        rotation: 0, occluded: false, outside: false, z_order: 0,
      });
    }
    for (const s of shapes) fc.builder.addShapes(frame, [s]);
  }
}
