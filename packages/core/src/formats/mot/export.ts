/**
 * MOT 1.1 export as CVAT writes it (mot.py through Datumaro's mot_seq_gt converter):
 * gt/gt.txt with one CSV row per box, "frame,track,x,y,w,h,not_ignored,class,visibility",
 * rows ending in \r\n (Python's csv module), numbers as Python prints floats; gt/labels.txt with
 * the label names, one a line; images under img1/.
 *
 * Frames are numbered by position from 1 (CVAT does so for names that are not numbers; it uses a
 * numeric name itself, which we do not, so a frame's row number never depends on its file name).
 * Track ids are renumbered from 1 in order of appearance, standalone boxes get -1. Classes count
 * from 1 over the top-level labels (CVAT also counts skeleton points, which MOT cannot hold).
 * Everything else is reported: shapes other than boxes, tags, attribute values, groups; rotation
 * is dropped from rotated boxes (reported as converted).
 */
import type { DatasetImage, ExportContext, ExportInput, ExportSink, FrameAnnotations } from '../model.js';
import { pyFloat } from '../cvat/pyformat.js';

export async function exportMot(input: ExportInput, sink: ExportSink, ctx: ExportContext): Promise<void> {
  const classes = new Map<string, number>();
  input.labels.forEach((l, i) => {
    if (!classes.has(l.name)) classes.set(l.name, i + 1);
  });
  const trackIds = new Map<number, number>();
  const images: DatasetImage[] = [];
  const { report } = ctx;

  const rows = (f: FrameAnnotations, frameId: number): string => {
    const frame = f.image.frame;
    let out = '';
    // CVAT orders a frame's shapes by z_order (a stable sort).
    const shapes = f.shapes.map((s, i) => ({ s, i })).sort((a, b) => a.s.z_order - b.s.z_order || a.i - b.i);
    for (const { s } of shapes) {
      if (s.type !== 'rectangle' || s.points.length !== 4 || !s.points.every(Number.isFinite)) {
        report.dropped(`${s.type} shapes`, frame, 'MOT holds only boxes');
        continue;
      }
      if (s.rotation) report.converted('rotated boxes', frame, 'written without their rotation');
      if (Object.keys(s.attributes).length > 0) report.dropped('attribute values', frame, 'MOT has no attributes');
      if (s.group) report.dropped('groups', frame, 'MOT has no groups');
      let track = -1;
      if (s.track_id !== undefined) {
        if (!trackIds.has(s.track_id)) trackIds.set(s.track_id, trackIds.size + 1);
        track = trackIds.get(s.track_id)!;
      }
      const [x0, y0, x1, y1] = s.points as [number, number, number, number];
      const fields = [
        String(frameId), String(track), pyFloat(x0), pyFloat(y0), pyFloat(x1 - x0), pyFloat(y1 - y0),
        '1', String(classes.get(s.label) ?? -1), pyFloat(s.occluded ? 0 : 1),
      ];
      out += fields.join(',') + '\r\n';
    }
    for (const _tag of f.tags) report.dropped('tags', frame, 'MOT has no image-level labels');
    return out;
  };

  async function* gt(): AsyncGenerator<string> {
    let position = 0;
    for await (const f of input.frames) {
      position++;
      if (input.saveImages) images.push(f.image);
      const text = rows(f, position);
      if (text) yield text;
    }
  }
  await sink.file('gt/gt.txt', gt());
  await sink.file('gt/labels.txt', input.labels.map((l) => l.name).join('\n'));
  for (const image of images) await sink.image(image, `img1/${image.name}`);
}
